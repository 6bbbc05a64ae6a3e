"""Variants: the distinct activity sequences of cases (contract: ``docs/metrics.md``).

A case's sequence is its activities ordered by ``(timestamp, ordinal)``; its duration is its
last timestamp minus its first. A variant reports its cases, its share of all cases and the
median duration of its cases (linear interpolation).

Example
-------
>>> with FlowEngine(lake) as engine:  # doctest: +SKIP
...     variants(engine, limit=1).to_dict()["variants"][0]["activities"]
['ER Registration', 'ER Triage', ...]
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import ibis
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tandem.flow.dfg import MICROSECONDS, seconds_between
from tandem.flow.engine import Filters, FlowEngine, collect_in_order
from tandem.lake.steps import SEPARATOR, split_trace

COLUMNS = pa.schema(
    [
        ("trace", pa.string()),
        ("cases", pa.int64()),
        ("events", pa.int64()),
        ("median_duration_seconds", pa.float64()),
    ]
)
"""One row per variant: the stored trace string (``lake.steps.join_trace``), cases, events."""

SHOWN = COLUMNS.append(pa.field("share", pa.float64()))
"""The report's rows: :data:`COLUMNS` and each variant's share of all cases."""


@dataclass(frozen=True)
class Variant:
    """One distinct activity sequence and the cases that follow it."""

    activities: tuple[str, ...]
    cases: int
    share: float
    median_duration_seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "activities": list(self.activities),
            "cases": self.cases,
            "share": self.share,
            "median_duration_seconds": self.median_duration_seconds,
        }


@dataclass(frozen=True)
class VariantsReport:
    """Variants of an event selection, most frequent first (maybe only the first ``limit``).

    ``table`` holds the shown variants as Arrow columns (:data:`SHOWN`), ranked
    by cases (descending), then trace; :attr:`variants` decodes their activity sequences on first
    use, so a report of 200,000 variants costs no Python object per variant until one is read.
    """

    cases: int
    events: int
    total_variants: int
    table: pa.Table

    @cached_property
    def variants(self) -> tuple[Variant, ...]:
        """The shown variants as :class:`Variant` objects (decoded here, once)."""
        return tuple(
            map(
                Variant,
                map(split_trace, self.table["trace"].to_pylist()),
                self.table["cases"].to_pylist(),
                self.table["share"].to_pylist(),
                self.table["median_duration_seconds"].to_pylist(),
            )
        )

    def to_dict(self) -> dict[str, Any]:
        shown = self.table.num_rows
        return {
            "cases": self.cases,
            "events": self.events,
            "total_variants": self.total_variants,
            "shown_variants": shown,
            "variants": [variant.to_dict() for variant in self.variants],
            "excluded": {
                "variants_not_shown": self.total_variants - shown,
                "cases_not_shown": self.cases - _sum(self.table["cases"]),
            },
        }


def variants(
    engine: FlowEngine, filters: Filters | None = None, *, limit: int | None = None
) -> VariantsReport:
    """Distinct activity sequences with cases, share and median case duration.

    When the filters keep whole cases, each case's last event already carries its sequence and
    duration (the lake's step facts), so variants are one group-by over one row per case, ranked
    (only the first ``limit``) and counted in the database; otherwise each case's events are
    collected in order. Either way the variants stay Arrow columns: no Python object is built
    per variant.
    """
    filters = filters or Filters()
    if filters.keeps_whole_cases:
        return _variants_from_step_facts(engine, filters, limit)
    return _report(_variants_in_order(engine, filters), limit)


def _report(table: pa.Table, limit: int | None) -> VariantsReport:
    """The report of every variant (:data:`COLUMNS`, ranked), showing the first ``limit``."""
    cases = table["cases"].cast(pa.float64())
    # Arrow scalars only: a Python number here would make pyarrow import pandas (~0.4 s).
    shown = table.append_column("share", pc.divide(cases, pc.sum(cases)))
    return VariantsReport(
        cases=_sum(table["cases"]),
        events=_sum(table["events"]),
        total_variants=table.num_rows,
        table=shown if limit is None else shown.slice(0, max(limit, 0)),
    )


def _sum(column: pa.ChunkedArray) -> int:
    total = pc.sum(column).as_py()
    return int(total) if total is not None else 0


def _variants_from_step_facts(
    engine: FlowEngine, filters: Filters, limit: int | None
) -> VariantsReport:
    """Variants from the cases' last events: grouped, ranked and counted in the database.

    With a ``limit`` the totals ride along each row as window aggregates, so no second query is
    needed and the database keeps only the first rows (a top-N, not a sort of every variant).
    """
    events = engine.events(filters, details=False)
    last = events.filter(events.is_last)
    grouped = last.group_by(trace=last.trace).aggregate(
        cases=last.count(),
        median_duration_seconds=(last.trace_us.cast("float64") / MICROSECONDS).median(),
    )
    activities = grouped.trace.length() - grouped.trace.replace(SEPARATOR, "").length() + 1
    counted = grouped.mutate(events=grouped.cases * activities)
    order = [ibis.desc("cases"), "trace"]
    if limit is None:
        ranked = counted.order_by(order).select(*COLUMNS.names)
        return _report(engine.to_pyarrow(ranked).cast(COLUMNS), limit)
    whole = ibis.window()
    ranked = counted.mutate(
        share=counted.cases.cast("float64") / counted.cases.sum().over(whole).cast("float64"),
        total_variants=counted.count().over(whole),
        total_cases=counted.cases.sum().over(whole),
        total_events=counted.events.sum().over(whole),
    )
    found = engine.to_pyarrow(ranked.order_by(order).limit(max(limit, 1)))
    totals = [_first(found[name]) for name in ("total_variants", "total_cases", "total_events")]
    table = found.select(SHOWN.names).cast(SHOWN)
    return VariantsReport(
        cases=totals[1],
        events=totals[2],
        total_variants=totals[0],
        table=table.slice(0, max(limit, 0)),
    )


def _first(column: pa.ChunkedArray) -> int:
    """The value a window aggregate repeats on every row (0 without rows)."""
    return int(column[0].as_py()) if len(column) else 0


def _variants_in_order(engine: FlowEngine, filters: Filters) -> pa.Table:
    """One row per variant from each case's events collected in order (any filter)."""
    events = engine.events(filters)
    traces = events.group_by("case_id").aggregate(
        activities=collect_in_order(engine, events.activity, [events.timestamp, events.ordinal]),
        events=events.count(),
        duration_seconds=seconds_between(events.timestamp.max(), events.timestamp.min()),
    )
    grouped = traces.group_by("activities").aggregate(
        cases=traces.count(),
        events=traces.events.sum(),
        median_duration_seconds=traces.duration_seconds.median(),
    )
    found = engine.to_pyarrow(grouped)
    traces_column = _join_traces(found["activities"].combine_chunks())
    table = pa.table(
        [traces_column, found["cases"], found["events"], found["median_duration_seconds"]],
        schema=COLUMNS,
    )
    return table.take(pc.sort_indices(table, [("cases", "descending"), ("trace", "ascending")]))


def _join_traces(activities: pa.ListArray) -> pa.Array:
    """Each list of activities as its stored trace string (``lake.steps.join_trace``, in Arrow)."""
    values = pc.replace_substring(
        pc.replace_substring(activities.flatten(), "\\", "\\\\"), SEPARATOR, "\\u001f"
    )
    starts = np.asarray(activities.offsets)
    if len(activities) == 0:
        return pa.array([], type=pa.string())
    offsets = pa.array(starts - starts[0], type=activities.offsets.type)
    return pc.binary_join(type(activities).from_arrays(offsets, values), SEPARATOR)
