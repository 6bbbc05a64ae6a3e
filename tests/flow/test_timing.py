"""Lead time, cycle time, SLE and working time on hand-computed logs."""

from __future__ import annotations

import datetime as dt
import doctest
from collections.abc import Iterator
from pathlib import Path

import pytest

from tandem.flow import mapping as mapping_module
from tandem.flow import timing as timing_module
from tandem.flow.calendar import WorkCalendar
from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.flow.timing import Distribution, item_facts, lead_and_cycle_times
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


def test_docstring_examples_hold() -> None:
    for module in (mapping_module, timing_module):
        assert doctest.testmod(module).failed == 0


def test_item_facts_use_the_last_done_and_flag_reopened(engine: FlowEngine) -> None:
    items = {i.case_id: i for i in item_facts(engine, Filters(), MAPPING)}
    assert {k: i.status for k, i in items.items()} == {
        "A": "done",
        "B": "done",
        "C": "done",
        "D": "open",
        "E": "canceled",
        "G": "done",
    }
    assert items["B"].done_at == at(3, 8)  # its last completion, not d1 11:00
    assert items["B"].reopened and not items["A"].reopened
    assert items["C"].started_at is None
    assert (items["D"].last_activity, items["D"].last_category) == ("Work", "active")


def test_lead_and_cycle_time_percentiles_and_exclusions(engine: FlowEngine) -> None:
    report = lead_and_cycle_times(engine=engine, filters=Filters(), mapping=MAPPING)
    # lead: A 24, G 25, B 48 h; cycle: A 23, G 24, B 47 h; C (lead 1 h) is never active, so
    # neither figure counts it: both run over the same items (cycle P50 <= lead P50)
    assert report.lead.n == 3
    assert report.lead.p50 == pytest.approx(25 * HOUR)
    assert report.lead.p85 == pytest.approx(41.1 * HOUR)
    assert report.lead.p95 == pytest.approx(45.7 * HOUR)
    assert report.lead.mean == pytest.approx(97 / 3 * HOUR)
    assert report.cycle.n == 3
    assert report.cycle.p50 == pytest.approx(24 * HOUR)
    assert report.cycle.p85 == pytest.approx(40.1 * HOUR)
    assert report.excluded == {"not done": 1, "canceled": 1, "done outside the window": 0}
    assert report.cycle_excluded == {"never active before done": 1}
    assert report.reopened == 1
    timings = {t.case_id: t for t in report.items}
    assert timings["C"].cycle_seconds is None
    assert timings["B"].cycle_seconds == 47 * HOUR

    data = report.to_dict(include_items=True)
    assert data["cycle_time"]["excluded"]["never active before done"] == 1
    assert data["lead_time"]["excluded"]["never active before done"] == 1
    assert data["lead_time"]["n"] == 3 and len(data["items"]) == 4  # the drill-down lists C


def test_sle_is_p85_cycle_time_per_item_type(engine: FlowEngine) -> None:
    report = lead_and_cycle_times(engine=engine, filters=Filters(), mapping=MAPPING)
    assert report.sle == {
        "bug": pytest.approx(23 * HOUR),
        "story": pytest.approx(43.55 * HOUR),
    }
    by_type = {row["item_type"]: row for row in report.to_dict()["by_item_type"]}
    assert by_type["bug"]["lead_time"]["n"] == 1  # C (never active) counts in neither
    assert by_type["bug"]["cycle_time"]["n"] == 1


def test_window_counts_items_done_in_it(engine: FlowEngine) -> None:
    # cases with an event on d2: A (done d2), B (done d3), D (open), E (canceled d2)
    window = Filters(start=at(2, 0), end=at(3, 0))
    report = lead_and_cycle_times(engine=engine, filters=window, mapping=MAPPING)
    assert [t.case_id for t in report.items] == ["A"]
    assert report.excluded == {"not done": 1, "canceled": 1, "done outside the window": 1}


def test_empty_window_gives_nulls_not_zeros(engine: FlowEngine) -> None:
    window = Filters(start=at(40, 0), end=at(41, 0))
    data = lead_and_cycle_times(engine=engine, filters=window, mapping=MAPPING).to_dict()
    assert data["lead_time"] == {
        "n": 0,
        "mean_seconds": None,
        "p50_seconds": None,
        "p85_seconds": None,
        "p95_seconds": None,
        "excluded": {
            "not done": 0,
            "canceled": 0,
            "done outside the window": 0,
            "never active before done": 0,
        },
    }
    assert data["by_item_type"] == []


def test_filters_item_type_and_bots(engine: FlowEngine) -> None:
    bugs = lead_and_cycle_times(
        engine=engine, filters=Filters(item_types=("bug",)), mapping=MAPPING
    )
    assert sorted(t.case_id for t in bugs.items) == ["A", "C"]
    # without bots G's Closed (by ci-bot) disappears: G is open
    humans = lead_and_cycle_times(
        engine=engine, filters=Filters(include_bots=False), mapping=MAPPING
    )
    assert sorted(t.case_id for t in humans.items) == ["A", "B", "C"]
    assert humans.excluded["not done"] == 2


def test_timestamp_ties_keep_file_order(tmp_path: Path) -> None:
    lake = new_lake(tmp_path)
    # T: Closed and Work share 10:00; in file order Work comes after Closed: the item is
    # reopened by nothing (same instant) and its first active is 10:00
    write_log(
        lake,
        [
            ("T", "Open", at(1, 8)),
            ("T", "Closed", at(1, 10)),
            ("T", "Work", at(1, 10)),
        ],
    )
    with FlowEngine(lake) as engine:
        (item,) = item_facts(engine, Filters(), MAPPING)
        assert (item.last_activity, item.reopened) == ("Work", False)
        report = lead_and_cycle_times(engine=engine, filters=Filters(), mapping=MAPPING)
    assert report.items[0].cycle_seconds == 0.0
    assert report.items[0].lead_seconds == 2 * HOUR


def test_distribution_of_one_value_and_none() -> None:
    assert Distribution.of([5.0]) == Distribution(1, 5.0, 5.0, 5.0, 5.0)
    assert Distribution.of([]).to_dict()["p50_seconds"] is None


# -- working time --------------------------------------------------------------------------------


def test_working_seconds_skip_nights_weekends_and_holidays() -> None:
    cal = WorkCalendar(holidays=frozenset({dt.date(2024, 3, 4)}))
    friday_4pm = at(1, 16)
    # Fri 16-17 (1 h), Sat, Sun, Mon holiday, Tue 9-16 (7 h)
    assert cal.seconds_between(friday_4pm, at(5, 16)) == 8 * HOUR
    assert cal.seconds_between(at(1, 6), at(1, 8)) == 0.0  # before opening
    assert cal.seconds_between(at(1, 12), at(1, 10)) == 0.0  # reversed


def test_working_seconds_in_the_team_time_zone() -> None:
    cal = WorkCalendar(timezone="Europe/Amsterdam")  # UTC+1 in March: 9-17 local = 8-16 UTC
    assert cal.seconds_between(at(1, 7), at(1, 20)) == 8 * HOUR
    assert cal.seconds_between(at(1, 15), at(1, 20)) == 1 * HOUR


def test_lead_time_in_working_time(engine: FlowEngine) -> None:
    report = lead_and_cycle_times(
        engine=engine, filters=Filters(), mapping=MAPPING, calendar=WorkCalendar()
    )
    timings = {t.case_id: t for t in report.items}
    assert timings["A"].lead_seconds == 8 * HOUR  # Fri 9:00 -> Sat 9:00: Fri 9-17
    assert timings["G"].lead_seconds == 9 * HOUR  # Mon 9:00 -> Tue 10:00: 8 h + 1 h
    assert timings["C"].lead_seconds == 0.0  # Fri 8:00 -> 9:00, before opening
    assert report.working_time and report.to_dict()["working_time"]
