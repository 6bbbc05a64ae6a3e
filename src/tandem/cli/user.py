"""``tandem user add|role|reset|list``: who may sign into the web app, with which role."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tandem.accounts import service
from tandem.accounts.models import ROLE_VALUES
from tandem.accounts.schemas import UserOut
from tandem.audit import service as audit
from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import emit
from tandem.db.session import session_scope
from tandem.errors import InputError
from tandem.workspace import Workspace

app = typer.Typer(help="Web users: add, change role, reset password, list.", no_args_is_help=True)

ROLES = "|".join(ROLE_VALUES)
EmailArgument = Annotated[str, typer.Argument(help="The user's email (their sign-in name).")]
TeamOption = Annotated[
    str | None, typer.Option("--team", help="Team name: the scope of a leader, manager or member.")
]
PasswordStdinOption = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password from the first line of standard input (else it is asked).",
    ),
]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise InputError("no password on standard input", field="password")
        return password
    if not sys.stdin.isatty():
        raise InputError("pass --password-stdin to read the password from standard input")
    value: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


def _render(console: Console, users: list[UserOut]) -> None:
    table = Table("email", "role", "team", "person", "active")
    for user in users:
        table.add_row(
            user.email,
            user.role,
            user.team_name or "",
            user.display_name if user.person_id else "",
            "yes" if user.is_active else "no",
        )
    console.print(table)


@app.command("add")
def add(
    email: EmailArgument,
    role: Annotated[str, typer.Option("--role", help=f"One of {ROLES}.")],
    team: TeamOption = None,
    password_stdin: PasswordStdinOption = False,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Add a user who signs in with EMAIL; linked to the person with that email, if any."""
    password = _password(password_stdin)
    with session_scope(Workspace.open(workspace).engine) as session:
        user = service.add_user(
            session=session,
            email=email,
            password=password,
            role=role,
            team=team,
            actor=audit.cli_actor(),
        )
    emit(user.model_dump(), as_json=as_json, render=lambda c: _render(c, [user]))


@app.command("role")
def change_role(
    email: EmailArgument,
    role: Annotated[str, typer.Argument(help=f"One of {ROLES}.")],
    team: TeamOption = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Change a user's role (and team, with --team)."""
    with session_scope(Workspace.open(workspace).engine) as session:
        user = service.set_role(
            session=session, email=email, role=role, team=team, actor=audit.cli_actor()
        )
    emit(user.model_dump(), as_json=as_json, render=lambda c: _render(c, [user]))


@app.command("reset")
def reset(
    email: EmailArgument,
    password_stdin: PasswordStdinOption = False,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Set a new password for a user and sign them out everywhere."""
    password = _password(password_stdin)
    with session_scope(Workspace.open(workspace).engine) as session:
        user = service.reset_password(
            session=session, email=email, password=password, actor=audit.cli_actor()
        )
    emit(user.model_dump(), as_json=as_json, render=lambda c: _render(c, [user]))


@app.command("list")
def list_users(workspace: WorkspaceOption = Path(), as_json: JsonOption = False) -> None:
    """List the web users with role, team and linked person."""
    with session_scope(Workspace.open(workspace).engine) as session:
        users = service.list_users(session=session)
    emit(
        {"users": [u.model_dump() for u in users], "count": len(users)},
        as_json=as_json,
        render=lambda c: _render(c, users),
    )
