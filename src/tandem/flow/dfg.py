"""Performance directly-follows graph, start and end activities (contract: ``docs/metrics.md``).

Events of one case are ordered by ``(timestamp, ordinal)``: timestamp ties keep file order, as
PM4Py's stable sort does. Each pair of consecutive events ``a → b`` is one transition; its wait
is ``b.timestamp − a.timestamp`` in seconds. An edge's ``total_wait_seconds`` is
``count × median`` (DESIGN §5); quantiles interpolate linearly (numpy's default, DuckDB's
``quantile_cont``).

Example
-------
>>> with FlowEngine(lake) as engine:  # doctest: +SKIP
...     performance_dfg(engine, Filters(sources=("sepsis",))).to_dict()["edges"][0]
{'source': 'Leucocytes', 'target': 'CRP', 'count': 1019, ...}
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

from tandem.flow.engine import Filters, FlowEngine

MICROSECONDS = 1_000_000


def case_order(events: ir.Table) -> ibis.expr.builders.LegacyWindowBuilder:
    """The window of one case's events in order: timestamp, then file order."""
    return ibis.window(group_by=events.case_id, order_by=[events.timestamp, events.ordinal])


def seconds_between(later: ir.TimestampValue, earlier: ir.TimestampValue) -> ir.FloatingValue:
    """``later − earlier`` in seconds, exact to the microsecond."""
    return later.delta(earlier, unit="microsecond").cast("float64") / MICROSECONDS


def steps(events: ir.Table) -> ir.Table:
    """Every event with its case neighbours: ``is_first`` and the next event (null at the end).

    Adds ``is_first``, ``next_activity``, ``next_timestamp``, ``next_resource``,
    ``next_ordinal`` and ``wait_seconds`` (to the next event; null for a case's last event).
    """
    window = case_order(events)
    with_next = events.mutate(
        is_first=events.timestamp.lag().over(window).isnull(),
        next_activity=events.activity.lead().over(window),
        next_timestamp=events.timestamp.lead().over(window),
        next_resource=events.resource.lead().over(window),
        next_ordinal=events.ordinal.lead().over(window),
    )
    return with_next.mutate(
        wait_seconds=seconds_between(with_next.next_timestamp, with_next.timestamp)
    )


def transitions(events: ir.Table) -> ir.Table:
    """Consecutive event pairs of one case: ``activity → next_activity`` with ``wait_seconds``."""
    table = steps(events)
    return table.filter(table.next_timestamp.notnull())


def wait_stats(wait: ir.FloatingColumn) -> dict[str, ir.Scalar]:
    """Mean, median and P85 of a wait column (nulls ignored; linear interpolation)."""
    return {
        "mean_seconds": wait.mean(),
        "median_seconds": wait.median(),
        "p85_seconds": wait.quantile(0.85),
    }


@dataclass(frozen=True)
class Edge:
    """One directly-follows edge with its waiting time."""

    source: str
    target: str
    count: int
    mean_seconds: float
    median_seconds: float
    p85_seconds: float

    @property
    def total_wait_seconds(self) -> float:
        """Impact of the edge: ``count × median`` (DESIGN §5)."""
        return self.count * self.median_seconds

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "target": self.target,
            "count": self.count,
            "mean_seconds": self.mean_seconds,
            "median_seconds": self.median_seconds,
            "p85_seconds": self.p85_seconds,
            "total_wait_seconds": self.total_wait_seconds,
        }


@dataclass(frozen=True)
class DfgReport:
    """The performance DFG of an event selection."""

    cases: int
    events: int
    edges: tuple[Edge, ...]
    start_activities: dict[str, int]
    end_activities: dict[str, int]
    single_event_cases: int

    @property
    def transitions(self) -> int:
        """Number of consecutive event pairs (the sum of edge counts)."""
        return sum(edge.count for edge in self.edges)

    def to_dict(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "events": self.events,
            "transitions": self.transitions,
            "edges": [edge.to_dict() for edge in self.edges],
            "start_activities": self.start_activities,
            "end_activities": self.end_activities,
            "excluded": {"single_event_cases_without_edges": self.single_event_cases},
        }


def performance_dfg(engine: FlowEngine, filters: Filters | None = None) -> DfgReport:
    """Directly-follows edges with frequency and wait (mean, median, P85), start/end activities.

    When the filters keep whole cases, the lake's step facts answer with one group-by (every
    event grouped by its predecessor and itself); otherwise the events are ordered again.
    """
    filters = filters or Filters()
    starts: Counter[str] = Counter()
    ends: Counter[str] = Counter()
    edges: list[Edge] = []
    events = singles = 0
    if filters.keeps_whole_cases:
        table = engine.events(filters, details=False)
        # Group (previous activity, activity): a null previous activity marks a case's start.
        grouped = table.group_by(source=table.prev_activity, target=table.activity).aggregate(
            count=table.count(),
            ends=table.is_last.cast("int64").sum(),
            singles=(table.prev_activity.isnull() & table.is_last).cast("int64").sum(),
            **wait_stats(table.prev_wait_us.cast("float64") / MICROSECONDS),
        )
        for row in grouped.to_pyarrow().to_pylist():
            events += row["count"]
            singles += row["singles"] or 0
            if row["ends"]:
                ends[row["target"]] += row["ends"]
            if row["source"] is None:
                starts[row["target"]] += row["count"]
            else:
                edges.append(_edge(row))
    else:
        table = steps(engine.events(filters))
        # Group (activity, next activity): a null next activity marks a case's last event, and
        # ``starts`` counts the group's events that open a case.
        grouped = table.group_by(source=table.activity, target=table.next_activity).aggregate(
            count=table.count(),
            starts=table.is_first.cast("int64").sum(),
            singles=(table.is_first & table.next_timestamp.isnull()).cast("int64").sum(),
            **wait_stats(table.wait_seconds),
        )
        for row in grouped.to_pyarrow().to_pylist():
            events += row["count"]
            singles += row["singles"] or 0
            if row["starts"]:
                starts[row["source"]] += row["starts"]
            if row["target"] is None:
                ends[row["source"]] += row["count"]
            else:
                edges.append(_edge(row))
    edges.sort(key=lambda e: (-e.count, e.source, e.target))
    return DfgReport(
        cases=sum(starts.values()),
        events=events,
        edges=tuple(edges),
        start_activities=_ranked(starts),
        end_activities=_ranked(ends),
        single_event_cases=singles,
    )


def _edge(row: dict[str, Any]) -> Edge:
    return Edge(
        source=row["source"],
        target=row["target"],
        count=row["count"],
        mean_seconds=row["mean_seconds"],
        median_seconds=row["median_seconds"],
        p85_seconds=row["p85_seconds"],
    )


def _ranked(counts: Counter[str]) -> dict[str, int]:
    """Counts ordered by count descending, then name."""
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
