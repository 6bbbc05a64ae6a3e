"""Authorization matrix entries of the feedback pages and API (the manager's toolkit).

Merged into ``tests/web/test_authz_matrix.py``'s ``EXPECTED``. The route guard admits people
in a team role (leader, manager, member), in any team: which piece of feedback each may read is
the service's rule (giver, receiver, the receiver's manager), tested in
``tests/manage/test_feedback_service.py`` and ``tests/web/test_manage_feedback.py``. Directors
and admins read counts only.
"""

from __future__ import annotations

BOTH = ("own", "other")
PEOPLE = {"leader": BOTH, "manager": BOTH, "member": BOTH}
COUNTS = {"director": BOTH, "admin": BOTH}

EXPECTED: dict[tuple[str, str], str | dict[str, tuple[str, ...]]] = {
    ("GET", "/manage/feedback"): PEOPLE,
    ("POST", "/manage/feedback"): PEOPLE,
    ("GET", "/api/manage/feedback"): PEOPLE,
    ("POST", "/api/manage/feedback"): PEOPLE,
    ("POST", "/api/manage/feedback/lint"): PEOPLE,
    ("GET", "/api/manage/feedback/cadence"): PEOPLE,
    ("GET", "/api/manage/feedback/{feedback_id}"): PEOPLE,
    ("GET", "/api/manage/counts/feedback"): COUNTS,
}
