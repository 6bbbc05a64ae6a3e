"""``tandem user add|role|reset|list`` and ``tandem serve`` as a user meets them."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from typer.testing import CliRunner

from tandem.cli.app import app
from tandem.db.session import session_scope
from tandem.people.models import Person, Team
from tandem.workspace import Workspace
from tests.helpers import CliResult, run_cli

PASSWORD = "correct horse battery"


def run_with_stdin(*args: str | Path, stdin: str) -> CliResult:
    result = CliRunner().invoke(app, [str(a) for a in args], input=stdin, catch_exceptions=False)
    return CliResult(result.exit_code, result.stdout, result.stderr)


def test_user_add_role_reset_and_list(workspace: Workspace) -> None:
    with session_scope(workspace.engine) as session:
        session.add_all([Team(name="Core"), Person(display_name="Ada", email="ada@x.org")])
    ws = workspace.root
    added = run_with_stdin(
        "user", "add", "Ada@x.org", "--role", "leader", "--team", "Core",
        "--password-stdin", "--workspace", ws, "--json", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    data = added.json()
    assert data["email"] == "ada@x.org" and data["role"] == "leader"
    assert data["team_name"] == "Core" and data["display_name"] == "Ada"
    assert "password_hash" not in data and PASSWORD not in added.stdout

    changed = run_cli("user", "role", "ada@x.org", "director", "--workspace", ws, "--json")
    assert changed.exit_code == 0 and changed.json()["role"] == "director"

    reset = run_with_stdin(
        "user", "reset", "ada@x.org", "--password-stdin", "-w", ws, "--json",
        stdin="another long secret\n",
    )  # fmt: skip
    assert reset.exit_code == 0, reset.stderr

    listed = run_cli("user", "list", "--workspace", ws, "--json").json()
    assert listed["count"] == 1 and listed["users"][0]["role"] == "director"
    table = run_cli("user", "list", "--workspace", ws)
    assert "ada@x.org" in table.stdout and "director" in table.stdout


def test_weak_or_personal_passwords_are_refused_with_exit_2(workspace: Workspace) -> None:
    ws = workspace.root
    with session_scope(workspace.engine) as session:
        session.add(Person(display_name="Ada Lovelace", email="ada.lovelace@x.org"))
    common = run_with_stdin(
        "user", "add", "ada.lovelace@x.org", "--role", "member", "--password-stdin", "-w", ws,
        stdin="password1234\n",
    )  # fmt: skip
    assert common.exit_code == 2
    assert common.stderr.strip().splitlines() == [
        "error: field 'password': this password is too easy to guess: This is a very common "
        "password. Add another word or two. Uncommon words are better."
    ]
    personal = run_with_stdin(
        "user", "add", "ada.lovelace@x.org", "--role", "member", "--password-stdin", "-w", ws,
        stdin="Lovelace and her engines\n",
    )  # fmt: skip
    assert personal.exit_code == 2
    assert personal.stderr.strip().splitlines() == [
        "error: field 'password': a password must not contain your email address or name "
        "('lovelace')"
    ]
    assert run_cli("user", "list", "-w", ws, "--json").json()["count"] == 0


def test_user_errors_are_one_line_with_exit_2(workspace: Workspace) -> None:
    ws = workspace.root
    short = run_with_stdin(
        "user", "add", "a@x.org", "--role", "member", "--password-stdin", "-w", ws, stdin="short\n"
    )
    assert short.exit_code == 2 and "at least 12 characters" in short.stderr
    bad_role = run_with_stdin(
        "user", "add", "a@x.org", "--role", "boss", "--password-stdin", "-w", ws, stdin=PASSWORD
    )
    assert bad_role.exit_code == 2 and "'boss' is not one of" in bad_role.stderr
    assert "Traceback" not in short.stderr + bad_role.stderr
    run_with_stdin(
        "user", "add", "a@x.org", "--role", "member", "--password-stdin", "-w", ws, stdin=PASSWORD
    )
    twice = run_with_stdin(
        "user", "add", "a@x.org", "--role", "member", "--password-stdin", "-w", ws, stdin=PASSWORD
    )
    assert twice.exit_code == 2 and "exists already" in twice.stderr
    missing = run_cli("user", "role", "nobody@x.org", "admin", "-w", ws)
    assert missing.exit_code == 2 and "no user" in missing.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_prints_the_address_and_a_first_run_link(workspace: Workspace) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tandem", "serve", "--workspace", str(workspace.root),
         "--port", str(port), "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        assert server.stdout is not None
        first = json.loads(server.stdout.readline())
        assert first["url"] == f"http://127.0.0.1:{port}"
        assert first["setup_url"].startswith(f"http://127.0.0.1:{port}/setup?token=")
        while True:  # until it answers; it printed its address before listening
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            try:
                with urllib.request.urlopen(first["setup_url"], timeout=30) as page:
                    assert page.status == 200 and "Create the first admin" in page.read().decode()
                break
            except OSError:
                time.sleep(0.2)
    finally:
        server.send_signal(signal.SIGINT)
        _, errors = server.communicate()
    # this suite hashes passwords cheaply (tests/conftest.py): the server says so
    assert "warning: TANDEM_TEST_CHEAP_PASSWORD_HASH=1 is set" in errors
