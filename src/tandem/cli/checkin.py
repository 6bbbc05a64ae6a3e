"""``tandem check-in person|team``: performance check-ins from the command line.

Both commands act as the person ``--as`` names (id or email), with the same rules as the web:
a person's check-in is read by the person and their line manager only (anyone else: not found;
a manager's read is audited); a team's by its leader and manager (members by name, cadence of
one's own reports) and by directors and admins (bands only). Nobody is ranked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tandem.cli.acting import ActingOption, acting_viewer, as_of_day, cli_actor
from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import emit
from tandem.db.session import session_scope
from tandem.manage.checkins import service
from tandem.manage.checkins.schemas import GoalLine, PersonCheckin, TeamCheckin
from tandem.people import service as people_service
from tandem.workspace import Workspace

app = typer.Typer(
    help="Performance check-ins: key results, feedback and 1:1 cadence; no ranking of people.",
    no_args_is_help=True,
)

AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="The day of the check-in (YYYY-MM-DD; default today).")
]


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _goals(console: Console, goals: list[GoalLine]) -> None:
    if not goals:
        console.print("No goals.")
        return
    table = Table("goal", "key result", "value", "target", "progress", "track", "as of")
    for goal in goals:
        table.add_row(f"{goal.title} ({goal.team.name})", "", "", "", _share(goal.progress),
                      goal.track, str(goal.as_of))  # fmt: skip
        for kr in goal.key_results:
            value = kr.withheld or ("—" if kr.value is None else f"{kr.value:g} {kr.unit}")
            table.add_row("", kr.title, value, f"{kr.target:g}", _share(kr.progress), kr.track,
                          str(kr.as_of))  # fmt: skip
    console.print(table)


def _person(console: Console, out: PersonCheckin) -> None:
    console.print(f"Check-in of {out.person.name} on {out.as_of}", markup=False)
    _goals(console, out.goals)
    fb = out.feedback
    if fb.manager is None:
        console.print("Feedback: no line manager today.", markup=False)
    else:
        days = "never" if fb.days_since is None else f"{fb.days_since} days ago"
        alert = f" — alert: past {fb.alert_days} days" if fb.alert else ""
        console.print(f"Feedback from {fb.manager.name}: {days}{alert}", markup=False)
    given = "" if fb.given is None else f"{fb.given} given, "
    console.print(
        f"Feedback in the last {fb.count_days} days: {given}{fb.received} received", markup=False
    )
    meet = out.one_on_one
    if meet.manager is None:
        console.print("1:1s: no line manager today.", markup=False)
    elif meet.pair_id is None:
        console.print(f"1:1s with {meet.manager.name}: {meet.alert}", markup=False)
    else:
        last = "never" if meet.days_since is None else f"{meet.days_since} days ago"
        console.print(
            f"1:1s with {meet.manager.name}: last {last}, every {meet.cadence_days} days"
            f"{' — ' + meet.alert if meet.alert else ''}; action items: {meet.open_actions} "
            f"open, {meet.overdue_actions} overdue",
            markup=False,
        )


def _team(console: Console, out: TeamCheckin) -> None:
    console.print(f"Check-in of team {out.team.name} on {out.as_of}", markup=False)
    if out.goals is not None:
        _goals(console, out.goals)
    elif out.goals_withheld:
        console.print(f"Goals: {out.goals_withheld}", markup=False)
    if out.members is not None:
        table = Table("member (alphabetical)", "feedback (days)", "1:1 (days)")
        for m in out.members:
            if m.cadence is None:
                table.add_row(m.person.name, "", "")
                continue
            fb = "never" if m.cadence.feedback_days is None else str(m.cadence.feedback_days)
            meet = "never" if m.cadence.one_on_one_days is None else str(m.cadence.one_on_one_days)
            table.add_row(m.person.name, fb + (" alert" if m.cadence.feedback_alert else ""),
                          meet + (" overdue" if m.cadence.one_on_one_overdue else ""))  # fmt: skip
        console.print(table)
    shares = out.shares
    if shares.withheld:
        console.print(f"Team cadence: {shares.withheld}", markup=False)
    else:
        console.print(
            f"Feedback within {shares.alert_days} days: {shares.feedback_within} of the team; "
            f"1:1 within cadence: {shares.one_on_one_within}",
            markup=False,
        )


@app.command("person")
def person_command(
    person: Annotated[str, typer.Argument(help="Whose check-in (id or email).")],
    acting: ActingOption,
    as_of: AsOfOption = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """A person's check-in: the goals they own with each key result's progress, feedback and
    1:1 cadence with their line manager. Read by the person and their line manager only."""
    ws = Workspace.open(workspace)
    with session_scope(ws.engine) as session:
        viewer = acting_viewer(session, acting)
        person_id = people_service.find_person(session=session, ref=person).id
        out = service.person_checkin(
            session=session, workspace=ws, viewer=viewer, person_id=person_id,
            as_of=as_of_day(as_of), actor=cli_actor(),
        )  # fmt: skip
    emit(out.model_dump(mode="json"), as_json=as_json, render=lambda c: _person(c, out))


@app.command("team")
def team_command(
    team: Annotated[str, typer.Argument(help="The team (name or id).")],
    acting: ActingOption,
    as_of: AsOfOption = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """A team's check-in: its goals' key results, its members by name (alphabetical; cadence
    of your own reports) and its cadence in quartile bands (withheld below 5 people). Its
    leader and manager; directors the goals and the bands, admins the bands only."""
    ws = Workspace.open(workspace)
    with session_scope(ws.engine) as session:
        out = service.team_checkin(
            session=session, workspace=ws, viewer=acting_viewer(session, acting), team=team,
            as_of=as_of_day(as_of),
        )  # fmt: skip
    emit(out.model_dump(mode="json"), as_json=as_json, render=lambda c: _team(c, out))
