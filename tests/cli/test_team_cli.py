"""`tandem team coverage TEAM` and `tandem team coverage --org`, as run by users."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_duos_cli import hand_workspace, share_with_max
from tests.duos.test_service import CYCLE
from tests.helpers import run_cli


def test_team_coverage_json(tmp_path: Path) -> None:
    ws = hand_workspace(tmp_path)
    share_with_max(ws)
    as_max = ("--as", "max@example.com")
    result = run_cli("team", "coverage", "Edge", "--cycle", CYCLE, *as_max, "-w", ws, "--json")
    assert result.exit_code == 0, result.stderr
    out = result.json()
    assert out["gaps"] == ["vision"]
    assert out["practices"]["vision"] == {
        "side": "leader", "covered": False, "call": "gap", "chance": 0.0, "covering": 0,
        "mean": 3.0, "by": [], "scored": 2,
    }  # fmt: skip
    assert out["practices"]["conflict"]["by"] == ["Dot Mixed"]
    people = run_cli("team", "coverage", "Edge", "-c", CYCLE, *as_max, "-w", ws)
    assert "gaps: vision" in people.stdout and "GAP" in people.stdout
    # The operator: two scored members are too few for any figure, and nobody shared with them.
    operator = run_cli("team", "coverage", "Edge", "--cycle", CYCLE, "-w", ws, "--json").json()
    assert operator["suppressed"] == list(operator["practices"])
    assert all(p["by"] == [] and p["mean"] == "suppressed" for p in operator["practices"].values())


def test_org_view_hides_small_teams(tmp_path: Path) -> None:
    ws = hand_workspace(tmp_path)
    result = run_cli("team", "coverage", "--org", "--cycle", CYCLE, "-w", ws, "--json")
    assert result.exit_code == 0, result.stderr
    teams = result.json()["teams"]
    assert [(t["team"], t["shown"], t["scored_members"]) for t in teams] == [
        ("Core", False, "suppressed"),
        ("Edge", False, "suppressed"),
    ]
    assert "Ann" not in result.stdout
    people = run_cli("team", "coverage", "--org", "-c", CYCLE, "-w", ws)
    assert "hidden" in people.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "either a TEAM or --org"),
        (("Edge", "--org"), "either a TEAM or --org"),
        (("Nowhere",), "no team 'Nowhere'"),
    ],
)
def test_bad_requests_exit_2(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    ws = hand_workspace(tmp_path)
    result = run_cli("team", "coverage", *args, "--cycle", CYCLE, "-w", ws, "--json")
    assert result.exit_code == 2 and result.stdout == ""
    assert message in result.stderr


@pytest.mark.parametrize("target", [("Edge",), ("--org",)])
def test_the_threshold_is_not_an_option(tmp_path: Path, target: tuple[str, ...]) -> None:
    """Sweeping --threshold and watching `covering` change gave members' exact scores."""
    ws = hand_workspace(tmp_path)
    share_with_max(ws)
    args = ("team", "coverage", *target, "--cycle", CYCLE, "--as", "max@example.com", "-w", ws)
    result = run_cli(*args, "--threshold", "4.5", "--json")
    assert result.exit_code == 2 and result.stdout == ""
    assert "No such option: --threshold" in result.stderr
    fixed = run_cli(*args, "--json")
    assert fixed.exit_code == 0 and fixed.json()["threshold"] == 4.0
