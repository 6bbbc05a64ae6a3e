"""``tandem vision set|show`` and ``tandem goal add|list|show|status|kr|checkin|progress``.

Thin over :mod:`tandem.why.goals.service`: every answer is the service's, printed as a table or
as one JSON object with ``--json``. A key result bound to a metric contract reads its value from
the lake (``tandem goal progress``); a team below five people gets its values withheld.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tandem.cli.options import JsonOption, TeamOption, WorkspaceOption
from tandem.cli.output import emit
from tandem.db.session import session_scope
from tandem.flow.engine import parse_day
from tandem.ids import MAX_ID
from tandem.why.goals import service
from tandem.why.goals.metrics import parse_spec
from tandem.why.goals.schemas import GoalBrief, GoalProgress, HistoryPoint, KeyResultOut
from tandem.workspace import Workspace

vision_app = typer.Typer(
    help="A team's vision and its postcard from the future: set, show.", no_args_is_help=True
)
goal_app = typer.Typer(
    help="Goals and key results bound to live metrics: add, list, check in, progress.",
    no_args_is_help=True,
)

GoalArgument = Annotated[int, typer.Argument(min=1, max=MAX_ID, help="The goal's id.")]
SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(points: list[HistoryPoint]) -> str:
    """The history as block characters, lowest to highest; ``·`` where a value is unknown or
    withheld."""
    known = [p.value for p in points if p.value is not None]
    if not known:
        return "·" * len(points)
    low, high = min(known), max(known)
    span = high - low
    return "".join(
        "·"
        if p.value is None
        else SPARKS[0 if span == 0 else round((p.value - low) / span * (len(SPARKS) - 1))]
        for p in points
    )


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{text} {unit}".rstrip()


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _goal_line(goal: GoalBrief) -> str:
    owner = f", owner {goal.owner}" if goal.owner else ""
    share = f", {goal.target_share:.0%} of the effort" if goal.target_share is not None else ""
    return (
        f"goal {goal.id}: {goal.title} ({goal.starts_on} – {goal.ends_on}, {goal.status}"
        f"{share}{owner})"
    )


# -- vision -------------------------------------------------------------------------------------


@vision_app.command("set")
def vision_set(
    team: TeamOption,
    statement: Annotated[str, typer.Option("--statement", help="The vision statement.")],
    postcard: Annotated[
        str,
        typer.Option(
            "--postcard",
            help="The postcard from the future: the world when the "
            "vision came true, written as if it had.",
        ),
    ] = "",
    horizon: Annotated[
        str | None, typer.Option("--horizon", help="The postcard's date (YYYY-MM-DD).")
    ] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Set (or replace) the team's vision statement and postcard from the future."""
    opened = Workspace.open(workspace)
    with session_scope(opened.engine) as session:
        vision = service.set_vision(
            session=session, team=team, statement=statement, postcard=postcard, horizon=horizon
        )
    emit(
        vision.model_dump(mode="json"),
        as_json=as_json,
        render=lambda console: console.print(f"vision of team {team} set", markup=False),
    )


@vision_app.command("show")
def vision_show(
    team: TeamOption, workspace: WorkspaceOption = Path(), as_json: JsonOption = False
) -> None:
    """Show the team's vision and postcard (empty when none is set)."""
    opened = Workspace.open(workspace)
    with session_scope(opened.engine) as session:
        vision = service.show_vision(session=session, team=team)

    def render(console: Console) -> None:
        if vision is None:
            console.print(f"team {team} has no vision yet (tandem vision set)", markup=False)
            return
        console.print(vision.statement, style="bold", markup=False)
        if vision.postcard:
            horizon = f" ({vision.horizon})" if vision.horizon else ""
            console.print(f"Postcard from the future{horizon}:", markup=False)
            console.print(vision.postcard, markup=False)

    emit(
        {"vision": vision.model_dump(mode="json") if vision else None},
        as_json=as_json,
        render=render,
    )


# -- goals --------------------------------------------------------------------------------------


@goal_app.command("add")
def goal_add(
    team: TeamOption,
    title: Annotated[str, typer.Option("--title", help="What the goal is.")],
    starts_on: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD).")],
    ends_on: Annotated[str, typer.Option("--to", help="Last day, included (YYYY-MM-DD).")],
    why: Annotated[str, typer.Option("--why", help="Why it matters.")] = "",
    share: Annotated[
        float | None,
        typer.Option(
            "--share",
            help="Share of the team's effort it should get (0–1); the team's active goals "
            "share at most 1.",
        ),
    ] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", help="Its owner (person id, email or identity).")
    ] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Add an active goal for a period."""
    opened = Workspace.open(workspace)
    with session_scope(opened.engine) as session:
        goal = service.add_goal(
            session=session,
            team=team,
            title=title,
            why=why,
            starts_on=starts_on,
            ends_on=ends_on,
            target_share=share,
            owner=owner,
        )
    emit(
        goal.model_dump(mode="json"),
        as_json=as_json,
        render=lambda console: console.print(f"added {_goal_line(goal)}", markup=False),
    )


@goal_app.command("list")
def goal_list(
    team: TeamOption,
    status: Annotated[
        str | None,
        typer.Option("--status", help="Only goals of this status: active, achieved, dropped."),
    ] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """List the team's goals, the newest period first."""
    opened = Workspace.open(workspace)
    with session_scope(opened.engine) as session:
        goals = service.list_goals(session=session, team=team, status=status)

    def render(console: Console) -> None:
        table = Table("id", "goal", "from", "to", "status", "share", "owner", "KRs")
        for goal in goals:
            table.add_row(
                str(goal.id),
                escape(goal.title),
                str(goal.starts_on),
                str(goal.ends_on),
                goal.status,
                _share(goal.target_share),
                escape(goal.owner or "—"),
                str(goal.key_results),
            )
        console.print(table)

    emit({"goals": [g.model_dump(mode="json") for g in goals]}, as_json=as_json, render=render)


@goal_app.command("show")
def goal_show(
    goal_id: GoalArgument,
    team: TeamOption,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Show a goal and its key results as defined (their progress: tandem goal progress)."""
    opened = Workspace.open(workspace)
    with session_scope(opened.engine) as session:
        goal = service.show_goal(session=session, team=team, goal_id=goal_id)
        results = service.key_results(session=session, team=team, goal_id=goal_id)

    def render(console: Console) -> None:
        console.print(_goal_line(goal), markup=False)
        if goal.why:
            console.print(f"  why: {goal.why}", markup=False)
        table = Table("KR", "title", "bound to", "baseline", "target", "better")
        for kr in results:
            table.add_row(
                str(kr.id),
                escape(kr.title),
                escape(kr.metric_text or "manual"),
                _number(kr.baseline, kr.unit),
                _number(kr.target, kr.unit),
                kr.direction,
            )
        console.print(table)

    data = goal.model_dump(mode="json") | {
        "key_result_list": [kr.model_dump(mode="json") for kr in results]
    }
    emit(data, as_json=as_json, render=render)


@goal_app.command("status")
def goal_status(
    goal_id: GoalArgument,
    status: Annotated[str, typer.Argument(help="active, achieved or dropped.")],
    team: TeamOption,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Mark a goal active, achieved or dropped."""
    opened = Workspace.open(workspace)
    with session_scope(opened.engine) as session:
        goal = service.set_goal_status(session=session, team=team, goal_id=goal_id, status=status)
    emit(
        goal.model_dump(mode="json"),
        as_json=as_json,
        render=lambda console: console.print(_goal_line(goal), markup=False),
    )


@goal_app.command("kr")
def goal_kr(
    goal_id: GoalArgument,
    team: TeamOption,
    title: Annotated[str, typer.Option("--title", help="What the key result says.")],
    target: Annotated[float, typer.Option("--target", help="The value to reach.")],
    metric: Annotated[
        str | None,
        typer.Option(
            "--metric",
            help="Bind it to a metric contract, e.g. 'cycle_time:p85,item_type=Bug,window=30' "
            "(docs/metrics.md, Key results); its value then comes from the lake.",
        ),
    ] = None,
    baseline: Annotated[
        float | None,
        typer.Option(
            "--baseline",
            help="Where it starts (default for a metric: its value on the goal's first day).",
        ),
    ] = None,
    direction: Annotated[
        str | None,
        typer.Option(
            "--direction", help="down (lower is better) or up (default for a metric: its own)."
        ),
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Unit of a manual key result.")] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Add a key result to a goal: bound to a metric contract or entered by hand."""
    opened = Workspace.open(workspace)
    spec = parse_spec(metric) if metric else None
    with session_scope(opened.engine) as session:
        kr = service.add_key_result(
            session=session,
            workspace=opened,
            team=team,
            goal_id=goal_id,
            title=title,
            target=target,
            metric=spec,
            baseline=baseline,
            direction=direction,
            unit=unit,
        )

    def render(console: Console) -> None:
        console.print(
            f"added key result {kr.id}: {kr.title} ({kr.metric_text or 'manual'}), from "
            f"{_number(kr.baseline, kr.unit)} to {_number(kr.target, kr.unit)} ({kr.direction})",
            markup=False,
        )

    emit(kr.model_dump(mode="json"), as_json=as_json, render=render)


@goal_app.command("checkin")
def goal_checkin(
    key_result_id: Annotated[
        int, typer.Argument(min=1, max=MAX_ID, help="The key result's id (tandem goal show).")
    ],
    team: TeamOption,
    confidence: Annotated[
        int, typer.Option("--confidence", help="How sure you are it will be reached, 0–10.")
    ],
    note: Annotated[str, typer.Option("--note", help="What moved, what is in the way.")] = "",
    value: Annotated[
        float | None,
        typer.Option("--value", help="A manual key result's value (a metric's is the lake's)."),
    ] = None,
    on: Annotated[
        str | None, typer.Option("--date", help="The check-in's day (default: now).")
    ] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Check in on a key result: confidence, a note, and a manual key result's value."""
    opened = Workspace.open(workspace)
    day = parse_day(on, "date")
    when = None if day is None else dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    with session_scope(opened.engine) as session:
        checkin = service.check_in(
            session=session,
            team=team,
            key_result_id=key_result_id,
            confidence=confidence,
            note=note,
            value=value,
            checked_at=when,
        )
    emit(
        checkin.model_dump(mode="json"),
        as_json=as_json,
        render=lambda console: console.print(
            f"checked in on key result {key_result_id}: confidence {checkin.confidence}/10",
            markup=False,
        ),
    )


def _kr_row(kr: KeyResultOut) -> list[str]:
    value = _number(kr.value, kr.unit) if kr.withheld is None else "withheld"
    return [
        str(kr.id),
        escape(kr.title),
        escape(kr.metric_text or "manual"),
        _number(kr.baseline, kr.unit),
        value,
        _number(kr.target, kr.unit),
        _share(kr.progress),
        kr.track.replace("_", " "),
        sparkline(kr.history),
        "—" if kr.latest_checkin is None else f"{kr.latest_checkin.confidence}/10",
    ]


def render_progress(console: Console, goals: list[GoalProgress]) -> None:
    """Each goal's line, then a table of its key results with a sparkline of their history."""
    for answer in goals:
        console.print(
            f"{_goal_line(answer.goal)}: {_share(answer.progress)} done, "
            f"{answer.track.replace('_', ' ')}, as of {answer.as_of} ({answer.as_of_rule})",
            markup=False,
        )
        table = Table(
            "KR",
            "title",
            "bound to",
            "baseline",
            "now",
            "target",
            "progress",
            "status",
            "history",
            "confidence",
        )
        for kr in answer.key_results:
            table.add_row(*_kr_row(kr))
        console.print(table)
        for kr in answer.key_results:
            if kr.withheld:
                console.print(f"  KR {kr.id}: {kr.withheld}", markup=False)


@goal_app.command("progress")
def goal_progress(
    team: TeamOption,
    goal_id: Annotated[
        int | None, typer.Argument(min=1, max=MAX_ID, help="One goal (default: all of them).")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="The day to measure on (default: the goal's last day, or the lake's last day "
            "when the lake ends earlier).",
        ),
    ] = None,
    history: Annotated[
        bool, typer.Option("--history/--no-history", help="Measure the weekly history too.")
    ] = True,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Each key result's value from the lake, progress, status and history (a sparkline)."""
    opened = Workspace.open(workspace)
    with session_scope(opened.engine) as session:
        if goal_id is None:
            answer = service.team_goals(
                session=session, workspace=opened, team=team, as_of=as_of, history=history
            )
            data = answer.model_dump(mode="json")
            goals = answer.goals
        else:
            one = service.goal_progress(
                session=session,
                workspace=opened,
                team=team,
                goal_id=goal_id,
                as_of=as_of,
                history=history,
            )
            data, goals = one.model_dump(mode="json"), [one]
    emit(data, as_json=as_json, render=lambda console: render_progress(console, goals))
