"""A CLI command leaves no database connection behind (its engines are disposed at the end), so
commands run in one process — the tests, a script — never pile up PostgreSQL sessions."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from tandem.workspace import Workspace
from tests.helpers import run_cli


def _sessions(url: str) -> int:
    """Client sessions open on the database of ``url`` (SQLite: always 0), once the server has
    ended those whose client closed them (a backend exits a moment after its client leaves:
    poll a while; a connection still open keeps the count up for good)."""
    for _ in range(300):
        count = _count(url)
        if count == 0:
            return 0
        time.sleep(0.1)
    return count


def _count(url: str) -> int:
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return 0
    probe = create_engine(url)
    try:
        with probe.connect() as con:
            return int(
                con.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                ).scalar_one()
            )
    finally:
        probe.dispose()


def test_commands_close_their_database_connections(database_url: str, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    made = run_cli("init", "-w", root, "--database-url", database_url, "--json")
    assert made.exit_code == 0, made.stderr
    for args in (("status",), ("people", "list"), ("people", "premise"), ("audit", "list")):
        result = run_cli(*args, "-w", root, "--json")
        assert result.exit_code in (0, 2), (args, result.stderr)
        assert _sessions(database_url) == 0, args
    # a workspace opened by the caller before a command keeps its engine usable
    mine = Workspace.open(root)
    with mine.engine.connect() as con:
        con.execute(text("SELECT 1"))
    assert run_cli("status", "-w", root).exit_code == 0
    with mine.engine.connect() as con:
        assert con.execute(text("SELECT 1")).scalar_one() == 1
    mine.engine.dispose()
