"""Step facts: every event knows its case predecessor, so directly-follows passes need no sort.

The lake keeps each case's events in exactly one file (*case-complete files*). When a batch
brings new events for a case that an older file holds, the writer moves that case: the older
file is rewritten without it and its events join the new batch's file, all in the same atomic
manifest swap. Inside one file the events of a case are therefore complete, so the writer can
compute, once, what every directly-follows question needs:

============== ==================================================================================
prev_activity  the activity of the case's previous event (ordered by timestamp, then ordinal);
               null for the case's first event
prev_wait_us   microseconds since that previous event; null for the first event
is_last        whether this is the case's last event
trace          on the last event only: the case's activities in order (its variant), as one
               string: each activity with ``\\`` doubled and U+001F written ``\u001f``, joined
               by U+001F, so equal strings are equal sequences (:func:`split_trace` decodes)
trace_us       on the last event only: the case's duration, last minus first timestamp
============== ==================================================================================

A flow query whose filters keep or drop whole cases (source, item type, time window) reads the
facts with a plain group-by; a filter that removes events inside a case (resource, bots) changes
the sequences, so those queries order the events again (``tandem.flow.dfg.steps``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import duckdb

STEP_COLUMNS = ("prev_activity", "prev_wait_us", "is_last", "trace", "trace_us")


SEPARATOR = "\x1f"
_ESCAPED = re.compile(r"\\(\\|u001f)")


def join_trace(activities: Iterable[str]) -> str:
    """The stored ``trace`` string of a sequence of activities (the writer's SQL, in Python)."""
    return SEPARATOR.join(a.replace("\\", "\\\\").replace(SEPARATOR, "\\u001f") for a in activities)


def split_trace(trace: str) -> tuple[str, ...]:
    """The activities of a stored ``trace`` string, in order."""
    if "\\" not in trace:  # nothing escaped: the common case, kept fast
        return tuple(trace.split(SEPARATOR))
    return tuple(
        _ESCAPED.sub(lambda m: "\\" if m.group(1) == "\\" else SEPARATOR, part)
        for part in trace.split(SEPARATOR)
    )


def sql_list(paths: list[str]) -> str:
    """A DuckDB list literal of file paths."""
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


@dataclass(frozen=True)
class TouchedFile:
    """An older events file holding cases that the new batch extends."""

    entry: dict[str, Any]
    path: str


def touched_files(
    con: duckdb.DuckDBPyConnection, new_rows: str, entries: list[dict[str, Any]], root: str
) -> list[TouchedFile]:
    """The older files holding a case that ``new_rows`` (a query) adds events to.

    Creates the temporary table ``moved_cases`` (the ids of those cases) for the caller.
    """
    con.execute("CREATE OR REPLACE TEMP TABLE moved_cases (object_id VARCHAR)")
    if not entries:
        return []
    paths = [f"{root}/{entry['file']}" for entry in entries]
    con.execute(
        f"INSERT INTO moved_cases SELECT DISTINCT n.object_id FROM ({new_rows}) AS n "
        f"SEMI JOIN read_parquet({sql_list(paths)}) AS e USING (object_id)"
    )
    if not con.execute("SELECT count(*) FROM moved_cases").fetchall()[0][0]:
        return []
    touched = []
    for entry, path in zip(entries, paths, strict=True):
        hit = con.execute(
            f"SELECT EXISTS (SELECT 1 FROM read_parquet({sql_list([path])}) "
            "WHERE object_id IN (SELECT object_id FROM moved_cases))"
        ).fetchall()[0]
        if hit and hit[0]:
            touched.append(TouchedFile(entry=entry, path=path))
    return touched


def with_step_facts(rows: str, columns: list[str], order_by: str) -> str:
    """A query adding the step facts to ``rows`` (complete cases), ordered by ``order_by``.

    ``columns`` are the output columns in order: the events schema, step columns included.
    """
    plain = [c for c in columns if c not in STEP_COLUMNS]
    computed = {
        "prev_activity": "s.prev_activity",
        "prev_wait_us": "s.prev_wait_us",
        "is_last": "s.is_last",
        "trace": "CASE WHEN s.is_last THEN t.trace END",
        "trace_us": "CASE WHEN s.is_last THEN t.trace_us END",
    }
    output = ", ".join(f"{computed[c]} AS {c}" if c in computed else f's."{c}"' for c in columns)
    return f"""
        WITH rows AS MATERIALIZED ({rows}),
        stepped AS (
            SELECT {", ".join(f'r."{c}"' for c in plain)},
                lag(r.activity) OVER w AS prev_activity,
                epoch_us(r."timestamp") - epoch_us(lag(r."timestamp") OVER w) AS prev_wait_us,
                lead(r.ordinal) OVER w IS NULL AS is_last
            FROM rows AS r
            WINDOW w AS (PARTITION BY r.object_id ORDER BY r."timestamp", r.ordinal)
        ),
        traces AS (
            SELECT object_id,
                array_to_string(list_transform(
                    list(activity ORDER BY "timestamp", ordinal),
                    lambda a: replace(replace(a, '\\', '\\\\'), chr(31), '\\u001f')
                ), chr(31)) AS trace,
                epoch_us(max("timestamp")) - epoch_us(min("timestamp")) AS trace_us
            FROM rows GROUP BY object_id
        )
        SELECT {output}
        FROM stepped AS s JOIN traces AS t USING (object_id)
        ORDER BY {order_by}
    """
