"""``tandem conflicts open|list|show|update|position|follow-up|done|export``: conflict cases.

Every command acts as the person ``--as`` names and reads only the cases they take part in
(as a party or the facilitator): for anyone else a case does not exist, whatever their role.
There is no operator view and no count for anyone outside a case. ``list`` shows the
facilitator's escalation reminders (relationship and process cases not agreed in 14 days).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.table import Table

from tandem.audit import service as audit
from tandem.cli.concerns import acting, day_option
from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import emit
from tandem.db.session import session_scope
from tandem.errors import InputError
from tandem.ids import MAX_ID
from tandem.manage.conflicts import checklist, service
from tandem.manage.conflicts.schemas import (
    CaseIn,
    CaseList,
    CaseOut,
    CaseUpdate,
    FollowUpIn,
    PartyUpdate,
)
from tandem.people import privacy
from tandem.workspace import Workspace

app = typer.Typer(
    help="Conflict cases: parties, facilitator, suggested mode, checklist; parties only.",
    no_args_is_help=True,
)

AsOption = Annotated[
    str, typer.Option("--as", help="The person acting (id or email): a party or the facilitator.")
]
CaseArgument = Annotated[int, typer.Argument(min=1, max=MAX_ID, help="The case's id.")]
TodayOption = Annotated[
    str | None, typer.Option("--today", help="The day (YYYY-MM-DD; default today).")
]
M = TypeVar("M", bound=BaseModel)


def _body(model: type[M], values: dict[str, Any]) -> M:
    """``values`` as ``model``; a validation error names its field."""
    try:
        return model.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "input"
        raise InputError(f"{field}: {first['msg']}", field=field) from None


def render_case(console: Console, case: CaseOut) -> None:
    """Draw a case as its people see it."""
    console.print(
        f"[bold]Case {case.id}[/] ({case.kind}), {case.status}, opened {case.opened_on}; "
        f"you are the {case.my_role}",
        highlight=False,
    )
    if case.reminder:
        console.print(f"[bold yellow]reminder:[/] {case.reminder}", highlight=False)
    console.print(f"Issue: {case.issue}", markup=False, highlight=False)
    console.print(f"Facilitator: {case.facilitator or '—'}", markup=False)
    table = Table("party", "position", "interests", "stake", "your satisfaction")
    for p in case.parties:
        table.add_row(
            p.name, p.position, p.interests, str(p.importance),
            "" if p.satisfaction is None else str(p.satisfaction),
        )  # fmt: skip
    console.print(table)
    s = case.suggestion
    console.print(f"Suggested mode: [bold]{s.mode}[/] ({s.meaning})", highlight=False)
    for reason in s.reasons:
        console.print(f"  because {reason}", markup=False, highlight=False)
    console.print(f"  {s.note}", markup=False)
    chosen = case.chosen_mode or "not chosen yet"
    console.print(f"Chosen mode: {chosen}. {case.rationale}", markup=False, highlight=False)
    for label, items in (("Facts", case.facts), ("Options", case.options)):
        if items:
            console.print(f"{label}: " + "; ".join(items), markup=False, highlight=False)
    for step in case.checklist:
        console.print(f"  [{'x' if step.ticked else ' '}] {step.step}", markup=False)
    if case.agreement:
        console.print(f"Agreement: {case.agreement}", markup=False, highlight=False)
    for f in case.follow_ups:
        state = "done" if f.done else ("OVERDUE" if f.overdue else "due")
        console.print(
            f"  follow-up {f.id}: {f.text} — {state} {f.due_on} ({f.owner or 'no owner'})",
            markup=False,
            highlight=False,
        )
    if case.satisfaction is not None:
        sat = case.satisfaction
        mean = sat.withheld if sat.mean is None else f"mean {sat.mean}"
        console.print(f"Satisfaction: {sat.answered} of {sat.parties} answered; {mean}")


def _emit_case(case: CaseOut, as_json: bool) -> None:
    emit(case.model_dump(mode="json"), as_json=as_json, render=lambda c: render_case(c, case))


@app.command("open")
def open_command(
    person: AsOption,
    kind: Annotated[str, typer.Option("--kind", help="task, process, relationship or status.")],
    issue: Annotated[str, typer.Option("--issue", help="What the conflict is about.")],
    parties: Annotated[
        list[str], typer.Option("--party", help="A party (id or email); repeat it (≥ 2).")
    ],
    facilitator: Annotated[
        str | None,
        typer.Option("--facilitator", help="The facilitator (default: you, if not a party)."),
    ] = None,
    time_pressure: Annotated[
        int, typer.Option("--time-pressure", min=1, max=5, help="1 none … 5 urgent.")
    ] = 3,
    power: Annotated[
        str, typer.Option("--power", help="The power balance: balanced or unequal.")
    ] = "balanced",
    relationship: Annotated[
        int,
        typer.Option("--relationship", min=1, max=5, help="How much the relationship matters."),
    ] = 3,
    today: TodayOption = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Open a case as its facilitator or one of its parties."""
    body = _body(
        CaseIn,
        {
            "kind": kind, "issue": issue, "parties": parties, "facilitator": facilitator,
            "time_pressure": time_pressure, "power_balance": power,
            "relationship_importance": relationship,
        },
    )  # fmt: skip
    with session_scope(Workspace.open(workspace).engine) as session:
        case = service.open_case(
            session=session, viewer=acting(session, person), body=body,
            today=day_option(today, "--today"),
        )  # fmt: skip
    _emit_case(case, as_json)


@app.command("list")
def list_command(
    person: AsOption,
    today: TodayOption = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """The cases you take part in, with the escalation reminders of those you facilitate."""
    with session_scope(Workspace.open(workspace).engine) as session:
        found: CaseList = service.list_cases(
            session=session, viewer=acting(session, person), today=day_option(today, "--today")
        )

    def render(console: Console) -> None:
        for reminder in found.reminders:
            console.print(f"[bold yellow]reminder:[/] {reminder}", highlight=False)
        table = Table("id", "kind", "status", "you are", "opened", "days", "issue")
        for c in found.cases:
            table.add_row(
                str(c.id), c.kind, c.status, c.my_role, str(c.opened_on), str(c.days_open),
                c.issue,
            )  # fmt: skip
        console.print(table)

    emit(found.model_dump(mode="json"), as_json=as_json, render=render)


@app.command("show")
def show_command(
    case: CaseArgument,
    person: AsOption,
    today: TodayOption = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """One case: parties, suggested mode and why, checklist, agreement, follow-ups."""
    with session_scope(Workspace.open(workspace).engine) as session:
        out = service.get_case(
            session=session, viewer=acting(session, person), case_id=case,
            today=day_option(today, "--today"),
        )  # fmt: skip
    _emit_case(out, as_json)


@app.command("update")
def update_command(
    case: CaseArgument,
    person: AsOption,
    status: Annotated[
        str | None,
        typer.Option("--status", help="open, in_mediation, agreed, closed or escalated."),
    ] = None,
    issue: Annotated[str | None, typer.Option("--issue", help="The issue, reworded.")] = None,
    facts: Annotated[
        list[str] | None, typer.Option("--fact", help="An agreed fact; repeat (replaces all).")
    ] = None,
    options: Annotated[
        list[str] | None, typer.Option("--option", help="An option; repeat (replaces all).")
    ] = None,
    ticks: Annotated[
        list[str] | None,
        typer.Option(
            "--tick",
            help=f"A checklist step done; repeat (replaces all): {', '.join(checklist.KEYS)}.",
        ),
    ] = None,
    mode: Annotated[
        str | None,
        typer.Option(
            "--mode", help="competing, collaborating, compromising, avoiding, accommodating."
        ),
    ] = None,
    rationale: Annotated[str | None, typer.Option("--rationale", help="Why this mode.")] = None,
    agreement: Annotated[str | None, typer.Option("--agreement", help="What was agreed.")] = None,
    time_pressure: Annotated[
        int | None, typer.Option("--time-pressure", min=1, max=5, help="1 none … 5 urgent.")
    ] = None,
    power: Annotated[str | None, typer.Option("--power", help="balanced or unequal.")] = None,
    relationship: Annotated[
        int | None,
        typer.Option("--relationship", min=1, max=5, help="How much the relationship matters."),
    ] = None,
    today: TodayOption = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Change the case (the facilitator): facts, options, ticks, mode, agreement, status."""
    body = _body(
        CaseUpdate,
        {
            "status": status, "issue": issue, "facts": facts, "options": options,
            "checklist": ticks, "chosen_mode": mode, "rationale": rationale,
            "agreement": agreement, "time_pressure": time_pressure, "power_balance": power,
            "relationship_importance": relationship,
        },
    )  # fmt: skip
    with session_scope(Workspace.open(workspace).engine) as session:
        out = service.update_case(
            session=session, viewer=acting(session, person), case_id=case, body=body,
            today=day_option(today, "--today"),
        )  # fmt: skip
    _emit_case(out, as_json)


@app.command("position")
def position_command(
    case: CaseArgument,
    person: AsOption,
    position: Annotated[str | None, typer.Option("--position", help="What you ask for.")] = None,
    interests: Annotated[
        str | None, typer.Option("--interests", help="Why: what you need underneath.")
    ] = None,
    importance: Annotated[
        int | None,
        typer.Option("--importance", min=1, max=5, help="How much the issue matters to you."),
    ] = None,
    satisfaction: Annotated[
        int | None,
        typer.Option(
            "--satisfaction", min=1, max=5, help="Your satisfaction with the outcome (yours only)."
        ),
    ] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Your own entries as a party: position, interests, stake and satisfaction."""
    body = _body(
        PartyUpdate,
        {"position": position, "interests": interests, "importance": importance,
         "satisfaction": satisfaction},
    )  # fmt: skip
    with session_scope(Workspace.open(workspace).engine) as session:
        out = service.update_party(
            session=session, viewer=acting(session, person), case_id=case, body=body
        )
    _emit_case(out, as_json)


@app.command("follow-up")
def follow_up_command(
    case: CaseArgument,
    person: AsOption,
    text: Annotated[str, typer.Option("--text", help="What is to be done.")],
    due: Annotated[str, typer.Option("--due", help="By when (YYYY-MM-DD).")],
    owner: Annotated[
        str | None, typer.Option("--owner", help="Who does it: one of the case's people.")
    ] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Add a follow-up with a due day (the facilitator)."""
    body = _body(FollowUpIn, {"text": text, "due_on": day_option(due, "--due"), "owner": owner})
    with session_scope(Workspace.open(workspace).engine) as session:
        out = service.add_follow_up(
            session=session, viewer=acting(session, person), case_id=case, body=body
        )
    _emit_case(out, as_json)


@app.command("done")
def done_command(
    case: CaseArgument,
    follow_up: Annotated[int, typer.Argument(min=1, max=MAX_ID, help="The follow-up's id.")],
    person: AsOption,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Mark a follow-up done (the facilitator or its owner)."""
    with session_scope(Workspace.open(workspace).engine) as session:
        out = service.complete_follow_up(
            session=session, viewer=acting(session, person), case_id=case,
            follow_up_id=follow_up,
        )  # fmt: skip
    _emit_case(out, as_json)


@app.command("export")
def export_command(
    person: AsOption,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Your own data export with your conflict cases (your part of each; audited as an export).

    Always JSON; --json is accepted for symmetry."""
    with session_scope(Workspace.open(workspace).engine) as session:
        viewer = acting(session, person)
        document = privacy.export_person(
            session=session, ref=str(viewer.person_id), actor=audit.cli_actor(),
            viewer_person_id=viewer.person_id,
        )  # fmt: skip
    data = document.model_dump(mode="json")
    emit(data, as_json=True, render=lambda _c: None)
