"""Reading user CSV files row by row, with line numbers, for all-or-nothing imports.

Every import of people data (roster, review answers, forced rankings, compatibility answers)
reads its file with :func:`read_csv`, checks every row, and raises one :class:`BadRowsError`
listing each bad row's line before anything is written.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tandem.errors import InputError


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


def read_csv(path: Path, *, columns: Sequence[str]) -> tuple[list[CsvRow], list[tuple[int, str]]]:
    """The rows of a UTF-8 CSV file with at least ``columns``, and the rows of the wrong width.

    Header names are matched case-insensitively; other columns are ignored; values are stripped;
    blank lines are skipped. A missing file, an undecodable file or a missing column is an
    :class:`~tandem.errors.InputError` at once.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("no such file", path=path) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror})", path=path) from None
    reader = csv.reader(text.splitlines(keepends=True))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise InputError("the file is empty; expected a header row", path=path, line=1) from None
    except csv.Error as exc:
        raise InputError(f"not valid CSV ({exc})", path=path, line=1) from None
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
    start = reader.line_num + 1
    try:
        for fields in reader:
            line, start = start, reader.line_num + 1
            if not fields or all(not f.strip() for f in fields):
                continue
            if len(fields) != len(header):
                problems.append(
                    (
                        line,
                        f"expected {len(header)} fields ({', '.join(header)}), found {len(fields)}",
                    )
                )
                continue
            rows.append(CsvRow(line, {c: fields[i].strip() for c, i in index.items()}))
    except csv.Error as exc:
        problems.append((start, f"not valid CSV ({exc}); the rest of the file was not read"))
    return rows, problems
