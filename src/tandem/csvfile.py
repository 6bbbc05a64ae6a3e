"""Reading user CSV files row by row, with line numbers, for all-or-nothing imports.

Every import of people data (roster, review answers, forced rankings, compatibility answers)
reads its file with :func:`read_csv`, checks every row, and raises one :class:`BadRowsError`
listing each bad row's line before anything is written.
"""

from __future__ import annotations

import csv
import gzip
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from tandem.errors import InputError
from tandem.settings import IngestSettings, over_limit


@dataclass(frozen=True)
class CsvRow:
    """One data row: its first line in the file (the header is line 1) and its values by column."""

    line: int
    values: dict[str, str]


class BadRowsError(InputError):
    """Rows of a file that failed validation, each with its line number; nothing was imported."""

    def __init__(self, path: Path | str, problems: Sequence[tuple[int, str]]) -> None:
        ordered = sorted(problems)
        rows = len({line for line, _ in ordered})
        listing = "\n".join(f"  line {line}: {message}" for line, message in ordered)
        super().__init__(
            f"{rows} bad row{'s' if rows != 1 else ''}, nothing imported:\n{listing}", path=path
        )
        self.problems = ordered


def read_csv(
    path: Path, *, columns: Sequence[str], limits: IngestSettings | None = None
) -> tuple[list[CsvRow], list[tuple[int, str]]]:
    """The rows of a UTF-8 CSV file with at least ``columns``, and the rows of the wrong width.

    Header names are matched case-insensitively; other columns are ignored; values are stripped;
    blank lines are skipped. A missing file, an undecodable file, a missing or duplicate column,
    a NUL byte, a field or file beyond ``limits`` (``[ingest]`` settings) or an unclosed quote is
    an :class:`~tandem.errors.InputError` at once, naming the line.
    """
    limits = limits or IngestSettings()
    text = read_text(path, limits=limits)
    try:
        return _read_records(
            _records(text.splitlines(keepends=True), limits=limits), path=path, columns=columns
        )[1:]
    except _BadRecord as bad:
        raise InputError(bad.message, path=path, line=bad.line) from None


def read_table(
    path: Path, *, limits: IngestSettings | None = None
) -> tuple[list[str], list[CsvRow], list[tuple[int, str]]]:
    """The header (as written, stripped), every row keyed by it, and the rows of the wrong width.

    For files whose columns are detected by name (incident exports); plain or gzip-compressed,
    with the same checks as :func:`read_csv`.
    """
    limits = limits or IngestSettings()
    text = read_text(path, limits=limits)
    try:
        return _read_records(
            _records(text.splitlines(keepends=True), limits=limits), path=path, columns=None
        )
    except _BadRecord as bad:
        raise InputError(bad.message, path=path, line=bad.line) from None


def read_records(
    path: Path, *, limits: IngestSettings | None = None
) -> list[tuple[int, list[str]]]:
    """Every record of a CSV file as ``(first line, fields)``, header first, duplicate column
    names allowed (Jira's export repeats ``Labels``); blank lines skipped. The same refusals as
    :func:`read_csv`, each naming its line."""
    limits = limits or IngestSettings()
    text = read_text(path, limits=limits)
    try:
        return [
            (line, fields)
            for line, fields in _records(text.splitlines(keepends=True), limits=limits)
            if fields and any(f.strip() for f in fields)
        ]
    except _BadRecord as bad:
        raise InputError(bad.message, path=path, line=bad.line) from None


GZIP_MAGIC = b"\x1f\x8b"


def read_text(path: Path, *, limits: IngestSettings | None = None) -> str:
    """The file's UTF-8 text (a byte-order mark dropped), gunzipped when it starts like gzip.

    Refused at once, naming the file: a missing or unreadable file, text that is not UTF-8,
    corrupt gzip data, more than ``limits.max_bytes`` (after decompression: a gzip bomb stops
    there) and a NUL byte (with its line).
    """
    limits = limits or IngestSettings()
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            gzipped = handle.read(2) == GZIP_MAGIC
        if size > limits.max_bytes and not gzipped:
            raise InputError(
                f"the file has {size:,} bytes, which {over_limit('max_bytes', limits.max_bytes)}",
                path=path,
            )
        if gzipped:
            with gzip.open(path, "rb") as raw:
                data = raw.read(limits.max_bytes + 1)
            if len(data) > limits.max_bytes:
                raise InputError(
                    "the decompressed data " + over_limit("max_bytes", limits.max_bytes),
                    path=path,
                )
        else:
            data = path.read_bytes()
        text = data.decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError("no such file", path=path) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path=path) from None
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise InputError(f"corrupt gzip data ({exc})", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", path=path) from None
    nul = text.find("\x00")
    if nul >= 0:
        raise InputError(NUL_MESSAGE, path=path, line=text.count("\n", 0, nul) + 1)
    return text


def _read_records(
    records: Iterator[tuple[int, list[str]]], *, path: Path, columns: Sequence[str] | None
) -> tuple[list[str], list[CsvRow], list[tuple[int, str]]]:
    try:
        _, header_fields = next(records)
    except StopIteration:
        raise InputError("the file is empty; expected a header row", path=path, line=1) from None
    written = [h.strip() for h in header_fields]
    header = [h.lower() for h in written]
    check_header(header, path=path)
    if columns is None:
        index = {name: i for i, name in enumerate(written)}
    else:
        missing = [c for c in columns if c not in header]
        if missing:
            raise InputError(
                f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                f"(expected {', '.join(columns)})",
                path=path,
                line=1,
            )
        index = {name: header.index(name) for name in columns}
    rows: list[CsvRow] = []
    problems: list[tuple[int, str]] = []
    for line, fields in records:
        if not fields or all(not f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            problems.append(
                (line, f"expected {len(header)} fields ({', '.join(header)}), found {len(fields)}")
            )
            continue
        rows.append(CsvRow(line, {c: fields[i].strip() for c, i in index.items()}))
    return written, rows, problems


NUL_MESSAGE = "a NUL byte (\\x00) in the text: this is not a CSV text file"


def check_header(header: Sequence[str], *, path: Path | str) -> None:
    """Refuse a header that names a column twice (which of the two would be meant?)."""
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise InputError(f"duplicate column {name!r} in the header", path=path, line=1)
        seen.add(name)


class _BadRecord(Exception):
    """A record no strict reader takes: its first line and why."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _records(lines: Iterable[str], *, limits: IngestSettings) -> Iterator[tuple[int, list[str]]]:
    """``(first line, fields)`` of each CSV record; a bad quote or an oversize field raises
    :class:`_BadRecord`."""
    _allow_fields_of(limits.max_field_bytes)
    reader = csv.reader(lines, strict=True)
    start = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _BadRecord(start, _csv_error(str(exc), limits)) from None
        line, start = start, reader.line_num + 1
        for value in fields:
            if len(value) > limits.max_field_bytes and (
                len(value.encode("utf-8")) > limits.max_field_bytes
            ):
                raise _BadRecord(
                    line, "a field " + over_limit("max_field_bytes", limits.max_field_bytes)
                )
        yield line, fields


def _allow_fields_of(max_bytes: int) -> None:
    """Let the csv module read fields up to ``max_bytes`` (we check the limit ourselves)."""
    if csv.field_size_limit() <= max_bytes:
        csv.field_size_limit(max_bytes + 1)


def _csv_error(reason: str, limits: IngestSettings) -> str:
    if "unexpected end of data" in reason:
        return "unclosed quote: the quoted field that starts on this line never ends"
    if "field larger than field limit" in reason:
        return "a field " + over_limit("max_field_bytes", limits.max_field_bytes)
    return f"not valid CSV ({reason})"


def first_problem(lines: Iterable[str], *, limits: IngestSettings) -> tuple[int, str] | None:
    """The first line of a CSV text (header included) that a strict reader cannot take.

    A NUL byte, a field beyond ``limits.max_field_bytes``, an unclosed quote or a record of
    another width than the header: ``(line, message)``, or ``None`` when every record is fine.
    Blank lines are skipped, as the readers do.
    """
    width: int | None = None
    try:
        for line, fields in _records(lines, limits=limits):
            if any("\x00" in value for value in fields):
                return line, NUL_MESSAGE
            if not fields:
                continue
            if width is None:
                width = len(fields)
            elif len(fields) != width:
                return line, f"expected {width} fields, found {len(fields)}"
    except _BadRecord as bad:
        return bad.line, bad.message
    return None


def line_of_record(lines: Iterable[str], *, record: int, limits: IngestSettings) -> int | None:
    """The first line of data record ``record`` (0-based, header and blank lines not counted)."""
    seen = -1  # the header is record -1
    try:
        for line, fields in _records(lines, limits=limits):
            if not fields:
                continue
            if seen == record:
                return line
            seen += 1
    except _BadRecord:
        return None
    return None
