"""The staging area: every reader fills the same DuckDB tables, which the ingest then keys.

``staged_events`` holds one row per event in file order (``ordinal``), with the timestamp still
as text; ``staged_cases`` holds case-level attributes (XES trace attributes) as JSON.
DuckDB spills to a temporary folder, so logs larger than memory stage out of core.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import duckdb

from tandem.errors import InputError
from tandem.lake.store import STAGING_MEMORY_SHARE, memory_limit
from tandem.settings import IngestSettings, over_limit

STAGED_EVENTS = """
CREATE TABLE staged_events (
    ordinal BIGINT, case_id VARCHAR, activity VARCHAR, ts_raw VARCHAR,
    lifecycle VARCHAR, resource VARCHAR, attributes VARCHAR
)
"""
STAGED_CASES = "CREATE TABLE staged_cases (case_id VARCHAR, attributes VARCHAR)"

#: How a staged text timestamp becomes UTC: naive ones are read in the session's time zone.
PARSED_TS = "try_cast(ts_raw AS TIMESTAMPTZ)"


def staging_connection(*, timezone: str, spill: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A private in-process DuckDB with the staging tables, naive times read in ``timezone``.

    With ``spill`` the staging database is a file there, so a log larger than memory pages out
    to disk instead of growing the process (an in-memory DuckDB keeps table data in RAM).
    """
    config: dict[str, str | bool | int | float | list[str]] = {
        "memory_limit": memory_limit(STAGING_MEMORY_SHARE)
    }
    con = duckdb.connect(
        str(spill / "staging.duckdb") if spill is not None else ":memory:", config=config
    )
    try:
        con.execute("SET TimeZone = ?", [timezone])
    except duckdb.Error:
        con.close()
        raise InputError(f"unknown time zone {timezone!r}", field="timezone") from None
    folder = spill or Path(tempfile.gettempdir()) / "tandem-staging"
    con.execute("SET temp_directory = ?", [str(folder)])
    con.execute("SET preserve_insertion_order = true")
    con.execute(STAGED_EVENTS)
    con.execute(STAGED_CASES)
    return con


def check_timestamps(
    con: duckdb.DuckDBPyConnection,
    *,
    path: Path,
    column: str,
    locate: Callable[[int], dict[str, int]],
    limits: IngestSettings | None = None,
) -> None:
    """Raise :class:`InputError` for the first event whose timestamp does not parse or lies
    outside the window of ``limits`` (``ingest.earliest`` to ``ingest.latest_ahead_days`` after
    today: a year-9999 event would stretch every flow window to millennia).

    ``locate`` turns the event's ordinal into ``{"row": n}`` or ``{"line": n}``.
    """
    limits = limits or IngestSettings()
    bad = con.execute(
        f"SELECT ordinal, ts_raw FROM staged_events WHERE {PARSED_TS} IS NULL "
        "ORDER BY ordinal LIMIT 1"
    ).fetchall()
    if bad:
        ordinal, raw = int(bad[0][0]), bad[0][1]
        shown = "an empty value" if raw in (None, "") else repr(raw)
        raise InputError(
            f"unparseable timestamp {shown} (expected ISO-8601, e.g. 2024-05-01T13:45:00+02:00, "
            "'2024-05-01 13:45:00' or 2024-05-01)",
            path=path,
            field=column,
            **locate(ordinal),
        )
    earliest, latest = limits.earliest, limits.latest()
    outside = con.execute(
        f"SELECT ordinal, ts_raw FROM staged_events WHERE {PARSED_TS} < ?::TIMESTAMPTZ "
        f"OR {PARSED_TS} >= ?::TIMESTAMPTZ + INTERVAL 1 DAY ORDER BY ordinal LIMIT 1",
        [f"{earliest.isoformat()} 00:00:00+00", f"{latest.isoformat()} 00:00:00+00"],
    ).fetchall()
    if outside:
        ordinal, raw = int(outside[0][0]), outside[0][1]
        raise InputError(
            f"timestamp {raw!r} lies outside {earliest.isoformat()} .. "
            f"{latest.isoformat()} (ingest.earliest and "
            "ingest.latest_ahead_days); fix the value, or widen the window in tandem.toml",
            path=path,
            field=column,
            **locate(ordinal),
        )


def check_case_sizes(con: duckdb.DuckDBPyConnection, *, path: Path, limits: IngestSettings) -> None:
    """Refuse a case with more events than ``ingest.max_case_events``.

    The lake keeps each case in one file with its variant as one string
    (:mod:`tandem.lake.steps`), so one runaway case would have to be held whole in memory.
    """
    big = con.execute(
        "SELECT case_id, count(*) AS n FROM staged_events GROUP BY case_id "
        "HAVING count(*) > ? ORDER BY min(ordinal) LIMIT 1",
        [limits.max_case_events],
    ).fetchall()
    if big:
        case, n = big[0][0], int(big[0][1])
        raise InputError(
            f"case {case!r} has {n:,} events, which "
            + over_limit("max_case_events", limits.max_case_events),
            path=path,
        )


def quote(name: str) -> str:
    """A DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A DuckDB string literal."""
    return "'" + text.replace("'", "''") + "'"
