"""Performance DFG on hand-computed tiny logs: ties, reopened items, single events, filters, CLI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tandem.flow.dfg import performance_dfg
from tandem.flow.engine import Filters, FlowEngine
from tandem.lake import Lake
from tandem.workspace import Workspace
from tests.flow.golden import tiny_lake
from tests.helpers import run_cli

ROWS = [
    # c1: B and C tie at 10:05; file order (B, C) wins.
    "c1,A,2024-01-01 10:00:00,alice",
    "c1,B,2024-01-01 10:05:00,bob",
    "c1,C,2024-01-01 10:05:00,bob",
    "c1,D,2024-01-01 11:05:00,alice",
    # c2: reopened, A → B → A, rows out of time order in the file.
    "c2,B,2024-01-02 09:10:00,bob",
    "c2,A,2024-01-02 09:00:00,alice",
    "c2,A,2024-01-02 09:40:00,",
    # c3: a single event, no edge; it starts and ends with X.
    "c3,X,2024-01-03 08:00:00,ci-bot",
]


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    folder = tmp_path_factory.mktemp("dfg")
    root = folder / "lake"
    root.mkdir()
    return tiny_lake(Lake(root), folder, ROWS)


def dfg(lake: Lake, filters: Filters | None = None) -> dict[str, object]:
    with FlowEngine(lake) as engine:
        return performance_dfg(engine, filters).to_dict()


def test_hand_computed_edges_ties_reopen_and_single_event(lake: Lake) -> None:
    data = dfg(lake)

    assert (data["cases"], data["events"], data["transitions"]) == (3, 8, 5)
    assert data["edges"] == [
        # count desc, then source, then target
        edge("A", "B", 2, [0 + 300, 600]),  # c1 A→B 300 s, c2 A→B 600 s
        edge("B", "A", 1, [1800]),
        edge("B", "C", 1, [0]),  # the tie keeps file order: B before C, wait 0
        edge("C", "D", 1, [3600]),
    ]
    assert data["start_activities"] == {"A": 2, "X": 1}
    assert data["end_activities"] == {"A": 1, "D": 1, "X": 1}
    assert data["excluded"] == {"single_event_cases_without_edges": 1}


def edge(source: str, target: str, count: int, waits: list[float]) -> dict[str, object]:
    import numpy as np

    median = float(np.median(waits))
    return {
        "source": source,
        "target": target,
        "count": count,
        "mean_seconds": float(np.mean(waits)),
        "median_seconds": median,
        "p85_seconds": float(np.quantile(waits, 0.85)),
        "total_wait_seconds": count * median,
    }


def test_an_empty_window_gives_zeros_not_errors(lake: Lake) -> None:
    empty = Filters(start=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    assert dfg(lake, empty) == {
        "cases": 0,
        "events": 0,
        "transitions": 0,
        "edges": [],
        "start_activities": {},
        "end_activities": {},
        "excluded": {"single_event_cases_without_edges": 0},
    }


def test_window_keeps_whole_cases_and_bots_can_be_left_out(lake: Lake) -> None:
    day_two = Filters(
        start=dt.datetime(2024, 1, 2, tzinfo=dt.UTC),
        end=dt.datetime(2024, 1, 2, 9, 5, tzinfo=dt.UTC),
    )
    data = dfg(lake, day_two)
    assert (data["cases"], data["events"]) == (1, 3)  # c2 whole, though one event is inside
    assert data["start_activities"] == {"A": 1}

    without_bots = dfg(lake, Filters(include_bots=False))
    assert "X" not in without_bots["start_activities"]
    assert without_bots["cases"] == 2


def test_source_filter(lake: Lake, tmp_path: Path) -> None:
    assert dfg(lake, Filters(sources=("tiny",)))["events"] == 8
    assert dfg(lake, Filters(sources=("other",)))["events"] == 0


def test_cli_json_contract(workspace: Workspace, tmp_path: Path) -> None:
    tiny_lake(workspace.lake, tmp_path, ROWS)
    result = run_cli("flow", "dfg", "--workspace", workspace.root, "--json")

    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert set(data) >= {"cases", "events", "edges", "start_activities", "end_activities"}
    assert set(data["edges"][0]) == {
        "source", "target", "count", "mean_seconds", "median_seconds", "p85_seconds",
        "total_wait_seconds",
    }  # fmt: skip
    assert data["edges"][0]["source"] == "A"
    assert data["cases"] == 3

    window = run_cli(
        "flow", "dfg", "-w", workspace.root, "--from", "2024-01-03", "--no-bots", "--json"
    )
    assert window.json()["cases"] == 0

    table = run_cli("flow", "dfg", "-w", workspace.root, "--source", "tiny")
    assert table.exit_code == 0
    assert "A" in table.stdout and "median" in table.stdout
