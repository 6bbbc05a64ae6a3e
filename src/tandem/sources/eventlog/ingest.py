"""``tandem ingest events``: an event log file into the lake's objects, events and identities.

Keys are deterministic: ``event_id`` hashes (source, case, activity, timestamp, lifecycle,
resource) plus the occurrence index of identical tuples in file order, so a re-exported file
(another format, other attribute columns) maps to the same events and re-ingesting adds nothing.
Everything is read, staged and validated before the lake batch opens: bad input writes nothing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
import pyarrow as pa

from tandem.lake import Lake
from tandem.progress import NoProgress, Progress
from tandem.settings import IngestSettings
from tandem.sources.bots import DEFAULT_BOT_RULES, BotRules
from tandem.sources.contracts import ColumnMapping, EventLogIngestReport
from tandem.sources.eventlog.files import default_source, detect_format
from tandem.sources.eventlog.staging import (
    PARSED_TS,
    check_case_sizes,
    check_timestamps,
    literal,
    staging_connection,
)
from tandem.sources.eventlog.tabular import csv_line, stage_tabular
from tandem.sources.eventlog.xes import stage_xes
from tandem.sources.eventlog.xes_check import event_line

WRITE_ROWS = 256 * 1024
SEPARATOR = "chr(31)"  # unit separator: cannot be confused with text inside a field


def ingest_event_log(
    *,
    lake: Lake,
    path: Path,
    columns: ColumnMapping,
    source: str | None = None,
    timezone: str = "UTC",
    object_type: str = "case",
    bots: BotRules = DEFAULT_BOT_RULES,
    progress: Progress = NoProgress(),  # noqa: B008 - stateless default
    limits: IngestSettings | None = None,
) -> EventLogIngestReport:
    """Ingest one CSV, CSV.gz, Parquet, XES or XES.gz event log; bad input raises InputError.

    ``limits`` (the workspace's ``[ingest]`` settings) bound the file's size once decompressed,
    its fields, its events per case and its timestamps.
    """
    path = Path(path)
    limits = limits or IngestSettings()
    fmt, gzipped = detect_format(path)
    source = source or default_source(path)
    with tempfile.TemporaryDirectory(prefix="tandem-eventlog-") as spill:
        con = staging_connection(timezone=timezone, spill=Path(spill))
        try:
            if fmt == "xes":
                used, attributes = stage_xes(
                    con,
                    path=path,
                    gzipped=gzipped,
                    mapping=columns,
                    progress=progress,
                    max_bytes=limits.max_bytes,
                )
                check_timestamps(
                    con,
                    path=path,
                    column=used.timestamp,
                    locate=lambda ordinal: {"line": event_line(path, gzipped, ordinal) or 0},
                    limits=limits,
                )
            else:
                used, attributes = stage_tabular(
                    con,
                    path=path,
                    fmt=fmt,
                    gzipped=gzipped,
                    mapping=columns,
                    progress=progress,
                    limits=limits,
                )
                check_timestamps(
                    con,
                    path=path,
                    column=used.timestamp,
                    locate=(
                        (lambda ordinal: {"row": ordinal + 1})
                        if fmt == "parquet"
                        else (
                            lambda ordinal: {"line": csv_line(path, gzipped, ordinal, limits) or 0}
                        )
                    ),
                    limits=limits,
                )
            check_case_sizes(con, path=path, limits=limits)
            counts = con.execute(
                "SELECT count(*), count(DISTINCT case_id), count(DISTINCT activity) "
                "FROM staged_events"
            ).fetchall()[0]
            identities = _identities(con, source, bots)
            with lake.batch(label=f"events {source} {path.name}") as batch:
                progress.start(f"Writing {source} to the lake", total=float(counts[0]))
                for chunk in _stream(con, _events_sql(source)):
                    batch.write("events", chunk)
                    progress.advance(chunk.num_rows)
                for chunk in _stream(con, _objects_sql(source, object_type)):
                    batch.write("objects", chunk)
                if identities.num_rows:
                    batch.write("identities", identities)
                progress.finish()
        finally:
            con.close()
    return EventLogIngestReport(
        source=source,
        file=str(path),
        format=fmt + (".gz" if gzipped else ""),
        columns=used.as_dict(),
        cases=int(counts[1]),
        events=int(counts[0]),
        events_added=batch.result.added.get("events", 0),
        objects_added=batch.result.added.get("objects", 0),
        activities=int(counts[2]),
        attributes=attributes,
        identities=identities.num_rows,
    )


def _stream(con: duckdb.DuckDBPyConnection, sql: str) -> pa.RecordBatchReader:
    reader: pa.RecordBatchReader = con.sql(sql).to_arrow_reader(WRITE_ROWS)
    return reader


def _events_sql(source: str) -> str:
    src = literal(source)
    tuple_hash = (
        f"md5(concat_ws({SEPARATOR}, {src}, case_id, activity, epoch_us(ts)::VARCHAR, "
        f"coalesce(lifecycle, chr(0)), coalesce(resource, chr(0))))"
    )
    return f"""
        SELECT md5(h || ':' || (row_number() OVER (PARTITION BY h ORDER BY ordinal) - 1))
                   AS event_id,
               {src} || ':' || case_id AS object_id,
               activity,
               ts AS timestamp,
               lifecycle,
               CASE WHEN resource IS NULL THEN NULL
                    ELSE 'account:' || {src} || ':' || resource END AS resource_key,
               {src} AS source,
               ordinal,
               attributes
        FROM (
            SELECT *, {tuple_hash} AS h
            FROM (SELECT *, {PARSED_TS} AS ts FROM staged_events)
        )
        ORDER BY ordinal
    """


def _objects_sql(source: str, object_type: str) -> str:
    src = literal(source)
    return f"""
        SELECT {src} || ':' || e.case_id AS object_id,
               {literal(object_type)} AS object_type,
               {src} AS source,
               e.case_id AS external_key,
               e.case_id AS title,
               e.created_at,
               c.attributes
        FROM (
            SELECT case_id, min({PARSED_TS}) AS created_at, min(ordinal) AS first
            FROM staged_events GROUP BY case_id
        ) AS e
        LEFT JOIN (SELECT case_id, any_value(attributes) AS attributes
                   FROM staged_cases GROUP BY case_id) AS c USING (case_id)
        ORDER BY e.first
    """


def _identities(con: duckdb.DuckDBPyConnection, source: str, bots: BotRules) -> pa.Table:
    names = [
        row[0]
        for row in con.execute(
            "SELECT DISTINCT resource FROM staged_events WHERE resource IS NOT NULL ORDER BY 1"
        ).fetchall()
    ]
    return pa.table(
        {
            "identity_key": pa.array([f"account:{source}:{n}" for n in names], pa.string()),
            "source": pa.array([source] * len(names), pa.string()),
            "kind": pa.array(["account"] * len(names), pa.string()),
            "display_name": pa.array(names, pa.string()),
            "is_bot": pa.array([bots.is_bot(name=n, email=None) for n in names], pa.bool_()),
        }
    )
