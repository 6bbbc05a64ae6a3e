"""The root ``tandem`` command: ``init``, ``status`` and the domain sub-apps."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from tandem import __version__
from tandem.cli import duos as duos_cli
from tandem.cli import flow as flow_cli
from tandem.cli import ingest as ingest_cli
from tandem.cli import lake as lake_cli
from tandem.cli import people as people_cli
from tandem.cli import plan as plan_cli
from tandem.cli import review as review_cli
from tandem.cli import team as team_cli
from tandem.cli import user as user_cli
from tandem.cli.demo import demo_command
from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import TandemGroup, emit
from tandem.cli.profile import profile_command
from tandem.cli.serve import serve_command
from tandem.status import workspace_status
from tandem.workspace import Workspace

app = typer.Typer(
    name="tandem",
    cls=TandemGroup,
    help="Tandem: the leader–manager pair, served from your team's real work data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)
app.add_typer(ingest_cli.app, name="ingest")
app.add_typer(lake_cli.app, name="lake")
app.add_typer(people_cli.app, name="people")
app.add_typer(review_cli.app, name="review")
app.command("profile")(profile_command)
app.add_typer(plan_cli.app, name="plan")
app.add_typer(duos_cli.app, name="duos")
app.add_typer(team_cli.app, name="team")
app.add_typer(flow_cli.app, name="flow")
app.command("demo")(demo_command)
app.add_typer(user_cli.app, name="user")
app.command("serve")(serve_command)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tandem {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Tandem: the leader–manager pair, served from your team's real work data."""


@app.command()
def init(
    workspace: WorkspaceOption = Path(),
    database_url: Annotated[
        str | None,
        typer.Option(
            help="App database URL to record in tandem.toml (default: SQLite in the workspace)."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Create a workspace: tandem.toml, the app database and the event lake (idempotent)."""
    ws = Workspace.create(workspace, database_url=database_url)
    data = {
        "workspace": str(ws.root),
        "config": str(ws.config_path),
        "database": ws.engine.url.render_as_string(hide_password=True),
        "lake": str(ws.lake_path),
    }

    def render(console: Console) -> None:
        console.print(f"Workspace ready at [bold]{ws.root}[/]")
        console.print(f"  settings  {ws.config_path}\n  database  {data['database']}")
        console.print(f"  lake      {ws.lake_path}")

    emit(data, as_json=as_json, render=render)


@app.command()
def status(workspace: WorkspaceOption = Path(), as_json: JsonOption = False) -> None:
    """Show what the workspace holds: rows per lake table and records in the app database."""
    report = workspace_status(Workspace.open(workspace))

    def render(console: Console) -> None:
        console.print(f"Workspace [bold]{report['workspace']}[/]")
        table = Table("lake table", "rows", title=f"lake (schema v{report['schema_version']})")
        for name, rows in report["tables"].items():
            table.add_row(name, f"{rows:,}")
        console.print(table)
        db = Table("app database", "rows")
        for name, rows in report["database"].items():
            db.add_row(name, f"{rows:,}")
        console.print(db)
        last: dict[str, Any] | None = report["last_batch"]
        if last:
            console.print(f"last batch: {last['label']} at {last['committed_at']}")

    emit(report, as_json=as_json, render=render)


def main() -> None:
    """Entry point of the ``tandem`` script."""
    app(prog_name="tandem")
