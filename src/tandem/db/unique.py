"""Inserts that race: ``INSERT … ON CONFLICT DO NOTHING`` on SQLite and PostgreSQL.

Two requests writing the same unique row at once (a double-clicked form, two tabs) must not end
in a UNIQUE violation (a 500): the one that comes second finds the row and carries on as if it
had read it first. ``ON CONFLICT DO NOTHING`` is atomic on both backends (PostgreSQL waits for
the other transaction and skips the row once it commits). A ``SAVEPOINT`` around the insert
would do on PostgreSQL, but pysqlite runs a savepoint opened outside a transaction as the
transaction itself, so releasing it commits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tandem.db.base import Base


def insert_if_absent(
    session: Session,
    model: type[Base],
    values: Mapping[str, Any],
    *,
    unique: Sequence[str],
) -> bool:
    """Insert one ``model`` row unless one with the same ``unique`` columns exists; whether it did.

    Column defaults apply as for an ORM insert. The row is not in the session: read it back.
    """
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = cast(Table, model.__table__)
    statement = (
        insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=unique)
        .returning(table.c[unique[0]])  # a row back only when inserted (rowcount is unreliable)
    )
    session.flush()  # pending ORM changes first, as an ORM insert would
    return session.execute(statement).first() is not None
