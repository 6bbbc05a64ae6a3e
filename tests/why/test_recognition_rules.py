"""The pure rules of recognition: a reached key result and a removed bottleneck."""

from __future__ import annotations

import datetime as dt

from tandem.why.recognition.rules import Wait, days_back, reached, removed_bottlenecks, top_waits


def test_a_target_is_reached_on_its_better_side_and_an_unknown_value_reaches_nothing() -> None:
    assert reached(value=5.0, target=5.0, direction="down")
    assert reached(value=4.9, target=5.0, direction="down")
    assert not reached(value=5.1, target=5.0, direction="down")
    assert reached(value=10.0, target=8.0, direction="up")
    assert not reached(value=7.9, target=8.0, direction="up")
    assert not reached(value=None, target=8.0, direction="up")


def test_a_bottleneck_is_removed_when_its_wait_falls_by_at_least_half() -> None:
    before = [
        Wait("edge", "a → b", 100.0),
        Wait("activity", "b", 80.0),
        Wait("edge", "b → c", 60.0),
        Wait("activity", "c", 40.0),
    ]
    now = {("edge", "a → b"): 50.0, ("activity", "b"): 41.0, ("activity", "c"): 0.0}
    found = removed_bottlenecks(before, now)
    # exactly half counts; 41 of 80 does not; an edge with no wait left (absent) counts
    assert [(r.kind, r.name, r.rank) for r in found] == [
        ("edge", "a → b", 1),
        ("edge", "b → c", 3),
        ("activity", "c", 4),
    ]
    assert found[0].fall == 0.5
    assert found[1].after_seconds == 0.0


def test_only_the_previous_periods_top_five_are_candidates() -> None:
    before = [Wait("edge", f"s{i} → t", float(100 - i)) for i in range(7)]
    assert [w.name for w in top_waits(before)] == [f"s{i} → t" for i in range(5)]
    found = removed_bottlenecks(before, {})
    assert len(found) == 5
    assert "s5 → t" not in {r.name for r in found}
    assert removed_bottlenecks([Wait("edge", "x → y", 0.0)], {}) == []  # no wait, no bottleneck


def test_a_period_of_days_ends_on_its_last_day_included() -> None:
    first, start, end = days_back(dt.date(2024, 3, 14), 14)
    assert first == dt.date(2024, 3, 1)
    assert start == dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
    assert end == dt.datetime(2024, 3, 15, tzinfo=dt.UTC)
