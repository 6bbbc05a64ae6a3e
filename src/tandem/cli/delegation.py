"""``tandem delegation``: the delegation board (``area …``) and ownership from git.

``area add|level|confirm|list|history`` edit and read a team's board; ``ownership`` shows how
concentrated the team's changes are per area of a repository, and its approval bottlenecks,
without naming anyone (DESIGN §7).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from tandem.cli.options import JsonOption, TeamOption, WorkspaceOption
from tandem.cli.output import emit
from tandem.db.session import session_scope
from tandem.errors import InputError
from tandem.flow.engine import FlowEngine, parse_day
from tandem.people import service as people_service
from tandem.why.delegation import service
from tandem.why.delegation.board import MEANINGS
from tandem.why.delegation.evidence import Evidence, empowerment_evidence
from tandem.why.delegation.schemas import AreaOut, Board
from tandem.workspace import Workspace

HELP = "Delegation board (7 levels per decision area) and ownership concentration from git."

app = typer.Typer(help=HELP, no_args_is_help=True)
area_app = typer.Typer(
    help="Decision areas of a team's board: add, set a level, confirm, list, history.",
    no_args_is_help=True,
)
app.add_typer(area_app, name="area")

NoteOption = Annotated[
    str, typer.Option("--note", help="Why (required when the level moves down).")
]
ByOption = Annotated[
    str | None, typer.Option("--by", help="Who decided: person id, email or identity key.")
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="The day reviews are due on, YYYY-MM-DD (default today, UTC)."),
]
LEVEL_HELP = "Level 1–7 or its name: " + " ".join(
    f"{i + 1} {m.split(':')[0].lower()}" for i, m in enumerate(MEANINGS)
)


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _render_area(console: Console, area: AreaOut, *, history: bool) -> None:
    due = "  [bold red]review due[/]" if area.review_due else ""
    pair = f" (pair {area.duo})" if area.duo else ""
    console.print(
        f"[bold]{area.name}[/]{pair} (id {area.id}): level {area.level} {area.level_name}; "
        f"review on {area.review_on}{due}"
    )
    if history:
        table = Table("when", "level", "change", "by", "note")
        for row in area.history:
            table.add_row(
                row.set_at.strftime("%Y-%m-%d %H:%M"),
                f"{row.level} {row.name}",
                row.change,
                row.set_by or "",
                row.note,
            )
        console.print(table)


def _render_board(console: Console, board: Board) -> None:
    console.print(f"[bold]Delegation board of team {board.team.name}[/] on {board.as_of}")
    if board.reminder:
        console.print(f"[bold red]Reminder:[/] {board.reminder}")
    table = Table("id", "area", "pair", "level", "review on", "due")
    for a in board.areas:
        table.add_row(
            str(a.id), a.name, a.duo or "", f"{a.level} {a.level_name}", str(a.review_on),
            "review due" if a.review_due else "",
        )  # fmt: skip
    console.print(table)
    for level in board.levels:
        console.print(f"[dim]{level.level} {level.meaning}[/]")


def _person(session: Session, ref: str | None) -> int | None:
    if ref is None:
        return None
    return people_service.find_person(session=session, ref=ref).id


@area_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The kind of decision, e.g. 'release timing'.")],
    team: TeamOption,
    level: Annotated[str, typer.Option("--level", "-l", help=LEVEL_HELP)],
    note: NoteOption = "",
    description: Annotated[str, typer.Option("--description", help="What it covers.")] = "",
    duo: Annotated[
        int | None, typer.Option("--duo", help="A confirmed duo of the team (its id).")
    ] = None,
    by: ByOption = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Add a decision area to a team's board (or a pair's) at its first level; its quarterly
    review falls 91 days later."""
    with session_scope(Workspace.open(workspace).engine) as session:
        area = service.add_area(
            session=session, team=team, name=name, level=level, note=note,
            description=description, duo_id=duo, set_by=_person(session, by),
        )  # fmt: skip
    emit(area.model_dump(mode="json"), as_json=as_json,
         render=lambda c: _render_area(c, area, history=False))  # fmt: skip


@area_app.command("level")
def level(
    area: Annotated[str, typer.Argument(help="The area's id or name.")],
    new_level: Annotated[str, typer.Argument(metavar="LEVEL", help=LEVEL_HELP)],
    team: TeamOption,
    note: NoteOption = "",
    by: ByOption = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Set an area's level (a review: the next one falls 91 days later). Moving down takes
    decision power back from the team and needs --note."""
    with session_scope(Workspace.open(workspace).engine) as session:
        found = service.set_level(
            session=session, team=team, area=area, level=new_level, note=note,
            set_by=_person(session, by),
        )  # fmt: skip
    emit(found.model_dump(mode="json"), as_json=as_json,
         render=lambda c: _render_area(c, found, history=False))  # fmt: skip


@area_app.command("confirm")
def confirm(
    area: Annotated[str, typer.Argument(help="The area's id or name.")],
    team: TeamOption,
    note: NoteOption = "",
    by: ByOption = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Review an area without changing its level: the next review falls 91 days later."""
    with session_scope(Workspace.open(workspace).engine) as session:
        found = service.confirm(
            session=session, team=team, area=area, note=note, set_by=_person(session, by)
        )
    emit(found.model_dump(mode="json"), as_json=as_json,
         render=lambda c: _render_area(c, found, history=False))  # fmt: skip


@area_app.command("list")
def list_areas(
    team: TeamOption,
    as_of: AsOfOption = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Show a team's board: every area with its level, review date and a reminder of the
    reviews due."""
    day = parse_day(as_of, "as_of") or _today()
    with session_scope(Workspace.open(workspace).engine) as session:
        board = service.get_board(session=session, team=team, as_of=day)
    emit(board.model_dump(mode="json"), as_json=as_json, render=lambda c: _render_board(c, board))


@area_app.command("history")
def history(
    area: Annotated[str, typer.Argument(help="The area's id or name.")],
    team: TeamOption,
    as_of: AsOfOption = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Show an area's history: who set which level when, and why."""
    day = parse_day(as_of, "as_of") or _today()
    with session_scope(Workspace.open(workspace).engine) as session:
        found = service.area_history(session=session, team=team, area=area, as_of=day)
    emit(found.model_dump(mode="json"), as_json=as_json,
         render=lambda c: _render_area(c, found, history=True))  # fmt: skip


def _render_evidence(console: Console, evidence: Evidence) -> None:
    own = evidence.ownership
    console.print(
        f"[bold]Ownership of {own.scope}[/], {own.start} to {own.end}, depth {own.depth}"
        + ("" if own.withheld else f": {own.commits} commits, {own.people} people")
    )
    if own.withheld:
        console.print(own.withheld)
    else:
        table = Table("repo", "area", "commits", "lines", "authors", "top share", "HHI", "bus")
        for a in own.areas:
            held = a.top_share is None or a.herfindahl is None
            table.add_row(
                a.repo.rstrip("/").rsplit("/", 1)[-1], a.area,
                "withheld" if held else str(a.commits), "" if held else str(a.lines),
                "<5" if a.authors is None else str(a.authors),
                "withheld" if held else f"{a.top_share:.0%}",
                "" if held else f"{a.herfindahl:.2f}",
                f"{a.bus_factor}{'  flagged' if a.flagged else ''}",
            )  # fmt: skip
        console.print(table)
        console.print(f"{own.flagged} areas with bus factor 1")
        if any(a.withheld for a in own.areas):
            console.print(
                "withheld: areas changed by fewer than 5 people show their bus factor only "
                "(or would give such an area back by subtraction)"
            )
    app_ = evidence.approvals
    if app_.withheld:
        console.print(f"\n[bold]Approvals[/], {app_.start} to {app_.end}")
        console.print(app_.withheld)
        return
    console.print(
        f"\n[bold]Approvals[/], {app_.start} to {app_.end}: {app_.pull_requests} reviewed pull "
        f"requests, {app_.reviews} reviews by {app_.reviewers} reviewers"
    )
    if app_.busiest_share is not None:
        console.print(
            f"busiest reviewer: {app_.busiest_share:.0%} of reviews; {app_.waited_on_one} pull "
            f"requests waited on that one reviewer alone; {app_.single_reviewer} had one reviewer"
        )


@app.command("ownership")
def ownership_command(
    team: Annotated[
        str | None, typer.Option("--team", "-t", help="Team name or id (its members' commits).")
    ] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="The whole repository, not one team's commits.")
    ] = False,
    repo: Annotated[
        str | None, typer.Option("--repo", help="One repository (lake name or folder name).")
    ] = None,
    depth: Annotated[
        int, typer.Option("--depth", help="Path depth of an area: 1 (top folder) to 3.")
    ] = 1,
    start: Annotated[
        str | None,
        typer.Option(
            "--from", help="First day, YYYY-MM-DD (UTC); the window spans 7 days or more."
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--to", help="Last day, inclusive (default: the last commit's day)."),
    ] = None,
    include_bots: Annotated[
        bool, typer.Option("--include-bots", help="Count bots' commits and reviews too.")
    ] = False,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Ownership concentration per area (top share, Herfindahl, bus factor; bus factor 1 is
    flagged) and approval bottlenecks, without names; withheld (with no counts) below 5 people,
    and an area changed by fewer than 5 people shows only its bus factor. The
    window spans at least 7 days."""
    if (team is None) == (not everything):
        raise InputError("name one team (--team) or ask for --all", field="team")
    first, last = parse_day(start, "from"), parse_day(end, "to")
    opened = Workspace.open(workspace)
    with session_scope(opened.engine) as session, FlowEngine(opened.lake) as engine:
        evidence = empowerment_evidence(
            session=session, engine=engine, team=team, repo=repo, depth=depth,
            start=first, end=last, include_bots=include_bots,
        )  # fmt: skip
    emit(evidence.model_dump(mode="json"), as_json=as_json,
         render=lambda c: _render_evidence(c, evidence))  # fmt: skip
