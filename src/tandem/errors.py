"""One exception hierarchy: every user-facing failure is a ``TandemError``.

Surfaces translate it once: the CLI prints ``message`` on one line and exits with ``exit_code``;
the web app (later) answers ``status`` with the same message.
"""

from __future__ import annotations

from pathlib import Path


class TandemError(Exception):
    """A failure the user can act on; ``message`` is shown as is, never a traceback."""

    status: int = 400
    exit_code: int = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(TandemError):
    """Bad input: names the file and, where known, the line, row or field."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        where = []
        if path is not None:
            where.append(str(path))
        if line is not None:
            where.append(f"line {line}")
        if row is not None:
            where.append(f"row {row}")
        if field is not None:
            where.append(f"field {field!r}")
        super().__init__(f"{': '.join([', '.join(where), message]) if where else message}")
        self.path = path
        self.line = line
        self.row = row
        self.field = field


class WorkspaceError(TandemError):
    """The workspace is missing, not initialised or not usable."""


class NotFoundError(TandemError):
    """A named record does not exist."""

    status = 404


class ConflictError(TandemError):
    """The request contradicts the current state (e.g. a lake written by a newer Tandem)."""

    status = 409
