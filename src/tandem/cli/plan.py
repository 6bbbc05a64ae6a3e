"""``tandem plan PERSON --cycle NAME`` and ``tandem plan progress ACTION_ID``: development plans.

``tandem plan PERSON …`` is short for ``tandem plan show PERSON …``: the group inserts ``show``
when the first word is not one of its sub-commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from tandem.audit import service as audit
from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import emit
from tandem.db.session import session_scope
from tandem.flow.engine import parse_day
from tandem.plans import service
from tandem.plans.schemas import ActionOut, PlanOut
from tandem.workspace import Workspace


class DefaultShowGroup(TyperGroup):
    """A group whose default sub-command is ``show``: ``plan PERSON`` = ``plan show PERSON``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Insert ``show`` unless the first word names a sub-command or asks for help."""
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["show", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=DefaultShowGroup,
    help=(
        "Development plans for the weaker side. `tandem plan PERSON --cycle NAME` is short "
        "for `tandem plan show PERSON --cycle NAME`."
    ),
    no_args_is_help=True,
)


def render_plan(console: Console, plan: PlanOut) -> None:
    """Draw a plan for people: the side, each practice with its reason and actions."""
    console.print(f"[bold]{plan.person.name}[/] (id {plan.person.id}), cycle {plan.cycle}")
    console.print(plan.reason)
    if plan.has_plan:
        state = "created" if plan.created else "stored"
        console.print(
            f"plan {plan.plan_id} ({state}) from {plan.plan_date}; re-rate on {plan.rerate_date}"
        )
        for practice in plan.practices:
            console.print(f"\n[bold]{practice.practice}[/]: {practice.reason or ''}")
            _render_actions(console, practice.actions)
    for note in plan.notes:
        console.print(f"[dim]note:[/] {note}")


def _render_actions(console: Console, actions: list[ActionOut]) -> None:
    table = Table("id", "action", "behaviour", "cadence", "evidence", "status")
    for a in actions:
        table.add_row(
            str(a.id), a.title or a.action_id, a.behaviour, a.cadence, a.evidence, a.status
        )
    console.print(table)


@app.command("show")
def show(
    person: Annotated[str, typer.Argument(help="Person id, email or identity key.")],
    cycle: Annotated[str, typer.Option("--cycle", "-c", help="Name of the review cycle.")],
    plan_date: Annotated[
        str | None,
        typer.Option("--plan-date", help="Start date of a new plan, YYYY-MM-DD (default today)."),
    ] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Show a person's plan for the cycle, making it from their profile the first time.

    The plan takes the 2-3 lowest practices of the weaker side by others' ratings, blind spots
    first, each with two actions (behaviour, cadence, evidence) and a re-rate date about six
    months on. Asking again shows the stored plan.
    """
    start = parse_day(plan_date, "--plan-date")
    with session_scope(Workspace.open(workspace).engine) as session:
        found = service.get_or_create_plan(
            session=session, person=person, cycle=cycle, plan_date=start
        )
        audit.record_report_read(
            session=session,
            actor=audit.cli_actor(),
            viewer_person_id=None,
            person_id=found.person.id,
            cycle=found.cycle,
        )
    emit(found.model_dump(mode="json"), as_json=as_json, render=lambda c: render_plan(c, found))


@app.command("progress")
def progress(
    action_id: Annotated[int, typer.Argument(help="The plan action's id (shown with the plan).")],
    status: Annotated[str, typer.Option("--status", help="New status: doing, done or dropped.")],
    note: Annotated[
        str, typer.Option("--note", help="What happened: the evidence, in a sentence.")
    ] = "",
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Record progress on a plan action: its new status and a dated note."""
    with session_scope(Workspace.open(workspace).engine) as session:
        action = service.record_progress(
            session=session, action_id=action_id, status=status, note=note
        )

    def render(console: Console) -> None:
        console.print(
            f"action {action.id} ({action.title or action.action_id}) is now "
            f"[bold]{action.status}[/]"
        )
        _render_actions(console, [action])

    emit(action.model_dump(mode="json"), as_json=as_json, render=render)
