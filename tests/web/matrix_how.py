"""Authorization matrix entries of the HOW panel and the home page's JSON twin (DESIGN §7).

Merged into ``tests/web/test_authz_matrix.py``'s ``EXPECTED``. The HOW routes take the team as a
query parameter (``?team=ID`` or ``?team=all``), not in the path, so here both cases open the
viewer's own scope (their team; directors: all work data) and admins, who have no HOW panel, are
refused. Another team and all work data are checked role by role in ``test_how.py``
(``test_another_teams_panel_is_refused``). The matrix lake is empty: an allowed request may
answer 400 (nothing to forecast) or 409 (the team has nobody in the work data), never 401 or 403.
"""

from __future__ import annotations

from tests.web.conftest import ROLES

BOTH = ("own", "other")
SIGNED_IN = dict.fromkeys(ROLES, BOTH)
HOW = {"director": BOTH, "leader": BOTH, "manager": BOTH, "member": BOTH}

EXPECTED: dict[tuple[str, str], str | dict[str, tuple[str, ...]]] = {
    ("GET", "/api/home"): SIGNED_IN,
    ("GET", "/how"): HOW,
    ("GET", "/api/how/summary"): HOW,
    ("GET", "/api/how/bottlenecks"): HOW,
    ("GET", "/api/how/dfg"): HOW,
    ("GET", "/api/how/map.svg"): HOW,
    ("GET", "/api/how/wip"): HOW,
    ("GET", "/api/how/forecast"): HOW,
    ("GET", "/api/how/git"): HOW,
    ("GET", "/api/how/prs"): HOW,
    ("GET", "/api/how/dora"): HOW,
}
