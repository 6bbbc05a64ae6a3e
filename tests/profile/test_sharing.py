"""Sharing a 360 report: private until the ratee shares it, per cycle, with a recorded recipient."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.errors import ConflictError, NotFoundError
from tandem.people.models import Person
from tandem.people.roster import import_roster
from tandem.profile import sharing
from tandem.review import service as review_service

ROSTER = """name,email,team,role,manager
Ada Lovelace,ada@example.com,Core,leader,
Bob Builder,bob@example.com,Core,manager,ada@example.com
Eve Online,eve@example.com,Edge,member,
"""


@pytest.fixture
def people(db_session: Session, tmp_path: Path) -> dict[str, int]:
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    import_roster(session=db_session, path=path)
    for name in ("one", "two"):
        review_service.create_cycle(session=db_session, name=name)
        review_service.assign_from_teams(session=db_session, cycle=name, teams=["Core"])
    rows = db_session.scalars(select(Person)).all()
    return {p.display_name.split()[0].lower(): p.id for p in rows}


def test_a_report_is_private_until_shared(db_session: Session, people: dict[str, int]) -> None:
    state = sharing.share_state(session=db_session, cycle="one", person_id=people["bob"])
    assert state.shared_with_manager is False and state.shared_at is None
    assert state.manager_id == people["ada"]
    cycle = review_service.get_cycle(session=db_session, name="one")
    assert (
        sharing.shared_with(session=db_session, cycle_id=cycle.id, person_id=people["bob"]) is None
    )
    assert not sharing.shared_with_reader(
        session=db_session, cycle_id=cycle.id, reader_id=people["ada"], people=[people["bob"]]
    )


def test_sharing_is_per_cycle_and_can_be_taken_back(
    db_session: Session, people: dict[str, int]
) -> None:
    bob = people["bob"]
    shared = sharing.set_shared(session=db_session, cycle="one", person_id=bob, shared=True)
    assert shared.shared_with_manager is True and shared.shared_at is not None
    assert shared.shared_with_id == people["ada"] and shared.shared_with_name == "Ada Lovelace"
    one = review_service.get_cycle(session=db_session, name="one")
    two = review_service.get_cycle(session=db_session, name="two")
    assert sharing.shared_with(session=db_session, cycle_id=one.id, person_id=bob) == people["ada"]
    assert sharing.shared_with(session=db_session, cycle_id=two.id, person_id=bob) is None
    again = sharing.set_shared(session=db_session, cycle=one, person_id=bob, shared=True)
    assert again.shared_at == shared.shared_at  # sharing twice keeps the first date
    back = sharing.set_shared(session=db_session, cycle="one", person_id=bob, shared=False)
    assert back.shared_with_manager is False and back.shared_at is None
    assert back.shared_with_id is None
    assert sharing.shared_with(session=db_session, cycle_id=one.id, person_id=bob) is None


def test_only_a_rated_person_has_a_report_to_share(
    db_session: Session, people: dict[str, int]
) -> None:
    with pytest.raises(NotFoundError, match="not rated"):
        sharing.set_shared(session=db_session, cycle="one", person_id=people["eve"], shared=True)
    with pytest.raises(NotFoundError, match="no review cycle"):
        sharing.set_shared(session=db_session, cycle="nope", person_id=people["bob"], shared=True)
    with pytest.raises(NotFoundError, match="no person"):
        sharing.share_state(session=db_session, cycle="one", person_id=99999)


def test_a_share_follows_the_person_it_was_shared_with_not_the_role(
    db_session: Session, people: dict[str, int]
) -> None:
    """The attack: share "with my manager", reorganise, and the new manager reads the report."""
    bob, ada, eve = people["bob"], people["ada"], people["eve"]
    sharing.set_shared(session=db_session, cycle="one", person_id=bob, shared=True)
    one = review_service.get_cycle(session=db_session, name="one")
    db_session.get_one(Person, bob).manager_id = eve  # the reorg: Eve is now Bob's manager
    db_session.flush()
    for reader, expected in ((ada, True), (eve, False)):
        allowed = sharing.shared_with_reader(
            session=db_session, cycle_id=one.id, reader_id=reader, people=[bob, eve]
        )
        assert allowed == ({bob} if expected else set())
    state = sharing.share_state(session=db_session, cycle=one, person_id=bob)
    assert (state.shared_with_id, state.manager_id) == (ada, eve)
    # sharing again moves the share to today's manager, and away from the earlier one
    moved = sharing.set_shared(session=db_session, cycle=one, person_id=bob, shared=True)
    assert moved.shared_with_id == eve
    assert not sharing.shared_with_reader(
        session=db_session, cycle_id=one.id, reader_id=ada, people=[bob]
    )


def test_without_a_line_manager_there_is_nobody_to_share_with(
    db_session: Session, people: dict[str, int]
) -> None:
    with pytest.raises(ConflictError, match="no line manager"):
        sharing.set_shared(session=db_session, cycle="one", person_id=people["ada"], shared=True)
    # taking back is always possible
    back = sharing.set_shared(
        session=db_session, cycle="one", person_id=people["ada"], shared=False
    )
    assert back.shared_with_manager is False
