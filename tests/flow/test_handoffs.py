"""Handoffs and ping-pong on a hand-computed tiny log; unknown resources excluded; CLI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.handoffs import handoffs
from tandem.lake import Lake
from tandem.workspace import Workspace
from tests.flow.golden import tiny_lake
from tests.flow.test_dfg import ROWS
from tests.helpers import run_cli

ALICE, BOB, CAROL = "account:tiny:alice", "account:tiny:bob", "account:tiny:carol"


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    folder = tmp_path_factory.mktemp("handoffs")
    root = folder / "lake"
    root.mkdir()
    return tiny_lake(Lake(root), folder, ROWS)


def test_hand_computed_handoffs_and_ping_pong(lake: Lake) -> None:
    with FlowEngine(lake) as engine:
        data = handoffs(engine).to_dict()

    # c1 alice → bob (300 s) → bob (0 s, same) → alice (3600 s); c2 alice → bob (600 s) → unknown
    assert (data["cases"], data["transitions"], data["handoff_count"]) == (3, 5, 3)
    assert data["same_resource"] == 1
    assert data["excluded"] == {"transitions_with_unknown_resource": 1}
    assert data["handoffs"] == [
        {"from_resource": ALICE, "to_resource": BOB, "count": 2, "cases": 2, "mean_seconds": 450.0,
         "median_seconds": 450.0, "p85_seconds": 555.0, "total_wait_seconds": 900.0},
        {"from_resource": BOB, "to_resource": ALICE, "count": 1, "cases": 1,
         "mean_seconds": 3600.0, "median_seconds": 3600.0, "p85_seconds": 3600.0,
         "total_wait_seconds": 3600.0},
    ]  # fmt: skip
    assert data["ping_pong"] == {
        "cases": 1,
        "occurrences": 1,
        "pairs": [{"resources": [ALICE, BOB, ALICE], "occurrences": 1, "cases": 1}],
    }


def test_ping_pong_counts_every_return_and_skips_unknown(tmp_path: Path) -> None:
    root = tmp_path / "lake"
    root.mkdir()
    rows = [
        # alice, bob, bob, alice, bob: runs A B A B -> two occurrences (A→B→A, B→A→B)
        "p1,x,2024-01-01 10:00:00,alice",
        "p1,x,2024-01-01 10:01:00,bob",
        "p1,x,2024-01-01 10:02:00,bob",
        "p1,x,2024-01-01 10:03:00,alice",
        "p1,x,2024-01-01 10:04:00,bob",
        # alice, unknown, alice: the middle is not known, so no ping-pong
        "p2,x,2024-01-01 10:00:00,alice",
        "p2,x,2024-01-01 10:01:00,",
        "p2,x,2024-01-01 10:02:00,alice",
        # alice, carol, unknown, alice: broken by the unknown
        "p3,x,2024-01-01 10:00:00,alice",
        "p3,x,2024-01-01 10:01:00,carol",
        "p3,x,2024-01-01 10:02:00,",
        "p3,x,2024-01-01 10:03:00,alice",
    ]
    with FlowEngine(tiny_lake(Lake(root), tmp_path, rows)) as engine:
        data = handoffs(engine).to_dict()

    assert data["ping_pong"]["cases"] == 1
    assert data["ping_pong"]["occurrences"] == 2
    assert data["ping_pong"]["pairs"] == [
        {"resources": [ALICE, BOB, ALICE], "occurrences": 1, "cases": 1},
        {"resources": [BOB, ALICE, BOB], "occurrences": 1, "cases": 1},
    ]
    assert data["excluded"]["transitions_with_unknown_resource"] == 4
    assert data["handoff_count"] == 4  # p1: 3, p3: alice → carol


def test_empty_selection(lake: Lake) -> None:
    with FlowEngine(lake) as engine:
        data = handoffs(engine, Filters(start=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))).to_dict()
    assert data["cases"] == data["transitions"] == data["handoff_count"] == 0
    assert data["handoffs"] == []
    assert data["ping_pong"] == {"cases": 0, "occurrences": 0, "pairs": []}
    assert data["excluded"] == {"transitions_with_unknown_resource": 0}


def test_cli_json_contract(workspace: Workspace, tmp_path: Path) -> None:
    tiny_lake(workspace.lake, tmp_path, ROWS)
    result = run_cli("flow", "handoffs", "-w", workspace.root, "--json")

    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["handoffs"][0]["from_resource"] == ALICE
    assert data["ping_pong"]["cases"] == 1
    table = run_cli("flow", "handoffs", "-w", workspace.root)
    assert table.exit_code == 0 and "ping-pong" in table.stdout
