"""Fixtures for web tests: a real workspace (SQLite), the app, users in two teams, clients."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tandem.accounts import service
from tandem.db.session import session_scope
from tandem.people.models import Person, Team
from tandem.web.app import create_app
from tandem.web.config import SESSION_COOKIE, WebConfig
from tandem.workspace import Workspace

PASSWORD = "correct horse battery"
ROLES = ("admin", "director", "leader", "manager", "member")
OWN_TEAM = "Alpha"
OTHER_TEAM = "Beta"
_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Org:
    """Ids of what :func:`org` created: both teams, a user (and person) per role."""

    own_team_id: int
    other_team_id: int
    users: dict[str, str]  # role -> email
    person_ids: dict[str, int]  # role -> person id
    other_person_id: int  # someone in the other team


@pytest.fixture
def config() -> WebConfig:
    return WebConfig()


@pytest.fixture
def app(workspace: Workspace, config: WebConfig) -> FastAPI:
    return create_app(workspace, config)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def org(workspace: Workspace) -> Org:
    """Teams Alpha (own) and Beta (other); one user per role, leader/manager/member in Alpha."""
    return make_org(workspace)


def make_org(workspace: Workspace) -> Org:
    """Create the teams, people and users of :func:`org` in ``workspace``."""
    with session_scope(workspace.engine) as session:
        alpha, beta = Team(name=OWN_TEAM), Team(name=OTHER_TEAM)
        session.add_all([alpha, beta])
        people = {
            role: Person(display_name=f"The {role}", email=f"{role}@example.org") for role in ROLES
        }
        outsider = Person(display_name="Outsider", email="outsider@example.org")
        session.add_all([*people.values(), outsider])
        session.flush()
        for role in ROLES:
            team = OWN_TEAM if role in ("leader", "manager", "member") else None
            service.add_user(
                session=session,
                email=f"{role}@example.org",
                password=PASSWORD,
                role=role,
                team=team,
            )
        return Org(
            own_team_id=alpha.id,
            other_team_id=beta.id,
            users={role: f"{role}@example.org" for role in ROLES},
            person_ids={role: p.id for role, p in people.items()},
            other_person_id=outsider.id,
        )


def csrf_from(html: str) -> str:
    """The CSRF token of the first form in a page."""
    found = _CSRF_FIELD.search(html)
    assert found, "no csrf_token field in the page"
    return found.group(1)


def sign_in_directly(client: TestClient, workspace: Workspace, email: str) -> str:
    """Give ``client`` a session for ``email`` without the form; returns its CSRF token."""
    with session_scope(workspace.engine) as session:
        user = service.get_user(session=session, email=email)
        new = service.create_session(session=session, user_id=user.id)
    client.cookies.set(SESSION_COOKIE, new.token)
    return new.csrf_token


def sign_in(client: TestClient, email: str, password: str = PASSWORD, **extra: str) -> Any:
    """Sign in through the real form (GET /login for the token, then POST)."""
    token = csrf_from(client.get("/login").text)
    data = {"email": email, "password": password, "csrf_token": token, **extra}
    return client.post("/login", data=data, follow_redirects=False)
