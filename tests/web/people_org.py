"""The demo's SYNTHETIC organisation with sign-ins, for the people, duo, coverage and admin pages.

:func:`build` writes ``tandem.demo.org`` (32 invented people, the closed cycle
``demo-2026-h2-synthetic``), adds one account per role linked to a person by email, an OPEN
cycle with raters assigned from team Atlas (for the rating forms), and a two-person team "Tiny"
(for the org view's hiding of small teams).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tandem.accounts import service as accounts_service
from tandem.db.session import session_scope
from tandem.demo.org import DEMO_CYCLE, write_demo_org
from tandem.people.models import Membership, Person, Team
from tandem.review import service as review_service
from tandem.workspace import Workspace
from tests.helpers import V1, new_workspace
from tests.web.conftest import PASSWORD, sign_in_directly

OPEN_CYCLE = "open-2026-test"
# Atlas: Ada leads it and is everyone's line manager; Bram holds the manager role; Chiara and
# Dev are members (peers of each other and of Bram). Ines leads Beacon and reports to Ada.
EMAILS = {
    "leader": "ada.fernhollow@example.org",
    "manager": "bram.quillby@example.org",
    "member": "chiara.marrowdale@example.org",
    "peer": "dev.thistlecombe@example.org",
    "director": "ines.fernhollow@example.org",
    "admin": "admin@example.org",
}
OUTSIDER = "kemi.marrowdale@example.org"  # a Beacon member


@dataclass(frozen=True)
class PeopleOrg:
    """Person ids by key (``leader``, ``member``…, ``outsider``) and team ids by name."""

    cycle: str
    open_cycle: str
    person_ids: dict[str, int]
    team_ids: dict[str, int]

    def email(self, key: str) -> str:
        return EMAILS[key]


def build(workspace: Workspace) -> PeopleOrg:
    """Write the demo organisation, the accounts, the open cycle and team Tiny."""
    with session_scope(workspace.engine) as session:
        write_demo_org(session=session)
        teams = {"leader": "Atlas", "manager": "Atlas", "member": "Atlas", "peer": "Atlas"}
        for key, email in EMAILS.items():
            role = "member" if key == "peer" else key
            accounts_service.add_user(
                session=session, email=email, password=PASSWORD, role=role, team=teams.get(key)
            )
        review_service.create_cycle(session=session, name=OPEN_CYCLE, item_bank_version=V1)
        review_service.assign_from_teams(session=session, cycle=OPEN_CYCLE, teams=["Atlas"])
        ids = {
            key: session.scalars(select(Person.id).where(Person.email == email)).one()
            for key, email in {**EMAILS, "outsider": OUTSIDER}.items()
            if key != "admin"
        }
        tiny = Team(name="Tiny")
        session.add(tiny)
        session.flush()
        session.add_all([Membership(person_id=ids[k], team_id=tiny.id) for k in ("member", "peer")])
        session.flush()
        team_ids = {t.name: t.id for t in session.scalars(select(Team))}
    return PeopleOrg(DEMO_CYCLE, OPEN_CYCLE, ids, team_ids)


_TEMPLATE: tuple[Path, PeopleOrg] | None = None


def fresh(tmp_path: Path, factory: pytest.TempPathFactory) -> tuple[Workspace, PeopleOrg]:
    """A copy of a workspace built once per test process (building takes seconds)."""
    global _TEMPLATE
    if _TEMPLATE is None:
        root = factory.mktemp("people-template") / "ws"
        template = new_workspace(root)
        _TEMPLATE = (root, build(template))
        template.engine.dispose()
    root, org = _TEMPLATE
    copy = tmp_path / "ws"
    shutil.copytree(root, copy)
    return Workspace.open(copy), org


def as_user(client: TestClient, setup: tuple[Workspace, PeopleOrg], key: str) -> str:
    """Sign ``client`` in as the account of ``key`` (``leader``, ``member``…); its CSRF token."""
    client.cookies.clear()
    return sign_in_directly(client, setup[0], setup[1].email(key))
