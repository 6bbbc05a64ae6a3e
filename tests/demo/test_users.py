"""The demo's sign-ins, work-data links and open cycle: real services, idempotent, as printed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tandem.accounts import service as accounts_service
from tandem.db.session import session_scope
from tandem.demo.build import build_demo
from tandem.demo.open_cycle import DEMO_OPEN_CYCLE
from tandem.demo.org import DEMO_CYCLE, DEMO_ITEM_BANK
from tandem.demo.users import DEMO_ROLES, DEMO_TEAM, demo_password
from tandem.people.models import Identity, Membership, Person, Team
from tandem.people.service import team_identity_keys
from tandem.review import service as review_service
from tandem.review.forms import open_assignments
from tandem.workspace import Workspace


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("demo") / "ws"
    return root, build_demo(root=root)


def test_one_sign_in_per_role_that_signs_in_with_its_printed_demo_password(
    built: tuple[Path, dict[str, Any]],
) -> None:
    root, result = built
    sign_ins = result["sign_ins"]
    assert isinstance(sign_ins, dict)
    assert "DEMO-ONLY" in sign_ins["note"]
    accounts = {a["role"]: a for a in sign_ins["accounts"]}
    assert tuple(accounts) == DEMO_ROLES
    with session_scope(Workspace.open(root).engine) as session:
        for role, account in accounts.items():
            assert account["password"] == demo_password(role)
            user = accounts_service.authenticate(
                session=session,
                email=account["email"],
                password=account["password"],
                client_ip="127.0.0.1",
            )
            assert user.role == role


def test_the_team_accounts_are_the_leader_the_manager_and_a_member_of_one_team(
    built: tuple[Path, dict[str, Any]],
) -> None:
    root, result = built
    accounts = {a["role"]: a for a in result["sign_ins"]["accounts"]}
    with session_scope(Workspace.open(root).engine) as session:
        for role in ("leader", "manager", "member"):
            assert accounts[role]["team"] == DEMO_TEAM
            user = accounts_service.get_user(session=session, email=accounts[role]["email"])
            membership = session.scalar(
                select(Membership).where(Membership.person_id == user.person_id)
            )
            assert membership is not None
            assert membership.team.name == DEMO_TEAM
            assert membership.role == role
        director = accounts_service.get_user(session=session, email=accounts["director"]["email"])
        head = session.get(Person, director.person_id)
        assert head is not None and head.manager_id is None  # heads the organisation
        admin = accounts_service.get_user(session=session, email=accounts["admin"]["email"])
        assert admin.person_id is None and admin.team_id is None


def test_every_demo_team_has_eight_people_with_work_data(
    built: tuple[Path, dict[str, Any]],
) -> None:
    root, _ = built
    with session_scope(Workspace.open(root).engine) as session:
        names = list(session.scalars(select(Team.name).order_by(Team.name)))
        keys = team_identity_keys(session=session, teams=names)
        assert {name: len(found) for name, found in keys.items()} == dict.fromkeys(names, 8)
        linked = session.scalars(select(Identity).where(Identity.linked_by == "manual"))
        assert {i.source for i in linked} == {"it-incidents"}


def test_the_open_cycle_asks_the_member_to_assess_themself(
    built: tuple[Path, dict[str, Any]],
) -> None:
    root, result = built
    member = next(a for a in result["sign_ins"]["accounts"] if a["role"] == "member")
    with session_scope(Workspace.open(root).engine) as session:
        user = accounts_service.get_user(session=session, email=member["email"])
        assert user.person_id is not None
        todo = open_assignments(session=session, rater_id=user.person_id)
        opened = review_service.get_cycle(session=session, name=DEMO_OPEN_CYCLE)
        closed = review_service.get_cycle(session=session, name=DEMO_CYCLE)
    # the open cycle takes the bank new cycles take; the generated closed one keeps v1
    assert opened.item_bank_version == "2"
    assert closed.item_bank_version == DEMO_ITEM_BANK == "1"
    assert {a.cycle for a in todo} == {DEMO_OPEN_CYCLE}
    assert any(a.relation == "self" for a in todo)
    assert all(a.answered == 0 for a in todo)


def test_building_again_changes_nothing_and_keeps_a_changed_password_secret(
    built: tuple[Path, dict[str, Any]],
) -> None:
    root, first = built
    with session_scope(Workspace.open(root).engine) as session:
        accounts_service.reset_password(
            session=session, email="admin@example.org", password="a password of my own"
        )
    again = build_demo(root=root)
    accounts = {a["role"]: a for a in again["sign_ins"]["accounts"]}
    assert not any(a["created"] for a in accounts.values())
    assert accounts["admin"]["password"] is None
    assert accounts["leader"]["password"] == demo_password("leader")
    assert again["organisation"]["work_data"]["linked"] == 0
    assert again["organisation"]["open_cycle"]["already_present"] is True
    assert again["tables"] == first["tables"]
