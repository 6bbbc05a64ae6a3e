"""Ids and dates typed on the command line: out of range or odd digits end in a clear error."""

from __future__ import annotations

import pytest

from tandem.workspace import Workspace
from tests.helpers import run_cli


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["audit", "list", "--since", "0001-01-01T00:00+05:00"], "is not a date"),
        (["audit", "list", "--person", "²"], "no person matches '²'"),
        (["audit", "list", "--person", "99999999999"], "no such person id"),
        (
            ["duos", "accept", "99999999999999999999", "--as", "1"],
            "less than or equal to 2147483647",
        ),
        (["duos", "accept", "1", "--as", "²"], "no person matches '²'"),
    ],
)
def test_bad_ids_and_dates_exit_2_without_a_traceback(
    workspace: Workspace, args: list[str], message: str
) -> None:
    result = run_cli(*args, "-w", workspace.root)
    assert result.exit_code == 2, result.stdout
    assert message in result.stderr and "Traceback" not in result.stderr
