"""WIP per day and aging WIP on the hand-computed log."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tandem.flow.calendar import WorkCalendar
from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.flow.timing import item_facts
from tandem.flow.wip import aging_wip, wip_per_day, zone_of
from tests.flow.logs import HOUR, at, new_lake, the_lake

MAPPING = StatusMapping()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[FlowEngine]:
    with FlowEngine(the_lake(tmp_path)) as flow:
        yield flow


def test_wip_at_the_end_of_each_day(engine: FlowEngine) -> None:
    series = wip_per_day(engine, Filters(), MAPPING)
    # started: B, E d1 9:00, A d1 10:00, D d2 10:00, G d4 10:00; C never started
    # finished: A d2 9:00, E d2 12:00 (canceled), B d3 8:00 (last done: WIP while reopened),
    # G d5 10:00
    assert series.days == [at(d, 0).date() for d in range(1, 6)]
    assert series.counts == [3, 2, 1, 2, 1]
    assert series.n == 5
    assert series.excluded == {"never started": 1, "finished before it started": 0}
    data = series.to_dict()
    assert (data["last"], data["max"], data["mean"]) == (1, 3, pytest.approx(9 / 5))


def test_wip_window_counts_items_without_events_in_it(engine: FlowEngine) -> None:
    # D has no event on d3 or d4 but is in progress on both
    assert wip_per_day(engine, Filters(start=at(3, 0), end=at(5, 0)), MAPPING).counts == [1, 2]
    before = wip_per_day(engine, Filters(start=at(-9, 0), end=at(-7, 0)), MAPPING)
    assert before.counts == [0, 0]
    after = wip_per_day(engine, Filters(start=at(40, 0), end=at(42, 0)), MAPPING)
    assert after.counts == [1, 1]  # D never finished


def test_aging_wip_zones_the_open_item_by_its_stage_history(engine: FlowEngine) -> None:
    items = item_facts(engine, Filters(), MAPPING)
    report = aging_wip(engine=engine, filters=Filters(), mapping=MAPPING, items=items)
    assert report.now == at(5, 10)
    (d,) = report.items
    # D: started d2 10:00, in Work since then; Work's completed visits: 2, 20, 24, 27 h
    assert (d.case_id, d.stage, d.stage_category) == ("D", "Work", "active")
    assert d.age_seconds == d.time_in_stage_seconds == 72 * HOUR
    assert d.stage_history == 4
    assert d.stage_p50_seconds == pytest.approx(22 * HOUR)
    assert d.stage_p85_seconds == pytest.approx(25.65 * HOUR)
    assert (d.zone, d.percentile) == (">P85", 100.0)
    data = report.to_dict()
    assert data["zones"] == {"<P50": 0, "P50-P85": 0, ">P85": 1, "no history": 0}
    assert data["excluded"] == {"finished": 5, "never started": 0}


def test_aging_wip_in_working_time(engine: FlowEngine) -> None:
    items = item_facts(engine, Filters(), MAPPING)
    report = aging_wip(
        engine=engine, filters=Filters(), mapping=MAPPING, items=items, calendar=WorkCalendar()
    )
    (d,) = report.items
    # D: in Work from Saturday d2 10:00 to Tuesday d5 10:00 = Monday 8 h + Tuesday 1 h;
    # Work's completed visits in working time: B 2, A 4, E 8, G 8 h
    assert d.age_seconds == d.time_in_stage_seconds == 9 * HOUR
    assert d.stage_p50_seconds == pytest.approx(6 * HOUR)
    assert d.stage_p85_seconds == pytest.approx(8 * HOUR)
    assert (d.zone, d.percentile) == (">P85", 100.0)
    assert report.to_dict()["working_time"] is True


def test_aging_without_history_has_no_zone(tmp_path: Path) -> None:
    from tests.flow.logs import write_log

    lake = new_lake(tmp_path)
    write_log(lake, [("X", "Open", at(1, 8)), ("X", "Build", at(1, 9)), ("Y", "Open", at(1, 12))])
    with FlowEngine(lake) as engine:
        items = item_facts(engine, Filters(), MAPPING)
        report = aging_wip(engine=engine, filters=Filters(), mapping=MAPPING, items=items)
    (x,) = report.items
    assert (x.stage, x.zone, x.percentile, x.stage_p50_seconds) == ("Build", None, None, None)
    assert x.age_seconds == 3 * HOUR
    assert report.excluded == {"finished": 0, "never started": 1}


@pytest.mark.parametrize(
    ("seconds", "zone"), [(1.0, "<P50"), (2.0, "P50-P85"), (3.0, "P50-P85"), (3.5, ">P85")]
)
def test_zone_bounds(seconds: float, zone: str) -> None:
    assert zone_of(seconds, 2.0, 3.0) == zone
