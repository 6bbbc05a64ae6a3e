"""`tandem demo` builds a workspace from the real data shipped in the package."""

from __future__ import annotations

import gzip
import subprocess
from pathlib import Path

from tests.helpers import DATA, REPO_ROOT, run_cli


def test_demo_builds_from_real_data_and_rebuilding_adds_nothing(tmp_path: Path) -> None:
    with gzip.open(DATA / "BPIC14_incident_log.csv.gz", "rt", encoding="utf-8") as handle:
        lines = handle.read().splitlines()[1:]
    cases = {line.split(",", 1)[0] for line in lines}

    result = run_cli("demo", "--no-serve", "--workspace", tmp_path / "demo", "--json")
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["incidents"]["events"] == len(lines) == 39_911
    assert data["incidents"]["cases"] == len(cases) == 4_000
    github = {"events": 0, "objects": 0}
    for repo in data["github"]["repos"]:  # recorded GitHub payloads, synced offline
        assert repo["requests"] > 0 and repo["retries"] == 0
        for table in github:
            github[table] += repo["added"].get(table, 0)
    assert github["events"] > 0
    head_commits, main_line = (
        int(
            subprocess.run(
                ["git", "-C", str(REPO_ROOT), "rev-list", *first, "--count", "HEAD"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            or 0
        )
        for first in ([], ["--first-parent"])
    )
    # the demo's rule: each main-line commit of the checkout is a deployment (one event each)
    deployments = data["git"]["repos"][0]["deployments"] if head_commits else 0
    assert deployments == main_line
    assert data["tables"]["events"] == len(lines) + github["events"] + deployments
    assert data["tables"]["objects"] == len(cases) + github["objects"] + deployments
    if head_commits:
        assert data["git"]["commits_total"] == head_commits
        assert data["tables"]["commits"] == head_commits
        dora = run_cli("flow", "dora", "-w", tmp_path / "demo", "--json").json()
        assert dora["deployment_frequency"]["deployments"] > 0
        assert dora["change_lead_time"]["figure"]["n"] > 0
        assert dora["change_failure_rate"]["value"] is None  # no incident source in the demo
    # PR flow from the recorded payloads: every PR the recording holds, over all time
    prs = run_cli("flow", "prs", "-w", tmp_path / "demo", "--since", "2000-01-01", "--json")
    recorded_prs = sum(repo["fetched"].get("pulls", 0) for repo in data["github"]["repos"])
    assert prs.exit_code == 0, prs.stderr
    assert 0 < prs.json()["n"] <= recorded_prs
    assert prs.json()["coding"]["n"] > 0

    delegation = data["organisation"]["delegation"]  # Beacon's DEMO board, before today
    assert (delegation["team"], delegation["areas"], delegation["added"]) == ("Beacon", 5, 5)
    assert delegation["review_due"] == ["Release timing"]
    # the board is app data on the clock: as the page asks (today), one review is due, not all
    board = run_cli("delegation", "area", "list", "--team", "Beacon", "-w", tmp_path / "demo",
                    "--json").json()  # fmt: skip
    assert [a["name"] for a in board["areas"] if a["review_due"]] == ["Release timing"]
    allocation = data["organisation"]["allocation"]  # Beacon's DEMO plan, for the optimiser
    solved = run_cli("allocate", allocation["plan"], "-w", tmp_path / "demo", "--json")
    assert solved.exit_code == 0, solved.stderr
    assert solved.json()["solve"]["status"] in ("OPTIMAL", "FEASIBLE")
    if head_commits:
        ownership = delegation["ownership"]
        assert ownership["repos"] >= 1
        assert ownership["withheld"] or ownership["commits"] > 0

    conversations = data["organisation"]["conversations"]  # the member's 1:1s (SYNTHETIC)
    assert conversations["added"] is True and conversations["feedback"] == 2

    process_map = Path(data["process_map"])
    assert process_map.parent == (tmp_path / "demo" / "reports").resolve()
    svg = process_map.read_text(encoding="utf-8")
    assert svg.startswith(("<svg", "<?xml"))
    assert "Closed" in svg and "4,000 cases" in svg

    # Beacon's DEMO goals: every key result measured from the log, none withheld (≥ 5 people)
    assert data["organisation"]["why_goals"]["key_results"] == 4
    goals = run_cli("goal", "progress", "--team", "Beacon", "--no-history", "-w",
                    tmp_path / "demo", "--json").json()["goals"]  # fmt: skip
    results = [kr for goal in goals for kr in goal["key_results"]]
    assert all(kr["value"] is not None and kr["withheld"] is None for kr in results)
    assert {goal["as_of"] for goal in goals} == {"2014-03-31"}
    # the why's change tools: two SYNTHETIC experiments, one read on the log's own figures
    assert len(data["why_change"]["experiments_added"]) == 2
    if head_commits:
        assert data["why_change"]["radar"]["events"] > 0
    experiments = run_cli(
        "experiment", "list", "--team", "Beacon", "-w", tmp_path / "demo", "--json"
    ).json()["experiments"]
    assert all("SYNTHETIC DEMO" in e["title"] for e in experiments)
    concluded = next(e for e in experiments if e["status"] == "concluded")
    assert concluded["reading"]["before"]["value"] is not None
    assert concluded["reading"]["after"]["value"] is not None

    again = run_cli("demo", "--no-serve", "--workspace", tmp_path / "demo", "--json").json()
    assert again["organisation"]["why_goals"].get("already") is True
    assert again["incidents"]["events_added"] == 0
    assert again["why_change"]["experiments_added"] == []
    assert all(repo["added"] == {} for repo in again["github"]["repos"])
    assert again["tables"] == data["tables"]
    assert again["organisation"]["delegation"]["added"] == 0
    assert again["organisation"]["delegation"]["areas"] == 5
    assert again["organisation"]["conversations"]["added"] is False
    human = run_cli("demo", "--no-serve", "--workspace", tmp_path / "demo")
    assert "Demo workspace built" in human.stdout


def test_the_demo_leaders_home_lists_no_item_closed_in_the_log(tmp_path: Path) -> None:
    """Issue 9: the team filter once made every item another team closed look open to Beacon."""
    from fastapi.testclient import TestClient

    from tandem.flow.engine import Filters, FlowEngine
    from tandem.flow.mapping import StatusMapping
    from tandem.flow.timing import item_facts
    from tandem.web.app import create_app
    from tandem.workspace import Workspace
    from tests.web.conftest import sign_in_directly

    built = run_cli("demo", "--no-serve", "--workspace", tmp_path / "demo", "--json")
    assert built.exit_code == 0, built.stderr
    workspace = Workspace.open(tmp_path / "demo")
    with TestClient(create_app(workspace)) as client:
        sign_in_directly(client, workspace, "ines.fernhollow@example.org")  # Beacon's leader
        home = client.get("/api/home")
    assert home.status_code == 200, home.text
    listed = [item["case_id"] for item in home.json()["attention"]["flow"]["oldest"]]
    mapping = StatusMapping.from_settings(workspace.settings.flow)
    with FlowEngine(workspace.lake) as engine:
        whole_log = {i.case_id: i.status for i in item_facts(engine, Filters(), mapping)}
    assert listed and all(whole_log[case] == "open" for case in listed)
