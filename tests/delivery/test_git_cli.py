"""``tandem flow changes | rework`` and ``[git.deployments]`` through ``tandem ingest git``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tandem.workspace import Workspace
from tests.delivery import gitflow_repos as repos
from tests.helpers import run_cli

TEAM = (repos.BOB, repos.CAROL, repos.DAVE, repos.ERIN, repos.FRANK)


@pytest.fixture
def ingested(workspace: Workspace, tmp_path: Path) -> tuple[Path, repos.Built]:
    """The merge repository (main) ingested, and a roster with team Five (Bob … Frank)."""
    built = repos.build_merges(tmp_path / "repo")
    done = run_cli("ingest", "git", built.path, "-w", workspace.root, "--json")
    assert done.exit_code == 0, done.stderr
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "name,email,team,role,manager\n"
        + "".join(f"{name},{email},Five,member,\n" for name, email in TEAM)
        + "Alice,alice@example.com,Solo,member,\n"
    )
    assert run_cli("people", "import", roster, "-w", workspace.root).exit_code == 0
    return workspace.root, built


def test_changes_json_and_text(ingested: tuple[Path, repos.Built]) -> None:
    root, _ = ingested
    shown = run_cli("flow", "changes", "-w", root, "--json")
    assert shown.exit_code == 0, shown.stderr
    data = shown.json()
    # main only: v1.0 sits on the unread release branch, so M1's first release is v1.1
    assert data["changes"] == 4 and data["release_wait"]["n"] == 3
    assert data["lead_time"]["n"] == 3  # M1 now deploys with v1.1 too
    # frequency needs no ancestry: v1.0 counts although its commit was not read
    assert data["deployment_frequency"]["deployments"] == 3
    text = run_cli("flow", "changes", "--repo", "repo", "-w", root, env={"COLUMNS": "200"})
    assert text.exit_code == 0, text.stderr
    assert "4 changes; 1 not released, 1 not deployed" in text.stdout
    assert "merge commits" in text.stdout and "deployment days per week" in text.stdout


def test_rework_json_and_text(ingested: tuple[Path, repos.Built]) -> None:
    root, _ = ingested
    data = run_cli("flow", "rework", "-w", root, "--json").json()
    # main only (no hotfix.txt): 10 file changes, 5 rework (tests/delivery/test_rework.py)
    assert (data["files"], data["rework_files"]) == (10, 5)
    text = run_cli("flow", "rework", "--days", "7", "-w", root, env={"COLUMNS": "200"})
    assert text.exit_code == 0, text.stderr
    assert "30.0% of 10 file changes" in text.stdout  # 3 of 10 within 7 days
    assert "a.py" in text.stdout


def test_a_team_answer_needs_five_people(ingested: tuple[Path, repos.Built]) -> None:
    root, _ = ingested
    five = run_cli("flow", "changes", "--team", "Five", "-w", root, "--json")
    assert five.exit_code == 0, five.stderr
    assert five.json()["people"] == 5 and five.json()["changes"] == 3
    for command in ("changes", "rework"):
        narrow = run_cli(
            "flow", command, "--team", "Five", "--from", "2024-01-15", "--to", "2024-01-17",
            "-w", root, "--json",
        )  # fmt: skip
        assert (narrow.exit_code, narrow.stdout) == (2, ""), command
        assert "window 2024-01-15 to 2024-01-16 is 2 days" in narrow.stderr, command
        week = run_cli(
            "flow", command, "--team", "Five", "--from", "2024-01-15", "--to", "2024-01-22",
            "-w", root, "--json",
        )  # fmt: skip
        assert (week.exit_code, week.stdout) == (2, ""), command
        assert "from fewer than 5 people" in week.stderr, command
    solo = run_cli("flow", "rework", "--team", "Solo", "-w", root, "--json")
    assert solo.exit_code == 2 and "from fewer than 5 people" in solo.stderr


def test_bad_options_are_named(ingested: tuple[Path, repos.Built]) -> None:
    root, _ = ingested
    unknown = run_cli("flow", "changes", "--repo", "nope", "-w", root)
    assert unknown.exit_code == 2 and "'nope' has no commits" in unknown.stderr
    ref = run_cli("flow", "changes", "--ref", "dev", "-w", root)
    assert ref.exit_code == 2 and "ref 'dev'" in ref.stderr
    order = run_cli("flow", "rework", "--from", "2024-02-01", "--to", "2024-01-01", "-w", root)
    assert order.exit_code == 2 and "--from must be before --to" in order.stderr


def test_the_deployment_rule_comes_from_tandem_toml(workspace: Workspace, tmp_path: Path) -> None:
    built = repos.build_merges(tmp_path / "repo")
    toml = workspace.root / "tandem.toml"
    toml.write_text(toml.read_text() + '\n[git.deployments]\ntag_pattern = "^rc-"\n')
    done = run_cli("ingest", "git", built.path, "-w", workspace.root, "--json")
    assert done.exit_code == 0, done.stderr
    assert done.json()["repos"][0]["deployments"] == 1  # rc-2 only
    data = run_cli("flow", "changes", "-w", workspace.root, "--json").json()
    assert data["deployment_frequency"]["deployments"] == 1
    toml.write_text(toml.read_text() + 'branch = "missing"\n')
    bad = run_cli("ingest", "git", built.path, "-w", workspace.root)
    assert bad.exit_code == 2 and "git.deployments.branch" in bad.stderr
