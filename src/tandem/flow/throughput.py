"""Throughput: items done per day and per ISO week, zero days included.

An item counts once, on the UTC day of its done time (its *last* done event, see
:mod:`tandem.flow.timing`). The series runs over the window: from ``Filters.start`` (or the first
done day) to the day before ``Filters.end`` (or the selection's last event day), every day present.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tandem.errors import InputError
from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.flow.timing import Item, done_in_window, item_facts


@dataclass(frozen=True)
class ThroughputSeries:
    """Items done per day over the window (zero days included)."""

    days: list[dt.date]
    counts: list[int]
    n: int
    excluded: dict[str, int]

    def weekly(self) -> list[tuple[str, int]]:
        """``(ISO week "YYYY-Www", items done)`` for every week the window touches."""
        weeks: dict[str, int] = {}
        for day, count in zip(self.days, self.counts, strict=True):
            year, week, _ = day.isocalendar()
            key = f"{year}-W{week:02d}"
            weeks[key] = weeks.get(key, 0) + count
        return list(weeks.items())

    def to_dict(self) -> dict[str, Any]:
        days = len(self.days)
        return {
            "n": self.n,
            "excluded": self.excluded,
            "days": days,
            "per_day_mean": self.n / days if days else None,
            "zero_days": sum(1 for c in self.counts if c == 0),
            "daily": [
                {"date": d.isoformat(), "count": c}
                for d, c in zip(self.days, self.counts, strict=True)
            ],
            "weekly": [{"week": w, "count": c} for w, c in self.weekly()],
        }


def last_day(filters: Filters, fallback: dt.date | None) -> dt.date | None:
    """The last day of the window: the day before ``end`` (exclusive) or ``fallback``."""
    if filters.end is not None:
        return (filters.end.astimezone(dt.UTC) - dt.timedelta(microseconds=1)).date()
    return fallback


def days_between(first: dt.date | None, last: dt.date | None) -> list[dt.date]:
    """Every day from ``first`` to ``last`` inclusive (empty when either is unknown)."""
    if first is None or last is None or last < first:
        return []
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def throughput_from_items(items: Sequence[Item], filters: Filters) -> ThroughputSeries:
    """The daily series from already computed item facts."""
    done, excluded = done_in_window(items, filters)
    done_days = Counter(item.done_at.astimezone(dt.UTC).date() for item in done if item.done_at)
    first = (
        filters.start.astimezone(dt.UTC).date()
        if filters.start is not None
        else min(done_days, default=None)
    )
    latest = max((i.last_at for i in items), default=None)
    last = last_day(filters, latest.astimezone(dt.UTC).date() if latest else None)
    days = days_between(first, last)
    return ThroughputSeries(
        days=days,
        counts=[done_days.get(day, 0) for day in days],
        n=sum(done_days.values()),
        excluded=excluded,
    )


def daily_throughput(
    engine: FlowEngine, filters: Filters, mapping: StatusMapping
) -> ThroughputSeries:
    """Items done per day over the window, zero days included (the forecasts resample it)."""
    return throughput_from_items(item_facts(engine, filters, mapping), filters)


def history_window(
    flow: FlowEngine, filters: Filters, history_days: int
) -> tuple[dt.datetime, dt.datetime]:
    """``[start, end)`` of a forecast's (and the flow panel's throughput) history: the window's
    end, or the day after the whole log's last event (:meth:`FlowEngine.now`, the same for every
    team), back ``history_days`` days (or from the window's start)."""
    end = filters.end
    if end is None:
        value = flow.now(filters)
        if value is None:
            raise InputError("no events in the selection: nothing to forecast from")
        day = value.date() + dt.timedelta(days=1)
        end = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    start = filters.start or end - dt.timedelta(days=history_days)
    if start >= end:
        raise InputError("the window's start must be before the end of the history")
    return start, end
