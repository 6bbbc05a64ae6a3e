"""Review cycles: created pinned to the item bank, listed with counts, closed for good."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tandem.errors import ConflictError, InputError, NotFoundError
from tandem.review import service
from tandem.review.items import available_versions, load_item_bank
from tandem.review.models import ReviewAssignment, ReviewCycle, ReviewResponse
from tests.review.conftest import write


def test_a_cycle_records_the_latest_item_bank_version(db_session: Session) -> None:
    cycle = service.create_cycle(session=db_session, name="2026-H1")
    assert cycle.item_bank_version == available_versions()[-1] == "2"
    # a cycle asked for v1 keeps it: v1 stays loadable by number
    old = service.create_cycle(session=db_session, name="2025-H2", item_bank_version="1")
    assert old.item_bank_version == "1"
    assert (cycle.status, cycle.closed_at) == ("open", None)
    assert cycle.created_at.tzinfo is not None
    assert (cycle.ratees, cycle.assignments, cycle.responses) == (0, 0, 0)


def test_a_cycle_name_is_unique_and_unknown_versions_are_refused(db_session: Session) -> None:
    service.create_cycle(session=db_session, name="2026-H1")
    with pytest.raises(ConflictError, match="already exists"):
        service.create_cycle(session=db_session, name="2026-H1")
    with pytest.raises(InputError, match="unknown item bank version"):
        service.create_cycle(session=db_session, name="other", item_bank_version="999")
    with pytest.raises(InputError, match="needs a name"):
        service.create_cycle(session=db_session, name="  ")


def test_list_counts_assignments_ratees_and_answers(
    db_session: Session, org: dict[str, int], tmp_path: Path
) -> None:
    service.create_cycle(session=db_session, name="first")
    service.create_cycle(session=db_session, name="second")
    service.assign_rater(
        session=db_session,
        cycle="second",
        ratee="cy@example.com",
        rater="di@example.com",
        relation="peer",
    )
    answers = write(
        tmp_path / "a.csv",
        "ratee,rater,relation,item_id,value\n"
        "cy@example.com,cy@example.com,self,vision-1,4\n"
        "cy@example.com,cy@example.com,self,vision-2,\n",
    )
    service.import_responses(session=db_session, cycle="second", path=answers)
    listed = {
        c.name: (c.ratees, c.assignments, c.responses)
        for c in service.list_cycles(session=db_session)
    }
    assert listed == {"first": (0, 0, 0), "second": (1, 2, 2)}


def test_a_closed_cycle_takes_no_assignments_answers_or_second_close(
    db_session: Session, org: dict[str, int], tmp_path: Path
) -> None:
    service.create_cycle(session=db_session, name="done")
    closed = service.close_cycle(session=db_session, name="done")
    assert closed.status == "closed" and closed.closed_at is not None
    answers = write(tmp_path / "a.csv", "ratee,rater,relation,item_id,value\n1,1,self,vision-1,4\n")
    with pytest.raises(ConflictError, match="closed"):
        service.import_responses(session=db_session, cycle="done", path=answers)
    with pytest.raises(ConflictError, match="closed"):
        service.assign_from_teams(session=db_session, cycle="done", teams=["Core"])
    with pytest.raises(ConflictError, match="closed"):
        service.assign_rater(
            session=db_session,
            cycle="done",
            ratee="cy@example.com",
            rater="cy@example.com",
            relation="self",
        )
    with pytest.raises(ConflictError):
        service.close_cycle(session=db_session, name="done")
    assert db_session.scalars(select(ReviewResponse)).all() == []
    assert db_session.scalars(select(ReviewAssignment)).all() == []


def test_an_unknown_cycle_is_not_found_and_names_the_known_ones(db_session: Session) -> None:
    service.create_cycle(session=db_session, name="real")
    with pytest.raises(NotFoundError, match="known: real"):
        service.close_cycle(session=db_session, name="imaginary")


def test_item_bank_listing_matches_the_bank() -> None:
    bank = load_item_bank()
    listed = service.item_bank()
    assert listed.version == bank.version
    assert [(i.id, i.practice, i.reverse) for i in listed.items] == [
        (i.id, i.practice, i.reverse) for i in bank.items
    ]


@pytest.mark.parametrize(
    ("relation", "rater", "value"),
    [
        ("self", "other", 3),
        ("peer", "same", 3),
        ("peer", "other", 6),
        ("peer", "other", 0),
        ("boss", "other", 3),
    ],
)
def test_the_database_itself_refuses_impossible_answers(
    db_session: Session, org: dict[str, int], relation: str, rater: str, value: int
) -> None:
    service.create_cycle(session=db_session, name="c")
    cycle = db_session.scalar(select(ReviewCycle))
    assert cycle is not None
    rater_id = org["cy"] if rater == "same" else org["di"]
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.add(
            ReviewResponse(
                cycle_id=cycle.id,
                ratee_id=org["cy"],
                rater_id=rater_id,
                relation=relation,
                item_id="vision-1",
                value=value,
            )
        )
        db_session.flush()


def test_the_cycles_a_person_is_rated_in_newest_first(
    db_session: Session, org: dict[str, int], tmp_path: Path
) -> None:
    for name in ("first", "second", "third"):
        service.create_cycle(session=db_session, name=name)
    service.assign_rater(
        session=db_session, cycle="first", ratee="cy@example.com", rater="di@example.com",
        relation="peer",
    )  # fmt: skip
    service.assign_rater(
        session=db_session, cycle="second", ratee="di@example.com", rater="cy@example.com",
        relation="peer",
    )  # fmt: skip
    answers = write(
        tmp_path / "a.csv",
        "ratee,rater,relation,item_id,value\ncy@example.com,cy@example.com,self,vision-1,4\n",
    )
    service.import_responses(session=db_session, cycle="third", path=answers)
    assert service.rated_cycles(session=db_session, person_id=org["cy"]) == ["third", "first"]
    assert service.rated_cycles(session=db_session, person_id=org["di"]) == ["second"]
    assert service.rated_cycles(session=db_session, person_id=org["eve"]) == []
