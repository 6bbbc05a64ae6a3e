"""Assigning raters from the organisation (self, manager, peers, reports) and one by one."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.errors import ConflictError, InputError, NotFoundError
from tandem.review import service
from tandem.review.models import ReviewAssignment


def assigned(session: Session, org: dict[str, int]) -> set[tuple[str, str, str]]:
    name = {pid: first for first, pid in org.items()}
    return {
        (name[a.ratee_id], name[a.rater_id], a.relation)
        for a in session.scalars(select(ReviewAssignment))
    }


# Hand-derived from the roster in conftest.py: Ada leads Core, Bob (Core) reports to Ada,
# Cy and Di (Core) and Eve (Edge) report to Bob.
CORE = {
    ("ada", "ada", "self"),
    ("ada", "bob", "report"),
    ("ada", "cy", "peer"),
    ("ada", "di", "peer"),
    ("bob", "bob", "self"),
    ("bob", "ada", "manager"),
    ("bob", "cy", "report"),
    ("bob", "di", "report"),
    ("bob", "eve", "report"),  # a direct report outside the team still rates their manager
    ("cy", "cy", "self"),
    ("cy", "bob", "manager"),
    ("cy", "ada", "peer"),
    ("cy", "di", "peer"),
    ("di", "di", "self"),
    ("di", "bob", "manager"),
    ("di", "ada", "peer"),
    ("di", "cy", "peer"),
}


def test_team_assignment_derives_self_manager_peers_and_reports(
    db_session: Session, org: dict[str, int]
) -> None:
    service.create_cycle(session=db_session, name="c")
    report = service.assign_from_teams(session=db_session, cycle="c", teams=["Core"])
    assert assigned(db_session, org) == CORE
    assert report.created == 17
    assert report.created_by_relation == {"self": 4, "manager": 3, "report": 4, "peer": 6}
    assert report.existing == 0 and report.conflicts == []


def test_assignment_is_idempotent(db_session: Session, org: dict[str, int]) -> None:
    service.create_cycle(session=db_session, name="c")
    service.assign_from_teams(session=db_session, cycle="c", teams=["Core"])
    again = service.assign_from_teams(session=db_session, cycle="c", teams=["Core"])
    assert (again.created, again.existing) == (0, 17)
    assert assigned(db_session, org) == CORE


def test_all_teams_adds_edge_to_core(db_session: Session, org: dict[str, int]) -> None:
    service.create_cycle(session=db_session, name="c")
    report = service.assign_from_teams(session=db_session, cycle="c")
    # Eve, alone in Edge: herself and Bob as her manager; no peers, no reports.
    assert assigned(db_session, org) == CORE | {("eve", "eve", "self"), ("eve", "bob", "manager")}
    assert report.created == 19


def test_an_existing_pair_in_another_relation_is_kept_and_reported(
    db_session: Session, org: dict[str, int]
) -> None:
    service.create_cycle(session=db_session, name="c")
    service.assign_rater(
        session=db_session,
        cycle="c",
        ratee="cy@example.com",
        rater="bob@example.com",
        relation="peer",
    )
    report = service.assign_from_teams(session=db_session, cycle="c", teams=["Core"])
    assert [(c.ratee_id, c.rater_id, c.existing, c.derived) for c in report.conflicts] == [
        (org["cy"], org["bob"], "peer", "manager")
    ]
    assert ("cy", "bob", "peer") in assigned(db_session, org)
    assert report.created == 16


def test_explicit_assignment_checks_relation_and_conflicts(
    db_session: Session, org: dict[str, int]
) -> None:
    service.create_cycle(session=db_session, name="c")
    first = service.assign_rater(
        session=db_session,
        cycle="c",
        ratee=str(org["eve"]),
        rater="DI@example.com",
        relation="peer",
    )
    assert [(a.ratee, a.rater, a.relation) for a in first.assignments] == [
        ("Eve Online", "Di Prince", "peer")
    ]
    same = service.assign_rater(
        session=db_session,
        cycle="c",
        ratee="eve@example.com",
        rater="di@example.com",
        relation="peer",
    )
    assert (same.created, same.existing) == (0, 1)
    with pytest.raises(ConflictError, match=r"already assigned .* as peer"):
        service.assign_rater(
            session=db_session,
            cycle="c",
            ratee="eve@example.com",
            rater="di@example.com",
            relation="manager",
        )
    with pytest.raises(InputError, match="rater to be the ratee"):
        service.assign_rater(
            session=db_session,
            cycle="c",
            ratee="eve@example.com",
            rater="di@example.com",
            relation="self",
        )
    with pytest.raises(InputError, match="relation self, not peer"):
        service.assign_rater(
            session=db_session,
            cycle="c",
            ratee="eve@example.com",
            rater="eve@example.com",
            relation="peer",
        )
    with pytest.raises(InputError, match="not one of"):
        service.assign_rater(
            session=db_session,
            cycle="c",
            ratee="eve@example.com",
            rater="di@example.com",
            relation="friend",
        )
    with pytest.raises(NotFoundError):
        service.assign_rater(
            session=db_session,
            cycle="c",
            ratee="nobody@example.com",
            rater="di@example.com",
            relation="peer",
        )
    assert len(assigned(db_session, org)) == 1


def test_an_unknown_team_is_not_found(db_session: Session, org: dict[str, int]) -> None:
    service.create_cycle(session=db_session, name="c")
    with pytest.raises(NotFoundError, match="'Nowhere'"):
        service.assign_from_teams(session=db_session, cycle="c", teams=["Core", "Nowhere"])
    assert assigned(db_session, org) == set()
