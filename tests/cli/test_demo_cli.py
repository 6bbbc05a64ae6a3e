"""`tandem demo`'s printed "Try:" lines run as printed, from the script the user started."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(sys.executable).parent / "tandem"
"""The installed script, as ``make demo`` runs it (``.venv/bin/tandem``)."""


def suggested_commands(output: str) -> tuple[list[str], list[str]]:
    """The "Try:" commands (with their continuation lines) and the "Serve it:" command."""
    tries: list[str] = []
    serve: list[str] = []
    lines = output.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("Try:"):
            tries.append(line.removeprefix("Try:").strip())
            for more in lines[index + 1 :]:
                if not more.startswith("      ") or not more.strip():
                    break
                tries.append(more.strip())
        elif line.startswith("Serve it:"):
            serve.append(line.removeprefix("Serve it:").strip())
    return tries, serve


def test_every_try_line_of_the_demo_runs_as_printed(tmp_path: Path) -> None:
    # Outside the checkout, from a folder with a space: the lines must quote what they print.
    env = {**os.environ, "PATH": "/usr/bin:/bin"}  # `tandem` itself is not on the PATH
    folder = "demo workspace"
    built = subprocess.run(
        [str(SCRIPT), "demo", "--no-serve", "--workspace", folder],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    tries, serve = suggested_commands(built.stdout)
    assert len(tries) == 2 and len(serve) == 1, built.stdout
    for line in [*tries, *serve]:
        argv = shlex.split(line)
        assert Path(argv[0]) == SCRIPT  # the script that ran the demo, not a bare `tandem`
        assert argv[argv.index("--workspace") + 1] == str((tmp_path / folder).resolve())
    for line in tries:
        done = subprocess.run(
            shlex.split(line), cwd=tmp_path, capture_output=True, text=True, env=env, check=False
        )
        assert done.returncode == 0, f"{line}\n{done.stderr}"
        assert done.stdout.strip() and "Traceback" not in done.stderr
    assert shlex.split(serve[0])[1] == "serve"
