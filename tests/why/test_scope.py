"""The team a why or toolkit answer is about: by id or name, never a database overflow."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tandem.errors import NotFoundError
from tandem.ids import MAX_ID
from tandem.people.models import Team
from tandem.why.scope import find_team


def test_a_number_past_the_largest_id_names_no_team(db_session: Session) -> None:
    # `tandem check-in team 18446744073709551616` overflowed SQLite (PostgreSQL past 2**31).
    db_session.add(Team(name="Alpha"))
    db_session.flush()
    for typed in (str(2**64), str(MAX_ID + 1), "9" * 400):
        with pytest.raises(NotFoundError, match="no team named"):
            find_team(db_session, typed)
    for number in (2**64, MAX_ID + 1, 0, -1):
        with pytest.raises(NotFoundError, match=f"no team with id {number}"):
            find_team(db_session, number)
    assert find_team(db_session, "Alpha").name == "Alpha"
