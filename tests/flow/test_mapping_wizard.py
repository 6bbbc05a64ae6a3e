"""The status mapping wizard and the data-quality counts, on the recorded Jira payloads."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from tandem.flow.mapping import StatusMapping
from tandem.flow.mapping_wizard import propose, propose_mapping
from tandem.flow.quality import source_quality
from tandem.settings import load_settings
from tandem.sources.jira.csv_export import map_export
from tandem.sources.jira.mapping import map_issues
from tests.helpers import new_workspace, run_cli
from tests.sources import jira_raw

SOURCE = "jira:merico.atlassian.net/EE"
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "jira" / "export_sample.csv"


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    workspace = new_workspace(tmp_path / "ws")
    categories = {s["name"]: s["statusCategory"]["key"] for s in jira_raw.statuses()}
    with workspace.lake.batch(label="jira test") as batch:
        map_issues(jira_raw.issues()).write(batch)
        map_export(SAMPLE).write(batch)
        batch.set_state(SOURCE, {"status_categories": categories})
    return workspace.root


@pytest.mark.parametrize(
    ("name", "jira", "expected"),
    [
        ("Blocked / On Hold", "indeterminate", "waiting"),  # a Jira category cannot say waiting
        ("Waiting for customer", None, "waiting"),
        ("Won't Do", "done", "canceled"),
        ("Duplicate", None, "canceled"),
        ("Code Review", None, "active"),
        ("QA", "new", "active"),
        ("已完成", "done", "done"),
        ("Selected for Development", "new", "new"),
        ("In Progress", "indeterminate", "active"),
        ("Closed", None, "done"),
        ("Backlog", None, "new"),
    ],
)
def test_proposals(name: str, jira: str | None, expected: str) -> None:
    assert propose(name, jira)[0] == expected


def test_every_status_is_listed_with_its_counts(ws: Path) -> None:
    from tandem.workspace import Workspace

    lake = Workspace.open(ws).lake
    proposal = propose_mapping(lake=lake, mapping=StatusMapping(), source=SOURCE)
    issues = [i for i in jira_raw.issues() if i["fields"]["project"]["key"] == "EE"]
    counted: dict[str, int] = {}
    for issue in issues:
        changes = jira_raw.status_items(issue["changelog"]["histories"])
        entered = [changes[0]["fromString"] if changes else issue["fields"]["status"]["name"]]
        for name in entered + [c["toString"] for c in changes]:
            counted[name] = counted.get(name, 0) + 1
    assert {s.activity: s.events for s in proposal.statuses} == counted
    by_name = {s.activity: s for s in proposal.statuses}
    # /status (the sync state) files 已完成 under done; the name alone would say active
    assert (by_name["已完成"].proposed, by_name["已完成"].jira_category) == ("done", "done")
    assert by_name["已完成"].current == "active"


def test_cli_proposes_without_writing_then_writes_with_write(ws: Path) -> None:
    config = ws / "tandem.toml"
    before = config.read_text(encoding="utf-8")
    shown = run_cli("flow", "mapping", "propose", "--source", SOURCE, "-w", ws, "--json")
    assert shown.exit_code == 0, shown.stderr
    data = shown.json()
    assert data["written"] is False and config.read_text(encoding="utf-8") == before
    written = run_cli("flow", "mapping", "propose", "--source", SOURCE, "--write", "-w", ws,
                      "--json").json()  # fmt: skip
    assert written["written"] is True
    table = tomllib.loads(config.read_text(encoding="utf-8"))["flow"]["mapping"][SOURCE]
    assert table == {s["activity"]: s["proposed"] for s in data["statuses"]}
    mapping = StatusMapping.from_settings(load_settings(ws).flow)
    assert all(
        mapping.categorize(SOURCE, s["activity"]) == (s["proposed"], False)
        for s in data["statuses"]
    )
    # the existing report still works and now says the statuses come from tandem.toml
    report = run_cli("flow", "mapping", "--source", SOURCE, "-w", ws, "--json").json()
    assert not report["defaulted"]
    audit = run_cli("audit", "list", "--action", "flow.mapping", "-w", ws, "--json").json()
    assert len(audit["events"]) == 1
    unknown = run_cli("flow", "mapping", "propose", "--source", "nope", "-w", ws)
    assert unknown.exit_code == 2 and "no events of source 'nope'" in unknown.stderr


def test_quality_counts_per_source(ws: Path) -> None:
    from tandem.workspace import Workspace

    rows = {r.source: r for r in source_quality(lake=Workspace.open(ws).lake,
                                                mapping=StatusMapping())}  # fmt: skip
    csv_source = rows["jira-csv:export_sample"]
    assert csv_source.truncated_items == csv_source.items == 5
    assert csv_source.bot_events == 1  # the automation bot reported one item
    assert rows[SOURCE].truncated_items == 0
    # no status of the K5 project maps to done: every item is "never done"
    k5 = rows["jira:merico.atlassian.net/K5"]
    assert k5.items_without_done == k5.items > 0
    assert k5.unmapped_statuses == ["To Do"]
    cli = run_cli("flow", "quality", "-w", ws, "--json").json()
    assert {r["source"]: r["items"] for r in cli["sources"]} == {
        s: r.items for s, r in rows.items()
    }
    text = run_cli("flow", "quality", "-w", ws, env={"COLUMNS": "200"}).stdout
    assert "jira-csv:export_sample" in text and json.dumps(cli)
