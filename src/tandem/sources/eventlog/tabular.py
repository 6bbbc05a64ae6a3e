"""CSV, CSV.gz and Parquet logs, streamed in chunks into the staging tables.

Every column is read as text and nothing is turned into null ("NA" is a real case id in some
logs); empty values are dropped from the attributes instead.

Hostile or broken files are refused with the line (CSV) or row (Parquet) at fault: a NUL byte,
a field longer than ``ingest.max_field_bytes``, an unclosed quote, a record of the wrong width,
nested Parquet columns, and data beyond ``ingest.max_bytes`` once decompressed (counted while
streaming, so a gzip bomb stops there with bounded memory). Arrow's fast reader does the work;
when it stops, or a chunk holds a NUL or an oversize field, a strict pass of Python's ``csv``
module over the file names the line (:func:`tandem.csvfile.first_problem`).
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from tandem.csvfile import check_header, first_problem, line_of_record
from tandem.errors import InputError
from tandem.progress import Progress
from tandem.settings import IngestSettings, over_limit
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
    limits: IngestSettings,
) -> tuple[ResolvedColumns, list[str]]:
    """Stream the file into ``staged_events``; return the columns used and the attribute columns."""
    header = (
        _parquet_columns(path, limits) if fmt == "parquet" else _csv_header(path, gzipped, limits)
    )
    columns = resolve_columns(header, mapping, path=path)
    attributes = [name for name in header if name not in columns.used()]
    insert = _insert_sql(columns, attributes)
    progress.start(f"Reading {path.name}", total=None)
    offset = 0
    chunks = (
        _parquet_chunks(path) if fmt == "parquet" else _csv_chunks(path, gzipped, header, limits)
    )
    for chunk in chunks:
        n = chunk.num_rows
        if n == 0:
            continue
        suspect = _first_suspect(chunk, limits.max_field_bytes)
        if suspect is not None:
            row, problem = suspect
            if fmt == "parquet":
                raise InputError(problem, path=path, row=offset + row + 1)
            raise _csv_problem(path, gzipped, limits, fallback=problem)
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


def _csv_header(path: Path, gzipped: bool, limits: IngestSettings) -> list[str]:
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
    if any("\x00" in name for name in header):
        raise _csv_problem(path, gzipped, limits)
    check_header(header, path=path)
    return header


class _Bounded:
    """A binary stream that ends early, flagging it, once more than ``limit`` bytes were read."""

    def __init__(self, raw: io.BufferedIOBase, limit: int) -> None:
        self.raw = raw
        self.limit = limit
        self.count = 0
        self.exceeded = False
        self.closed = False

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.count += len(data)
        if self.count > self.limit:
            self.exceeded = True
            return b""
        return data

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.closed = True
        self.raw.close()


def _csv_chunks(
    path: Path, gzipped: bool, header: list[str], limits: IngestSettings
) -> Iterator[pa.RecordBatch]:
    size = path.stat().st_size
    if not gzipped and size > limits.max_bytes:
        raise InputError(
            f"the file has {size:,} bytes, which {over_limit('max_bytes', limits.max_bytes)}",
            path=path,
        )
    bounded = _Bounded(_open(path, gzipped), limits.max_bytes)
    stream = pa.PythonFile(bounded, mode="r")

    def too_big() -> InputError:
        return InputError(
            "the decompressed data " + over_limit("max_bytes", limits.max_bytes), path=path
        )

    try:
        reader = pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(
                block_size=max(BLOCK_SIZE, 4 * limits.max_field_bytes), use_threads=True
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        while True:
            try:
                chunk = reader.read_next_batch()
            except StopIteration:
                break
            if bounded.exceeded:
                raise too_big()
            yield chunk
        if bounded.exceeded:
            raise too_big()
    except (pa.ArrowException, OSError, EOFError, zlib.error) as exc:
        if bounded.exceeded:
            raise too_big() from None
        if isinstance(exc, (EOFError, zlib.error)) or "gzip" in str(exc).lower():
            raise InputError(f"corrupt gzip data ({exc})", path=path) from None
        raise _csv_problem(path, gzipped, limits, fallback=str(exc)) from None
    finally:
        stream.close()


def _csv_problem(
    path: Path, gzipped: bool, limits: IngestSettings, fallback: str | None = None
) -> InputError:
    """The error naming the first bad line of a CSV file, from a strict pass over it."""
    with _text(path, gzipped) as text:
        found = first_problem(text, limits=limits)
    if found is not None:
        line, message = found
        return InputError(message, path=path, line=line)
    reason = " ".join((fallback or "unreadable data").split())
    return InputError(f"cannot read the CSV ({reason[:200]})", path=path)


def _open(path: Path, gzipped: bool) -> io.BufferedIOBase:
    """The file's bytes, decompressed when ``gzipped`` (the caller closes it)."""
    return gzip.open(path, "rb") if gzipped else path.open("rb")


def _text(path: Path, gzipped: bool) -> io.TextIOWrapper:
    raw: Any = _open(path, gzipped)  # GzipFile or BufferedReader: both are buffered streams
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")


def csv_line(path: Path, gzipped: bool, ordinal: int, limits: IngestSettings) -> int | None:
    """The line where data row ``ordinal`` (0-based, in file order) of a CSV log starts."""
    with _text(path, gzipped) as text:
        return line_of_record(text, record=ordinal, limits=limits)


def _first_suspect(chunk: pa.RecordBatch, max_field_bytes: int) -> tuple[int, str] | None:
    """The first row of ``chunk`` with a NUL byte or a field beyond ``max_field_bytes``."""
    first: tuple[int, str] | None = None
    for name, column in zip(chunk.schema.names, chunk.columns, strict=True):
        for mask, problem in (
            (pc.match_substring(column, "\x00"), f"a NUL byte (\\x00) in column {name!r}"),
            (
                pc.greater(pc.binary_length(column), max_field_bytes),
                f"a value in column {name!r} " + over_limit("max_field_bytes", max_field_bytes),
            ),
        ):
            index = pc.index(mask, True).as_py()
            if index >= 0 and (first is None or index < first[0]):
                first = (index, problem)
    return first


def _parquet_columns(path: Path, limits: IngestSettings) -> list[str]:
    try:
        parquet = pq.ParquetFile(path)
        schema = parquet.schema_arrow
        metadata = parquet.metadata
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"not a readable Parquet file ({exc})", path=path) from None
    for field in schema:
        if pa.types.is_nested(field.type):
            raise InputError(
                f"column {field.name!r} is nested ({field.type}); only flat columns (text, "
                "numbers, times) can be read: flatten or drop it",
                path=path,
                field=field.name,
            )
    expanded = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    if expanded > limits.max_bytes:
        raise InputError(
            f"the data has {expanded:,} bytes uncompressed, which "
            + over_limit("max_bytes", limits.max_bytes),
            path=path,
        )
    return list(schema.names)


def _parquet_chunks(path: Path) -> Iterator[pa.RecordBatch]:
    try:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=256 * 1024):
            yield pa.RecordBatch.from_arrays(
                [_as_text(column) for column in batch.columns], names=batch.schema.names
            )
    except (pa.ArrowException, OSError) as exc:
        reason = " ".join(str(exc).split())[:200]
        raise InputError(f"cannot read the Parquet data ({reason})", path=path) from None


def _as_text(column: pa.Array) -> pa.Array:
    """Text as the CSV reader would give it: ISO timestamps (with their zone), '' for null."""
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        text = column
    else:
        text = pc.cast(column, pa.string())
    return pc.fill_null(text.cast(pa.string()), "")
