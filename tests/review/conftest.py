"""A small organisation for review tests, imported through the roster like a user would."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.people.models import Person
from tandem.people.roster import import_roster

# Ada leads Core; Bob manages Core and reports to Ada; Cy and Di report to Bob.
# Eve is alone in Edge and reports to Bob too (a report outside Core).
ROSTER = """name,email,team,role,manager
Ada Lovelace,ada@example.com,Core,leader,
Bob Builder,bob@example.com,Core,manager,ada@example.com
Cy Young,cy@example.com,Core,member,bob@example.com
Di Prince,di@example.com,Core,member,bob@example.com
Eve Online,eve@example.com,Edge,member,bob@example.com
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def org(db_session: Session, tmp_path: Path) -> dict[str, int]:
    """Person ids by first name (lower case)."""
    import_roster(session=db_session, path=write(tmp_path / "roster.csv", ROSTER))
    people = db_session.scalars(select(Person)).all()
    return {p.display_name.split()[0].lower(): p.id for p in people}
