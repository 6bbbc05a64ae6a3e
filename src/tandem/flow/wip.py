"""Work in progress per day, and aging WIP.

An item is in progress from its first ``active`` event (started) until its last ``done`` event,
or its last ``canceled`` event when never done (finished). WIP of a day = items started at or
before the end of that UTC day and not finished by then. Items never started are not WIP.

Aging WIP lists the items open at "now" (the whole log's last timestamp, :meth:`FlowEngine.now`):
age = now − started,
and the time in the current stage (the activity of the item's last event) against the history
of that stage — completed visits (:func:`tandem.flow.states.state_visits`) — as a zone:
``<P50``, ``P50-P85`` or ``>P85`` (null when the stage has no history).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from tandem.flow.calendar import WorkCalendar, clock
from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.flow.states import historical_stage_seconds
from tandem.flow.throughput import days_between, last_day
from tandem.flow.timing import Item, item_facts


@dataclass(frozen=True)
class WipSeries:
    """Items in progress at the end of each day of the window."""

    days: list[dt.date]
    counts: list[int]
    n: int
    excluded: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "excluded": self.excluded,
            "days": len(self.days),
            "mean": float(np.mean(self.counts)) if self.counts else None,
            "max": max(self.counts) if self.counts else None,
            "last": self.counts[-1] if self.counts else None,
            "daily": [
                {"date": d.isoformat(), "wip": c}
                for d, c in zip(self.days, self.counts, strict=True)
            ],
        }


def wip_from_items(items: Sequence[Item], filters: Filters) -> WipSeries:
    """WIP per day from item facts computed with :func:`unwindowed` filters; the days run from
    ``filters.start`` (or the first start) to the day before ``filters.end`` (or the last event)."""
    excluded = {"never started": 0, "finished before it started": 0}
    starts: list[dt.datetime] = []
    ends: list[dt.datetime] = []
    for item in items:
        if item.started_at is None:
            excluded["never started"] += 1
            continue
        finished = item.finished_at
        if finished is not None and finished < item.started_at:
            excluded["finished before it started"] += 1
            continue
        starts.append(item.started_at)
        if finished is not None:
            ends.append(finished)
    starts.sort()
    ends.sort()
    first = (
        filters.start.astimezone(dt.UTC).date()
        if filters.start is not None
        else (min(starts).astimezone(dt.UTC).date() if starts else None)
    )
    latest = max((i.last_at for i in items), default=None)
    days = days_between(
        first, last_day(filters, latest.astimezone(dt.UTC).date() if latest else None)
    )
    counts = []
    for day in days:
        end_of_day = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
        counts.append(bisect.bisect_left(starts, end_of_day) - bisect.bisect_left(ends, end_of_day))
    return WipSeries(days=days, counts=counts, n=len(starts), excluded=excluded)


@dataclass(frozen=True)
class AgingItem:
    """One open item: its age, current stage and where its time in stage sits in history."""

    case_id: str
    item_type: str | None
    started_at: dt.datetime
    age_seconds: float
    stage: str
    stage_category: str
    time_in_stage_seconds: float
    stage_p50_seconds: float | None
    stage_p85_seconds: float | None
    stage_history: int
    percentile: float | None
    zone: str | None

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["started_at"] = self.started_at.isoformat()
        return data


@dataclass(frozen=True)
class AgingReport:
    """Open, started items at ``now``, oldest first."""

    now: dt.datetime | None
    items: list[AgingItem]
    excluded: dict[str, int]
    working_time: bool = False

    def to_dict(self) -> dict[str, Any]:
        zones = {"<P50": 0, "P50-P85": 0, ">P85": 0, "no history": 0}
        for item in self.items:
            zones[item.zone or "no history"] += 1
        return {
            "n": len(self.items),
            "excluded": self.excluded,
            "working_time": self.working_time,
            "now": self.now.isoformat() if self.now else None,
            "zones": zones,
            "items": [item.to_dict() for item in self.items],
        }


def zone_of(seconds: float, p50: float | None, p85: float | None) -> str | None:
    """``<P50``, ``P50-P85`` or ``>P85``; null without history."""
    if p50 is None or p85 is None:
        return None
    if seconds < p50:
        return "<P50"
    return "P50-P85" if seconds <= p85 else ">P85"


def aging_wip(
    *,
    engine: FlowEngine,
    filters: Filters,
    mapping: StatusMapping,
    items: Sequence[Item],
    calendar: WorkCalendar | None = None,
) -> AgingReport:
    """Each open started item's age and current stage, zoned by that stage's history.

    Ages, times in stage and the stage history are calendar time, or working time by
    ``calendar``.
    """
    measure = clock(calendar)
    now = engine.now(filters) if items else None
    excluded = {"finished": 0, "never started": 0}
    open_items: list[Item] = []
    for item in items:
        if item.finished_at is not None:
            excluded["finished"] += 1
        elif item.started_at is None:
            excluded["never started"] += 1
        else:
            open_items.append(item)
    if now is None or not open_items:
        return AgingReport(now=now, items=[], excluded=excluded, working_time=calendar is not None)
    # the stage's history is the whole log's (team and resource filters select items, they
    # do not pick the reference distribution), so a zone never depends on who asked
    history = historical_stage_seconds(
        engine,
        filters.without_people(),
        mapping,
        sorted({i.last_activity for i in open_items}),
        calendar,
    )
    # each stage's P50/P85 once (not once per item: a stage may hold thousands of open items)
    stage_percentiles = {
        stage: tuple(float(v) for v in np.percentile(past, [50, 85])) if len(past) else (None, None)
        for stage, past in history.items()
    }
    aging = []
    for item in open_items:
        assert item.started_at is not None  # open_items holds started items only
        past = history.get(item.last_activity, np.zeros(0))
        in_stage = measure(item.last_at, now)
        p50, p85 = stage_percentiles[item.last_activity]
        aging.append(
            AgingItem(
                case_id=item.case_id,
                item_type=item.item_type,
                started_at=item.started_at,
                age_seconds=measure(item.started_at, now),
                stage=item.last_activity,
                stage_category=item.last_category,
                time_in_stage_seconds=in_stage,
                stage_p50_seconds=p50,
                stage_p85_seconds=p85,
                stage_history=len(past),
                percentile=(
                    100.0 * int(np.searchsorted(past, in_stage, side="left")) / len(past)
                    if len(past)
                    else None
                ),
                zone=zone_of(in_stage, p50, p85),
            )
        )
    aging.sort(key=lambda a: (-a.age_seconds, a.case_id))
    return AgingReport(now=now, items=aging, excluded=excluded, working_time=calendar is not None)


def wip_per_day(engine: FlowEngine, filters: Filters, mapping: StatusMapping) -> WipSeries:
    """Items in progress at the end of each day of the window."""
    return wip_from_items(item_facts(engine, unwindowed(filters), mapping), filters)


def unwindowed(filters: Filters) -> Filters:
    """``filters`` without its time window: an item in progress through a window may have no
    event inside it, so WIP takes every item and applies the window to the days."""
    return replace(filters, start=None, end=None)
