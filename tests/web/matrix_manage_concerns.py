"""Authorization matrix entries of concerns and questions (``/manage/concerns``, its API).

Merged into ``tests/web/test_authz_matrix.py``'s ``EXPECTED``. The team is ``?team=ID`` (none
here: the viewer's own). Reading and raising: the team's leader, manager and member (no
director: counts only, on the overview); answering and closing: its leader and manager (the
service checks the item's team); the overview: directors and admins.
"""

from __future__ import annotations

BOTH = ("own", "other")
TEAM = {"leader": BOTH, "manager": BOTH, "member": BOTH}
LEAD = {"leader": BOTH, "manager": BOTH}
COUNTS = {"director": BOTH, "admin": BOTH}

EXPECTED: dict[tuple[str, str], str | dict[str, tuple[str, ...]]] = {
    ("GET", "/manage/concerns"): TEAM,
    ("POST", "/manage/concerns"): TEAM,
    ("POST", "/manage/concerns/{concern_id}/answer"): LEAD,
    ("POST", "/manage/concerns/{concern_id}/close"): LEAD,
    ("GET", "/manage/concerns/overview"): COUNTS,
    ("GET", "/api/manage/concerns"): TEAM,
    ("POST", "/api/manage/concerns"): TEAM,
    ("POST", "/api/manage/concerns/follow"): TEAM,
    ("POST", "/api/manage/concerns/{concern_id}/answers"): LEAD,
    ("POST", "/api/manage/concerns/{concern_id}/close"): LEAD,
    ("GET", "/api/manage/concerns/overview"): COUNTS,
}
