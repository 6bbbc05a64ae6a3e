"""Rows per table of the app database: the 'database unchanged' check of hostile-input tests."""

from __future__ import annotations

from sqlalchemy import func, select

from tandem.db.base import Base
from tandem.db.session import session_scope
from tandem.workspace import Workspace


def row_counts(workspace: Workspace) -> dict[str, int]:
    """How many rows each table of ``workspace``'s app database holds."""
    with session_scope(workspace.engine) as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }
