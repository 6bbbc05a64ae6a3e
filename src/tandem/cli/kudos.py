"""``tandem kudos give|list|achievements|nudges|digest``: recognition from the command line.

The CLI is an operator's tool (whoever runs the server): ``give`` records kudos on behalf of
the person named by ``--from``, who must be in the team (e.g. kudos collected in a meeting or a
chat channel); the web app records the signed-in person as the giver instead. ``achievements``
prints the team's achievements only: a person's own "first item shipped" is individual work
data and is shown to that person alone, in the web app (DESIGN §7).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tandem.cli.options import JsonOption, TeamOption, WorkspaceOption
from tandem.cli.output import emit
from tandem.db.session import session_scope
from tandem.flow.engine import parse_day
from tandem.people import service as people_service
from tandem.settings_file import write_atomically
from tandem.why.recognition import achievements as achievements_service
from tandem.why.recognition import counts as counts_service
from tandem.why.recognition import digest as digest_service
from tandem.why.recognition import service
from tandem.why.recognition.rules import ACHIEVEMENT_DAYS, DIGEST_DAYS
from tandem.why.recognition.schemas import Achievement, KudosOut, KudosPage, TeamAchievements
from tandem.workspace import Workspace

app = typer.Typer(
    help="Recognition: give and list kudos, counts, achievements from data, nudges, the wins "
    "digest.",
    no_args_is_help=True,
)


def _kudos_table(console: Console, kudos: list[KudosOut]) -> None:
    table = Table("id", "given", "from", "to", "what", "impact", "for")
    for k in kudos:
        table.add_row(
            str(k.id),
            k.given_at.date().isoformat(),
            k.giver.name if k.giver else "—",
            ", ".join(p.name for p in k.recipients),
            k.what,
            k.impact,
            f"goal {k.goal.id}: {k.goal.title}" if k.goal else f"practice: {k.practice}",
        )
    console.print(table)


@app.command("give")
def give(
    team: TeamOption,
    giver: Annotated[
        str, typer.Option("--from", help="The giver: a person of the team (id or email).")
    ],
    recipients: Annotated[
        list[str], typer.Option("--to", help="A colleague recognised (id or email); repeat it.")
    ],
    what: Annotated[str, typer.Option("--what", help="What they did, in a sentence.")],
    impact: Annotated[str, typer.Option("--impact", help="The impact it had.")],
    goal: Annotated[
        int | None, typer.Option("--goal", help="The id of the team's goal it served.")
    ] = None,
    practice: Annotated[
        str | None,
        typer.Option("--practice", help="Or the practice it shows (e.g. championing)."),
    ] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Give kudos on behalf of ``--from`` to colleagues of the team, linked to a goal or a
    practice. Nothing is written when anything is wrong; the message names the field."""
    with session_scope(Workspace.open(workspace).engine) as session:
        giver_id = people_service.find_person(session=session, ref=giver).id
        to = [people_service.find_person(session=session, ref=r).id for r in recipients]
        done = service.give_kudos(
            session=session, team=team, giver_id=giver_id, recipients=to, what=what,
            impact=impact, goal_id=goal, practice=practice,
        )  # fmt: skip
    emit(done.model_dump(mode="json"), as_json=as_json, render=lambda c: _kudos_table(c, [done]))


@app.command("list")
def list_command(
    team: TeamOption,
    person: Annotated[
        str | None,
        typer.Option("--person", help="Only the kudos this member received (id or email)."),
    ] = None,
    page: Annotated[int, typer.Option("--page", min=1, help="Page, from 1.")] = 1,
    per_page: Annotated[
        int, typer.Option("--per-page", min=1, max=100, help="Kudos per page.")
    ] = 20,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """List a team's kudos, newest first (or those one member received)."""
    with session_scope(Workspace.open(workspace).engine) as session:
        found: KudosPage
        if person is None:
            found = service.list_kudos(session=session, team=team, page=page, per_page=per_page)
        else:
            person_id = people_service.find_person(session=session, ref=person).id
            found = service.received_kudos(
                session=session, team=team, person_id=person_id, page=page, per_page=per_page
            )

    def render(console: Console) -> None:
        who = f" received by {found.person.name}" if found.person else ""
        console.print(
            f"Kudos of team [bold]{found.team.name}[/]{who}: page {found.page} of "
            f"{found.pages} ({found.total} in all)"
        )
        _kudos_table(console, found.kudos)

    emit(found.model_dump(mode="json"), as_json=as_json, render=render)


def _achievements_table(console: Console, found: TeamAchievements) -> None:
    if found.as_of is None:
        console.print("The lake holds no work data yet: no achievements to read.")
        return
    console.print(
        f"Achievements of team [bold]{found.team.name}[/] from {found.first} to {found.as_of}"
        f"{' (the lake’s last event day)' if found.as_of_rule == 'lake_end' else ''}"
    )
    rows: list[Achievement] = found.achievements
    table = Table("on", "kind", "achievement", "id")
    for a in rows:
        table.add_row(a.on.isoformat(), a.kind, a.text, a.id)
    console.print(table if rows else "none in this period")
    for note in found.withheld:
        console.print(f"[dim]not shown:[/] {note}")


@app.command("achievements")
def achievements(
    team: TeamOption,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The period's last day (default: the lake's last event day)."),
    ] = None,
    days: Annotated[
        int, typer.Option("--days", help="The period's length in days (7 to 366).")
    ] = ACHIEVEMENT_DAYS,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """The team's achievements from the data: key results reached, bottlenecks removed
    (personal achievements are shown to their person only, in the web app)."""
    ws = Workspace.open(workspace)
    with session_scope(ws.engine) as session:
        found = achievements_service.team_achievements(
            session=session, workspace=ws, team=team, as_of=parse_day(as_of, "--as-of"), days=days
        )
    emit(
        found.model_dump(mode="json"),
        as_json=as_json,
        render=lambda c: _achievements_table(c, found),
    )


@app.command("counts")
def counts(
    team: TeamOption,
    weeks: Annotated[
        int,
        typer.Option(
            "--weeks", min=1, max=counts_service.MAX_WEEKS, help="Weeks, ending with this week."
        ),
    ] = counts_service.COUNT_WEEKS,
    today: Annotated[
        str | None, typer.Option("--today", help="The last day (default: today, UTC).")
    ] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """How many kudos the team gave per week and per goal or practice, nobody named (what a
    director sees in place of the wall)."""
    with session_scope(Workspace.open(workspace).engine) as session:
        found = counts_service.kudos_counts(
            session=session, team=team, weeks=weeks, today=parse_day(today, "--today")
        )

    def render(console: Console) -> None:
        console.print(
            f"Kudos of team [bold]{found.team.name}[/] from {found.first} to {found.last}: "
            f"{found.total}"
        )
        table = Table("week of", "kudos")
        for week in found.per_week:
            table.add_row(str(week.week), str(week.count))
        console.print(table)
        links = Table("linked to", "kudos")
        for link in found.per_link:
            links.add_row(f"{link.kind}: {link.name}", str(link.count))
        if found.per_link:
            console.print(links)

    emit(found.model_dump(mode="json"), as_json=as_json, render=render)


@app.command("nudges")
def nudges(
    team: TeamOption,
    today: Annotated[
        str | None, typer.Option("--today", help="The day (default: today, UTC).")
    ] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """The team's members who got no kudos in the last 14 days, with a suggestion (the web
    app shows these to the team's leader and manager only)."""
    with session_scope(Workspace.open(workspace).engine) as session:
        found = service.nudges(session=session, team=team, today=parse_day(today, "--today"))

    def render(console: Console) -> None:
        console.print(
            f"Team [bold]{found.team.name}[/]: no kudos from {found.first} to {found.today}"
        )
        for nudge in found.nudges:
            console.print(f"- {nudge.suggestion}")
        if not found.nudges:
            console.print("everyone got kudos in these days")

    emit(found.model_dump(mode="json"), as_json=as_json, render=render)


@app.command("digest")
def digest(
    team: TeamOption,
    days: Annotated[
        int, typer.Option("--days", help="The period's length in days (7 to 366).")
    ] = DIGEST_DAYS,
    last: Annotated[
        str | None,
        typer.Option(
            "--last",
            help="The period's last day (default: today for kudos, the lake's last event day "
            "for achievements).",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Also write the digest as Markdown.")
    ] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """The wins digest: the team's kudos and team achievements over the period, as Markdown."""
    ws = Workspace.open(workspace)
    with session_scope(ws.engine) as session:
        found = digest_service.wins_digest(
            session=session, workspace=ws, team=team, days=days, last=parse_day(last, "--last")
        )
    text = digest_service.digest_markdown(found)
    if output is not None:
        write_atomically(output, text)
    data = found.model_dump(mode="json")
    data["markdown"] = text
    emit(data, as_json=as_json, render=lambda c: c.print(text, markup=False, highlight=False))
