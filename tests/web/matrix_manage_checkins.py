"""Authorization matrix entries of the check-ins page and API (the manager's toolkit).

Merged into ``tests/web/test_authz_matrix.py``'s ``EXPECTED``. The page is everyone's (it shows
what each may read). A person's check-in is guarded for people in a team role, in any case:
the service admits the person and their line manager only (404 for anyone else), tested in
``tests/manage/test_checkins_service.py`` and ``tests/web/test_manage_checkins.py``. A team's
check-in: its leader and manager; directors and admins any team (bands only).
"""

from __future__ import annotations

BOTH = ("own", "other")
EVERYONE = {"admin": BOTH, "director": BOTH, "leader": BOTH, "manager": BOTH, "member": BOTH}
PEOPLE = {"leader": BOTH, "manager": BOTH, "member": BOTH}
TEAM = {"leader": ("own",), "manager": ("own",), "director": BOTH, "admin": BOTH}

EXPECTED: dict[tuple[str, str], str | dict[str, tuple[str, ...]]] = {
    ("GET", "/manage/check-ins"): EVERYONE,
    ("GET", "/manage/check-ins/person/{person_id}"): PEOPLE,
    ("GET", "/api/manage/check-ins/person/{person_id}"): PEOPLE,
    ("GET", "/api/manage/check-ins/team/{team_id}"): TEAM,
}
