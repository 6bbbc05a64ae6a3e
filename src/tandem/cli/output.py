"""How commands print: one JSON object with ``--json``, Rich tables otherwise; errors on stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichBar
from typer.core import TyperGroup

from tandem.errors import TandemError


def stdout_console() -> Console:
    return Console(highlight=False)


def stderr_console() -> Console:
    return Console(stderr=True, highlight=False)


def emit(data: dict[str, Any], *, as_json: bool, render: Callable[[Console], None]) -> None:
    """Print ``data`` as one JSON object (``--json``) or let ``render`` draw it for people."""
    if as_json:
        sys.stdout.write(json.dumps(data, default=str, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    else:
        render(stdout_console())


class TandemGroup(TyperGroup):
    """Turns a :class:`TandemError` into one line on stderr and its exit code, no traceback."""

    def invoke(self, ctx: Any) -> Any:  # typer.Context; the base names click's vendored one
        try:
            return super().invoke(ctx)
        except TandemError as exc:
            stderr_console().print(f"[bold red]error:[/] {_escape(exc.message)}", soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            stderr_console().print("interrupted; nothing was changed")
            raise typer.Exit(130) from None


def _escape(text: str) -> str:
    return text.replace("[", r"\[")


class BarProgress:
    """A Rich progress bar on stderr, shown only when stderr is a terminal."""

    def __init__(self) -> None:
        console = stderr_console()
        self._bar: RichBar | None = None
        if console.is_terminal:
            self._bar = RichBar(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            )
        self._task: TaskID | None = None

    def start(self, description: str, total: float | None = None) -> None:
        if self._bar is None:
            return
        if self._task is None:
            self._bar.start()
        else:
            self._bar.remove_task(self._task)
        self._task = self._bar.add_task(description, total=total)

    def advance(self, amount: float = 1) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task, amount)

    def finish(self) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.stop()
            self._task = None
