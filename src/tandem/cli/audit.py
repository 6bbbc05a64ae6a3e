"""``tandem audit list``: who read whose report and who changed what (admins' view)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tandem.audit import service
from tandem.audit.schemas import ACTION_NAMES, AuditEventOut
from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import emit
from tandem.db.session import session_scope
from tandem.errors import InputError
from tandem.ids import as_id
from tandem.people import service as people_service
from tandem.workspace import Workspace

app = typer.Typer(help="The audit log of sensitive reads and writes.", no_args_is_help=True)


def _render(console: Console, events: list[AuditEventOut]) -> None:
    table = Table("at", "actor", "action", "person", "target", "detail")
    for event in events:
        table.add_row(
            event.at.strftime("%Y-%m-%d %H:%M:%S"),
            event.actor_label,
            event.action,
            "" if event.subject_person_id is None else str(event.subject_person_id),
            event.target or "",
            ", ".join(f"{k}={v}" for k, v in event.detail.items()),
        )
    console.print(table)
    console.print(f"{len(events)} event(s)")


@app.command("list")
def list_events(
    person: Annotated[
        str | None,
        typer.Option(
            "--person", "-p", help="Only events about this person (id, email or identity key)."
        ),
    ] = None,
    action: Annotated[
        str | None,
        typer.Option("--action", "-a", help=f"Only one action: {', '.join(ACTION_NAMES)}."),
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only events on or after YYYY-MM-DD (UTC).")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=100_000, help="At most this many, newest first.")
    ] = 500,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """List audit events, newest first: report reads, shares, role changes, merges, forgets.

    A forgotten person's events keep only their former id: give it as a number to --person.
    """
    with session_scope(Workspace.open(workspace).engine) as session:
        person_id: int | None = None
        if person is not None:
            if person.isascii() and person.isdigit():
                person_id = as_id(person)  # a forgotten person's former id, too
                if person_id is None:
                    raise InputError(f"--person {person}: no such person id", field="person")
            else:
                person_id = people_service.find_person(session=session, ref=person).id
        events = service.events(
            session=session,
            person_id=person_id,
            action=action,
            since=service.parse_since(since) if since else None,
            limit=limit,
        )
    emit(
        {"events": [e.model_dump(mode="json") for e in events], "count": len(events)},
        as_json=as_json,
        render=lambda c: _render(c, events),
    )
