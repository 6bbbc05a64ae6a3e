"""Authorization matrix entries of the people, duo, coverage and admin routes (DESIGN §7).

Merged into ``tests/web/test_authz_matrix.py``'s ``EXPECTED``. The matrix organisation has no
review cycle: an allowed request may answer 404 or 422, never 401 or 403.
"""

from __future__ import annotations

from tests.web.conftest import ROLES

BOTH = ("own", "other")
SIGNED_IN = dict.fromkeys(ROLES, BOTH)  # every role's user is linked to a person here
OWN_PERSON = dict.fromkeys(ROLES, ("own",))  # /…/{person_id}: one's own profile only
NOBODY: dict[str, tuple[str, ...]] = {}  # rating oneself is refused; the outsider is unassigned
TEAM_LEADS = {"leader": BOTH, "manager": BOTH, "director": BOTH}  # no team in the path
OWN_LEADS = {"leader": BOTH, "manager": BOTH}  # the team view: directors use the org view
ORG = {"director": BOTH, "admin": BOTH}
ADMIN = {"admin": BOTH}

EXPECTED: dict[tuple[str, str], str | dict[str, tuple[str, ...]]] = {
    # my own area: view_profile with no person in the path
    ("GET", "/people/me"): SIGNED_IN,
    ("GET", "/api/people/me"): SIGNED_IN,
    ("POST", "/people/me/share"): SIGNED_IN,
    ("POST", "/api/people/me/share"): SIGNED_IN,
    ("GET", "/people/me/plan"): SIGNED_IN,
    ("GET", "/api/people/me/plan"): SIGNED_IN,
    ("POST", "/people/me/plan/progress"): SIGNED_IN,
    ("POST", "/api/people/me/plan/progress"): SIGNED_IN,
    ("GET", "/people/me/assessment"): SIGNED_IN,
    ("POST", "/people/me/assessment"): SIGNED_IN,
    ("GET", "/api/people/me/assessment"): SIGNED_IN,
    ("POST", "/api/people/me/assessment"): SIGNED_IN,
    # someone's profile: the owner (a manager after sharing: tests/web/test_people_pages.py)
    ("GET", "/people/{person_id}"): OWN_PERSON,
    ("GET", "/api/people/{person_id}"): OWN_PERSON,
    # trends: one's own; a report's once a closed cycle is shared (tests/web/test_trend_pages.py)
    ("GET", "/people/me/trend"): SIGNED_IN,
    ("GET", "/api/people/me/trend"): SIGNED_IN,
    ("GET", "/people/{person_id}/trend"): OWN_PERSON,
    ("GET", "/api/people/{person_id}/trend"): OWN_PERSON,
    # rating forms: rate_colleague
    ("GET", "/people/rate"): SIGNED_IN,
    ("GET", "/api/people/rate"): SIGNED_IN,
    ("GET", "/people/rate/{person_id}"): NOBODY,
    ("POST", "/people/rate/{person_id}"): NOBODY,
    ("GET", "/api/people/rate/{person_id}"): NOBODY,
    ("POST", "/api/people/rate/{person_id}"): NOBODY,
    # choosing raters: anyone with a person nominates their own; the service checks the line
    # manager for a decision (tests/web/test_nominations_pages.py)
    ("POST", "/people/raters"): SIGNED_IN,
    ("POST", "/people/raters/{nomination_id}/{answer}"): SIGNED_IN,
    ("GET", "/api/people/raters"): SIGNED_IN,
    ("POST", "/api/people/raters"): SIGNED_IN,
    ("POST", "/api/people/raters/{nomination_id}/{answer}"): SIGNED_IN,
    # duos and coverage: the team's leader and manager, directors any team
    ("GET", "/duos"): TEAM_LEADS,
    ("GET", "/api/duos"): TEAM_LEADS,
    ("POST", "/duos/confirm"): TEAM_LEADS,
    ("POST", "/api/duos/confirm"): TEAM_LEADS,
    # consent: a partner, for themselves (no duo here: 404; partners: test_duos_pages.py)
    ("POST", "/duos/{duo_id}/{answer}"): SIGNED_IN,
    ("POST", "/api/duos/{duo_id}/{answer}"): SIGNED_IN,
    ("GET", "/coverage"): OWN_LEADS,
    ("GET", "/api/coverage"): OWN_LEADS,
    ("GET", "/coverage/org"): ORG,
    ("GET", "/api/coverage/org"): ORG,
    ("GET", "/premise"): ORG,
    ("GET", "/api/premise"): ORG,
    # admin
    ("GET", "/admin"): ADMIN,
    ("POST", "/admin/users"): ADMIN,
    ("POST", "/admin/users/role"): ADMIN,
    ("GET", "/api/admin/users"): ADMIN,
    ("POST", "/api/admin/users"): ADMIN,
    ("POST", "/api/admin/users/role"): ADMIN,
    ("GET", "/api/admin/teams"): ADMIN,
    ("GET", "/api/admin/status"): ADMIN,
    ("GET", "/admin/review"): ADMIN,  # names pending raters
    ("GET", "/api/admin/review/completion"): ADMIN,
    ("GET", "/admin/mapping"): ADMIN,  # counts by source only, but it writes tandem.toml
    ("POST", "/admin/mapping"): ADMIN,
    ("GET", "/admin/quality"): ADMIN,
    ("GET", "/api/admin/quality"): ADMIN,
    ("GET", "/admin/sources"): ADMIN,
    ("GET", "/api/admin/sources"): ADMIN,
}
