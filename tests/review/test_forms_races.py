"""A rating submitted twice at once (a double click, two tabs): both answered, stored once.

Real threads on a real database file (SQLite) and on PostgreSQL: the second submission reads no
answers, then meets the first's insert; it must reply like a repeated submission, never fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tandem.db.migrate import upgrade
from tandem.db.session import make_engine, session_scope
from tandem.people.models import Person
from tandem.people.roster import import_roster
from tandem.review import forms
from tandem.review import service as review_service
from tandem.review.models import ReviewResponse
from tests.db.races import race
from tests.helpers import V1
from tests.review.conftest import ROSTER, write

ANSWERS = {"vision-1": "4", "process-2": forms.CANT_OBSERVE, "conflict-5": 1}


@pytest.fixture
def engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    with session_scope(engine) as session:
        import_roster(session=session, path=write(tmp_path / "roster.csv", ROSTER))
        review_service.create_cycle(session=session, name="2026-h1", item_bank_version=V1)
        review_service.assign_from_teams(session=session, cycle="2026-h1", teams=["Core"])
    yield engine
    engine.dispose()  # its pooled connections closed, never left to the garbage collector


def _ids(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as session:
        return {p.display_name.split()[0].lower(): p.id for p in session.scalars(select(Person))}


def test_the_same_rating_submitted_twice_at_once_is_stored_once(engine: Engine) -> None:
    ids = _ids(engine)

    def submit(session: Session) -> forms.SaveReport:
        return forms.save_answers(
            session=session, rater_id=ids["cy"], ratee_id=ids["bob"], answers=ANSWERS
        )

    first, second = race(engine, "review_response", submit, submit)
    assert isinstance(second, forms.SaveReport), second
    assert (first.inserted, first.replaced, first.unchanged, first.answered) == (3, 0, 0, 3)
    assert (second.inserted, second.replaced, second.unchanged, second.answered) == (0, 0, 3, 3)
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(ReviewResponse)) == 3
    engine.dispose()


def test_a_different_answer_racing_the_first_replaces_it(engine: Engine) -> None:
    ids = _ids(engine)

    def submit(answers: dict[str, object]) -> forms.SaveReport:
        with Session(engine) as session:
            return forms.save_answers(
                session=session, rater_id=ids["cy"], ratee_id=ids["bob"], answers=answers
            )

    def first(session: Session) -> forms.SaveReport:
        return forms.save_answers(
            session=session, rater_id=ids["cy"], ratee_id=ids["bob"], answers=ANSWERS
        )

    def second(session: Session) -> forms.SaveReport:
        return forms.save_answers(
            session=session, rater_id=ids["cy"], ratee_id=ids["bob"], answers={"vision-1": "2"}
        )

    _, later = race(engine, "review_response", first, second)
    assert isinstance(later, forms.SaveReport), later
    assert (later.inserted, later.replaced, later.answered) == (0, 1, 3)
    with session_scope(engine) as session:
        stored = review_service.answers_by_ratee(session=session, cycle="2026-h1")[ids["bob"]]
        assert {a.item_id: a.value for a in stored if a.rater == ids["cy"]} == {
            "vision-1": 2,
            "process-2": None,
            "conflict-5": 1,
        }
    engine.dispose()
