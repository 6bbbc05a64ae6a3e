"""``tandem one-on-one …``: 1:1 pairs, meetings, agenda, actions, notes and the .ics.

Every command but ``counts`` acts as a person (``--as``) and goes through the service's rules,
as the web does: a pair is its two people's only; a private note is read by its author alone
(``show`` as the other partner never prints it).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from tandem.cli.acting import ActingOption, acting_viewer, as_of_day, cli_actor
from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import emit
from tandem.db.session import session_scope
from tandem.errors import InputError
from tandem.ids import MAX_ID
from tandem.manage.one_on_ones import rules, service
from tandem.manage.one_on_ones.schemas import MeetingOut, PairDetail, PairOut
from tandem.people import service as people_service
from tandem.settings_file import write_atomically
from tandem.workspace import Workspace

app = typer.Typer(
    help="1:1s: agenda with carry-over, actions, private notes, cadence and the .ics.",
    no_args_is_help=True,
)

PairArgument = Annotated[int, typer.Argument(min=1, max=MAX_ID, help="The pair's id.")]
MeetingOption = Annotated[
    int | None,
    typer.Option("--meeting", min=1, max=MAX_ID, help="The meeting (default: the next one)."),
]
TextOption = Annotated[str, typer.Option("--text", help="At most 500 characters.")]


def _pair_line(console: Console, p: PairOut) -> None:
    last = f"{p.last_meeting_at:%Y-%m-%d}" if p.last_meeting_at else "never"
    console.print(
        f"#{p.id} {p.manager.name} & {p.report.name}: every {p.cadence_days} days, last {last}"
        + (f" — {p.alert}" if p.alert else ""),
        markup=False,
    )


def _meeting(console: Console, m: MeetingOut) -> None:
    console.print(f"Meeting #{m.id} {m.starts_at:%Y-%m-%d %H:%M} UTC ({m.minutes} min)")
    for i in m.agenda:
        carried = f", carried over from {i.first_raised_on}" if i.carried else ""
        console.print(f"  [{i.status}] #{i.id} {i.text}{carried}", markup=False)
    for a in m.actions:
        due = f" due {a.due_date}" if a.due_date else ""
        console.print(
            f"  action #{a.id} {a.owner.name}: {a.text}{due}" + (" (done)" if a.done else ""),
            markup=False,
        )
    for n in m.notes:
        tag = "private note (only you)" if n.private else "note"
        console.print(f"  {tag} by {n.author.name}: {n.text}", markup=False)


def _detail(console: Console, d: PairDetail) -> None:
    _pair_line(console, d.pair)
    for m in d.meetings:
        _meeting(console, m)


@app.command("start")
def start(
    person: ActingOption,
    other: Annotated[str, typer.Option("--with", help="Their direct report or line manager.")],
    cadence: Annotated[
        int, typer.Option("--cadence", min=1, max=90, help="Days between 1:1s.")
    ] = rules.DEFAULT_CADENCE_DAYS,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Start the 1:1 pair of ``--as`` and their direct report or line manager."""
    with session_scope(Workspace.open(workspace).engine) as session:
        viewer = acting_viewer(session, person)
        other_id = people_service.find_person(session=session, ref=other).id
        out = service.start_pair(
            session=session, viewer=viewer, other=other_id, cadence_days=cadence, actor=cli_actor()
        )
    emit(out.model_dump(mode="json"), as_json=as_json, render=lambda c: _pair_line(c, out))


@app.command("list")
def list_command(
    person: ActingOption,
    as_of: Annotated[str | None, typer.Option("--as-of", help="The day (YYYY-MM-DD).")] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """The pairs of ``--as`` (overdue first) and the roster links without a pair yet."""
    with session_scope(Workspace.open(workspace).engine) as session:
        out = service.list_pairs(
            session=session, viewer=acting_viewer(session, person), as_of=as_of_day(as_of)
        )

    def render(console: Console) -> None:
        for p in out.pairs:
            _pair_line(console, p)
        if out.candidates:
            names = ", ".join(c.name for c in out.candidates)
            console.print(f"No pair yet with: {names}", markup=False)

    emit(out.model_dump(mode="json"), as_json=as_json, render=render)


@app.command("show")
def show(
    pair_id: PairArgument,
    person: ActingOption,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """A pair's meetings with agenda (carried items marked), actions and the notes ``--as``
    may read."""
    with session_scope(Workspace.open(workspace).engine) as session:
        out = service.pair_detail(
            session=session,
            viewer=acting_viewer(session, person),
            pair_id=pair_id,
            as_of=as_of_day(None),
        )
    emit(out.model_dump(mode="json"), as_json=as_json, render=lambda c: _detail(c, out))


@app.command("meet")
def meet(
    pair_id: PairArgument,
    person: ActingOption,
    at: Annotated[str, typer.Option("--at", help="Start, ISO (UTC unless it has an offset).")],
    minutes: Annotated[int, typer.Option("--minutes", min=5, max=480)] = 30,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Plan (or record) a meeting of the pair."""
    try:
        starts = dt.datetime.fromisoformat(at)
    except ValueError:
        raise InputError(f"{at!r} is not a date and time", field="at") from None
    starts = starts if starts.tzinfo else starts.replace(tzinfo=dt.UTC)
    with session_scope(Workspace.open(workspace).engine) as session:
        out = service.add_meeting(
            session=session,
            viewer=acting_viewer(session, person),
            pair_id=pair_id,
            starts_at=starts,
            minutes=minutes,
        )
    emit(out.model_dump(mode="json"), as_json=as_json, render=lambda c: _meeting(c, out))


@app.command("agenda")
def agenda(
    pair_id: PairArgument,
    person: ActingOption,
    text: TextOption,
    meeting: MeetingOption = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Put a point on a meeting's agenda; open points carry over to the next meetings."""
    with session_scope(Workspace.open(workspace).engine) as session:
        out = service.add_agenda_item(
            session=session,
            viewer=acting_viewer(session, person),
            pair_id=pair_id,
            text=text,
            meeting_id=meeting,
        )
    emit(
        out.model_dump(mode="json"),
        as_json=as_json,
        render=lambda c: c.print(f"Agenda item #{out.id} added", markup=False),
    )


@app.command("resolve")
def resolve(
    item_id: Annotated[int, typer.Argument(min=1, max=MAX_ID, help="The agenda item's id.")],
    person: ActingOption,
    meeting: MeetingOption = None,
    reopen: Annotated[bool, typer.Option("--reopen", help="Open it again.")] = False,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Resolve an agenda item at a meeting (default: the current one), or reopen it."""
    with session_scope(Workspace.open(workspace).engine) as session:
        out = service.resolve_item(
            session=session,
            viewer=acting_viewer(session, person),
            item_id=item_id,
            meeting_id=meeting,
            reopen=reopen,
        )
    emit(
        out.model_dump(mode="json"),
        as_json=as_json,
        render=lambda c: c.print(f"Agenda item #{out.id}: {out.status}", markup=False),
    )


@app.command("action")
def action(
    pair_id: PairArgument,
    person: ActingOption,
    owner: Annotated[str, typer.Option("--owner", help="One of the pair (id or email).")],
    text: TextOption,
    due: Annotated[str | None, typer.Option("--due", help="Due day (YYYY-MM-DD).")] = None,
    meeting: MeetingOption = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """An action item owned by one of the pair, with an optional due date."""
    due_date = None if due is None else as_of_day(due)
    with session_scope(Workspace.open(workspace).engine) as session:
        owner_id = people_service.find_person(session=session, ref=owner).id
        out = service.add_action(
            session=session,
            viewer=acting_viewer(session, person),
            pair_id=pair_id,
            owner=owner_id,
            text=text,
            due_date=due_date,
            meeting_id=meeting,
        )
    emit(
        out.model_dump(mode="json"),
        as_json=as_json,
        render=lambda c: c.print(f"Action #{out.id} for {out.owner.name}", markup=False),
    )


@app.command("done")
def done(
    action_id: Annotated[int, typer.Argument(min=1, max=MAX_ID, help="The action's id.")],
    person: ActingOption,
    undo: Annotated[bool, typer.Option("--undo", help="Mark it not done.")] = False,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Tick an action item done (or not done with ``--undo``)."""
    with session_scope(Workspace.open(workspace).engine) as session:
        out = service.set_action_done(
            session=session,
            viewer=acting_viewer(session, person),
            action_id=action_id,
            done=not undo,
        )
    emit(
        out.model_dump(mode="json"),
        as_json=as_json,
        render=lambda c: c.print(f"Action #{out.id}: done={out.done}", markup=False),
    )


@app.command("note")
def note(
    meeting_id: Annotated[int, typer.Argument(min=1, max=MAX_ID, help="The meeting's id.")],
    person: ActingOption,
    text: Annotated[str, typer.Option("--text", help="At most 2,000 characters.")],
    private: Annotated[
        bool, typer.Option("--private", help="Only you will ever read it (not your partner).")
    ] = False,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """A note on a meeting: shared with the partner, or private to ``--as``."""
    with session_scope(Workspace.open(workspace).engine) as session:
        out = service.add_note(
            session=session,
            viewer=acting_viewer(session, person),
            meeting_id=meeting_id,
            text=text,
            private=private,
        )
    emit(
        out.model_dump(mode="json"),
        as_json=as_json,
        render=lambda c: c.print(f"Note #{out.id} added", markup=False),
    )


@app.command("cadence")
def cadence(
    pair_id: PairArgument,
    person: ActingOption,
    days: Annotated[int, typer.Option("--days", help="Days between 1:1s (1–90).")],
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Change how often the pair meets."""
    with session_scope(Workspace.open(workspace).engine) as session:
        out = service.set_cadence(
            session=session,
            viewer=acting_viewer(session, person),
            pair_id=pair_id,
            cadence_days=days,
            actor=cli_actor(),
        )
    emit(out.model_dump(mode="json"), as_json=as_json, render=lambda c: _pair_line(c, out))


@app.command("ics")
def ics(
    pair_id: PairArgument,
    person: ActingOption,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the file here (default: stdout).")
    ] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """The pair's 1:1 series as an iCalendar file (names and cadence only, never notes)."""
    with session_scope(Workspace.open(workspace).engine) as session:
        body = service.pair_calendar(
            session=session, viewer=acting_viewer(session, person), pair_id=pair_id
        )
    if output is not None:
        write_atomically(output, body.decode())
        emit(
            {"path": str(output), "bytes": len(body)},
            as_json=as_json,
            render=lambda c: c.print(f"Wrote {output}", markup=False),
        )
    elif as_json:
        emit({"ics": body.decode()}, as_json=True, render=lambda c: None)
    else:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()


@app.command("counts")
def counts(
    as_of: Annotated[str | None, typer.Option("--as-of", help="The day (YYYY-MM-DD).")] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """How many pairs there are and how many are within their cadence (withheld below 5)."""
    with session_scope(Workspace.open(workspace).engine) as session:
        out = service.counts(session=session, as_of=as_of_day(as_of))
    emit(
        out.model_dump(mode="json"),
        as_json=as_json,
        render=lambda c: c.print(
            out.withheld or f"{out.pairs} pairs, {out.within_cadence} within their cadence",
            markup=False,
        ),
    )
