"""``tandem feedback give|lint|list|show|cadence|counts``: feedback from the command line.

Every command but ``lint`` and ``counts`` acts as a person (``--as``): the service admits the
giver, the receiver and the receiver's line manager, exactly as the web does. ``counts`` is the
operator's (aggregates only, withheld below 5 people).
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
from tandem.manage.feedback import service
from tandem.manage.feedback.schemas import FeedbackOut, LintOut
from tandem.people import service as people_service
from tandem.workspace import Workspace

app = typer.Typer(
    help="Feedback: situation, behaviour, impact and intent; the lint; cadence per report.",
    no_args_is_help=True,
)

Part = Annotated[str, typer.Option(help="At most 2,000 characters.")]


def _lint(console: Console, out: LintOut) -> None:
    if not out.findings:
        console.print("The lint flags nothing.")
    for f in out.findings:
        where = f" “{f.text}”" if f.text else ""
        console.print(f"{f.field}{where} ({f.rule}): {f.suggestion}", markup=False)


def _one(console: Console, f: FeedbackOut) -> None:
    console.print(
        f"#{f.id} {f.kind}: {f.giver.name} → {f.receiver.name}, "
        f"{f.created_at:%Y-%m-%d} (you: {f.relation})",
        markup=False,
    )
    for label, text in (
        ("situation", f.situation),
        ("behaviour", f.behaviour),
        ("impact", f.impact),
        ("intent", f.intent),
    ):
        console.print(f"  {label}: {text or '—'}", markup=False)
    if f.lint_shown:
        console.print(f"  the giver saw the lint ({', '.join(f.lint_rules)})", markup=False)


@app.command("lint")
def lint_command(
    situation: Part = "",
    behaviour: Part = "",
    impact: Part = "",
    intent: Part = "",
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Lint a draft: trait words, absolutes (always, never, …), missing behaviour or impact.

    Nothing is stored and no workspace is read. Each finding names the part, the words and a
    suggestion.
    """
    del workspace  # accepted like every command's; the lint is a pure function
    out = service.draft_lint(situation=situation, behaviour=behaviour, impact=impact, intent=intent)
    emit(out.model_dump(mode="json"), as_json=as_json, render=lambda c: _lint(c, out))


@app.command("give")
def give(
    person: ActingOption,
    to: Annotated[str, typer.Option("--to", help="The receiver (id or email).")],
    kind: Annotated[str, typer.Option("--kind", help="praise or redirect.")],
    situation: Part,
    behaviour: Part,
    impact: Part = "",
    intent: Part = "",
    practice: Annotated[
        str | None, typer.Option(help="One of the ten practices (e.g. coaching).")
    ] = None,
    lint_seen: Annotated[
        bool, typer.Option("--lint-seen", help="Give it as written though the lint flags it.")
    ] = False,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Give feedback as ``--as``. When the lint flags anything, nothing is stored unless
    ``--lint-seen`` says you read it (run ``tandem feedback lint`` first)."""
    with session_scope(Workspace.open(workspace).engine) as session:
        viewer = acting_viewer(session, person)
        receiver = people_service.find_person(session=session, ref=to).id
        out = service.give_feedback(
            session=session,
            viewer=viewer,
            receiver_id=receiver,
            kind=kind,
            situation=situation,
            behaviour=behaviour,
            impact=impact,
            intent=intent,
            practice=practice,
            lint_seen=lint_seen,
            actor=cli_actor(),
        )
    emit(out.model_dump(mode="json"), as_json=as_json, render=lambda c: _one(c, out))


@app.command("list")
def list_command(
    person: ActingOption,
    about: Annotated[
        str | None, typer.Option("--about", help="Only feedback given or received by them.")
    ] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Feedback ``--as`` gave, received, or their direct reports received; newest first."""
    with session_scope(Workspace.open(workspace).engine) as session:
        viewer = acting_viewer(session, person)
        about_id = people_service.find_person(session=session, ref=about).id if about else None
        out = service.list_feedback(
            session=session, viewer=viewer, about=about_id, actor=cli_actor()
        )

    def render(console: Console) -> None:
        for item in out.items:
            _one(console, item)
        console.print(f"{out.count} piece(s) of feedback")

    emit(out.model_dump(mode="json"), as_json=as_json, render=render)


@app.command("show")
def show(
    feedback_id: Annotated[int, typer.Argument(min=1, max=2**31 - 1, help="The feedback's id.")],
    person: ActingOption,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """One piece of feedback ``--as`` may read (giver, receiver, the receiver's manager)."""
    with session_scope(Workspace.open(workspace).engine) as session:
        out = service.get_feedback(
            session=session,
            viewer=acting_viewer(session, person),
            feedback_id=feedback_id,
            actor=cli_actor(),
        )
    emit(out.model_dump(mode="json"), as_json=as_json, render=lambda c: _one(c, out))


@app.command("cadence")
def cadence(
    person: ActingOption,
    as_of: Annotated[str | None, typer.Option("--as-of", help="The day (YYYY-MM-DD).")] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Days since ``--as`` last gave feedback to each direct report (alert past 30 days or
    never), and since their own manager last gave them some."""
    with session_scope(Workspace.open(workspace).engine) as session:
        out = service.cadence(
            session=session, viewer=acting_viewer(session, person), as_of=as_of_day(as_of)
        )

    def render(console: Console) -> None:
        table = Table("report", "last feedback", "days", "alert")
        for r in out.reports:
            last = f"{r.last_given_at:%Y-%m-%d}" if r.last_given_at else "never"
            days = "—" if r.days_since is None else str(r.days_since)
            table.add_row(r.report.name, last, days, "alert" if r.alert else "")
        console.print(table)
        if out.mine is not None:
            days = "never" if out.mine.days_since is None else f"{out.mine.days_since} days ago"
            console.print(f"From your manager {out.mine.manager.name}: {days}", markup=False)

    emit(out.model_dump(mode="json"), as_json=as_json, render=render)


@app.command("counts")
def counts(
    as_of: Annotated[str | None, typer.Option("--as-of", help="The day (YYYY-MM-DD).")] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Feedback of the last 90 days: totals only, withheld below 5 people involved."""
    with session_scope(Workspace.open(workspace).engine) as session:
        out = service.counts(session=session, as_of=as_of_day(as_of))

    def render(console: Console) -> None:
        if out.withheld:
            console.print(out.withheld, markup=False)
        else:
            console.print(
                f"Since {out.since}: {out.total} (praise {out.praise}, redirect {out.redirect}) "
                f"among {out.people} people",
                markup=False,
            )

    emit(out.model_dump(mode="json"), as_json=as_json, render=render)
