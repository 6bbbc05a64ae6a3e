"""The authorization matrix: every route × role × own team / other team, against a table.

Deny by default: a route missing from ``EXPECTED`` fails the first test, and ``create_app``
itself refuses a route without an action. Action rules are checked one by one in
``test_permissions.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tandem.web.app import create_app
from tandem.web.config import CSRF_COOKIE
from tandem.web.permissions import iter_routes
from tandem.workspace import Workspace
from tests.helpers import new_workspace
from tests.web.conftest import ROLES, Org, csrf_from, make_org, sign_in_directly
from tests.web.matrix_how import EXPECTED as HOW_EXPECTED
from tests.web.matrix_manage_allocation import EXPECTED as ALLOCATION_EXPECTED
from tests.web.matrix_manage_checkins import EXPECTED as CHECKINS_EXPECTED
from tests.web.matrix_manage_concerns import EXPECTED as CONCERNS_EXPECTED
from tests.web.matrix_manage_conflicts import EXPECTED as CONFLICTS_EXPECTED
from tests.web.matrix_manage_feedback import EXPECTED as FEEDBACK_EXPECTED
from tests.web.matrix_manage_one_on_ones import EXPECTED as ONE_ON_ONES_EXPECTED
from tests.web.matrix_people import EXPECTED as PEOPLE_EXPECTED
from tests.web.matrix_why_alignment import EXPECTED as ALIGNMENT_EXPECTED
from tests.web.matrix_why_change import EXPECTED as WHY_CHANGE_EXPECTED
from tests.web.matrix_why_delegation import EXPECTED as DELEGATION_EXPECTED
from tests.web.matrix_why_goals import EXPECTED as WHY_GOALS_EXPECTED
from tests.web.matrix_why_recognition import EXPECTED as RECOGNITION_EXPECTED
from tests.web.matrix_why_stories import EXPECTED as STORIES_EXPECTED

ANYONE = "anyone"  # public: anonymous users too
SIGNED_IN = dict.fromkeys(ROLES, ("own", "other"))

# (method, path) -> ANYONE, or role -> the team cases (own / other) in which it is allowed.
EXPECTED: dict[tuple[str, str], str | dict[str, tuple[str, ...]]] = {
    ("GET", "/login"): ANYONE,
    ("POST", "/login"): ANYONE,
    ("GET", "/setup"): ANYONE,
    ("POST", "/setup"): ANYONE,
    ("GET", "/api/openapi.json"): ANYONE,
    ("GET", "/api/docs"): ANYONE,
    ("GET", "/"): SIGNED_IN,
    ("POST", "/logout"): SIGNED_IN,
    ("GET", "/account/password"): SIGNED_IN,
    ("POST", "/account/password"): SIGNED_IN,
    ("GET", "/api/me"): SIGNED_IN,
    ("GET", "/admin/audit"): {"admin": ("own", "other")},
    ("GET", "/api/admin/audit"): {"admin": ("own", "other")},
    **PEOPLE_EXPECTED,
    **HOW_EXPECTED,
    **WHY_GOALS_EXPECTED,
    **STORIES_EXPECTED,
    **RECOGNITION_EXPECTED,
    **WHY_CHANGE_EXPECTED,
    **DELEGATION_EXPECTED,
    **ALIGNMENT_EXPECTED,
    **ALLOCATION_EXPECTED,
    **FEEDBACK_EXPECTED,
    **ONE_ON_ONES_EXPECTED,
    **CONCERNS_EXPECTED,
    **CONFLICTS_EXPECTED,
    **CHECKINS_EXPECTED,
}
STATIC = "/static"


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) the app answers, HEAD aside (it follows GET)."""
    found = set()
    for path, route in iter_routes(app.routes):
        if path == STATIC:
            continue
        for method in getattr(route, "methods", None) or ():
            if method != "HEAD":
                found.add((method, path))
    return found


@dataclass(frozen=True)
class Matrix:
    app: FastAPI
    workspace: Workspace
    org: Org


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Matrix:
    """One workspace for the whole matrix: each case gets a fresh session, nothing else changes."""
    workspace = new_workspace(tmp_path_factory.mktemp("matrix") / "ws")
    return Matrix(create_app(workspace), workspace, make_org(workspace))


def test_every_route_is_in_the_expected_table(app: FastAPI) -> None:
    assert app_routes(app) == set(EXPECTED), "add the new route to EXPECTED with its verdicts"


def _fill(path: str, org: Org, role: str, case: str) -> str:
    own = case == "own"
    person = org.person_ids.get(role, org.other_person_id) if own else org.other_person_id
    return path.format(
        team_id=org.own_team_id if own else org.other_team_id,
        person_id=person,
        duo_id=1,
        experiment_id=1,
        nomination_id=1,
        answer="accept",
        goal_id=1,
        key_result_id=1,
        area_id=1,
        rule_id=1,
        feedback_id=1,
        pair_id=1,
        meeting_id=1,
        item_id=1,
        action_id=1,
        concern_id=1,
        case_id=1,
        follow_up_id=1,
    )


CASES = [
    (method, path, role, case)
    for (method, path) in sorted(EXPECTED)
    for role in ("anonymous", *ROLES)
    for case in ("own", "other")
]


@pytest.mark.parametrize(("method", "path", "role", "case"), CASES)
def test_route_role_team_matrix(
    matrix: Matrix, method: str, path: str, role: str, case: str
) -> None:
    app, workspace, org = matrix.app, matrix.workspace, matrix.org
    expected = EXPECTED[(method, path)]
    allowed = expected == ANYONE or (isinstance(expected, dict) and case in expected.get(role, ()))
    with TestClient(app) as client:
        if role == "anonymous":
            token = csrf_from(client.get("/login").text)
            assert client.cookies.get(CSRF_COOKIE) == token
        else:
            token = sign_in_directly(client, workspace, org.users[role])
        # HTMX requests get status codes rather than redirects to the sign-in page.
        headers = {"X-CSRF-Token": token, "HX-Request": "true"}
        url = _fill(path, org, role, case)
        response = client.request(method, url, headers=headers, follow_redirects=False)
    if allowed:
        assert response.status_code not in (401, 403), response.text
    elif role == "anonymous":
        assert response.status_code == 401
    else:
        assert response.status_code == 403
