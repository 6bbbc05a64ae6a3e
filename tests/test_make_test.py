"""`make test`'s runner (scripts/test.sh): every part runs even when one fails, one summary.

The runner is driven with stand-in tools (a ``BIN`` folder whose ruff, mypy and pytest are tiny
scripts that log their arguments and pass or fail as told), so these tests check the runner
itself: that a failing part hides no other part, that lint runs beside the tests, that the
browser suite runs (required) in the one parallel run, that pytest's closing line is repeated in
the summary and that the exit status is non-zero when any part failed.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.helpers import REPO_ROOT

SCRIPT = REPO_ROOT / "scripts" / "test.sh"


def stand_in_bin(folder: Path, *, lint_rc: int, pytest_rc: int) -> Path:
    """Fake ruff/mypy (exit ``lint_rc``) and pytest (exit ``pytest_rc``; prints a closing line
    and logs whether the browser suite is required)."""
    folder.mkdir()
    calls = folder / "calls.log"
    (folder / "ruff").write_text(f'#!/bin/sh\necho "ruff $*" >> "{calls}"\nexit {lint_rc}\n')
    # mypy (the last lint step) waits up to 20 s for pytest to start and logs whether it did:
    # "saw-pytest" proves lint and the tests ran at the same time
    (folder / "mypy").write_text(
        "#!/bin/sh\n"
        "for _ in $(seq 200); do\n"
        f'  grep -q "^pytest" "{calls}" 2>/dev/null && break; sleep 0.1\n'
        "done\n"
        f'if grep -q "^pytest" "{calls}"; then seen=saw-pytest; else seen=alone; fi\n'
        f'echo "mypy $* $seen" >> "{calls}"\necho "mypy output"\nexit {lint_rc}\n'
    )
    (folder / "pytest").write_text(
        "#!/bin/sh\n"
        f'echo "pytest $* browser=$TANDEM_TEST_REQUIRE_BROWSER" >> "{calls}"\n'
        f'if [ {pytest_rc} = 0 ]; then echo "===== 7 passed in 1.50s ====="; '
        'else echo "===== 2 failed, 5 passed in 1.50s ====="; fi\n'
        f"exit {pytest_rc}\n"
    )
    for tool in ("ruff", "mypy", "pytest"):
        (folder / tool).chmod(0o755)
    return folder


def run_script(bin_folder: Path, *parts: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BIN": str(bin_folder), "PYTEST_ARGS": "-k smoke"}
    env.pop("TANDEM_TEST_REQUIRE_BROWSER", None)
    return subprocess.run(
        ["bash", str(SCRIPT), *parts], capture_output=True, text=True, env=env, check=False
    )


def summary(stdout: str) -> list[str]:
    return stdout.split("== summary\n", 1)[1].splitlines()


def calls(bin_folder: Path) -> list[str]:
    return (bin_folder / "calls.log").read_text().splitlines()


def test_a_failing_lint_hides_no_test_and_the_browser_suite_runs_in_the_one_run(
    tmp_path: Path,
) -> None:
    bin_folder = stand_in_bin(tmp_path / "bin", lint_rc=1, pytest_rc=0)
    done = run_script(bin_folder)
    assert done.returncode == 1
    logged = calls(bin_folder)
    assert sorted(c.split()[0] for c in logged) == ["mypy", "pytest", "ruff", "ruff"]
    # lint ran beside the tests, and its output follows theirs
    [mypy] = [c for c in logged if c.startswith("mypy")]
    assert mypy.endswith("saw-pytest")
    assert done.stdout.index("===== 7 passed") < done.stdout.index("mypy output")
    # One parallel run of everything, browser tests included (and required): no -m filter.
    [suite] = [c for c in logged if c.startswith("pytest")]
    assert "-n auto --dist loadscope -k smoke" in suite and "-m" not in suite.split()
    assert suite.endswith("browser=1")
    lines = summary(done.stdout)
    assert [line.split()[:2] for line in lines] == [["lint", "FAILED"], ["tests", "passed"]]
    assert "7 passed in 1.50s" in lines[1]
    # pytest's own closing line stays visible above the summary
    assert "===== 7 passed in 1.50s =====" in done.stdout


def test_all_green_exits_0_and_failing_tests_exit_1_with_pytests_closing_line(
    tmp_path: Path,
) -> None:
    green = run_script(stand_in_bin(tmp_path / "g", lint_rc=0, pytest_rc=0))
    assert green.returncode == 0
    assert [line.split()[1] for line in summary(green.stdout)] == ["passed", "passed"]
    red = run_script(stand_in_bin(tmp_path / "r", lint_rc=0, pytest_rc=1))
    assert red.returncode == 1
    assert summary(red.stdout)[1] == "tests    FAILED  2 failed, 5 passed in 1.50s (exit 1)"


def test_the_browser_part_alone_runs_only_the_browser_suite(tmp_path: Path) -> None:
    bin_folder = stand_in_bin(tmp_path / "b", lint_rc=0, pytest_rc=0)
    done = run_script(bin_folder, "browser")
    assert done.returncode == 0
    [suite] = calls(bin_folder)
    assert suite.startswith("pytest tests/browser -k smoke") and suite.endswith("browser=1")
    assert [line.split()[0] for line in summary(done.stdout)] == ["browser"]


def test_an_unknown_part_is_refused(tmp_path: Path) -> None:
    done = run_script(stand_in_bin(tmp_path / "u", lint_rc=0, pytest_rc=0), "unit")
    assert done.returncode == 2
    assert "unknown part 'unit' (lint, tests, browser)" in done.stderr
