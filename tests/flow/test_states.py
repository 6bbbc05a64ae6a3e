"""Time in state, flow efficiency and rework on hand-computed logs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tandem.flow.calendar import WorkCalendar
from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.flow.states import flow_efficiency, rework, state_visits, time_in_state
from tandem.flow.timing import item_facts
from tests.flow.logs import (
    HOUR,
    at,
    new_lake,
    the_lake,
    write_log,
)

MAPPING = StatusMapping()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[FlowEngine]:
    with FlowEngine(the_lake(tmp_path)) as flow:
        yield flow


def test_time_in_state_per_activity_and_category(engine: FlowEngine) -> None:
    report = time_in_state(engine=engine, filters=Filters(), mapping=MAPPING)
    rows = {row.state: row for row in report.activities}
    # Work: A 20, B 2, E 27, G 24 h and D's ongoing 72 h (to now = d5 10:00)
    work = rows["Work"]
    assert (work.visits, work.ongoing, work.cases) == (5, 1, 5)
    assert work.total_seconds == 145 * HOUR
    assert work.p50_seconds == 24 * HOUR
    # Open: 1 h five times, D's 26 h; the done state between B's two completions: 21 h
    assert rows["Open"].total_seconds == 31 * HOUR and rows["Open"].p50_seconds == HOUR
    assert rows["Closed"].total_seconds == 21 * HOUR
    assert rows["Reopen"].total_seconds == 24 * HOUR
    categories = {row.state: row.total_seconds for row in report.categories}
    assert categories == {
        "active": 171 * HOUR,
        "new": 31 * HOUR,
        "done": 21 * HOUR,
        "waiting": 1 * HOUR,
    }
    assert report.now == at(5, 10)
    assert report.n == 15
    assert report.excluded == {"last event of a finished item": 5}


def test_time_in_state_in_working_time(engine: FlowEngine) -> None:
    calendar = WorkCalendar()  # Monday–Friday 9–17 UTC; d1 is a Friday, d2–d3 the weekend
    report = time_in_state(engine=engine, filters=Filters(), mapping=MAPPING, calendar=calendar)
    work = {row.state: row for row in report.activities}["Work"]
    # A Fri 13–17 = 4 h; B 2 h; E Fri 9–17 = 8 h; G Mon 10–17 + Tue 9–10 = 8 h;
    # D (ongoing) Sat, Sun, Mon 8 h, Tue 9–10 = 9 h
    assert (work.visits, work.ongoing, work.cases) == (5, 1, 5)
    assert work.total_seconds == 31 * HOUR
    assert work.p50_seconds == 8 * HOUR
    assert work.mean_seconds == 31 * HOUR / 5
    assert report.to_dict()["working_time"] is True
    by_category = sum(row.total_seconds for row in report.categories)
    assert by_category == sum(row.total_seconds for row in report.activities)


def test_timestamp_ties_keep_file_order(tmp_path: Path) -> None:
    lake = new_lake(tmp_path)
    write_log(
        lake,
        [
            ("T", "Work", at(1, 10)),
            ("T", "Review", at(1, 10)),
            ("T", "Closed", at(1, 12)),
            ("U", "Review", at(1, 10)),
            ("U", "Work", at(1, 10)),
            ("U", "Closed", at(1, 12)),
        ],
    )
    with FlowEngine(lake) as engine:
        visits = engine.backend.to_pyarrow(
            state_visits(engine, Filters(), MAPPING).order_by(["case_id", "pos"])
        ).to_pylist()
    assert [(v["case_id"], v["activity"], v["seconds"]) for v in visits] == [
        ("T", "Work", 0.0),
        ("T", "Review", 2 * HOUR),
        ("U", "Review", 0.0),
        ("U", "Work", 2 * HOUR),
    ]


def test_empty_selection(engine: FlowEngine) -> None:
    window = Filters(start=at(40, 0), end=at(41, 0))
    report = time_in_state(engine=engine, filters=window, mapping=MAPPING)
    assert report.to_dict() == {
        "n": 0,
        "excluded": {"last event of a finished item": 0},
        "working_time": False,
        "now": None,
        "activities": [],
        "categories": [],
    }
    items = item_facts(engine, window, MAPPING)
    efficiency = flow_efficiency(engine=engine, filters=window, mapping=MAPPING, items=items)
    assert efficiency.overall is None
    assert efficiency.to_dict()["per_item"]["p50"] is None


def test_flow_efficiency_counts_time_up_to_the_last_done(engine: FlowEngine) -> None:
    items = item_facts(engine, Filters(), MAPPING)
    report = flow_efficiency(engine=engine, filters=Filters(), mapping=MAPPING, items=items)
    # A: active 22 h (Start 2, Work 20), waiting 1 h; B: active 26 h (Work 2, Reopen 24);
    # G: active 24 h; C has only new time
    assert report.per_item == {
        "A": pytest.approx(22 / 23),
        "B": pytest.approx(1.0),
        "G": pytest.approx(1.0),
    }
    assert report.overall == pytest.approx(72 / 73)
    assert report.excluded == {
        "not done": 1,
        "canceled": 1,
        "done outside the window": 0,
        "no active or waiting time": 1,
    }
    assert report.to_dict()["n"] == 3


def test_rework_self_loops_and_returns(tmp_path: Path) -> None:
    lake = new_lake(tmp_path)
    acts = ["a", "b", "b", "c", "a", "b"]
    write_log(
        lake,
        [("R", act, at(1, 8 + i)) for i, act in enumerate(acts)] + [("S", "a", at(1, 8))],
    )
    with FlowEngine(lake) as engine:
        report = rework(engine=engine, filters=Filters(), mapping=MAPPING)
    assert {r.activity: (r.self_loops, r.returns) for r in report.activities} == {
        "b": (1, 1),
        "a": (0, 1),
    }
    assert (report.items_with_rework, report.n) == (1, 2)
    assert report.to_dict()["share"] == 0.5


def test_reopen_is_a_return_to_done(engine: FlowEngine) -> None:
    report = rework(engine=engine, filters=Filters(), mapping=MAPPING)
    assert {r.activity: (r.self_loops, r.returns) for r in report.activities} == {"Closed": (0, 1)}
