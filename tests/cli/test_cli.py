"""The command line as users meet it: init, status, errors, --json, and its reference docs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tandem.cli import reference
from tandem.cli.app import app
from tests.helpers import REPO_ROOT, run_cli


def test_init_creates_the_workspace_and_is_idempotent(tmp_path: Path) -> None:
    ws = tmp_path / "team"
    first = run_cli("init", "--workspace", ws, "--json")
    assert first.exit_code == 0, first.stderr
    data = first.json()
    assert data["workspace"] == str(ws.resolve())
    assert (ws / "tandem.toml").is_file()
    assert (ws / "tandem.db").is_file()
    assert (ws / "lake").is_dir()
    (ws / "tandem.toml").write_text((ws / "tandem.toml").read_text() + "\n# mine\n")
    again = run_cli("init", "--workspace", ws, "--json")
    assert again.exit_code == 0
    assert (ws / "tandem.toml").read_text().endswith("# mine\n")


def test_status_counts_every_table(tmp_path: Path) -> None:
    run_cli("init", "-w", tmp_path)
    result = run_cli("status", "-w", tmp_path, "--json")
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["tables"] == {
        "objects": 0,
        "events": 0,
        "relations": 0,
        "commits": 0,
        "commit_files": 0,
        "identities": 0,
    }
    assert data["database"] == {
        "person": 0,
        "identity": 0,
        "team": 0,
        "membership": 0,
        "review_cycle": 0,
        "review_response": 0,
        "development_plan": 0,
        "duo": 0,
        "user_account": 0,
    }


def test_workspace_comes_from_the_environment(tmp_path: Path) -> None:
    run_cli("init", "-w", tmp_path / "env-ws")
    result = run_cli("status", "--json", env={"TANDEM_WORKSPACE": str(tmp_path / "env-ws")})
    assert result.exit_code == 0, result.stderr
    assert result.json()["workspace"] == str((tmp_path / "env-ws").resolve())


def test_a_missing_workspace_is_a_one_line_error_with_exit_2(tmp_path: Path) -> None:
    result = run_cli("status", "-w", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "not a Tandem workspace" in result.stderr
    assert "tandem init" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_tandem_toml_names_the_file(tmp_path: Path) -> None:
    run_cli("init", "-w", tmp_path)
    (tmp_path / "tandem.toml").write_text("[bots]\nname_patterns = 'not a list'\n")
    result = run_cli("people", "list", "-w", tmp_path)
    assert result.exit_code == 2
    assert "tandem.toml" in result.stderr
    assert "bots.name_patterns" in result.stderr


def test_a_bad_bot_pattern_names_the_setting(tmp_path: Path) -> None:
    run_cli("init", "-w", tmp_path)
    (tmp_path / "tandem.toml").write_text("[bots]\nname_patterns = ['(unclosed']\n")
    repo = tmp_path / "not-used"
    repo.mkdir()
    result = run_cli("ingest", "git", repo, "-w", tmp_path)
    assert result.exit_code == 2
    assert "bots.name_patterns" in result.stderr


def test_the_installed_script_reports_errors_without_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tandem", "status", "--workspace", str(tmp_path / "missing")],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert "Traceback" not in proc.stderr


def _commands() -> dict[str, Any]:
    """Leaf commands (not groups) by their full name without the leading ``tandem``."""
    return {
        path.removeprefix("tandem").strip(): command
        for path, command, _ in reference.commands(app)
        if not hasattr(command, "list_commands")
    }


@pytest.mark.parametrize("name", sorted(_commands()))
def test_every_command_has_help_json_and_workspace(name: str) -> None:
    command = _commands()[name]
    options = {opt for param in command.params for opt in getattr(param, "opts", [])}
    assert "--json" in options, f"`tandem {name}` has no --json"
    assert "--workspace" in options, f"`tandem {name}` has no --workspace"
    assert command.help, f"`tandem {name}` has no help text"


def test_docs_cli_md_equals_the_help_of_every_command() -> None:
    documented = (REPO_ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert documented == reference.render(app), "docs/cli.md is stale: run `make docs`"
    for name in _commands():
        assert f"## `tandem {name}`" in documented


def test_version_and_help() -> None:
    assert run_cli("--version").stdout.startswith("tandem ")
    help_text = run_cli("--help").stdout
    for name in ("init", "status", "ingest", "people", "demo"):
        assert name in help_text
