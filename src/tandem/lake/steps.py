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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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


def with_step_facts(chunks: Iterable[pa.RecordBatch]) -> Iterator[pa.Table]:
    """The events of ``chunks`` with their step facts, in the same order.

    ``chunks`` must hold complete cases sorted by ``(object_id, timestamp, ordinal)``; a case
    may run across chunks (the tail case of each chunk waits for the next one). One linear pass
    in Arrow and numpy with memory bounded by a chunk and one case: the database only sorts,
    which spills to disk, so any number of events fits.
    """
    pending: pa.Table | None = None
    for chunk in chunks:
        if chunk.num_rows == 0:
            continue
        table = pa.Table.from_batches([chunk])
        if pending is not None:
            table = pa.concat_tables([pending, table])
        # all rows of the last case sit at the end (the input is sorted); hold them back
        tail = _start_of_last_run(table["object_id"].combine_chunks())
        pending = table.slice(tail)
        if tail:
            yield _stepped(table.slice(0, tail))
    if pending is not None and pending.num_rows:
        yield _stepped(pending)


def _start_of_last_run(cases: pa.Array) -> int:
    """Index of the first row of the last run of equal values."""
    starts = _run_starts(cases)
    return int(starts[-1])


def _run_starts(cases: pa.Array) -> np.ndarray:
    """Indices where a new case begins (always including 0)."""
    n = len(cases)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    changed = pc.not_equal(cases.slice(1), cases.slice(0, n - 1)).to_numpy(zero_copy_only=False)
    return np.concatenate(([0], np.flatnonzero(changed) + 1)).astype(np.int64)


def _stepped(table: pa.Table) -> pa.Table:
    """``table`` (complete cases, in order) with its step columns computed."""
    n = table.num_rows
    cases = table["object_id"].combine_chunks()
    starts = _run_starts(cases)
    first = np.zeros(n, dtype=bool)
    first[starts] = True
    ends = np.append(starts[1:], n) - 1
    last = np.zeros(n, dtype=bool)
    last[ends] = True

    activity = table["activity"].combine_chunks()
    stamps = table["timestamp"].combine_chunks().cast(pa.int64()).to_numpy(zero_copy_only=False)
    previous = np.arange(-1, n - 1)
    previous[first] = -1
    prev_index = pa.array(previous, mask=first)
    prev_activity = pc.take(activity, prev_index)
    waits = np.zeros(n, dtype=np.int64)
    waits[1:] = stamps[1:] - stamps[:-1]
    prev_wait = pa.array(waits, mask=first)

    escaped = pc.replace_substring(
        pc.replace_substring(activity, "\\", "\\\\"), SEPARATOR, "\\u001f"
    )
    offsets = pa.array(np.append(starts, n).astype(np.int32))
    per_case = pc.binary_join(pa.ListArray.from_arrays(offsets, escaped), SEPARATOR)
    case_of_row = np.full(n, -1, dtype=np.int64)
    case_of_row[ends] = np.arange(len(starts))
    on_last = pa.array(case_of_row, mask=~last)
    durations = pa.array(stamps[ends] - stamps[starts])

    columns = {
        "prev_activity": prev_activity,
        "prev_wait_us": prev_wait,
        "is_last": pa.array(last),
        "trace": pc.take(per_case, on_last),
        "trace_us": pc.take(durations, on_last),
    }
    for name, values in columns.items():
        table = table.set_column(table.schema.get_field_index(name), name, values)
    return table
