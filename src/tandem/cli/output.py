"""How commands print: one JSON object with ``--json``, Rich tables otherwise; errors on stderr."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable
from typing import Any

import typer
from rich.console import Console
from rich.errors import MarkupError
from rich.progress import BarColumn, MofNCompleteColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichBar
from rich.text import Text
from typer.core import TyperGroup

from tandem.errors import TandemError

#: C0 controls but tab and newline, DEL and C1 controls: a terminal may act on any of them.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``), never sent raw.

    Names, titles and messages come from git, event logs and rosters: a terminal escape in
    one must not recolour, move or rewrite the user's terminal.
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class SafeConsole(Console):
    """A Rich console whose text passes through :func:`printable`, with markup that cannot fail.

    Every string a command prints (lines and table cells alike) is rendered by
    :meth:`render_str`, so this one override covers every CLI output. A stray ``[/x]`` in a
    user's name, which Rich would reject as markup, is printed as it is.
    """

    def render_str(self, text: str, **kwargs: Any) -> Text:
        safe = printable(text)
        try:
            return super().render_str(safe, **kwargs)
        except MarkupError:
            return super().render_str(safe, **{**kwargs, "markup": False})


PIPED_WIDTH = 10_000
"""Columns of output that is not a terminal: tables keep their natural width, lines their length."""


def stdout_console() -> Console:
    """The console of a command's output; piped, it is not cut to 80 columns.

    On a terminal Rich fits tables to its width. Piped into a file or another program there is no
    width to fit, so tables are drawn whole (numbers never wrapped or cut to ``1,2…``) and lines
    unwrapped, the same text a wide enough terminal shows; ``COLUMNS`` still sets a width.
    """
    console = SafeConsole(highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = PIPED_WIDTH
    return console


def stderr_console() -> Console:
    return SafeConsole(stderr=True, highlight=False)


def emit(data: dict[str, Any], *, as_json: bool, render: Callable[[Console], None]) -> None:
    """Print ``data`` as one JSON object (``--json``) or let ``render`` draw it for people.

    JSON escapes C0 controls itself; DEL and C1 controls are escaped too (``\\u009b``).
    """
    if as_json:
        text = json.dumps(data, default=str, ensure_ascii=False)
        text = _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
        sys.stdout.write(text + "\n")
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
