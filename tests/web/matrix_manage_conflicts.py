"""Authorization matrix entries of conflict cases (``/manage/conflicts``, its API).

Merged into ``tests/web/test_authz_matrix.py``'s ``EXPECTED``. Every signed-in person may
ask (the guard); the service shows a case only to its parties and facilitator and answers 404
to everyone else, role by role, in ``tests/manage/test_conflicts_web.py``.
"""

from __future__ import annotations

BOTH = ("own", "other")
ANY_PERSON = dict.fromkeys(("admin", "director", "leader", "manager", "member"), BOTH)

EXPECTED: dict[tuple[str, str], str | dict[str, tuple[str, ...]]] = {
    ("GET", "/manage/conflicts"): ANY_PERSON,
    ("POST", "/manage/conflicts"): ANY_PERSON,
    ("GET", "/manage/conflicts/{case_id}"): ANY_PERSON,
    ("POST", "/manage/conflicts/{case_id}"): ANY_PERSON,
    ("POST", "/manage/conflicts/{case_id}/position"): ANY_PERSON,
    ("POST", "/manage/conflicts/{case_id}/follow-ups"): ANY_PERSON,
    ("GET", "/api/manage/conflicts"): ANY_PERSON,
    ("POST", "/api/manage/conflicts"): ANY_PERSON,
    ("GET", "/api/manage/conflicts/{case_id}"): ANY_PERSON,
    ("PATCH", "/api/manage/conflicts/{case_id}"): ANY_PERSON,
    ("PATCH", "/api/manage/conflicts/{case_id}/position"): ANY_PERSON,
    ("POST", "/api/manage/conflicts/{case_id}/follow-ups"): ANY_PERSON,
    ("POST", "/api/manage/conflicts/{case_id}/follow-ups/{follow_up_id}/done"): ANY_PERSON,
}
