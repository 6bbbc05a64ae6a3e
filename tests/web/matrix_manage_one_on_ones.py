"""Authorization matrix entries of the 1:1 pages and API (the manager's toolkit).

Merged into ``tests/web/test_authz_matrix.py``'s ``EXPECTED``. The route guard admits people
in a team role; the pair's two people alone reach a pair (everyone else: 404) and a private note
its author alone — the service's rules, tested in ``tests/manage/test_one_on_ones_service.py``
and ``tests/web/test_manage_one_on_ones.py``. Directors and admins read counts only.
"""

from __future__ import annotations

BOTH = ("own", "other")
PEOPLE = {"leader": BOTH, "manager": BOTH, "member": BOTH}
COUNTS = {"director": BOTH, "admin": BOTH}
PAIR = "/manage/one-on-ones/{pair_id}"
API = "/api/manage/one-on-ones"

EXPECTED: dict[tuple[str, str], str | dict[str, tuple[str, ...]]] = {
    ("GET", "/manage/one-on-ones"): PEOPLE,
    ("POST", "/manage/one-on-ones"): PEOPLE,
    ("GET", PAIR): PEOPLE,
    ("POST", f"{PAIR}/meetings"): PEOPLE,
    ("POST", f"{PAIR}/agenda"): PEOPLE,
    ("POST", f"{PAIR}/agenda/{{item_id}}/resolve"): PEOPLE,
    ("POST", f"{PAIR}/actions"): PEOPLE,
    ("POST", f"{PAIR}/actions/{{action_id}}/done"): PEOPLE,
    ("POST", f"{PAIR}/notes"): PEOPLE,
    ("POST", f"{PAIR}/cadence"): PEOPLE,
    ("GET", f"{PAIR}/calendar.ics"): PEOPLE,
    ("GET", API): PEOPLE,
    ("POST", API): PEOPLE,
    ("GET", f"{API}/{{pair_id}}"): PEOPLE,
    ("POST", f"{API}/{{pair_id}}/meetings"): PEOPLE,
    ("POST", f"{API}/{{pair_id}}/agenda"): PEOPLE,
    ("POST", f"{API}/{{pair_id}}/actions"): PEOPLE,
    ("GET", "/api/manage/one-on-one-meetings/{meeting_id}"): PEOPLE,
    ("POST", "/api/manage/one-on-one-meetings/{meeting_id}/notes"): PEOPLE,
    ("GET", "/api/manage/counts/one-on-ones"): COUNTS,
}
