"""Commands imported only when they run, so ``tandem --help`` and ``--version`` start at once.

The root ``tandem`` group names each command by ``module:attribute`` (a Typer sub-app or a
command function) and its one-line help; the module is imported when that command (or its own
``--help``) is invoked. ``tandem --help`` lists the commands from these lines without importing
them; a test keeps each line equal to the loaded command's own short help, and another that
``tandem --help`` loads none of pyarrow, duckdb, ibis, numpy, SQLAlchemy or FastAPI.

A new command stays lazy by being registered here (``app.py``'s ``COMMANDS``), never imported
by ``app.py``, and by importing nothing heavy at module level that ``tandem --help`` would load.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import typer
import typer.core
import typer.main

from tandem.cli.output import TandemGroup


@dataclass(frozen=True)
class LazyCommand:
    """Where a command lives (``"tandem.cli.flow:app"``) and what ``tandem --help`` says of it."""

    target: str
    help: str

    def load(self, name: str) -> Any:
        """The click command, built exactly as ``app.add_typer`` / ``app.command`` would."""
        module_name, _, attribute = self.target.partition(":")
        found = getattr(importlib.import_module(module_name), attribute)
        host = typer.Typer(rich_markup_mode=None, pretty_exceptions_enable=False)
        if isinstance(found, typer.Typer):
            host.add_typer(found, name=name)
        else:
            host.command(name)(found)
        return typer.main.get_group(host).commands[name]


class LazyGroup(TandemGroup):
    """A :class:`TandemGroup` whose commands come from :attr:`lazy`, imported on first use."""

    lazy: ClassVar[dict[str, LazyCommand]] = {}

    def list_commands(self, ctx: Any) -> list[str]:
        return [*self.lazy, *(name for name in self.commands if name not in self.lazy)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = self.commands.get(cmd_name)
        if command is None and cmd_name in self.lazy:
            command = self.commands[cmd_name] = self.lazy[cmd_name].load(cmd_name)
        return command

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """List every command; one not imported yet is shown by its registered help line."""
        with self._listed(ctx):
            super().format_commands(ctx, formatter)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """Resolve as click does; an unknown name gets suggestions among every command."""
        if args and args[0] not in self.commands and args[0] not in self.lazy:
            with self._listed(ctx):
                return super().resolve_command(ctx, args)
        return super().resolve_command(ctx, args)

    @contextlib.contextmanager
    def _listed(self, ctx: Any) -> Iterator[None]:
        """Every command in :attr:`commands` meanwhile: the loaded ones, stubs for the others."""
        loaded = self.commands
        self.commands = {
            name: loaded.get(name) or typer.core.TyperCommand(name=name, help=self.lazy[name].help)
            for name in self.list_commands(ctx)
        }
        try:
            yield
        finally:
            self.commands = loaded
