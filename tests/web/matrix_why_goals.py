"""Authorization matrix entries of the WHY panel's vision and goals (DESIGN §7).

Merged into ``tests/web/test_authz_matrix.py``'s ``EXPECTED``. The routes take the team as a
query parameter (``?team=ID``), not in the path, so both cases open the viewer's own team (a
director has none: 404, not 403). Another team is checked role by role in
``tests/web/test_why_goals.py``. Writes are the team's leader's and manager's only.
"""

from __future__ import annotations

BOTH = ("own", "other")
VIEW = {"director": BOTH, "leader": BOTH, "manager": BOTH, "member": BOTH}
EDIT = {"leader": BOTH, "manager": BOTH}

EXPECTED: dict[tuple[str, str], str | dict[str, tuple[str, ...]]] = {
    ("GET", "/why"): VIEW,
    ("GET", "/api/why/goals"): VIEW,
    ("POST", "/why/vision"): EDIT,
    ("POST", "/why/goals"): EDIT,
    ("POST", "/why/goals/{goal_id}/key-results"): EDIT,
    ("POST", "/why/goals/{goal_id}/status"): EDIT,
    ("POST", "/why/key-results/{key_result_id}/check-ins"): EDIT,
    ("POST", "/api/why/vision"): EDIT,
    ("POST", "/api/why/goals"): EDIT,
    ("POST", "/api/why/goals/{goal_id}/key-results"): EDIT,
    ("POST", "/api/why/goals/{goal_id}/status"): EDIT,
    ("POST", "/api/why/key-results/{key_result_id}/check-ins"): EDIT,
}
