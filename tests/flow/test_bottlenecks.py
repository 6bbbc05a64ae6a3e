"""Bottleneck ranking on a hand-computed tiny log: impact, order, evidence, empty selection, CLI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tandem.flow.bottlenecks import bottlenecks
from tandem.flow.engine import Filters, FlowEngine
from tandem.lake import Lake
from tandem.workspace import Workspace
from tests.flow.golden import tiny_lake
from tests.flow.test_dfg import ROWS
from tests.helpers import run_cli

ALICE, BOB = "account:tiny:alice", "account:tiny:bob"


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    folder = tmp_path_factory.mktemp("bottlenecks")
    root = folder / "lake"
    root.mkdir()
    return tiny_lake(Lake(root), folder, ROWS)


def test_hand_computed_ranking(lake: Lake) -> None:
    with FlowEngine(lake) as engine:
        data = bottlenecks(engine, limit=None).to_dict()

    ranked = [(b["kind"], b["name"], b["impact_seconds"]) for b in data["bottlenecks"]]
    assert ranked == [
        # impact desc; ties: edge, activity, handoff; then name
        ("edge", "C → D", 3600.0),
        ("activity", "D", 3600.0),
        ("handoff", f"{BOB} → {ALICE}", 3600.0),
        ("edge", "B → A", 1800.0),
        ("activity", "A", 1800.0),
        ("edge", "A → B", 900.0),  # count 2 × median 450
        ("activity", "B", 900.0),  # 300 + 600
        ("handoff", f"{ALICE} → {BOB}", 900.0),
        ("edge", "B → C", 0.0),
        ("activity", "C", 0.0),
    ]
    assert (data["cases"], data["transitions"], data["candidates"]) == (3, 5, 10)
    assert data["excluded"] == {"candidates_not_shown": 0}


def test_evidence_drills_down_to_the_cases(lake: Lake) -> None:
    with FlowEngine(lake) as engine:
        items = bottlenecks(engine, limit=None).bottlenecks
    edge = next(b for b in items if b.name == "A → B")
    assert edge.evidence["count"] == 2
    assert edge.evidence["cases"] == 2
    assert edge.evidence["median_seconds"] == 450.0
    assert edge.evidence["p85_seconds"] == 555.0
    assert [(c["case_id"], c["wait_seconds"]) for c in edge.evidence["top_cases"]] == [
        ("tiny:c2", 600.0),
        ("tiny:c1", 300.0),
    ]
    assert edge.evidence["top_cases"][0]["waiting_from"] == "2024-01-02T09:00:00+00:00"
    handoff = next(b for b in items if b.kind == "handoff" and b.name.startswith(ALICE))
    assert (handoff.evidence["from_resource"], handoff.evidence["to_resource"]) == (ALICE, BOB)


def test_limit_and_empty_selection(lake: Lake) -> None:
    with FlowEngine(lake) as engine:
        top = bottlenecks(engine, limit=2).to_dict()
        empty = bottlenecks(engine, Filters(start=dt.datetime(2030, 1, 1, tzinfo=dt.UTC)))
    assert len(top["bottlenecks"]) == 2
    assert top["excluded"] == {"candidates_not_shown": 8}
    assert empty.to_dict() == {
        "cases": 0,
        "transitions": 0,
        "candidates": 0,
        "bottlenecks": [],
        "excluded": {"candidates_not_shown": 0},
    }


def test_cli_json_contract(workspace: Workspace, tmp_path: Path) -> None:
    tiny_lake(workspace.lake, tmp_path, ROWS)
    result = run_cli("flow", "bottlenecks", "-w", workspace.root, "--limit", "3", "--json")

    assert result.exit_code == 0, result.stderr
    items = result.json()["bottlenecks"]
    assert [b["kind"] for b in items] == ["edge", "activity", "handoff"]
    assert set(items[0]) == {"kind", "name", "impact_seconds", "evidence"}
    assert items[0]["impact_seconds"] == 3600.0
    table = run_cli("flow", "bottlenecks", "-w", workspace.root)
    assert table.exit_code == 0 and "impact" in table.stdout
