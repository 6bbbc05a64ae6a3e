"""CSV, CSV.gz and Parquet logs, streamed in chunks into the staging tables.

Every column is read as text and nothing is turned into null ("NA" is a real case id in some
logs); empty values are dropped from the attributes instead.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from tandem.errors import InputError
from tandem.progress import Progress
from tandem.sources.contracts import ColumnMapping
from tandem.sources.eventlog.columns import ResolvedColumns, resolve_columns
from tandem.sources.eventlog.staging import literal, quote

BLOCK_SIZE = 8 << 20


def stage_tabular(
    con: duckdb.DuckDBPyConnection,
    *,
    path: Path,
    fmt: str,
    gzipped: bool,
    mapping: ColumnMapping,
    progress: Progress,
) -> tuple[ResolvedColumns, list[str]]:
    """Stream the file into ``staged_events``; return the columns used and the attribute columns."""
    header = _parquet_columns(path) if fmt == "parquet" else _csv_header(path, gzipped)
    columns = resolve_columns(header, mapping, path=path)
    attributes = [name for name in header if name not in columns.used()]
    insert = _insert_sql(columns, attributes)
    progress.start(f"Reading {path.name}", total=None)
    offset = 0
    chunks = _parquet_chunks(path) if fmt == "parquet" else _csv_chunks(path, gzipped, header)
    for chunk in chunks:
        n = chunk.num_rows
        if n == 0:
            continue
        ordinals = pc.add(pc.cumulative_sum(pa.repeat(pa.scalar(1, pa.int64()), n)), offset - 1)
        con.register("chunk", chunk.append_column("__ordinal", ordinals))
        con.execute(insert)
        con.unregister("chunk")
        offset += n
        progress.advance(n)
    progress.finish()
    return columns, attributes


def _insert_sql(columns: ResolvedColumns, attributes: list[str]) -> str:
    def optional(name: str | None) -> str:
        return f"nullif({quote(name)}, '')" if name is not None else "NULL"

    entries = ", ".join(f"{{'k': {literal(a)}, 'v': {quote(a)}}}" for a in attributes)
    kept = f"list_filter([{entries}], lambda x: x.v <> '')"
    attrs = f"nullif(to_json(map_from_entries({kept}))::VARCHAR, '{{}}')" if attributes else "NULL"
    return (
        "INSERT INTO staged_events SELECT __ordinal, "
        f"{quote(columns.case)}, {quote(columns.activity)}, {quote(columns.timestamp)}, "
        f"{optional(columns.lifecycle)}, {optional(columns.resource)}, {attrs} FROM chunk"
    )


def _csv_header(path: Path, gzipped: bool) -> list[str]:
    try:
        with (
            gzip.open(path, "rb") if gzipped else path.open("rb") as raw,
            io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text,
        ):
            header = next(csv.reader(text), None)
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"cannot read the CSV header ({exc})", path=path, line=1) from None
    if not header:
        raise InputError("empty file: no CSV header", path=path, line=1)
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise InputError(f"duplicate column {name!r} in the header", path=path, line=1)
        seen.add(name)
    return header


def _csv_chunks(path: Path, gzipped: bool, header: list[str]) -> Iterator[pa.RecordBatch]:
    stream = pa.input_stream(str(path), compression="gzip" if gzipped else None)
    try:
        reader = pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(block_size=BLOCK_SIZE, use_threads=True),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        rows = 0
        while True:
            try:
                chunk = reader.read_next_batch()
            except StopIteration:
                return
            rows += chunk.num_rows
            yield chunk
    except (pa.ArrowInvalid, OSError) as exc:
        where = f" after data row {rows}" if "rows" in locals() else ""
        raise InputError(f"cannot read the CSV{where}: {exc}", path=path) from None
    finally:
        stream.close()


def _parquet_columns(path: Path) -> list[str]:
    try:
        return list(pq.ParquetFile(path).schema_arrow.names)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"not a readable Parquet file ({exc})", path=path) from None


def _parquet_chunks(path: Path) -> Iterator[pa.RecordBatch]:
    try:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=256 * 1024):
            yield pa.RecordBatch.from_arrays(
                [_as_text(column) for column in batch.columns], names=batch.schema.names
            )
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"cannot read the Parquet data ({exc})", path=path) from None


def _as_text(column: pa.Array) -> pa.Array:
    """Text as the CSV reader would give it: ISO timestamps (with their zone), '' for null."""
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        text = column
    else:
        text = pc.cast(column, pa.string())
    return pc.fill_null(text.cast(pa.string()), "")
