"""``tandem lake batches|drop``: see what each ingest brought into the lake, remove a bad one."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import emit

# The lake and the workspace (DuckDB, SQLAlchemy) are imported by the commands that use them,
# so that `tandem --help` does not pay for them.

app = typer.Typer(help="The event lake's batches: list them, drop a bad one.", no_args_is_help=True)


@app.command("batches")
def list_batches(workspace: WorkspaceOption = Path(), as_json: JsonOption = False) -> None:
    """List the lake's batches, oldest first: source, rows held now, time, and ties."""
    from tandem.lake import service
    from tandem.workspace import Workspace

    listing = service.list_batches(workspace=Workspace.open(workspace))

    def render(console: Console) -> None:
        table = Table("batch", "kind", "source", "rows", "committed at", "drop together with")
        for batch in listing.batches:
            table.add_row(
                batch.id,
                batch.kind,
                batch.source,
                ", ".join(f"{table} {rows:,}" for table, rows in batch.rows.items()),
                batch.committed_at,
                " ".join(batch.tied_to),
            )
        console.print(table)

    emit(listing.model_dump(), as_json=as_json, render=render)


@app.command("drop")
def drop(
    batch_ids: Annotated[list[str], typer.Argument(help="Batch ids (see `tandem lake batches`).")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Remove whole batches from the lake in one atomic step (audited).

    Batches tied by shared cases (a later ingest added events to an earlier one's cases) are
    dropped together or not at all. The source state they set is cleared, so ingesting the
    source again brings back what is missing; the app database is not changed.
    """
    from tandem.lake import service
    from tandem.workspace import Workspace

    ws = Workspace.open(workspace)
    if not yes:
        typer.confirm(f"Remove batch {', '.join(batch_ids)} from the lake?", abort=True)
    report = service.drop_batches(workspace=ws, batch_ids=batch_ids, actor=_actor())

    def render(console: Console) -> None:
        removed = ", ".join(f"{t} {n:,}" for t, n in report.rows_removed.items()) or "no rows"
        console.print(f"dropped {', '.join(report.dropped)}: {removed} removed")
        if report.rows_kept:
            kept = ", ".join(f"{t} {n:,}" for t, n in report.rows_kept.items())
            console.print(f"kept (still referred to by other batches): {kept}")
        for key in report.state_cleared:
            console.print(f"cleared source state {key} (ingest the source again to refill)")

    emit(report.model_dump(), as_json=as_json, render=render)


def _actor() -> str:
    """Who ran the command, for the audit log."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"
