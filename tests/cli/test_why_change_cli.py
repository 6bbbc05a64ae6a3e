"""``tandem experiment`` and ``tandem radar`` as a user runs them."""

from __future__ import annotations

import shutil
from pathlib import Path

from tandem.db.session import session_scope
from tandem.people.models import Membership, Person, Team
from tandem.workspace import Workspace
from tests.helpers import run_cli
from tests.why.change.manifest_repo import build_manifest_repo

WIDE = {"COLUMNS": "200"}


def _team(workspace: Workspace) -> None:
    with session_scope(workspace.engine) as session:
        team = Team(name="Beacon")
        person = Person(display_name="Olga Owner", email="olga@example.org")
        session.add_all([team, person])
        session.flush()
        session.add(Membership(person_id=person.id, team_id=team.id))


def test_experiment_commands(workspace: Workspace) -> None:
    _team(workspace)
    w = ("--workspace", workspace.root)
    added = run_cli("experiment", "add", "--team", "Beacon", "--title", "WIP limit",
                    "--hypothesis", "Less WIP, faster", "--owner", "olga@example.org",
                    "--start", "2024-03-01", "--metric", "throughput,window=14",
                    *w, "--json")  # fmt: skip
    assert added.exit_code == 0, added.stderr
    first = added.json()
    assert first["metric"]["metric"] == "throughput" and first["status"] == "running"
    listed = run_cli("experiment", "list", "--team", "Beacon", *w, "--json")
    experiment = listed.json()["experiments"][0]
    assert experiment["id"] == first["id"]
    # an empty lake: the reading says why, and nothing is made up
    assert experiment["reading"] is None and "no events" in experiment["reading_error"]
    text = run_cli("experiment", "show", str(first["id"]), "--team", "Beacon", *w, env=WIDE)
    assert "WIP limit" in text.stdout and "Olga Owner" in text.stdout
    done = run_cli("experiment", "conclude", str(first["id"]), "--team", "Beacon",
                   "--result", "supported", "--outcome", "It worked", "--on", "2024-04-01", *w,
                   "--json")  # fmt: skip
    assert done.json()["result"] == "supported"
    again = run_cli("experiment", "abandon", str(first["id"]), "--team", "Beacon", *w)
    assert again.exit_code != 0 and "already concluded" in again.stderr


def test_experiment_bad_input_names_the_field(workspace: Workspace) -> None:
    _team(workspace)
    bad = run_cli("experiment", "add", "--team", "Beacon", "--title", "t", "--hypothesis", "h",
                  "--owner", "olga@example.org", "--start", "2024-02-30",
                  "--workspace", workspace.root)  # fmt: skip
    assert bad.exit_code != 0 and "starts_on" in bad.stderr and "Traceback" not in bad.stderr
    listed = run_cli("experiment", "list", "--team", "Beacon", "--workspace", workspace.root,
                     "--json")  # fmt: skip
    assert listed.json()["experiments"] == []


def test_radar_command(workspace: Workspace, tmp_path: Path) -> None:
    repo = tmp_path / "shop"
    build_manifest_repo(repo)
    assert run_cli("ingest", "git", repo, "--workspace", workspace.root).exit_code == 0
    answer = run_cli("radar", "--workspace", workspace.root, "--json").json()
    assert len(answer["events"]) == 23 and answer["problems"][0]["path"] == "Cargo.toml"
    since = run_cli("radar", "--repo", repo, "--since", "2024-04-01", "--workspace",
                    workspace.root, "--json").json()  # fmt: skip
    assert len(since["events"]) == 7
    text = run_cli("radar", "--workspace", workspace.root, env=WIDE)
    assert "established" in text.stdout and "invalid TOML" in text.stdout
    bad = run_cli("radar", "--since", "soon", "--workspace", workspace.root)
    assert bad.exit_code != 0 and "since" in bad.stderr
    shutil.move(repo, tmp_path / "moved")
    gone = run_cli("radar", "--repo", str(repo.resolve()), "--workspace", workspace.root)
    assert gone.exit_code != 0 and f"the repository {repo.resolve()} is no longer on disk" in (
        gone.stderr
    )
    listed = run_cli("radar", "--workspace", workspace.root, env=WIDE)
    assert listed.exit_code == 0 and "no longer on disk" in listed.stdout
