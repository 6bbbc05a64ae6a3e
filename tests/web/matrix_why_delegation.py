"""Authorization matrix entries of the WHY panel's delegation page and its JSON twins.

Merged into ``tests/web/test_authz_matrix.py``'s ``EXPECTED``. As for the HOW routes, the team
is a query parameter, so both cases open the viewer's own team; another team is refused in
``tests/web/test_why_delegation.py`` (``test_permissions``). Reads: the team's leader, manager
and member, and directors (any team); writes: the team's leader and manager only.
"""

from __future__ import annotations

BOTH = ("own", "other")
READ = {"director": BOTH, "leader": BOTH, "manager": BOTH, "member": BOTH}
WRITE = {"leader": BOTH, "manager": BOTH}

EXPECTED: dict[tuple[str, str], str | dict[str, tuple[str, ...]]] = {
    ("GET", "/why/delegation"): READ,
    ("GET", "/api/why/delegation"): READ,
    ("GET", "/api/why/delegation/areas/{area_id}"): READ,
    ("GET", "/api/why/delegation/ownership"): READ,
    ("POST", "/why/delegation/areas"): WRITE,
    ("POST", "/why/delegation/areas/{area_id}/level"): WRITE,
    ("POST", "/why/delegation/areas/{area_id}/confirm"): WRITE,
}
