"""`make test`'s runner (scripts/test.sh): every part runs even when one fails, one summary.

The runner is driven with stand-in tools (a ``BIN`` folder whose ruff, mypy and pytest are tiny
scripts that log their arguments and pass or fail as told), so these tests check the runner
itself: that a failing part hides no later part, that pytest's closing line is repeated in the
summary and that the exit status is non-zero when any part failed.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT

SCRIPT = REPO_ROOT / "scripts" / "test.sh"


def stand_in_bin(folder: Path, *, lint_rc: int, pytest_rc: dict[str, int]) -> Path:
    """Fake ruff/mypy (exit ``lint_rc``) and pytest (exit by suite; prints a closing line)."""
    folder.mkdir()
    calls = folder / "calls.log"
    for tool in ("ruff", "mypy"):
        (folder / tool).write_text(f'#!/bin/sh\necho "{tool} $*" >> "{calls}"\nexit {lint_rc}\n')
    (folder / "pytest").write_text(
        "#!/bin/sh\n"
        f'echo "pytest $*" >> "{calls}"\n'
        'case "$*" in *"not browser"*) suite=tests ;; *) suite=browser ;; esac\n'
        f'rc={pytest_rc["browser"]}; [ "$suite" = tests ] && rc={pytest_rc["tests"]}\n'
        'if [ "$rc" = 0 ]; then echo "===== 7 passed in 1.50s ====="; '
        'else echo "===== 2 failed, 5 passed in 1.50s ====="; fi\n'
        'exit "$rc"\n'
    )
    for tool in ("ruff", "mypy", "pytest"):
        (folder / tool).chmod(0o755)
    return folder


def run_script(bin_folder: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BIN": str(bin_folder), "PYTEST_ARGS": "-k smoke"}
    return subprocess.run(
        ["bash", str(SCRIPT)], capture_output=True, text=True, env=env, check=False
    )


def summary(stdout: str) -> list[str]:
    return stdout.split("== summary\n", 1)[1].splitlines()


@pytest.mark.parametrize("failing", ["lint", "tests"])
def test_an_early_failure_hides_no_later_part(tmp_path: Path, failing: str) -> None:
    bin_folder = stand_in_bin(
        tmp_path / "bin",
        lint_rc=1 if failing == "lint" else 0,
        pytest_rc={"tests": 1 if failing == "tests" else 0, "browser": 0},
    )
    done = run_script(bin_folder)
    assert done.returncode == 1
    calls = (bin_folder / "calls.log").read_text().splitlines()
    assert [c.split()[0] for c in calls] == ["ruff", "ruff", "mypy", "pytest", "pytest"]
    suite, browser = calls[3], calls[4]
    assert "-n auto" in suite and "not browser" in suite and suite.endswith("-k smoke")
    assert "-m browser" in browser and browser.endswith("-k smoke")
    lines = summary(done.stdout)
    assert [line.split()[0] for line in lines] == ["lint", "tests", "browser"]
    assert [line.split()[1] for line in lines] == [
        "FAILED" if failing == "lint" else "passed",
        "FAILED" if failing == "tests" else "passed",
        "passed",
    ]
    assert "7 passed in 1.50s" in lines[2]
    if failing == "tests":
        assert "2 failed, 5 passed in 1.50s (exit 1)" in lines[1]
    # pytest's own closing lines stay visible above the summary
    assert "===== 7 passed in 1.50s =====" in done.stdout


def test_all_green_exits_0_and_a_failing_browser_suite_exits_1(tmp_path: Path) -> None:
    green = run_script(
        stand_in_bin(tmp_path / "g", lint_rc=0, pytest_rc={"tests": 0, "browser": 0})
    )
    assert green.returncode == 0
    assert all(line.split()[1] == "passed" for line in summary(green.stdout))
    red = run_script(stand_in_bin(tmp_path / "r", lint_rc=0, pytest_rc={"tests": 0, "browser": 1}))
    assert red.returncode == 1
    assert summary(red.stdout)[2].startswith("browser  FAILED  2 failed, 5 passed")
