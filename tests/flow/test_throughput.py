"""Throughput per day and per ISO week, zero days included, on the hand-computed log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.flow.throughput import daily_throughput
from tests.flow.logs import at, new_lake, the_lake

MAPPING = StatusMapping()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[FlowEngine]:
    with FlowEngine(the_lake(tmp_path)) as flow:
        yield flow


def days(first: int, last: int) -> list[dt.date]:
    return [at(d, 0).date() for d in range(first, last + 1)]


def test_items_count_on_their_last_done_day_with_zero_days(engine: FlowEngine) -> None:
    series = daily_throughput(engine, Filters(), MAPPING)
    # C d1, A d2, B d3 (its last done; its first was d1), nothing d4, G d5
    assert series.days == days(1, 5)
    assert series.counts == [1, 1, 1, 0, 1]
    assert series.n == 4
    assert series.excluded == {"not done": 1, "canceled": 1, "done outside the window": 0}
    assert series.weekly() == [("2024-W09", 3), ("2024-W10", 1)]
    data = series.to_dict()
    assert data["zero_days"] == 1
    assert data["per_day_mean"] == pytest.approx(4 / 5)


def test_window_bounds_the_series_and_keeps_zero_days(engine: FlowEngine) -> None:
    series = daily_throughput(engine, Filters(start=at(2, 0), end=at(5, 0)), MAPPING)
    assert series.days == days(2, 4)  # end is exclusive
    assert series.counts == [1, 1, 0]  # A d2, B d3
    assert series.excluded["done outside the window"] == 1  # G: events on d4, done d5


def test_empty_window_is_all_zero_days(engine: FlowEngine) -> None:
    series = daily_throughput(engine, Filters(start=at(40, 0), end=at(43, 0)), MAPPING)
    assert series.counts == [0, 0, 0] and series.n == 0
    assert series.to_dict()["weekly"] == [{"week": "2024-W15", "count": 0}]


def test_empty_lake_has_no_days(tmp_path: Path) -> None:
    with FlowEngine(new_lake(tmp_path)) as engine:
        series = daily_throughput(engine, Filters(), MAPPING)
    assert (series.days, series.counts, series.n) == ([], [], 0)
    assert series.to_dict()["per_day_mean"] is None


def test_filters_apply(engine: FlowEngine) -> None:
    stories = daily_throughput(engine, Filters(item_types=("story",)), MAPPING)
    assert dict(zip(stories.days, stories.counts, strict=True)) == {
        at(3, 0).date(): 1,
        at(4, 0).date(): 0,
        at(5, 0).date(): 1,
    }
    no_bots = daily_throughput(engine, Filters(include_bots=False), MAPPING)
    assert no_bots.n == 3  # G's Closed was by ci-bot
    # the selection now ends with G's Work on d4, so does the series
    assert no_bots.days == days(1, 4) and no_bots.counts == [1, 1, 1, 0]
