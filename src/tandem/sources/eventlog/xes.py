"""Streaming XES reader: a C-level well-formedness check and a compiled regex over the same chunks.

The file is read in chunks (gzip or plain). Each chunk is fed to pyexpat with no handlers — it
only checks well-formedness, in C, and reports the line of any error — while one compiled regex
pulls the elements Tandem needs (``trace``, ``event``, typed attributes, ``list``/``container``
nesting, ``global``) out of the same bytes; :mod:`.xes_tokens` turns them into long rows
(owner, key, type, value) that DuckDB pivots into the staging tables. No tree is ever built.

Nested attributes (lists, containers, meta-attributes) are flattened as ``parent.child`` keys;
``<global>``, ``<classifier>``, ``<extension>`` and log-level attributes are ignored.
"""

from __future__ import annotations

import gc
import gzip
import html
import re
import zlib
from pathlib import Path
from typing import IO, cast
from xml.parsers import expat

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from tandem.errors import InputError
from tandem.progress import NoProgress, Progress
from tandem.sources.contracts import ColumnMapping
from tandem.sources.eventlog.columns import ResolvedColumns, resolve_columns
from tandem.sources.eventlog.staging import literal, staging_connection
from tandem.sources.eventlog.xes_tokens import (
    ScanState,
    Tokens,
    safe_cut,
    tokenize,
    tokenize_flat,
)

CHUNK_SIZE = 4 << 20
CASE_PREFIX = "case:"
EVENT_OPEN = re.compile(rb"<event\b")


def read_xes(path: Path, *, timezone: str = "UTC") -> pa.Table:
    """The events of an XES file as an Arrow table (case, activity, timestamp UTC, …)."""
    from tandem.sources.eventlog.files import detect_format

    _, gzipped = detect_format(path)
    con = staging_connection(timezone=timezone)
    try:
        stage_xes(con, path=path, gzipped=gzipped, mapping=ColumnMapping())
        table: pa.Table = con.sql(
            "SELECT ordinal, case_id, activity, try_cast(ts_raw AS TIMESTAMPTZ) AS timestamp, "
            "lifecycle, resource, attributes FROM staged_events ORDER BY ordinal"
        ).to_arrow_table()
        utc = pc.cast(table.column("timestamp"), pa.timestamp("us", tz="UTC"))
        return table.set_column(table.column_names.index("timestamp"), "timestamp", utc)
    finally:
        con.close()


def stage_xes(
    con: duckdb.DuckDBPyConnection,
    *,
    path: Path,
    gzipped: bool,
    mapping: ColumnMapping,
    progress: Progress | None = None,
) -> tuple[ResolvedColumns, list[str]]:
    """Stream the XES file into the staging tables; return the columns used and attribute keys."""
    progress = progress or NoProgress()
    con.execute("CREATE TEMP TABLE xes_event (event_no BIGINT, trace_no BIGINT)")
    con.execute(
        "CREATE TEMP TABLE xes_event_attr (owner BIGINT, pos BIGINT, key VARCHAR, "
        "type VARCHAR, value VARCHAR)"
    )
    con.execute(
        "CREATE TEMP TABLE xes_trace_attr (owner BIGINT, pos BIGINT, key VARCHAR, "
        "type VARCHAR, value VARCHAR)"
    )
    _scan(con, path, gzipped, progress)
    event_keys = [r[0] for r in con.execute("SELECT DISTINCT key FROM xes_event_attr").fetchall()]
    trace_keys = [r[0] for r in con.execute("SELECT DISTINCT key FROM xes_trace_attr").fetchall()]
    found = [CASE_PREFIX + key for key in sorted(trace_keys)] + sorted(event_keys)
    columns = resolve_columns(found, mapping, path=path)
    if not columns.case.startswith(CASE_PREFIX):
        raise InputError(
            "the case column of an XES log must be a trace attribute (case:…)",
            path=path,
            field=columns.case,
        )
    used = {c for c in columns.used() if not c.startswith(CASE_PREFIX)}
    attributes = sorted(set(event_keys) - used)
    _pivot(con, columns, used)
    missing = con.execute(
        "SELECT ordinal, case_id IS NULL, activity IS NULL FROM staged_events "
        "WHERE case_id IS NULL OR activity IS NULL ORDER BY ordinal LIMIT 1"
    ).fetchall()
    if missing:
        ordinal, no_case = int(missing[0][0]), bool(missing[0][1])
        role = "case" if no_case else "activity"
        name = columns.case if no_case else columns.activity
        raise InputError(
            f"event #{ordinal + 1} has no {role} ({name!r})",
            path=path,
            line=event_line(path, gzipped, ordinal),
            field=name,
        )
    return columns, attributes


def _json_value() -> str:
    return (
        "CASE type WHEN 'int' THEN coalesce(to_json(try_cast(value AS BIGINT)), to_json(value)) "
        "WHEN 'float' THEN coalesce(to_json(try_cast(value AS DOUBLE)), to_json(value)) "
        "WHEN 'boolean' THEN coalesce(to_json(try_cast(value AS BOOLEAN)), to_json(value)) "
        "ELSE to_json(value) END"
    )


def _json_object(condition: str) -> str:
    """A JSON object of the (key, typed value) rows meeting ``condition``, in file order."""
    return (
        f"'{{' || string_agg(to_json(key)::VARCHAR || ':' || ({_json_value()})::VARCHAR, ',' "
        f"ORDER BY pos) FILTER (WHERE {condition}) || '}}'"
    )


def _pivot(con: duckdb.DuckDBPyConnection, columns: ResolvedColumns, used: set[str]) -> None:
    def pick(name: str | None) -> str:
        if name is None:
            return "NULL"
        return f"nullif(first(value ORDER BY pos) FILTER (WHERE key = {literal(name)}), '')"

    excluded = ", ".join(literal(name) for name in sorted(used))
    case_key = columns.case.removeprefix(CASE_PREFIX)
    activity = f"first(value ORDER BY pos) FILTER (WHERE key = {literal(columns.activity)})"
    con.execute(
        f"""
        INSERT INTO staged_events
        SELECT e.event_no, c.case_id, a.activity, a.ts_raw, a.lifecycle, a.resource, a.attributes
        FROM xes_event AS e
        LEFT JOIN (
            SELECT owner, {activity} AS activity,
                   {pick(columns.timestamp)} AS ts_raw,
                   {pick(columns.lifecycle)} AS lifecycle,
                   {pick(columns.resource)} AS resource,
                   {_json_object(f"key NOT IN ({excluded}) AND value <> ''")} AS attributes
            FROM xes_event_attr GROUP BY owner
        ) AS a ON a.owner = e.event_no
        LEFT JOIN (
            SELECT owner, first(value ORDER BY pos) AS case_id
            FROM xes_trace_attr WHERE key = {literal(case_key)} GROUP BY owner
        ) AS c ON c.owner = e.trace_no
        ORDER BY e.event_no
        """
    )
    con.execute(
        f"""
        INSERT INTO staged_cases
        SELECT c.case_id, a.attributes
        FROM (
            SELECT owner, first(value ORDER BY pos) AS case_id
            FROM xes_trace_attr WHERE key = {literal(case_key)} GROUP BY owner
        ) AS c
        LEFT JOIN (
            SELECT owner,
                {_json_object(f"key <> {literal(case_key)} AND value <> ''")} AS attributes
            FROM xes_trace_attr GROUP BY owner
        ) AS a USING (owner)
        WHERE c.owner IN (SELECT trace_no FROM xes_event)
        """
    )
    for table in ("xes_event", "xes_event_attr", "xes_trace_attr"):
        con.execute(f"DROP TABLE {table}")


def _open(path: Path, gzipped: bool) -> tuple[IO[bytes], IO[bytes]]:
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", path=path) from None
    stream = cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb")) if gzipped else raw
    return raw, stream


def _scan(con: duckdb.DuckDBPyConnection, path: Path, gzipped: bool, progress: Progress) -> None:
    raw, stream = _open(path, gzipped)
    checker = expat.ParserCreate()
    state = ScanState()
    pos = [0]
    carry = b""
    progress.start(f"Reading {path.name}", total=path.stat().st_size)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # millions of short-lived tuples: the cyclic collector only slows this down
    try:
        done = 0
        while True:
            try:
                block = stream.read(CHUNK_SIZE)
            except (OSError, EOFError, zlib.error) as exc:
                raise InputError(f"corrupt gzip data ({exc})", path=path) from None
            final = not block
            try:
                checker.Parse(block, final)
            except expat.ExpatError as exc:
                raise InputError(
                    f"not well-formed XML: {expat.ErrorString(exc.code)}",
                    path=path,
                    line=exc.lineno,
                ) from None
            text = carry + block
            if final:
                carry = b""
            else:
                cut = safe_cut(text)
                text, carry = text[:cut], text[cut:]
            tokens = tokenize_flat(text, state)
            try:
                _stage_tokens(con, tokens if tokens is not None else tokenize(text, state), pos)
            except pa.ArrowInvalid as exc:
                raise InputError(f"not valid UTF-8 text ({exc})", path=path) from None
            position = raw.tell()
            progress.advance(position - done)
            done = position
            if final:
                break
    finally:
        if gc_was_enabled:
            gc.enable()
        stream.close()
        raw.close()
        progress.finish()
    if state.orphan_event is not None:
        raise InputError(
            "an event outside any trace",
            path=path,
            line=event_line(path, gzipped, state.orphan_event),
        )


def _text(values: pa.Array) -> pa.Array:
    """UTF-8 text with XML entities resolved (only the few values containing '&' are touched)."""
    array = pc.cast(values, pa.string())
    mask = pc.match_substring(array, "&")
    if pc.any(mask).as_py():
        fixed = [html.unescape(v) if "&" in v else v for v in array.to_pylist()]
        array = pa.array(fixed, pa.string())
    return array


def _counter(start: int, n: int) -> pa.Array:
    """``start, start + 1, …`` (n values), built in C."""
    return pc.add(pc.cumulative_sum(pa.repeat(pa.scalar(1, pa.int64()), n)), start - 1)


def _stage_tokens(con: duckdb.DuckDBPyConnection, tokens: Tokens, pos: list[int]) -> None:
    if tokens.event_trace:
        first_event = tokens.first_event
        n = len(tokens.event_trace)
        events = pa.table(
            {
                "event_no": _counter(first_event, n),
                "trace_no": pa.array(tokens.event_trace, pa.int64()),
            }
        )
        con.register("chunk_events", events)
        con.execute("INSERT INTO xes_event SELECT * FROM chunk_events")
        con.unregister("chunk_events")
    for table, part, lists in (
        (
            "xes_event_attr",
            "event",
            (tokens.event_owner, tokens.event_key, tokens.event_type, tokens.event_value),
        ),
        (
            "xes_trace_attr",
            "trace",
            (tokens.trace_owner, tokens.trace_key, tokens.trace_type, tokens.trace_value),
        ),
    ):
        owner, key, kind, value = tokens.arrays.get(part) or (
            pa.array(lists[0], pa.int64()),
            pa.array(lists[1], pa.binary()),
            pa.array(lists[2], pa.binary()),
            pa.array(lists[3], pa.binary()),
        )
        n = len(owner)
        if n == 0:
            continue
        rows = pa.table(
            {
                "owner": owner,
                "pos": _counter(pos[0], n),
                "key": _text(key),
                "type": pc.cast(kind, pa.string()),
                "value": _text(value),
            }
        )
        pos[0] += n
        con.register("chunk_attrs", rows)
        con.execute(f"INSERT INTO {table} SELECT * FROM chunk_attrs")
        con.unregister("chunk_attrs")


def event_line(path: Path, gzipped: bool, event_no: int) -> int | None:
    """The line on which the ``event_no``-th (0-based) ``<event>`` starts (error reporting)."""
    raw, stream = _open(path, gzipped)
    seen, lines, carry = 0, 1, b""
    try:
        while block := stream.read(CHUNK_SIZE):
            text = carry + block
            cut = safe_cut(text)
            text, carry = text[:cut], text[cut:]
            for match in EVENT_OPEN.finditer(text):
                if seen == event_no:
                    return lines + text.count(b"\n", 0, match.start())
                seen += 1
            lines += text.count(b"\n")
    finally:
        stream.close()
        raw.close()
    return None


__all__ = ["event_line", "read_xes", "stage_xes"]
