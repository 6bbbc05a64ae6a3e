"""Lead time, cycle time and the service level expectation (SLE), per item.

An *item* is a case of the event selection. Its facts (:func:`item_facts`) come from its
categorised events, ordered by timestamp then source order:

- created = its first event; started = its first ``active`` event;
- done = its **last** ``done`` event (a reopened item — done, then active again — counts from its
  last completion); canceled = its last ``canceled`` event when it was never done.

lead time = done − created; cycle time = done − started. Items done in the window
(``Filters.start <= done < Filters.end``) and active before done are measured, both figures over
the same items (so no percentile of cycle time exceeds the lead time's); every other item is
excluded with a reason.
Percentiles interpolate linearly between the closest ranks (NumPy's default, DuckDB's
``quantile_cont``). Durations are calendar seconds unless a :class:`WorkCalendar` is given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import ibis.expr.types as ir
import numpy as np

from tandem.flow.calendar import WorkCalendar, clock
from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.mapping import StatusMapping, categorized_events

PERCENTILES = (50, 85, 95)


@dataclass(frozen=True)
class Distribution:
    """n, mean and P50/P85/P95 of some durations in seconds; all null when n = 0."""

    n: int
    mean: float | None
    p50: float | None
    p85: float | None
    p95: float | None

    @classmethod
    def of(cls, values: Sequence[float]) -> Distribution:
        """The distribution of ``values`` (linear interpolation between ranks).

        Examples
        --------
        >>> Distribution.of([1.0, 2.0, 3.0, 4.0]).p50
        2.5
        >>> Distribution.of([]).p85 is None
        True
        """
        if not values:
            return cls(0, None, None, None, None)
        data = np.asarray(values, dtype=float)
        p50, p85, p95 = (float(v) for v in np.percentile(data, PERCENTILES))
        return cls(len(values), float(data.mean()), p50, p85, p95)

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "mean_seconds": self.mean,
            "p50_seconds": self.p50,
            "p85_seconds": self.p85,
            "p95_seconds": self.p95,
        }


@dataclass(frozen=True)
class Item:
    """One item's flow facts (UTC); null when the item never reached that point."""

    case_id: str
    item_type: str | None
    source: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    done_at: dt.datetime | None
    canceled_at: dt.datetime | None
    last_at: dt.datetime
    last_activity: str
    last_category: str
    reopened: bool
    events: int

    @property
    def status(self) -> str:
        """done, canceled or open."""
        if self.done_at is not None:
            return "done"
        return "canceled" if self.canceled_at is not None else "open"

    @property
    def finished_at(self) -> dt.datetime | None:
        return self.done_at or self.canceled_at


def item_facts_table(engine: FlowEngine, filters: Filters, mapping: StatusMapping) -> ir.Table:
    """One row per case: the facts of :class:`Item`, as an Ibis table."""
    events = categorized_events(engine, filters, mapping)
    done = events.category == "done"
    facts = events.group_by("case_id").aggregate(
        item_type=events.item_type.max(),
        source=events.source.min(),
        created_at=events.timestamp.min(),
        started_at=events.timestamp.min(where=events.category == "active"),
        done_at=events.timestamp.max(where=done),
        canceled_at=events.timestamp.max(where=events.category == "canceled"),
        last_at=events.timestamp.max(),
        first_done_at=events.timestamp.min(where=done),
        last_pos=events.pos.max(),
        events=events.count(),
    )
    last = events.select(
        l_case=events.case_id,
        l_pos=events.pos,
        last_activity=events.activity,
        last_category=events.category,
    )
    with_last = facts.inner_join(
        last, [facts.case_id == last.l_case, facts.last_pos == last.l_pos]
    ).select(*(c for c in facts.columns if c != "first_done_at"), "last_activity", "last_category")
    # reopened: active work at a later instant than the first completion (ties are not a reopen)
    first_done = facts.select(r_case=facts.case_id, r_first_done=facts.first_done_at)
    after = events.inner_join(first_done, events.case_id == first_done.r_case)
    reopened = (
        after.filter((after.category == "active") & (after.timestamp > after.r_first_done))
        .select(o_case=after.case_id)
        .distinct()
    )
    result = with_last.left_join(reopened, with_last.case_id == reopened.o_case)
    return result.select(*with_last.columns, reopened=result.o_case.notnull())


def item_facts(engine: FlowEngine, filters: Filters, mapping: StatusMapping) -> list[Item]:
    """Every item of the selection with its facts, ordered by case id."""
    table = item_facts_table(engine, filters, mapping).order_by("case_id")
    return [
        Item(
            case_id=row["case_id"],
            item_type=row["item_type"],
            source=row["source"],
            created_at=row["created_at"],
            started_at=row["started_at"],
            done_at=row["done_at"],
            canceled_at=row["canceled_at"],
            last_at=row["last_at"],
            last_activity=row["last_activity"],
            last_category=row["last_category"],
            reopened=bool(row["reopened"]),
            events=int(row["events"]),
        )
        for row in engine.backend.to_pyarrow(table).to_pylist()
    ]


def in_window(instant: dt.datetime, filters: Filters) -> bool:
    """Whether ``instant`` lies in ``[filters.start, filters.end)``."""
    if filters.start is not None and instant < filters.start:
        return False
    return filters.end is None or instant < filters.end


def done_in_window(items: Sequence[Item], filters: Filters) -> tuple[list[Item], dict[str, int]]:
    """The items done inside the window, and the others counted by why they are left out."""
    excluded = {"not done": 0, "canceled": 0, "done outside the window": 0}
    done: list[Item] = []
    for item in items:
        if item.done_at is None:
            excluded["canceled" if item.canceled_at is not None else "not done"] += 1
        elif not in_window(item.done_at, filters):
            excluded["done outside the window"] += 1
        else:
            done.append(item)
    return done, excluded


# -- lead and cycle time -------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemTiming:
    """Lead and cycle time of one item (null when unknown)."""

    case_id: str
    item_type: str | None
    done_at: dt.datetime
    lead_seconds: float
    cycle_seconds: float | None
    reopened: bool


@dataclass(frozen=True)
class TimingReport:
    """Lead and cycle time of the items done in the window, overall and per item type."""

    lead: Distribution
    cycle: Distribution
    lead_by_type: dict[str | None, Distribution]
    cycle_by_type: dict[str | None, Distribution]
    excluded: dict[str, int]
    cycle_excluded: dict[str, int]
    reopened: int
    working_time: bool
    items: list[ItemTiming] = field(default_factory=list)

    @property
    def sle(self) -> dict[str | None, float | None]:
        """Service level expectation: P85 cycle time per item type."""
        return {item_type: dist.p85 for item_type, dist in self.cycle_by_type.items()}

    def to_dict(self, *, include_items: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "working_time": self.working_time,
            "lead_time": {
                **self.lead.to_dict(),
                "excluded": {**self.excluded, **self.cycle_excluded},
            },
            "cycle_time": {
                **self.cycle.to_dict(),
                "excluded": {**self.excluded, **self.cycle_excluded},
            },
            "reopened_items": self.reopened,
            "by_item_type": [
                {
                    "item_type": item_type,
                    "lead_time": self.lead_by_type[item_type].to_dict(),
                    "cycle_time": self.cycle_by_type[item_type].to_dict(),
                    "sle_p85_cycle_seconds": self.cycle_by_type[item_type].p85,
                }
                for item_type in sorted(self.lead_by_type, key=lambda t: (t is None, t or ""))
            ],
        }
        if include_items:
            data["items"] = [
                {
                    "case_id": i.case_id,
                    "item_type": i.item_type,
                    "done_at": i.done_at.isoformat(),
                    "lead_seconds": i.lead_seconds,
                    "cycle_seconds": i.cycle_seconds,
                    "reopened": i.reopened,
                }
                for i in self.items
            ]
        return data


def timing_from_items(
    items: Sequence[Item], filters: Filters, calendar: WorkCalendar | None = None
) -> TimingReport:
    """Lead and cycle time from already computed item facts (see :func:`lead_and_cycle_times`)."""
    measure = clock(calendar)
    done, excluded = done_in_window(items, filters)
    cycle_excluded = {"never active before done": 0}
    timings: list[ItemTiming] = []
    for item in done:
        assert item.done_at is not None
        cycle: float | None = None
        if item.started_at is not None and item.started_at <= item.done_at:
            cycle = measure(item.started_at, item.done_at)
        else:
            cycle_excluded["never active before done"] += 1
        timings.append(
            ItemTiming(
                case_id=item.case_id,
                item_type=item.item_type,
                done_at=item.done_at,
                lead_seconds=measure(item.created_at, item.done_at),
                cycle_seconds=cycle,
                reopened=item.reopened,
            )
        )
    # lead and cycle time over the same items (those with both), so P50 cycle <= P50 lead
    measured = [t for t in timings if t.cycle_seconds is not None]
    types = sorted({t.item_type for t in timings}, key=lambda t: (t is None, t or ""))
    return TimingReport(
        lead=Distribution.of([t.lead_seconds for t in measured]),
        cycle=Distribution.of([t.cycle_seconds for t in measured if t.cycle_seconds is not None]),
        lead_by_type={
            k: Distribution.of([t.lead_seconds for t in measured if t.item_type == k])
            for k in types
        },
        cycle_by_type={
            k: Distribution.of(
                [
                    t.cycle_seconds
                    for t in timings
                    if t.item_type == k and t.cycle_seconds is not None
                ]
            )
            for k in types
        },
        excluded=excluded,
        cycle_excluded=cycle_excluded,
        reopened=sum(t.reopened for t in timings),
        working_time=calendar is not None,
        items=timings,
    )


def lead_and_cycle_times(
    *,
    engine: FlowEngine,
    filters: Filters,
    mapping: StatusMapping,
    calendar: WorkCalendar | None = None,
) -> TimingReport:
    """Lead and cycle time of every item done in the window, P50/P85/P95, SLE and exclusions."""
    return timing_from_items(item_facts(engine, filters, mapping), filters, calendar)
