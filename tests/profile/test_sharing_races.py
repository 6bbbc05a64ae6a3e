"""Sharing a report twice at once (two tabs): both answered, one row, the first sharing date.

Real threads on a real database file (SQLite) and on PostgreSQL; see :mod:`tests.db.races`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tandem.db.migrate import upgrade
from tandem.db.session import make_engine, session_scope
from tandem.people.models import Person
from tandem.people.roster import import_roster
from tandem.profile import sharing
from tandem.review import service as review_service
from tests.db.races import race
from tests.profile.test_sharing import ROSTER


@pytest.fixture
def engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    with session_scope(engine) as session:
        import_roster(session=session, path=path)
        review_service.create_cycle(session=session, name="one")
        review_service.assign_from_teams(session=session, cycle="one", teams=["Core"])
    yield engine
    engine.dispose()  # its pooled connections closed, never left to the garbage collector


def _bob(engine: Engine) -> int:
    with session_scope(engine) as session:
        found = session.scalar(select(Person.id).where(Person.email == "bob@example.com"))
        assert found is not None
        return found


@pytest.mark.parametrize("second_choice", [True, False])
def test_sharing_twice_at_once_keeps_one_row(engine: Engine, second_choice: bool) -> None:
    bob = _bob(engine)

    def share(shared: bool) -> Callable[[Session], sharing.ShareOut]:
        def run(session: Session) -> sharing.ShareOut:
            return sharing.set_shared(session=session, cycle="one", person_id=bob, shared=shared)

        return run

    first, second = race(engine, "report_share", share(True), share(second_choice))
    assert isinstance(second, sharing.ShareOut), second
    assert first.shared_with_manager is True and first.shared_at is not None
    assert second.shared_with_manager is second_choice
    assert second.shared_at == (first.shared_at if second_choice else None)
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(sharing.ReportShare)) == 1
        state = sharing.share_state(session=session, cycle="one", person_id=bob)
        assert state == second
    engine.dispose()
