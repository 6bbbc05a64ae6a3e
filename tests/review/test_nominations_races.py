"""A nomination posted twice at once (a double click): one is stored, the other told so.

Real threads on a real database (SQLite file and PostgreSQL), interleaved by
:func:`tests.db.races.race`: the second request has read that no nomination exists and meets the
first's insert; it must answer with a conflict, never a UNIQUE violation (a 500).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tandem.db.migrate import upgrade
from tandem.db.session import make_engine, session_scope
from tandem.errors import ConflictError
from tandem.people.models import Person
from tandem.people.roster import import_roster
from tandem.review import nominations
from tandem.review import service as review_service
from tandem.review.models import ReviewNomination
from tests.db.races import race
from tests.review.conftest import ROSTER, write


@pytest.fixture
def engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    with session_scope(engine) as session:
        import_roster(session=session, path=write(tmp_path / "roster.csv", ROSTER))
        review_service.create_cycle(session=session, name="2026-h1")
        review_service.assign_from_teams(session=session, cycle="2026-h1", teams=["Edge"])
    yield engine
    engine.dispose()


def test_the_same_nomination_twice_at_once_is_stored_once(engine: Engine) -> None:
    with session_scope(engine) as session:
        ids = {p.display_name.split()[0].lower(): p.id for p in session.scalars(select(Person))}
    me = nominations.Actor(person_id=ids["eve"], is_admin=False, label="user:1")

    def put(session: Session) -> nominations.NominationOut:
        return nominations.nominate(
            session=session, cycle="2026-h1", ratee_id=ids["eve"], rater_id=ids["cy"],
            relation="peer", actor=me,
        )  # fmt: skip

    first, second = race(engine, "review_nomination", put, put)
    assert isinstance(first, nominations.NominationOut)
    assert isinstance(second, ConflictError) and "nominated already" in second.message
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(ReviewNomination)) == 1
