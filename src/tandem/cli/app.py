"""The root ``tandem`` command: ``init``, ``status`` and the domain sub-apps, imported lazily.

``COMMANDS`` names every command by ``module:attribute`` and its one-line help, in the order
``tandem --help`` lists them; a command's module is imported only when it runs (see
``tandem.cli.lazy``), so ``tandem --version`` and ``--help`` import no data stack.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import typer

from tandem import __version__
from tandem.cli.lazy import LazyCommand, LazyGroup
from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import emit

if TYPE_CHECKING:
    from rich.console import Console


COMMANDS: dict[str, LazyCommand] = {
    "profile": LazyCommand(
        "tandem.cli.profile:app",
        "Show a person's profile: ten practices, L and M with bands, leaning and blind spots.",
    ),
    "demo": LazyCommand(
        "tandem.cli.demo:demo_command",
        "Build the demo workspace, then serve it: print the address and one sign-in per role.",
    ),
    "serve": LazyCommand("tandem.cli.serve:serve_command", "Serve the web app."),
    "init": LazyCommand(
        "tandem.cli.app:init",
        "Create a workspace: tandem.toml, the app database and the event lake (idempotent).",
    ),
    "status": LazyCommand(
        "tandem.cli.app:status",
        "Show what the workspace holds: rows per lake table and records in the app database.",
    ),
    "ingest": LazyCommand("tandem.cli.ingest:app", "Bring work data into the event lake."),
    "source": LazyCommand(
        "tandem.cli.source:app",
        "API sources (GitHub, GitLab, Jira): add, list, remove; `tandem sync` reads them.",
    ),
    "sync": LazyCommand(
        "tandem.cli.sync:sync_command",
        "Sync API sources into the lake (incremental), then their identities to people.",
    ),
    "lake": LazyCommand(
        "tandem.cli.lake:app", "The event lake's batches: list them, drop a bad one."
    ),
    "people": LazyCommand("tandem.cli.people:app", "People and their identities across sources."),
    "review": LazyCommand(
        "tandem.cli.review:app",
        "360 reviews: the item bank, cycles, rater assignments and answers.",
    ),
    "plan": LazyCommand("tandem.cli.plan:app", "Development plans for the weaker side."),
    "duos": LazyCommand(
        "tandem.cli.duos:app",
        "Duos: pairs whose strengths, by others' ratings, cover both sides.",
    ),
    "team": LazyCommand("tandem.cli.team:app", "Teams: practice coverage by others' ratings."),
    "flow": LazyCommand(
        "tandem.cli.flow:app",
        "Flow analytics and process mining on the lake (the manager's how panel).",
    ),
    "vision": LazyCommand(
        "tandem.cli.goals:vision_app",
        "A team's vision and its postcard from the future: set, show.",
    ),
    "goal": LazyCommand(
        "tandem.cli.goals:goal_app",
        "Goals and key results bound to live metrics: add, list, check in, progress.",
    ),
    "align": LazyCommand(
        "tandem.cli.align:app",
        "Alignment: link work to goals by rules and suggestions; the investment balance.",
    ),
    "story": LazyCommand(
        "tandem.cli.story:app",
        "Impact stories: a goal's period told from its evidence; who agreed to be named.",
    ),
    "kudos": LazyCommand(
        "tandem.cli.kudos:app",
        "Recognition: give and list kudos, counts, achievements from data, nudges, the wins "
        "digest.",
    ),
    "experiment": LazyCommand(
        "tandem.cli.experiment:app",
        "Experiments: a hypothesis, an owner, a start, a measure (optionally a metric), an "
        "outcome.",
    ),
    "radar": LazyCommand(
        "tandem.cli.radar:radar_command",
        "The change radar: dependencies added and removed over time in the lake's repositories.",
    ),
    "delegation": LazyCommand(
        "tandem.cli.delegation:app",
        "Delegation board (7 levels per decision area) and ownership concentration from git.",
    ),
    "feedback": LazyCommand(
        "tandem.cli.feedback:app",
        "Feedback: situation, behaviour, impact and intent; the lint; cadence per report.",
    ),
    "one-on-one": LazyCommand(
        "tandem.cli.one_on_one:app",
        "1:1s: agenda with carry-over, actions, private notes, cadence and the .ics.",
    ),
    "check-in": LazyCommand(
        "tandem.cli.checkin:app",
        "Performance check-ins: key results, feedback and 1:1 cadence; no ranking of people.",
    ),
    "concerns": LazyCommand(
        "tandem.cli.concerns:app",
        "Concerns and questions: raise (anonymous from 5 members), answer, the team's board.",
    ),
    "conflicts": LazyCommand(
        "tandem.cli.conflicts:app",
        "Conflict cases: parties, facilitator, suggested mode, checklist; parties only.",
    ),
    "brief": LazyCommand(
        "tandem.cli.brief:brief_command",
        "Write the team's brief: why, how and people in one offline HTML file for the pair.",
    ),
    "user": LazyCommand(
        "tandem.cli.user:app", "Web users: add, change role, reset password, list."
    ),
    "allocate": LazyCommand(
        "tandem.cli.allocate:allocate_command",
        "Recommend who works on what: maximise priority-weighted coverage, minimise reassignments.",
    ),
    "audit": LazyCommand("tandem.cli.audit:app", "The audit log of sensitive reads and writes."),
}
"""Every command of ``tandem``, in the order ``--help`` lists them (module imported on use)."""


class RootGroup(LazyGroup):
    """``tandem``: every command below is imported only when it runs."""

    lazy: ClassVar[dict[str, LazyCommand]] = COMMANDS


app = typer.Typer(
    name="tandem",
    cls=RootGroup,
    help="Tandem: the leader–manager pair, served from your team's real work data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tandem {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Tandem: the leader–manager pair, served from your team's real work data."""
    ctx.call_on_close(_engines_closer())  # no database connection outlives the command


def _engines_closer() -> Callable[[], None]:
    """:func:`tandem.workspace.engines_closer`, without importing the database layer for a
    command that never opens a workspace (it is imported at the end only if it was used)."""
    loaded = sys.modules.get("tandem.workspace")
    if loaded is not None:
        closer: Callable[[], None] = loaded.engines_closer()
        return closer

    def close() -> None:
        used = sys.modules.get("tandem.workspace")
        if used is not None:  # every engine it holds was made by this command
            used.engines_closer(everything=True)()

    return close


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
    from tandem.workspace import Workspace

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


def status(workspace: WorkspaceOption = Path(), as_json: JsonOption = False) -> None:
    """Show what the workspace holds: rows per lake table and records in the app database."""
    from rich.table import Table

    from tandem.status import workspace_status
    from tandem.workspace import Workspace

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


if __name__ == "__main__":
    main()
