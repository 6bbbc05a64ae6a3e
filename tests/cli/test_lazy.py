"""Start-up: ``tandem --help``/``--version`` import no data stack; lazy commands are the real ones.

Deterministic checks (which modules a fresh process has loaded), never timings: the start-up
times themselves are measured in ``benchmarks/bench_cli.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
import typer.main

from tandem.cli.app import COMMANDS, app
from tests.helpers import run_cli

HEAVY = ("pyarrow", "duckdb", "ibis", "numpy", "pandas", "sqlalchemy", "alembic", "fastapi")
"""The data and web stack: none of it is needed to print the help or the version."""


def loaded_modules(*args: str) -> set[str]:
    """Top-level packages in ``sys.modules`` after ``tandem ARGS`` ran in a fresh interpreter."""
    code = (
        "import json, sys\n"
        "from tandem.cli.app import main\n"
        f"sys.argv = ['tandem', *{list(args)!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stdout.write('\\n' + json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "100"},
        check=False,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return set(json.loads(proc.stdout.splitlines()[-1]))


@pytest.mark.parametrize("args", [("--help",), ("--version",), ()], ids=["help", "version", "bare"])
def test_help_and_version_import_no_data_stack(args: tuple[str, ...]) -> None:
    loaded = loaded_modules(*args)
    assert "typer" in loaded  # the probe itself works
    assert not loaded & set(HEAVY), f"`tandem {' '.join(args)}` loaded {loaded & set(HEAVY)}"


def test_status_reads_the_manifest_without_the_data_stack(tmp_path: Path) -> None:
    assert run_cli("init", "-w", tmp_path).exit_code == 0
    loaded = loaded_modules("status", "-w", str(tmp_path), "--json")
    assert "sqlalchemy" in loaded  # it did read the app database
    assert not loaded & {"pyarrow", "numpy", "ibis", "duckdb", "alembic", "fastapi", "pandas"}


def fresh_root() -> typer.core.TyperGroup:
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    return group


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_registered_help_line_is_the_commands_own(name: str) -> None:
    command = COMMANDS[name].load(name)
    assert command.get_short_help_str(limit=10_000) == COMMANDS[name].help
    assert fresh_root().get_command(typer.Context(fresh_root()), name) is not None


@pytest.mark.parametrize("width", [60, 100, 200])
def test_root_help_reads_the_same_before_and_after_loading_every_command(width: int) -> None:
    root = fresh_root()

    def help_text() -> str:
        ctx = typer.Context(root, info_name="tandem", terminal_width=width, max_content_width=width)
        return root.get_help(ctx)

    lazy = help_text()
    assert not root.commands  # nothing was imported to list the commands
    for name in COMMANDS:
        root.get_command(typer.Context(root), name)
    assert help_text() == lazy
    for name in COMMANDS:
        assert f"\n  {name} " in lazy


def test_an_unknown_command_suggests_a_lazy_one() -> None:
    result = run_cli("stauts")
    assert result.exit_code == 2
    assert "Did you mean 'status'?" in result.stderr
