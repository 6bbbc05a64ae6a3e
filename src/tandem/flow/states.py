"""Time in state, flow efficiency and rework.

A *visit* is one event of a case and the time until the case's next event (by timestamp, then
source order), attributed to the state that event entered (its activity, and its category).
A finished item's (done or canceled) last event ends its flow: no visit. An open item's last
visit is *ongoing* and runs to "now" — the last timestamp of the selection, so a report on an old
log does not grow with the wall clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from tandem.flow.calendar import WorkCalendar
from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.mapping import StatusMapping, categorized_events
from tandem.flow.timing import Item, done_in_window

_MICROS = 1_000_000.0


def scalar(engine: FlowEngine, expr: ir.Scalar) -> Any:
    """The Python value of a scalar expression (through Arrow, not pandas)."""
    return engine.backend.to_pyarrow(expr).as_py()


def selection_now(engine: FlowEngine, filters: Filters) -> dt.datetime | None:
    """The "now" of open items: the selection's last timestamp (null when it is empty)."""
    value: dt.datetime | None = scalar(engine, engine.events(filters).timestamp.max())
    return value


def state_visits(
    engine: FlowEngine, filters: Filters, mapping: StatusMapping, now: dt.datetime | None = None
) -> ir.Table:
    """One row per visit: case_id, item_type, activity, category, timestamp, pos, seconds,
    until (the visit's end: the next event, or now), ongoing, and ``before_done`` (the visit
    started before the case's last done event)."""
    events = categorized_events(engine, filters, mapping)
    now = now or selection_now(engine, filters) or dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    order = ibis.window(group_by="case_id", order_by=["timestamp", "ordinal"])
    whole = ibis.window(group_by="case_id")
    finished = events.category.isin(["done", "canceled"])
    marked = events.mutate(
        next_at=events.timestamp.lead().over(order),
        finished=finished.any().over(whole),
        done_pos=events.pos.max(where=events.category == "done").over(whole),
    )
    ongoing = marked.next_at.isnull() & ~marked.finished
    until = ongoing.ifelse(ibis.literal(now), marked.next_at)
    visits = marked.filter(marked.next_at.notnull() | ongoing)
    visits = visits.mutate(
        seconds=until.delta(marked.timestamp, unit="microsecond") / _MICROS,
        until=until,
        ongoing=ongoing,
        before_done=marked.done_pos.notnull() & (marked.pos < marked.done_pos),
    )
    return visits.select(
        "case_id",
        "item_type",
        "activity",
        "category",
        "timestamp",
        "pos",
        "seconds",
        "until",
        "ongoing",
        "before_done",
    )


# -- time in state -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StateRow:
    """Time spent in one state over all visits (ongoing visits run to now)."""

    state: str
    category: str
    visits: int
    ongoing: int
    cases: int
    total_seconds: float
    mean_seconds: float | None
    p50_seconds: float | None
    p85_seconds: float | None
    p95_seconds: float | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class TimeInStateReport:
    """Time in state per activity and per category."""

    activities: list[StateRow]
    categories: list[StateRow]
    working_time: bool
    now: dt.datetime | None
    n: int
    excluded: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "excluded": self.excluded,
            "working_time": self.working_time,
            "now": self.now.isoformat() if self.now else None,
            "activities": [row.to_dict() for row in self.activities],
            "categories": [row.to_dict() for row in self.categories],
        }


def _state_rows(engine: FlowEngine, visits: ir.Table, by: str) -> list[StateRow]:
    grouped = visits.group_by(by).aggregate(
        category=visits.category.max(),
        visits=visits.count(),
        ongoing=visits.ongoing.sum(),
        cases=visits.case_id.nunique(),
        total_seconds=visits.seconds.sum(),
        mean_seconds=visits.seconds.mean(),
        p50_seconds=visits.seconds.quantile(0.50),
        p85_seconds=visits.seconds.quantile(0.85),
        p95_seconds=visits.seconds.quantile(0.95),
    )
    rows = engine.backend.to_pyarrow(grouped.order_by([ibis.desc("total_seconds"), by])).to_pylist()
    return [
        StateRow(
            state=row[by],
            category=row["category"],
            visits=int(row["visits"]),
            ongoing=int(row["ongoing"] or 0),
            cases=int(row["cases"]),
            total_seconds=float(row["total_seconds"]),
            mean_seconds=row["mean_seconds"],
            p50_seconds=row["p50_seconds"],
            p85_seconds=row["p85_seconds"],
            p95_seconds=row["p95_seconds"],
        )
        for row in rows
    ]


def visit_working_seconds(visits: pa.Table, calendar: WorkCalendar) -> npt.NDArray[np.float64]:
    """Each visit's ``[timestamp, until)`` in working time by ``calendar``."""
    starts, ends = visits["timestamp"].to_pylist(), visits["until"].to_pylist()
    return np.array(
        [calendar.seconds_between(start, end) for start, end in zip(starts, ends, strict=True)],
        dtype=np.float64,
    )


def _working_state_rows(table: pa.Table, seconds: np.ndarray, by: str) -> list[StateRow]:
    """:func:`_state_rows` over visits measured in Python (same fields, same order)."""
    keys = table[by].to_pylist()
    categories = table["category"].to_pylist()
    ongoing = table["ongoing"].to_pylist()
    cases = table["case_id"].to_pylist()
    groups: dict[str, list[int]] = {}
    for index, key in enumerate(keys):
        groups.setdefault(key, []).append(index)
    rows = []
    for key, members in groups.items():
        values = seconds[members]
        rows.append(
            StateRow(
                state=key,
                category=max(categories[i] for i in members),
                visits=len(members),
                ongoing=sum(bool(ongoing[i]) for i in members),
                cases=len({cases[i] for i in members}),
                total_seconds=float(values.sum()),
                mean_seconds=float(values.mean()),
                p50_seconds=float(np.quantile(values, 0.50)),
                p85_seconds=float(np.quantile(values, 0.85)),
                p95_seconds=float(np.quantile(values, 0.95)),
            )
        )
    rows.sort(key=lambda row: (-row.total_seconds, row.state))
    return rows


def time_in_state(
    *,
    engine: FlowEngine,
    filters: Filters,
    mapping: StatusMapping,
    calendar: WorkCalendar | None = None,
) -> TimeInStateReport:
    """Time spent per activity and per category, with visits, ongoing visits and percentiles.

    Calendar time by default; with ``calendar``, each visit is measured in working time (the
    visits come back to Python for the clock, then are aggregated with numpy).
    """
    now = selection_now(engine, filters)
    visits = state_visits(engine, filters, mapping, now)
    events = engine.events(filters)
    n_events = int(scalar(engine, events.count()))
    n_visits = int(scalar(engine, visits.count()))
    if calendar is None:
        activities = _state_rows(engine, visits, "activity")
        categories = _state_rows(engine, visits.mutate(state=visits.category), "state")
    else:
        table = engine.backend.to_pyarrow(
            visits.select("case_id", "activity", "category", "timestamp", "until", "ongoing")
        )
        seconds = visit_working_seconds(table, calendar)
        activities = _working_state_rows(table, seconds, "activity")
        categories = _working_state_rows(table, seconds, "category")
    return TimeInStateReport(
        activities=activities,
        categories=categories,
        working_time=calendar is not None,
        now=now,
        n=n_visits,
        excluded={"last event of a finished item": n_events - n_visits},
    )


def historical_stage_seconds(
    engine: FlowEngine,
    filters: Filters,
    mapping: StatusMapping,
    activities: list[str],
    calendar: WorkCalendar | None = None,
) -> dict[str, npt.NDArray[np.float64]]:
    """Durations of the completed (not ongoing) visits of each of ``activities``, sorted.

    In working time by ``calendar`` when given. The visits come back as Arrow columns and are
    split per activity with numpy (no Python object per visit, except for the working-time
    clock).
    """
    if not activities:
        return {}
    visits = state_visits(engine, filters, mapping)
    done = visits.filter(~visits.ongoing & visits.activity.isin(activities))
    columns = ["activity", "seconds"] + (["timestamp", "until"] if calendar else [])
    table = engine.backend.to_pyarrow(done.select(*columns))
    if calendar is None:
        seconds = table["seconds"].to_numpy().astype(np.float64)
    else:
        seconds = visit_working_seconds(table, calendar)
    encoded = table["activity"].combine_chunks().dictionary_encode()
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    names = encoded.dictionary.to_pylist()
    order = np.lexsort((seconds, codes))
    bounds = np.searchsorted(codes[order], np.arange(len(names) + 1))
    found = {activity: np.zeros(0, dtype=np.float64) for activity in activities}
    for code, name in enumerate(names):
        found[name] = seconds[order[bounds[code] : bounds[code + 1]]]
    return found


# -- flow efficiency -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FlowEfficiencyReport:
    """active ÷ (active + waiting) time of items done in the window, per item and overall."""

    overall: float | None
    active_seconds: float
    waiting_seconds: float
    per_item: dict[str, float]
    excluded: dict[str, int]
    unknown: str | None = None  # why there is no figure at all (no waiting state mapped)

    @property
    def n(self) -> int:
        return len(self.per_item)

    def to_dict(self, *, include_items: bool = False) -> dict[str, Any]:
        ratios = list(self.per_item.values())
        quantiles = (
            [float(v) for v in np.percentile(ratios, [50, 85, 95])] if ratios else [None] * 3
        )
        data: dict[str, Any] = {
            "n": self.n,
            "excluded": self.excluded,
            "overall": self.overall,
            "unknown": self.unknown,
            "active_seconds": self.active_seconds,
            "waiting_seconds": self.waiting_seconds,
            "per_item": {
                "mean": float(np.mean(ratios)) if ratios else None,
                "p50": quantiles[0],
                "p85": quantiles[1],
                "p95": quantiles[2],
            },
        }
        if include_items:
            data["items"] = self.per_item
        return data


NO_WAITING = (
    "unknown — map waiting states: no activity of this selection is in the waiting category "
    '(set them in [flow.mapping.<source>] of tandem.toml, e.g. "In Review" = "waiting")'
)


def flow_efficiency(
    *, engine: FlowEngine, filters: Filters, mapping: StatusMapping, items: list[Item]
) -> FlowEfficiencyReport:
    """Flow efficiency of the items done in the window, counting time up to their last done.

    Unknown (no figure, :data:`NO_WAITING`) when no event of the selection maps to a ``waiting``
    state: every item would then look 100 % efficient.
    """
    visits = state_visits(engine, filters, mapping)
    waiting_visits = visits.filter(visits.category == "waiting").count()
    if engine.backend.to_pyarrow(waiting_visits).as_py() == 0:
        done, excluded = done_in_window(items, filters)
        excluded["no active or waiting time"] = 0
        return FlowEfficiencyReport(
            overall=None,
            active_seconds=0.0,
            waiting_seconds=0.0,
            per_item={},
            excluded=excluded,
            unknown=NO_WAITING,
        )
    counted = visits.filter(visits.before_done & visits.category.isin(["active", "waiting"]))
    per_case = counted.group_by("case_id").aggregate(
        active=counted.seconds.sum(where=counted.category == "active"),
        waiting=counted.seconds.sum(where=counted.category == "waiting"),
    )
    times = {
        row["case_id"]: (float(row["active"] or 0.0), float(row["waiting"] or 0.0))
        for row in engine.backend.to_pyarrow(per_case).to_pylist()
    }
    done, excluded = done_in_window(items, filters)
    excluded["no active or waiting time"] = 0
    per_item: dict[str, float] = {}
    active_total = waiting_total = 0.0
    for item in done:
        active, waiting = times.get(item.case_id, (0.0, 0.0))
        if active + waiting <= 0:
            excluded["no active or waiting time"] += 1
            continue
        per_item[item.case_id] = active / (active + waiting)
        active_total += active
        waiting_total += waiting
    total = active_total + waiting_total
    return FlowEfficiencyReport(
        overall=active_total / total if total > 0 else None,
        active_seconds=active_total,
        waiting_seconds=waiting_total,
        per_item=per_item,
        excluded=excluded,
    )


# -- rework --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReworkRow:
    """Repeats of one activity: right after itself (self-loop) or later (return)."""

    activity: str
    self_loops: int
    returns: int
    cases: int


@dataclass(frozen=True)
class ReworkReport:
    """Self-loops and returns to an earlier state, per activity and per item."""

    activities: list[ReworkRow]
    items_with_rework: int
    n: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "excluded": {},
            "items_with_rework": self.items_with_rework,
            "share": self.items_with_rework / self.n if self.n else None,
            "activities": [row.__dict__ for row in self.activities],
        }


def rework(*, engine: FlowEngine, filters: Filters, mapping: StatusMapping) -> ReworkReport:
    """Per activity: self-loops (a→a) and returns (a seen earlier in the case, not just before)."""
    events = categorized_events(engine, filters, mapping)
    order = ibis.window(group_by="case_id", order_by=["timestamp", "ordinal"])
    seen = ibis.window(group_by=["case_id", "activity"], order_by=["timestamp", "ordinal"])
    marked = events.mutate(
        previous=events.activity.lag().over(order),
        occurrence=ibis.row_number().over(seen),
    )
    loop = marked.previous.notnull() & (marked.previous == marked.activity)
    ret = (marked.occurrence > 0) & ~loop
    flagged = marked.mutate(self_loop=loop, returned=ret)
    repeats = flagged.filter(flagged.self_loop | flagged.returned)
    per_activity = repeats.group_by("activity").aggregate(
        self_loops=repeats.self_loop.sum(),
        returns=repeats.returned.sum(),
        cases=repeats.case_id.nunique(),
    )
    rows = engine.backend.to_pyarrow(
        per_activity.order_by([ibis.desc("returns"), ibis.desc("self_loops"), "activity"])
    ).to_pylist()
    cases = int(scalar(engine, events.case_id.nunique()))
    with_rework = int(scalar(engine, repeats.case_id.nunique()))
    return ReworkReport(
        activities=[
            ReworkRow(
                activity=row["activity"],
                self_loops=int(row["self_loops"]),
                returns=int(row["returns"]),
                cases=int(row["cases"]),
            )
            for row in rows
        ],
        items_with_rework=with_rework,
        n=cases,
    )
