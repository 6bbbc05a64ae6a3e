"""``tandem concerns raise|board|answer|close|follow|overview``: concerns and questions.

Every command but ``follow`` and ``overview`` acts as the person ``--as`` names (id or email)
and goes through the same rules as the web: ``raise`` and ``board`` for the team's people,
``answer`` and ``close`` for its managers and leader, anonymously only in a team of five or
more. ``overview`` is the directors' view (counts and time to first answer, no item): the
operator's by default.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from tandem.audit import service as audit
from tandem.cli.acting import viewer_or_operator
from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import emit
from tandem.db.session import session_scope
from tandem.errors import InputError
from tandem.ids import MAX_ID
from tandem.manage.concerns import service
from tandem.manage.concerns.schemas import Board, ConcernOut
from tandem.profile.visibility import Viewer
from tandem.workspace import Workspace

app = typer.Typer(
    help="Concerns and questions: raise (anonymous from 5 members), answer, the team's board.",
    no_args_is_help=True,
)

TeamOption = Annotated[str, typer.Option("--team", "-t", help="The team (name or id).")]
AsOption = Annotated[
    str, typer.Option("--as", help="The person acting (id or email), as the web signs them in.")
]
ItemArgument = Annotated[
    int, typer.Argument(min=1, max=MAX_ID, help="The item's id (see `tandem concerns board`).")
]
DayOption = Annotated[
    str | None, typer.Option("--as-of", help="The day to age items on (YYYY-MM-DD; default today).")
]


def acting(session: Session, ref: str | None) -> Viewer:
    """The viewer ``--as`` names (:func:`tandem.cli.acting.viewer_or_operator`)."""
    return viewer_or_operator(session, ref)


def day_option(text: str | None, option: str = "--as-of") -> dt.date | None:
    """A ``YYYY-MM-DD`` option as a date."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option} {text!r} is not a date (YYYY-MM-DD)", field=option) from None


def _item(console: Console, item: ConcernOut) -> None:
    who = "anonymous" if item.anonymous else (item.author or "a former member")
    console.print(
        f"[bold]#{item.id}[/] {item.kind} by {who}, raised {item.raised_on}, {item.status}",
        highlight=False,
    )
    console.print(f"  {item.text}", markup=False, highlight=False)
    for answer in item.answers:
        console.print(
            f"  ↳ {answer.answerer or 'a former manager'} "
            f"({answer.answered_at:%Y-%m-%d}): {answer.text}",
            markup=False,
            highlight=False,
        )


def _board(console: Console, board: Board) -> None:
    console.print(
        f"Concerns and questions of team [bold]{board.team.name}[/] on {board.as_of}: "
        f"{board.open} open, {board.answered} answered, {board.closed} closed"
    )
    median = "—" if board.median_days_to_answer is None else f"{board.median_days_to_answer} d"
    p85 = "—" if board.p85_days_to_answer is None else f"{board.p85_days_to_answer} d"
    console.print(f"Time to first answer: median {median}, P85 {p85}")
    console.print("Open items by age: " + ", ".join(f"{k}: {v}" for k, v in board.aging.items()))
    anonymous = "yes" if board.anonymous_allowed else "no (fewer than 5 people)"
    console.print(f"Anonymous items possible: {anonymous}")
    for item in board.items:
        _item(console, item)


@app.command("raise")
def raise_command(
    team: TeamOption,
    person: AsOption,
    text: Annotated[str, typer.Option("--text", help="The concern or question.")],
    kind: Annotated[str, typer.Option("--kind", help="concern or question.")] = "question",
    anonymous: Annotated[
        bool,
        typer.Option(
            "--anonymous",
            help="Store no author (teams of 5 or more only); prints a receipt to follow it.",
        ),
    ] = False,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Raise a concern or a question in your team; with --anonymous no author is stored and a
    receipt is printed once (keep it: `tandem concerns follow --receipt ...`)."""
    with session_scope(Workspace.open(workspace).engine) as session:
        viewer = acting(session, person)
        raised = service.raise_item(
            session=session, viewer=viewer, team=team, kind=kind, text=text,
            anonymous=anonymous, actor=audit.cli_actor(),
        )  # fmt: skip

    def render(console: Console) -> None:
        _item(console, raised.item)
        if raised.receipt:
            console.print(f"receipt: {raised.receipt}", markup=False, highlight=False)
            console.print(raised.note or "", markup=False)

    emit(raised.model_dump(mode="json"), as_json=as_json, render=render)


@app.command("board")
def board_command(
    team: TeamOption,
    person: AsOption,
    as_of: DayOption = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """The team's items with answers, time to first answer and the aging of open items."""
    with session_scope(Workspace.open(workspace).engine) as session:
        board = service.get_board(
            session=session, viewer=acting(session, person), team=team, as_of=day_option(as_of)
        )
    emit(board.model_dump(mode="json"), as_json=as_json, render=lambda c: _board(c, board))


@app.command("answer")
def answer_command(
    item: ItemArgument,
    person: AsOption,
    text: Annotated[str, typer.Option("--text", help="The answer, visible to the team.")],
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Answer an item (the team's managers and leader); the first answer stops its clock."""
    with session_scope(Workspace.open(workspace).engine) as session:
        out = service.answer(
            session=session, viewer=acting(session, person), item_id=item, text=text,
            actor=audit.cli_actor(),
        )  # fmt: skip
    emit(out.model_dump(mode="json"), as_json=as_json, render=lambda c: _item(c, out))


@app.command("close")
def close_command(
    item: ItemArgument,
    person: AsOption,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Close an item (the team's managers and leader)."""
    with session_scope(Workspace.open(workspace).engine) as session:
        out = service.close(
            session=session, viewer=acting(session, person), item_id=item, actor=audit.cli_actor()
        )
    emit(out.model_dump(mode="json"), as_json=as_json, render=lambda c: _item(c, out))


@app.command("follow")
def follow_command(
    receipt: Annotated[str, typer.Option("--receipt", help="The receipt printed when raised.")],
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Your anonymous item and its answers, by the receipt you were shown."""
    with session_scope(Workspace.open(workspace).engine) as session:
        out = service.follow(session=session, receipt=receipt)
    emit(out.model_dump(mode="json"), as_json=as_json, render=lambda c: _item(c, out))


@app.command("overview")
def overview_command(
    person: Annotated[
        str | None,
        typer.Option("--as", help="A director or admin (id or email); default: the operator."),
    ] = None,
    as_of: DayOption = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Every team's counts, time to first answer (from 5 answered items) and aging; no item."""
    with session_scope(Workspace.open(workspace).engine) as session:
        out = service.overview(
            session=session, viewer=acting(session, person), as_of=day_option(as_of)
        )

    def render(console: Console) -> None:
        table = Table("team", "open", "answered", "closed", "median d", "P85 d", "aging")
        for t in out.teams:
            table.add_row(
                t.team.name, str(t.open), str(t.answered), str(t.closed),
                "—" if t.median_days_to_answer is None else str(t.median_days_to_answer),
                "—" if t.p85_days_to_answer is None else str(t.p85_days_to_answer),
                ", ".join(f"{k}: {v}" for k, v in t.aging.items() if v),
            )  # fmt: skip
        console.print(table)

    emit(out.model_dump(mode="json"), as_json=as_json, render=render)
