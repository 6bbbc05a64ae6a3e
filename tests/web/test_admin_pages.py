"""The admin page: users and roles, adding users with CSRF, teams, ingest status; admins only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tandem.accounts import service as accounts_service
from tandem.db.session import session_scope
from tandem.people.models import Person
from tandem.web.app import create_app
from tandem.workspace import Workspace
from tests.web.conftest import PASSWORD, csrf_from, sign_in
from tests.web.people_org import PeopleOrg, as_user, fresh

Setup = tuple[Workspace, PeopleOrg]
ADMIN_ROUTES = [
    ("GET", "/admin"),
    ("GET", "/api/admin/users"),
    ("GET", "/api/admin/teams"),
    ("GET", "/api/admin/status"),
    ("POST", "/api/admin/users"),
    ("POST", "/api/admin/users/role"),
]


@pytest.fixture
def setup(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Setup:
    return fresh(tmp_path, tmp_path_factory)


@pytest.fixture
def client(setup: Setup) -> Iterator[TestClient]:
    with TestClient(create_app(setup[0])) as test_client:
        yield test_client


def test_the_admin_page_lists_users_teams_and_status(client: TestClient, setup: Setup) -> None:
    as_user(client, setup, "admin")
    page = client.get("/admin")
    assert page.status_code == 200
    for text in ("ada.fernhollow@example.org", "Atlas", "Tiny", "Sources and ingest status"):
        assert text in page.text
    teams = {t["name"]: t["members"] for t in client.get("/api/admin/teams").json()}
    assert teams["Atlas"] == 8 and teams["Tiny"] == 2
    status = client.get("/api/admin/status").json()
    assert status["status"]["database"]["person"] == 32
    assert status["sources"] == []


def test_an_admin_adds_a_user_linked_to_their_person(client: TestClient, setup: Setup) -> None:
    workspace, _ = setup
    as_user(client, setup, "admin")
    token = csrf_from(client.get("/admin").text)
    data = {
        "csrf_token": token,
        "email": "Elin.Brindlewick@example.org",
        "role": "member",
        "team": "Atlas",
        "password": PASSWORD,
    }
    added = client.post("/admin/users", data=data)
    assert added.status_code == 200 and "elin.brindlewick@example.org" in added.text
    with session_scope(workspace.engine) as session:
        user = accounts_service.get_user(session=session, email="elin.brindlewick@example.org")
    assert user.role == "member" and user.team_name == "Atlas" and user.person_id is not None
    client.cookies.clear()
    assert sign_in(client, "elin.brindlewick@example.org").status_code == 303

    token = as_user(client, setup, "admin")
    again = client.post("/admin/users", data=data | {"csrf_token": token})
    assert again.status_code == 409 and "exists already" in again.text
    weak = client.post(
        "/api/admin/users",
        json={"email": "new@example.org", "role": "member", "password": "short"},
        headers={"X-CSRF-Token": token},
    )
    assert weak.status_code == 422 and weak.json()["error"]["field"] == "password"


def test_a_guessable_or_personal_password_is_refused_in_the_canonical_shape(
    client: TestClient, setup: Setup
) -> None:
    token = as_user(client, setup, "admin")
    before = client.get("/api/admin/users").json()
    for password, message in [
        (
            "password1234",
            "field 'password': this password is too easy to guess: This is a very common "
            "password. Add another word or two. Uncommon words are better.",
        ),
        (
            "newcomer-pass-zebra-9",
            "field 'password': a password must not contain your email address or name ('newcomer')",
        ),
    ]:
        refused = client.post(
            "/api/admin/users",
            json={"email": "newcomer@example.org", "role": "member", "password": password},
            headers={"X-CSRF-Token": token},
        )
        assert refused.status_code == 422
        assert refused.json() == {
            "error": {
                "status": 422,
                "code": "weak_password",
                "message": message,
                "field": "password",
            }
        }
    assert client.get("/api/admin/users").json() == before


def test_adding_a_user_needs_the_csrf_token(client: TestClient, setup: Setup) -> None:
    as_user(client, setup, "admin")
    data = {"email": "x@example.org", "role": "member", "password": PASSWORD}
    refused = client.post("/admin/users", data=data)
    assert refused.status_code == 403
    assert "did not come from Tandem" in refused.text


def test_an_admin_changes_a_role(client: TestClient, setup: Setup) -> None:
    token = as_user(client, setup, "admin")
    changed = client.post(
        "/api/admin/users/role",
        json={"email": "chiara.marrowdale@example.org", "role": "manager", "team": "Beacon"},
        headers={"X-CSRF-Token": token},
    )
    assert changed.status_code == 200
    assert changed.json()["role"] == "manager" and changed.json()["team_name"] == "Beacon"
    page = client.post(
        "/admin/users/role",
        data={"csrf_token": token, "email": "chiara.marrowdale@example.org", "role": "boss"},
    )
    assert page.status_code == 400 and "is not one of" in page.text


@pytest.mark.parametrize("key", ["director", "leader", "manager", "member"])
@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_admin_routes_refuse_everyone_else(
    client: TestClient, setup: Setup, key: str, method: str, path: str
) -> None:
    token = as_user(client, setup, key)
    answer = client.request(method, path, headers={"X-CSRF-Token": token}, json={})
    assert answer.status_code == 403


def test_user_text_is_escaped_on_the_admin_page(client: TestClient, setup: Setup) -> None:
    workspace, _ = setup
    with session_scope(workspace.engine) as session:
        person = Person(display_name='<img src=x onerror="alert(1)">', email="markup@example.org")
        session.add(person)
        session.flush()
        accounts_service.add_user(
            session=session, email="markup@example.org", password=PASSWORD, role="member"
        )
    as_user(client, setup, "admin")
    html = client.get("/admin").text
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
