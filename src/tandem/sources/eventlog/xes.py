"""Streaming XES reader: Arrow kernels over chunks of whole events, checked by expat alongside.

The file is read in chunks (gzip or plain) cut just before an ``<event`` tag, so every event
is whole within its chunk. :mod:`.xes_tokens` splits each chunk into tags and attributes with
Arrow kernels (a small Python state machine takes the rare chunks with nested attributes); the
attributes that fill the role columns (activity, timestamp, lifecycle, resource) are pivoted
per chunk in Arrow, the others become long rows that DuckDB folds into one JSON object per
event. pyexpat checks well-formedness alongside (:mod:`.xes_check`). No tree is ever built.

The role columns are guessed from the first chunk's keys; should the whole file resolve
differently (a rarer key appearing later), the file is scanned again with the final choice.
Nested attributes (lists, containers, meta-attributes) are flattened as ``parent.child`` keys;
``<global>``, ``<classifier>``, ``<extension>`` and log-level attributes are ignored.
"""

from __future__ import annotations

import html
import zlib
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from tandem.errors import InputError
from tandem.progress import NoProgress, Progress
from tandem.settings import over_limit
from tandem.sources.contracts import ColumnMapping
from tandem.sources.eventlog.arrow import NULL_TEXT, int64, text, texts
from tandem.sources.eventlog.columns import ResolvedColumns, resolve_columns
from tandem.sources.eventlog.staging import literal, staging_connection
from tandem.sources.eventlog.xes_check import CHUNK_SIZE, WellFormedness, event_line, open_xes
from tandem.sources.eventlog.xes_tokens import (
    ScanState,
    Tokens,
    event_cut,
    tokenize,
    tokenize_flat,
)

ONE, EMPTY = int64(1), text("")
EVENT_SCHEMA = pa.schema(
    [("event_no", pa.int64()), ("trace_no", pa.int64())]
    + [(name, pa.string()) for name in ("activity", "ts_raw", "lifecycle", "resource")]
)
LONG_SCHEMA = pa.schema(
    [("owner", pa.int64()), ("pos", pa.int64())]
    + [(name, pa.string()) for name in ("key", "type", "value")]
)
CASE_PREFIX = "case:"


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
    max_bytes: int | None = None,
) -> tuple[ResolvedColumns, list[str]]:
    """Stream the XES file into the staging tables; return the columns used and attribute keys.

    ``max_bytes`` (``ingest.max_bytes``) bounds the text read once decompressed.
    """
    progress = progress or NoProgress()
    guess: ResolvedColumns | None = None
    while True:
        event_keys, trace_keys, guess = _scan(
            con, path, gzipped, progress, mapping, guess, max_bytes
        )
        found = [CASE_PREFIX + key for key in sorted(trace_keys)] + sorted(event_keys)
        columns = resolve_columns(found, mapping, path=path)
        if not columns.case.startswith(CASE_PREFIX):
            raise InputError(
                "the case column of an XES log must be a trace attribute (case:…)",
                path=path,
                field=columns.case,
            )
        if _event_roles(columns) == _event_roles(guess):
            break
        guess = columns  # a key seen only later changes the choice: scan again with it
    used = {c for c in columns.used() if not c.startswith(CASE_PREFIX)}
    attributes = sorted(event_keys - used)
    _pivot(con, columns)
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


def _event_roles(columns: ResolvedColumns | None) -> dict[str, str | None]:
    """The event attribute that fills each role column (the case is a trace attribute)."""
    if columns is None:
        return {}
    return {role: name for role, name in columns.as_dict().items() if role != "case"}


def _guess(
    event_keys: set[str], trace_keys: set[str], mapping: ColumnMapping, path: Path
) -> ResolvedColumns:
    """The role columns as the first chunk's keys resolve them (checked against the whole file)."""
    found = [CASE_PREFIX + key for key in sorted(trace_keys)] + sorted(event_keys)
    try:
        return resolve_columns(found, mapping, path=path)
    except InputError:
        return ResolvedColumns(
            case=CASE_PREFIX + "concept:name",
            activity=mapping.activity or "concept:name",
            timestamp=mapping.timestamp or "time:timestamp",
            resource=mapping.resource,
            lifecycle=mapping.lifecycle,
        )


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


def _pivot(con: duckdb.DuckDBPyConnection, columns: ResolvedColumns) -> None:
    case_key = columns.case.removeprefix(CASE_PREFIX)
    has_attributes = bool(con.execute("SELECT count(*) FROM xes_event_attr").fetchall()[0][0])
    attributes = (
        f"""(SELECT owner, {_json_object("value <> ''")} AS attributes
            FROM xes_event_attr GROUP BY owner)"""
        if has_attributes
        else "(SELECT NULL::BIGINT AS owner, NULL::VARCHAR AS attributes WHERE false)"
    )
    con.execute(
        f"""
        INSERT INTO staged_events
        SELECT e.event_no, c.case_id, e.activity, e.ts_raw, e.lifecycle, e.resource, a.attributes
        FROM xes_event AS e
        LEFT JOIN {attributes} AS a ON a.owner = e.event_no
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
    _drop(con)


def _drop(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DROP TABLE IF EXISTS xes_event_attr")
    for view in ("xes_event", "xes_trace_attr"):
        con.unregister(view)


def _scan(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    gzipped: bool,
    progress: Progress,
    mapping: ColumnMapping,
    guess: ResolvedColumns | None,
    max_bytes: int | None = None,
) -> tuple[set[str], set[str], ResolvedColumns | None]:
    """Stage the events (role columns pivoted per ``guess``) and the long attribute rows.

    Returns the event and trace attribute keys seen and the guess used (made from the first
    chunk holding events when none is given).
    """
    _drop(con)
    con.execute(
        "CREATE TEMP TABLE xes_event_attr (owner BIGINT, pos BIGINT, key VARCHAR, "
        "type VARCHAR, value VARCHAR)"
    )
    checker = WellFormedness(path, gzipped)
    raw, stream = open_xes(path, gzipped)
    stager = _Stager(con, guess)
    state = ScanState()
    carry = b""
    progress.start(f"Reading {path.name}", total=path.stat().st_size)
    try:
        done = expanded = 0
        while True:
            try:
                block = stream.read(CHUNK_SIZE)
            except (OSError, EOFError, zlib.error) as exc:
                raise InputError(f"corrupt gzip data ({exc})", path=path) from None
            expanded += len(block)
            if max_bytes is not None and expanded > max_bytes:
                raise InputError(
                    f"the {'decompressed ' if gzipped else ''}data "
                    + over_limit("max_bytes", max_bytes),
                    path=path,
                )
            final = not block
            checker.feed(block, final)
            text = carry + block
            if final:
                carry = b""
            else:
                cut = event_cut(text)
                text, carry = text[:cut], text[cut:]
            if text:
                tokens = tokenize_flat(text, state)
                if tokens is None:
                    tokens = tokenize(text, state)
                try:
                    stager.stage(tokens, mapping, path)
                except pa.ArrowInvalid as exc:
                    raise InputError(f"not valid UTF-8 text ({exc})", path=path) from None
            position = raw.tell()
            progress.advance(position - done)
            done = position
            if final:
                break
    except InputError as error:
        found = checker.verdict()
        raise (found or error) from None
    else:
        found = checker.verdict()
        if found is not None:
            raise found
    finally:
        checker.close()
        stream.close()
        raw.close()
        progress.finish()
    if state.orphan_event is not None:
        raise InputError(
            "an event outside any trace",
            path=path,
            line=event_line(path, gzipped, state.orphan_event),
        )
    # the pivoted events and the trace attributes (one row per trace) stay in Arrow
    con.register("xes_event", _concat(stager.events, EVENT_SCHEMA))
    con.register("xes_trace_attr", _concat(stager.trace_rows, LONG_SCHEMA))
    return stager.event_keys, stager.trace_keys, stager.guess


def _concat(tables: list[pa.Table], schema: pa.Schema) -> pa.Table:
    return pa.concat_tables(tables) if tables else schema.empty_table()


class _Stager:
    """Turns each chunk's tokens into staged rows: pivoted events, long attribute rows."""

    def __init__(self, con: duckdb.DuckDBPyConnection, guess: ResolvedColumns | None) -> None:
        self.con = con
        self.guess = guess
        self.event_keys: set[str] = set()
        self.trace_keys: set[str] = set()
        self.pos = 0
        self.events: list[pa.Table] = []
        self.trace_rows: list[pa.Table] = []

    def stage(self, tokens: Tokens, mapping: ColumnMapping, path: Path) -> None:
        owner, key, kind, value = tokens.columns("event")
        key, value = _text(key), _text(value)
        trace_rows = tokens.columns("trace")
        trace_key = _text(trace_rows[1])
        if len(key):
            self.event_keys.update(pc.unique(key).to_pylist())
        if len(trace_key):
            self.trace_keys.update(pc.unique(trace_key).to_pylist())
        if self.guess is None and len(key):
            self.guess = _guess(self.event_keys, self.trace_keys, mapping, path)
        roles = _event_roles(self.guess)
        trace_no = tokens.traces()
        if len(trace_no):
            event_no = _counter(tokens.first_event, len(trace_no))
            columns: dict[str, pa.Array] = {"event_no": event_no, "trace_no": trace_no}
            for role in ("activity", "timestamp", "lifecycle", "resource"):
                name = roles.get(role)
                columns["ts_raw" if role == "timestamp" else role] = _role_column(
                    event_no, owner, key, value, name, keep_empty=role == "activity"
                )
            self.events.append(pa.table(columns, schema=EVENT_SCHEMA))
        used = [name for name in roles.values() if name is not None]
        if used and len(key):
            rest = pc.invert(pc.is_in(key, value_set=texts(used)))
            if not pc.all(rest).as_py():
                owner, key, kind, value = (pc.filter(a, rest) for a in (owner, key, kind, value))
        self._long("xes_event_attr", owner, key, kind, value)
        self._long("xes_trace_attr", trace_rows[0], trace_key, trace_rows[2], _text(trace_rows[3]))

    def _long(
        self, table: str, owner: pa.Array, key: pa.Array, kind: pa.Array, value: pa.Array
    ) -> None:
        n = len(owner)
        if n == 0:
            return
        rows = pa.table(
            {
                "owner": owner,
                "pos": _counter(self.pos, n),
                "key": key,
                "type": pc.cast(kind, pa.string()),
                "value": value,
            }
        )
        self.pos += n
        if table == "xes_trace_attr":
            self.trace_rows.append(rows)
        else:
            self._insert(table, rows)

    def _insert(self, table: str, rows: pa.Table) -> None:
        self.con.register("xes_chunk", rows)
        try:
            self.con.execute(f"INSERT INTO {table} SELECT * FROM xes_chunk")
        finally:
            self.con.unregister("xes_chunk")


def _role_column(
    event_no: pa.Array,
    owner: pa.Array,
    key: pa.Array,
    value: pa.Array,
    name: str | None,
    *,
    keep_empty: bool,
) -> pa.Array:
    """Per event, the first value of attribute ``name`` (null when absent, or empty)."""
    if name is None or len(key) == 0:
        return pa.nulls(len(event_no), pa.string())
    mask = pc.equal(key, text(name))
    index = pc.index_in(event_no, value_set=pc.filter(owner, mask))
    column = pc.take(pc.filter(value, mask), index)
    if not keep_empty:
        column = pc.if_else(pc.equal(column, EMPTY), NULL_TEXT, column)
    return column


def _text(values: pa.Array) -> pa.Array:
    """UTF-8 text with XML entities resolved (only the few values containing '&' are touched)."""
    array = pc.cast(values, pa.string())
    mask = pc.match_substring(array, "&")
    if pc.any(mask).as_py():
        fixed = [html.unescape(v) if "&" in v else v for v in array.to_pylist()]
        array = texts(fixed)
    return array


def _counter(start: int, n: int) -> pa.Array:
    """``start, start + 1, …`` (n values), built in C."""
    return pc.add(pc.cumulative_sum(pa.repeat(ONE, n)), int64(start - 1))


__all__ = ["read_xes", "stage_xes"]
