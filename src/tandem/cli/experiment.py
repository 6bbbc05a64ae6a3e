"""``tandem experiment add|list|show|conclude|abandon``: the team's experiments log."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tandem.cli.options import JsonOption, TeamOption, WorkspaceOption
from tandem.cli.output import emit
from tandem.db.session import session_scope
from tandem.why.change import service
from tandem.why.change.schemas import ExperimentOut, MetricReading
from tandem.why.goals.metrics import MetricValue
from tandem.workspace import Workspace

app = typer.Typer(
    help="Experiments: a hypothesis, an owner, a start, a measure (optionally a metric), an "
    "outcome.",
    no_args_is_help=True,
)

IdArgument = Annotated[int, typer.Argument(help="The experiment's id (shown by `list`).")]


def _value(value: MetricValue, unit: str) -> str:
    if value.withheld:
        return f"withheld ({value.withheld})"
    if value.value is None:
        return "unknown"
    return f"{value.value:.2f} {unit} (n={value.n}, {value.start}–{value.as_of})"


def _reading(console: Console, reading: MetricReading) -> None:
    better = "lower" if reading.better == "down" else "higher"
    console.print(f"  metric: {reading.text} (better: {better})")
    console.print(f"    before: {_value(reading.before, reading.unit)}")
    console.print(f"    during/after: {_value(reading.after, reading.unit)}")
    if reading.change is not None:
        verdict = {True: " (better)", False: " (worse)", None: ""}[reading.improved]
        console.print(f"    change: {reading.change:+.2f} {reading.unit}{verdict}")


def render_experiment(console: Console, e: ExperimentOut) -> None:
    """One experiment for people: what, who, when, the measure and how it came out."""
    status = e.status + (f": {e.result}" if e.result else "")
    console.print(f"[bold]#{e.id} {e.title}[/] ({status})")
    console.print(f"  hypothesis: {e.hypothesis}")
    console.print(f"  owner: {e.owner.name if e.owner else '-'}")
    period = f"from {e.starts_on}" + (f", planned to {e.ends_on}" if e.ends_on else "")
    if e.concluded_on:
        period += f", {e.status} on {e.concluded_on}"
    console.print(f"  period: {period}")
    if e.measure:
        console.print(f"  measure: {e.measure}")
    if e.reading is not None:
        _reading(console, e.reading)
    elif e.reading_error and e.metric is not None:
        console.print(f"  metric: {e.metric.describe()}: {e.reading_error}")
    if e.outcome:
        console.print(f"  outcome: {e.outcome}")


def _emit(found: ExperimentOut, as_json: bool) -> None:
    emit(
        found.model_dump(mode="json"),
        as_json=as_json,
        render=lambda c: render_experiment(c, found),
    )


@app.command("add")
def add(
    title: Annotated[str, typer.Option("--title", help="What is tried, in a few words.")],
    hypothesis: Annotated[str, typer.Option("--hypothesis", help="What we expect, and why.")],
    owner: Annotated[str, typer.Option("--owner", help="Id or email of a person of the team.")],
    starts_on: Annotated[str, typer.Option("--start", help="First day, YYYY-MM-DD.")],
    team: TeamOption,
    ends_on: Annotated[
        str | None, typer.Option("--end", help="Planned last day, YYYY-MM-DD.")
    ] = None,
    measure: Annotated[str, typer.Option("--measure", help="What will be measured.")] = "",
    metric: Annotated[
        str | None,
        typer.Option(
            "--metric",
            help="A metric contract to read before and after, e.g. "
            "cycle_time:p85,item_type=Bug,window=30.",
        ),
    ] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Add a running experiment to the team."""
    with session_scope(Workspace.open(workspace).engine) as session:
        found = service.add_experiment(
            session=session, team=team, title=title, hypothesis=hypothesis, owner=owner,
            starts_on=starts_on, ends_on=ends_on, measure_text=measure, metric=metric,
        )  # fmt: skip
    _emit(found, as_json)


@app.command("list")
def list_command(
    team: TeamOption, workspace: WorkspaceOption = Path(), as_json: JsonOption = False
) -> None:
    """List the team's experiments, newest first, each with its metric before and after."""
    opened = Workspace.open(workspace)
    with session_scope(opened.engine) as session:
        found = service.list_experiments(session=session, workspace=opened, team=team)

    def draw(console: Console) -> None:
        if not found.experiments:
            console.print(f"team {found.team} has no experiments yet")
            return
        table = Table("id", "title", "status", "owner", "start", "end", "before", "after")
        for e in found.experiments:
            r = e.reading
            table.add_row(
                str(e.id),
                e.title,
                e.status + (f": {e.result}" if e.result else ""),
                e.owner.name if e.owner else "-",
                str(e.starts_on),
                str(e.concluded_on or e.ends_on or ""),
                _value(r.before, r.unit) if r else "",
                _value(r.after, r.unit) if r else "",
            )
        console.print(table)

    emit(found.model_dump(mode="json"), as_json=as_json, render=draw)


@app.command("show")
def show(
    experiment_id: IdArgument,
    team: TeamOption,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Show one experiment with its metric before (the window ending the day before the start)
    and during/after (the window ending on its end, capped at the work data's last day)."""
    opened = Workspace.open(workspace)
    with session_scope(opened.engine) as session:
        found = service.show_experiment(
            session=session, workspace=opened, team=team, experiment_id=experiment_id
        )
    _emit(found, as_json)


@app.command("conclude")
def conclude(
    experiment_id: IdArgument,
    team: TeamOption,
    result: Annotated[str, typer.Option("--result", help="supported, refuted or inconclusive.")],
    outcome: Annotated[str, typer.Option("--outcome", help="What happened, and what next.")],
    concluded_on: Annotated[str, typer.Option("--on", help="The day it ended, YYYY-MM-DD.")],
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Conclude a running experiment with its result and outcome."""
    with session_scope(Workspace.open(workspace).engine) as session:
        found = service.conclude_experiment(
            session=session, team=team, experiment_id=experiment_id, result=result,
            outcome=outcome, concluded_on=concluded_on,
        )  # fmt: skip
    _emit(found, as_json)


@app.command("abandon")
def abandon(
    experiment_id: IdArgument,
    team: TeamOption,
    outcome: Annotated[str, typer.Option("--outcome", help="Why it was abandoned.")] = "",
    abandoned_on: Annotated[
        str | None, typer.Option("--on", help="The day it was abandoned, YYYY-MM-DD.")
    ] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Abandon a running experiment."""
    with session_scope(Workspace.open(workspace).engine) as session:
        found = service.abandon_experiment(
            session=session, team=team, experiment_id=experiment_id, outcome=outcome,
            abandoned_on=abandoned_on,
        )  # fmt: skip
    _emit(found, as_json)
