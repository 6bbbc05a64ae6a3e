"""Authorization matrix entries of the WHY panel's change page and its JSON twins.

Merged into ``tests/web/test_authz_matrix.py``'s ``EXPECTED``. The team is a query parameter
(``?team=ID``), so both cases open the viewer's own team (a director, who has none, passes the
guard and gets a 404: no team named). Reads are ``view_why`` (the team's leader, manager and
members; directors any team); writes ``edit_why`` (the team's leader and manager only).
Another team is checked role by role in ``test_why_change.py``.
"""

from __future__ import annotations

BOTH = ("own", "other")
VIEW = {"director": BOTH, "leader": BOTH, "manager": BOTH, "member": BOTH}
EDIT = {"leader": BOTH, "manager": BOTH}

EXPECTED: dict[tuple[str, str], str | dict[str, tuple[str, ...]]] = {
    ("GET", "/why/change"): VIEW,
    ("GET", "/api/why/change/experiments"): VIEW,
    ("GET", "/api/why/change/experiments/{experiment_id}"): VIEW,
    ("GET", "/api/why/change/radar"): VIEW,
    ("POST", "/why/change/experiments"): EDIT,
    ("POST", "/api/why/change/experiments"): EDIT,
    ("POST", "/why/change/experiments/{experiment_id}/conclude"): EDIT,
    ("POST", "/api/why/change/experiments/{experiment_id}/conclude"): EDIT,
    ("POST", "/api/why/change/experiments/{experiment_id}/abandon"): EDIT,
}
