"""``tandem review nominate|approve|reject|nominations|completion|remind|due``: choosing raters
and following a cycle until it closes (registered on the ``review`` app by :func:`register`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from tandem.audit import service as audit
from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import emit
from tandem.db.session import session_scope
from tandem.errors import InputError
from tandem.flow.engine import parse_day
from tandem.workspace import Workspace

if TYPE_CHECKING:
    from tandem.review.nominations import Actor

CycleOption = Annotated[str, typer.Option("--cycle", "-c", help="Name of the review cycle.")]
RateeOption = Annotated[str, typer.Option("--ratee", help="Who is rated: person id or email.")]
RaterOption = Annotated[str, typer.Option("--rater", help="Who rates: person id or email.")]


def _admin() -> Actor:
    """The operator on the command line acts as an admin."""
    from tandem.review import nominations

    return nominations.Actor(person_id=None, is_admin=True, label=audit.cli_actor())


def register(app: typer.Typer) -> None:
    """Add the commands to the ``review`` app."""
    app.command("nominate")(nominate)
    app.command("approve")(approve)
    app.command("reject")(reject)
    app.command("nominations")(list_nominations)
    app.command("completion")(completion)
    app.command("remind")(remind)
    app.command("due")(due)


def _render_nominations(console: Console, rows: list[dict[str, object]], title: str) -> None:
    table = Table("id", "ratee", "rater", "relation", "status", "by", "reason", title=title)
    for n in rows:
        table.add_row(
            str(n["id"]),
            str(n["ratee"]),
            str(n["rater"]),
            str(n["relation"]),
            str(n["status"]),
            str(n["nominated_by"]),
            str(n["reason"] or ""),
        )
    console.print(table)


def nominate(
    cycle: CycleOption,
    ratee: RateeOption,
    rater: RaterOption,
    relation: Annotated[
        str,
        typer.Option(
            "--relation", help="How the rater stands to the ratee: peer, report or manager."
        ),
    ],
    approve_now: Annotated[
        bool, typer.Option("--approve", help="Add the rater at once (approved, assigned).")
    ] = False,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Nominate a rater for a ratee in an open cycle (waiting for approval unless --approve).

    The target is 5-8 raters other than self; more than 12 assigned or waiting is refused.
    The ratee's line manager (or an admin) approves or rejects with `tandem review approve|reject`.
    """
    from tandem.people import service as people_service
    from tandem.review import nominations

    with session_scope(Workspace.open(workspace).engine) as session:
        made = nominations.nominate(
            session=session,
            cycle=cycle,
            ratee_id=people_service.find_person(session=session, ref=ratee).id,
            rater_id=people_service.find_person(session=session, ref=rater).id,
            relation=relation,
            actor=_admin(),
            approve=approve_now,
        )
    data = made.model_dump(mode="json")
    emit(data, as_json=as_json, render=lambda c: _render_nominations(c, [data], "nominated"))


def _decide(
    cycle: str,
    ratee: str,
    rater: str,
    approve: bool,
    reason: str | None,
    workspace: Path,
    as_json: bool,
) -> None:
    from tandem.review import nominations

    with session_scope(Workspace.open(workspace).engine) as session:
        found = nominations.find_nomination(session=session, cycle=cycle, ratee=ratee, rater=rater)
        decided = nominations.decide(
            session=session,
            nomination_id=found.id,
            approve=approve,
            actor=_admin(),
            reason=reason,
        )
    data = decided.model_dump(mode="json")
    emit(data, as_json=as_json, render=lambda c: _render_nominations(c, [data], decided.status))


ReasonOption = Annotated[
    str | None, typer.Option("--reason", help="Why (shown to the ratee; at most 500 characters).")
]


def approve(
    cycle: CycleOption,
    ratee: RateeOption,
    rater: RaterOption,
    reason: ReasonOption = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Approve a waiting nomination: the rater is assigned to rate the ratee."""
    _decide(cycle, ratee, rater, True, reason, workspace, as_json)


def reject(
    cycle: CycleOption,
    ratee: RateeOption,
    rater: RaterOption,
    reason: ReasonOption = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Reject a waiting nomination (nothing is assigned); the reason is shown to the ratee."""
    _decide(cycle, ratee, rater, False, reason, workspace, as_json)


def list_nominations(
    cycle: CycleOption,
    ratee: Annotated[
        str | None, typer.Option("--ratee", help="Only this ratee's (person id or email).")
    ] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="Only nominated, approved or rejected ones.")
    ] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """List a cycle's rater nominations with their status and who made them."""
    from tandem.people import service as people_service
    from tandem.review import nominations

    with session_scope(Workspace.open(workspace).engine) as session:
        ratee_id = people_service.find_person(session=session, ref=ratee).id if ratee else None
        found = nominations.list_nominations(
            session=session, cycle=cycle, ratee_id=ratee_id, status=status
        )
    data = found.model_dump(mode="json")
    emit(
        data,
        as_json=as_json,
        render=lambda c: _render_nominations(c, data["nominations"], f"cycle {found.cycle}"),
    )


def completion(
    cycle: CycleOption, workspace: WorkspaceOption = Path(), as_json: JsonOption = False
) -> None:
    """Per ratee: raters assigned and submitted by group, whether each group will be shown, and
    who is pending (admins only: it names raters; audited).

    A group is shown with 1 manager (alone) or 4 or more, and 3 or more peers or reports, else
    they are pooled into "others", shown from 3. Never show this to a ratee or their manager.
    """
    from tandem.review import completion as review_completion

    with session_scope(Workspace.open(workspace).engine) as session:
        report = review_completion.cycle_completion(
            session=session, cycle=cycle, actor=audit.cli_actor()
        )

    def render(console: Console) -> None:
        due = f", due {report.due_date}" if report.due_date else ""
        console.print(
            f"cycle [bold]{report.cycle}[/] ({report.status}{due}): {report.raters_submitted} of "
            f"{report.raters_assigned} rater(s) submitted; {report.groups_short} group(s) "
            "not shown yet",
            highlight=False,
        )
        table = Table("ratee", "self", "group", "submitted", "shown now", "shown if all", "pending")
        for r in report.ratees:
            for i, g in enumerate(r.groups or [None]):
                pending = ", ".join(p.rater for p in r.pending) if i == 0 else ""
                table.add_row(
                    r.ratee if i == 0 else "",
                    ("done" if r.self_submitted else "not yet") if i == 0 else "",
                    g.group if g else "no raters",
                    f"{g.submitted}/{g.assigned}" if g else "",
                    ("yes" if g.shown_now else "no") if g else "",
                    ("yes" if g.shown_if_all_submit else "no") if g else "",
                    pending,
                )
        console.print(table)

    emit(report.model_dump(mode="json"), as_json=as_json, render=render)


def remind(
    cycle: CycleOption,
    today: Annotated[
        str | None, typer.Option("--date", help="The day of the reminder (default: today, UTC).")
    ] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """List raters with unfinished forms and record today's reminder of each (once a day).

    Tandem sends no email: pass the list on. Each reminder is an audit event (review.remind);
    running it again the same day lists the same raters and records nothing new.
    """
    from tandem.review import reminders

    day = parse_day(today, "--date") or dt.datetime.now(dt.UTC).date()
    with session_scope(Workspace.open(workspace).engine) as session:
        report = reminders.remind(session=session, cycle=cycle, actor=audit.cli_actor(), today=day)

    def render(console: Console) -> None:
        due = f"; due {report.due_date}" + (" (overdue)" if report.overdue else "")
        console.print(
            f"cycle [bold]{report.cycle}[/], {report.date}{due if report.due_date else ''}: "
            f"{len(report.raters)} rater(s) to remind, {report.recorded} reminder(s) recorded",
            highlight=False,
        )
        table = Table("rater", "email", "unfinished forms", "not started", "already today")
        for r in report.raters:
            table.add_row(
                r.rater,
                r.email or "",
                str(r.unfinished),
                str(r.not_started),
                "yes" if r.recorded_today else "",
            )
        console.print(table)

    emit(report.model_dump(mode="json"), as_json=as_json, render=render)


def due(
    name: Annotated[str, typer.Argument(help="Name of the open cycle.")],
    date: Annotated[
        str | None,
        typer.Option("--date", help="Due date YYYY-MM-DD; leave out with --clear."),
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the due date.")] = False,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Set or clear the date an open cycle's raters should have answered by."""
    from tandem.review import service

    if (date is None) == (not clear):
        raise InputError("give --date YYYY-MM-DD or --clear")
    with session_scope(Workspace.open(workspace).engine) as session:
        cycle = service.set_due_date(session=session, name=name, due_date=parse_day(date, "--date"))
    emit(
        cycle.model_dump(mode="json"),
        as_json=as_json,
        render=lambda c: c.print(f"cycle {cycle.name}: due {cycle.due_date or 'no date'}"),
    )
