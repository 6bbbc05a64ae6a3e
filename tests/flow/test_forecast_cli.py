"""``tandem flow forecast`` end to end: ingest a tiny log, forecast from its daily throughput."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.helpers import new_workspace, run_cli

FIRST_DAY = dt.date(2026, 1, 1)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """A workspace whose log closes two items a day from 1 to 10 January 2026."""
    workspace = tmp_path / "ws"
    new_workspace(workspace)
    lines = ["case_id,activity,timestamp,resource"]
    for day in range(10):
        closed = FIRST_DAY + dt.timedelta(days=day)
        opened = closed - dt.timedelta(days=3)
        for n in range(2):
            case = f"T-{day}-{n}"
            lines.append(f"{case},Open,{opened}T09:00:00Z,ann")
            lines.append(f"{case},In progress,{opened}T10:00:00Z,bob")
            lines.append(f"{case},Closed,{closed}T1{n}:00:00Z,bob")
    log = tmp_path / "tickets.csv"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run_cli("ingest", "events", log, "-w", workspace).exit_code == 0
    return workspace


def test_when_done_from_the_last_ten_days(ws: Path) -> None:
    result = run_cli(
        "flow",
        "forecast",
        "--items",
        "10",
        "--history-days",
        "10",
        "--seed",
        "1",
        "-w",
        ws,
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["question"] == "when" and data["items"] == 10
    assert data["n"] == 10
    assert data["history"]["start_date"] == "2026-01-01"
    assert data["history"]["end_date"] == "2026-01-10"
    assert data["history"]["items_done"] == 20 and data["history"]["zero_days"] == 0
    assert data["start_date"] == "2026-01-11"
    for name in ("p50", "p85", "p95"):  # a steady two a day: five days, every run
        assert data["percentiles"][name] == {"date": "2026-01-15", "days": 5}
    assert data["runs"] == 10_000 and data["unfinished_runs"] == 0
    assert "excluded" in data


def test_how_many_by_a_date(ws: Path) -> None:
    result = run_cli(
        "flow", "forecast", "--by", "2026-01-20", "--history-days", "10", "--runs", "500",
        "-w", ws, "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["question"] == "how_many" and data["by_date"] == "2026-01-20"
    assert {k: v["items"] for k, v in data["percentiles"].items()} == {
        "p50": 20,
        "p85": 20,
        "p95": 20,
    }


def test_zero_days_in_the_default_window_push_the_forecast_out(ws: Path) -> None:
    # 90 days of history, 80 of them without a closed item: about 4.5 items a week, not 14.
    data = run_cli("flow", "forecast", "--items", "10", "--seed", "2", "-w", ws, "--json").json()
    assert data["n"] == 90 and data["history"]["zero_days"] == 80
    assert data["percentiles"]["p50"]["days"] > 5


def test_rich_output_names_the_history(ws: Path) -> None:
    result = run_cli("flow", "forecast", "--items", "4", "--history-days", "10", "-w", ws)
    assert result.exit_code == 0, result.stderr
    assert "P85" in result.stdout and "2026-01-12" in result.stdout
    assert "history: 10 days" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "exactly one of --items"),
        (("--items", "3", "--by", "2026-02-01"), "exactly one of --items"),
        (("--items", "0"), "--items"),
        (("--by", "2025-12-01"), "before the forecast start"),
        (("--by", "soon"), "not an ISO date"),
        (("--items", "3", "--from", "2025-06-01", "--to", "2025-07-01"), "no item was done"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(ws: Path, args: tuple[str, ...], message: str) -> None:
    result = run_cli("flow", "forecast", *args, "-w", ws)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
