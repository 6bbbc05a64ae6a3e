"""``tandem sync``: read the API sources of ``tandem.toml`` into the lake, once or repeatedly."""

from __future__ import annotations

import functools
import re
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import BarProgress, emit, stderr_console
from tandem.errors import InputError
from tandem.ingest import sources as service
from tandem.workspace import Workspace

_EVERY = re.compile(r"^(\d+)\s*([smhd])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_every(text: str) -> int:
    """``30m``, ``1h``, ``1d`` … in seconds (at least one minute)."""
    found = _EVERY.match(text.strip().lower())
    if not found or int(found[1]) * _UNITS[found[2]] < 60:
        raise InputError(
            f"{text!r} is not an interval of at least a minute (e.g. 15m, 1h, 1d)", field="every"
        )
    return int(found[1]) * _UNITS[found[2]]


def sync_command(
    names: Annotated[
        list[str] | None, typer.Argument(help="Sources to sync (default: every source).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Fetch and count; write nothing.")
    ] = False,
    every: Annotated[
        str | None,
        typer.Option(help="Sync again at this interval (15m, 1h, 1d) until Ctrl-C."),
    ] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Sync API sources into the lake (incremental), then their identities to people."""
    interval = parse_every(every) if every else None
    ws = Workspace.open(workspace)
    while True:
        result = service.sync_sources(
            workspace=ws, names=names or (), dry_run=dry_run, progress=BarProgress()
        )
        emit(result, as_json=as_json, render=functools.partial(_render, result=result))
        if interval is None:
            return
        try:
            time.sleep(interval)
        except KeyboardInterrupt:
            stderr_console().print("stopped between two syncs; every sync so far was committed")
            raise typer.Exit(0) from None


def _render(console: Console, *, result: dict[str, Any]) -> None:
    verb = "would fetch" if result["dry_run"] else "fetched"
    table = Table("source", "endpoint", verb, "rows added" if not result["dry_run"] else "rows")
    for report in result["sources"]:
        rows = report["staged"] if result["dry_run"] else report["added"]
        first = True
        for endpoint, count in sorted(report["fetched"].items()) or [("(nothing new)", 0)]:
            table.add_row(report["name"] if first else "", endpoint, f"{count:,}", "")
            first = False
        table.add_row("", "", "", ", ".join(f"{t} {n:,}" for t, n in sorted(rows.items())) or "0")
    console.print(table)
    for report in result["sources"]:
        console.print(
            f"{report['name']}: {report['requests']:,} requests, {report['not_modified']:,} "
            f"unchanged (304), {report['retries']:,} retries, {report['rate_limit_waits']:,} "
            f"rate-limit waits, {report['batches']:,} lake batches"
        )
    if result["dry_run"]:
        console.print("dry run: nothing was written")
    elif result["people"]:
        people = result["people"]
        console.print(f"people: {people.get('identities_added', 0):,} new identities")
