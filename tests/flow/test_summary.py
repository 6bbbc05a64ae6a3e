"""The flow summary and the ``tandem flow summary|time-in-state|wip|mapping`` commands; the real
IT-incident log's figures agree with each other."""

from __future__ import annotations

from pathlib import Path

import pytest

from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.flow.service import flow_panel
from tandem.flow.timing import item_facts
from tandem.flow.wip import wip_per_day
from tandem.sources.contracts import ColumnMapping
from tandem.sources.eventlog import ingest_event_log
from tests.flow.logs import (
    HOUR,
    THE_LOG,
    THE_TYPES,
    new_lake,
    write_log,
)
from tests.helpers import DATA, new_workspace, run_cli


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    workspace = new_workspace(tmp_path / "ws")
    write_log(workspace.lake, THE_LOG, THE_TYPES)
    return workspace.root


def flow_json(*args: str | Path) -> dict[str, object]:
    result = run_cli("flow", *args, "--json")
    assert result.exit_code == 0, result.stderr
    data: dict[str, object] = result.json()
    return data


def test_summary_json_carries_n_and_excluded_for_every_figure(ws: Path) -> None:
    data = flow_json("summary", "-w", ws)
    assert data["items"] == {
        "n": 6,
        "done": 4,
        "canceled": 1,
        "open": 1,
        "in_progress": 1,
        "not_started": 0,
    }
    for figure in ("lead_time", "cycle_time", "throughput", "wip", "flow_efficiency"):
        block = data[figure]
        assert isinstance(block, dict) and "n" in block and "excluded" in block, figure
    lead = data["lead_time"]
    assert isinstance(lead, dict) and lead["p50_seconds"] == 25 * HOUR  # A, G, B (not C)
    assert data["reopened_items"] == 1
    assert data["sle"] == [
        {"item_type": "bug", "p85_cycle_seconds": 23 * HOUR, "n": 1},
        {"item_type": "story", "p85_cycle_seconds": pytest.approx(43.55 * HOUR), "n": 2},
    ]
    throughput = data["throughput"]
    assert isinstance(throughput, dict)
    # no window asked: the 90 days up to the log's last day (not from the first item)
    assert (throughput["n"], throughput["days"], throughput["zero_days"]) == (4, 90, 86)
    assert throughput["end_date"] == "2024-03-05"
    assert data["wip"] == {
        "n": 5,
        "excluded": {"never started": 1, "finished before it started": 0},
        "days": 5,
        "mean": 1.8,
        "max": 3,
        "last": 1,
    }


def test_summary_filters_and_working_time(ws: Path) -> None:
    bugs = flow_json("summary", "-w", ws, "--item-type", "bug", "--no-bots")
    assert bugs["items"] == {
        "n": 3,
        "done": 2,
        "canceled": 1,
        "open": 0,
        "in_progress": 0,
        "not_started": 0,
    }
    window = flow_json("summary", "-w", ws, "--from", "2024-03-02", "--to", "2024-03-03")
    lead = window["lead_time"]
    assert isinstance(lead, dict) and lead["n"] == 1  # only A is done on d2
    assert window["wip"]["days"] == 1  # type: ignore[index]
    working = flow_json("summary", "-w", ws, "--working-time")
    assert working["working_time"] is True
    empty = flow_json("summary", "-w", ws, "--from", "2030-01-01", "--to", "2030-01-03")
    assert empty["lead_time"]["p50_seconds"] is None  # type: ignore[index]
    assert empty["throughput"]["zero_days"] == 2  # type: ignore[index]


def test_summary_drill_down_lists_every_done_item(ws: Path) -> None:
    data = flow_json("summary", "-w", ws, "--items")
    rows = {row["case_id"]: row for row in data["done_items"]}  # type: ignore[attr-defined]
    # A, B (reopened), C (never active: no cycle time) and G are done; D open, E canceled
    assert sorted(rows) == ["A", "B", "C", "G"]
    assert (rows["A"]["lead_seconds"], rows["A"]["cycle_seconds"]) == (24 * HOUR, 23 * HOUR)
    assert rows["B"]["reopened"] is True and rows["C"]["cycle_seconds"] is None
    lead = data["lead_time"]
    assert isinstance(lead, dict)
    assert len(data["done_items"]) == lead["n"] + lead["excluded"]["never active before done"]  # type: ignore[arg-type]
    assert "items" in data["flow_efficiency"]  # type: ignore[operator]
    assert "done_items" not in flow_json("summary", "-w", ws)
    table = run_cli("flow", "summary", "-w", ws, "--items")
    assert table.exit_code == 0 and "reopened" in table.stdout


def test_time_in_state_wip_and_mapping_json(ws: Path) -> None:
    states = flow_json("time-in-state", "-w", ws)
    work = next(r for r in states["activities"] if r["state"] == "Work")  # type: ignore[attr-defined]
    assert work["total_seconds"] == 145 * HOUR and work["ongoing"] == 1
    assert states["rework"]["items_with_rework"] == 1  # type: ignore[index]

    wip = flow_json("wip", "-w", ws)
    aging = wip["aging"]
    assert isinstance(aging, dict) and [i["case_id"] for i in aging["items"]] == ["D"]
    assert aging["items"][0]["zone"] == ">P85"
    assert wip["wip"]["last"] == 1  # type: ignore[index]

    (ws / "tandem.toml").write_text('[flow.mapping.tiny]\nwaiting = ["Start"]\n')
    mapping = flow_json("mapping", "-w", ws)
    rows = {r["activity"]: r for r in mapping["sources"]["tiny"]}  # type: ignore[index]
    assert (rows["Start"]["category"], rows["Start"]["defaulted"]) == ("waiting", False)
    assert (rows["Work"]["category"], rows["Work"]["defaulted"]) == ("active", True)


def test_commands_render_tables_and_reject_bad_options(ws: Path) -> None:
    for command in ("summary", "time-in-state", "wip", "mapping"):
        result = run_cli("flow", command, "-w", ws)
        assert result.exit_code == 0, result.stderr
        assert "━" in result.stdout
    bad = run_cli("flow", "summary", "-w", ws, "--engine", "oracle")
    assert bad.exit_code != 0 and "--engine" in bad.stderr


def test_the_incident_log_is_internally_consistent(tmp_path: Path) -> None:
    lake = new_lake(tmp_path)
    columns = ColumnMapping(
        case="incident_id", activity="incident_activity_type", timestamp="data_stamp"
    )
    ingest_event_log(lake=lake, path=DATA / "BPIC14_incident_log.csv.gz", columns=columns)
    mapping = StatusMapping()
    with FlowEngine(lake) as engine:
        panel = flow_panel(engine=engine, filters=Filters(), mapping=mapping, include_items=True)
        items = item_facts(engine, Filters(), mapping)
        wip = wip_per_day(engine, Filters(), mapping)
    data = panel.summary
    counts = panel.items
    assert counts.n == 4000  # incidents in the log
    assert counts.done + counts.open + counts.canceled == counts.n
    lead, cycle = data["lead_time"], data["cycle_time"]
    assert lead["n"] + sum(lead["excluded"].values()) == counts.n
    assert cycle["n"] == lead["n"]  # the same items
    assert cycle["p50_seconds"] <= lead["p50_seconds"]
    assert lead["p50_seconds"] <= lead["p85_seconds"] <= lead["p95_seconds"]
    assert cycle["p85_seconds"] <= lead["p85_seconds"]
    for timing in data["done_items"]:
        assert (
            timing["cycle_seconds"] is None
            or 0 <= timing["cycle_seconds"] <= timing["lead_seconds"]
        )
    # Throughput counts the done items of its window (the 90 days before the end by default).
    start, end = panel.throughput_start, panel.throughput_end
    assert start is not None and end is not None and (end - start).days + 1 == panel.throughput_days
    done_in_window = [
        i for i in items if i.status == "done" and i.done_at and start <= i.done_at.date() <= end
    ]
    assert data["throughput"]["n"] == len(done_in_window) > 0
    assert min(wip.counts) >= 0
    started_open = sum(1 for i in items if i.status == "open" and i.started_at is not None)
    assert wip.counts[-1] == started_open == panel.wip_now  # WIP at the end = open, started
    efficiency = data["flow_efficiency"]["overall"]
    assert 0 < efficiency <= 1
