"""A hostile id or date in any option of the manager's toolkit: a one-line error, never a crash.

Every command of ``tandem feedback|one-on-one|check-in|concerns|conflicts`` and ``tandem
allocate`` is found from the CLI itself (a new command is swept the day it lands); each
argument and option gets out-of-range ids and impossible dates in turn, the others plausible.
The answer is exit 0 (a value that happens to be fine) or exit 2 with ``error: ...`` or
Click's usage error on stderr — no traceback, nothing on stdout.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import typer

from tandem.cli.app import app
from tandem.workspace import Workspace
from tests.conftest import BACKENDS, fresh_postgres_database
from tests.helpers import new_workspace, run_cli
from tests.web.conftest import make_org
from tests.web.manage_org import link_reports

GROUPS = ("feedback", "one-on-one", "check-in", "concerns", "conflicts", "allocate")
HOSTILE = [str(2**64), str(2**31), "-1", "0", "9" * 400, "abc", "2024-02-30", "99999-01-01"]
SKIPPED = {"workspace", "as_json", "output", "output_format", "help"}
# Plausible values of required parameters, so each hostile one is checked on its own.
PLAUSIBLE = {
    "person": "manager@example.org", "acting": "manager@example.org",
    "to": "member@example.org", "other": "member@example.org", "owner": "member@example.org",
    "parties": "member@example.org", "team": "Alpha", "kind": "praise",
    "at": "2026-01-05T10:00Z", "due": "2026-02-01", "days": "14",
}  # fmt: skip


def _commands() -> Iterator[tuple[list[str], Any]]:
    root = typer.main.get_command(app)
    context = root.make_context("tandem", ["status"])
    for name in GROUPS:
        command = root.get_command(context, name)
        if hasattr(command, "list_commands"):
            for sub in command.list_commands(context):
                yield [name, sub], command.get_command(context, sub)
        else:
            yield [name], command


COMMANDS = {" ".join(path): command for path, command in _commands()}


@pytest.fixture(scope="module", params=BACKENDS)
def workspace(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Workspace:
    """The web tests' org: teams Alpha and Beta; the member reports to the manager.

    On PostgreSQL too: its INTEGER ids overflow past 2**31 where SQLite's go to 2**63.
    """
    root = tmp_path_factory.mktemp("toolkit") / "ws"
    if request.param == "sqlite":
        workspace = new_workspace(root)
    else:
        workspace = Workspace.create(root, database_url=fresh_postgres_database())
    link_reports(workspace, make_org(workspace))
    yield workspace
    workspace.engine.dispose()  # no pooled connection outlives the test database


def _invocation(path: list[str], command: Any, hostile: str, value: str) -> list[str]:
    """``path`` with every required parameter plausible, and ``hostile`` set to ``value``."""
    arguments: list[str] = []
    options: list[str] = []
    for param in command.params:
        is_option = param.param_type_name == "option"
        if param.name in SKIPPED or (is_option and param.is_flag):
            continue
        if param.name == hostile:
            given = value
        elif param.required:
            given = PLAUSIBLE.get(param.name or "", "1")
        else:
            continue
        if is_option:
            options += [param.opts[0], given]
        else:
            arguments.append(given)
    return [*path, *arguments, *options]


def _cases() -> Iterator[tuple[str, str]]:
    for name, command in sorted(COMMANDS.items()):
        for param in command.params:
            flag = param.param_type_name == "option" and param.is_flag
            if param.name not in SKIPPED and not flag:
                yield name, str(param.name)


@pytest.mark.parametrize(("command", "param"), list(_cases()))
def test_a_hostile_value_is_a_clear_error(workspace: Workspace, command: str, param: str) -> None:
    for value in HOSTILE:
        args = _invocation(command.split(), COMMANDS[command], param, value)
        result = run_cli(*args, "-w", workspace.root)  # an exception fails the test
        assert result.exit_code in (0, 2), (args, result.exit_code, result.stderr)
        if result.exit_code == 2:
            assert result.stdout == "", args
            first = result.stderr.strip().splitlines()[0] if result.stderr.strip() else ""
            assert first.startswith(("error:", "Usage:")), (args, result.stderr)
            assert "Traceback" not in result.stderr, args
