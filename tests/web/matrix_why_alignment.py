"""Authorization matrix entries of the WHY panel's alignment page, its JSON twins, and the brief.

Merged into ``tests/web/test_authz_matrix.py``'s ``EXPECTED``. The team is a query parameter
(``?team=ID``), so both cases open the viewer's own team (a director, who has none, passes the
guard and is told to name a team). Reads are ``view_why`` (the team's leader, manager and
members; directors any team); writes ``edit_why`` (the team's leader and manager only).
Another team is checked role by role in ``tests/why/test_alignment_web.py`` and
``tests/brief/test_brief.py``.
"""

from __future__ import annotations

BOTH = ("own", "other")
VIEW = {"director": BOTH, "leader": BOTH, "manager": BOTH, "member": BOTH}
EDIT = {"leader": BOTH, "manager": BOTH}

EXPECTED: dict[tuple[str, str], str | dict[str, tuple[str, ...]]] = {
    ("GET", "/why/alignment"): VIEW,
    ("GET", "/api/why/alignment/balance"): VIEW,
    ("GET", "/api/why/alignment/suggestions"): VIEW,
    ("GET", "/api/why/alignment/rules"): VIEW,
    ("POST", "/api/why/alignment/rules"): EDIT,
    ("POST", "/api/why/alignment/decisions"): EDIT,
    ("POST", "/why/alignment/rules"): EDIT,
    ("POST", "/why/alignment/rules/{rule_id}/remove"): EDIT,
    ("POST", "/why/alignment/decisions"): EDIT,
    ("GET", "/why/brief"): VIEW,
}
