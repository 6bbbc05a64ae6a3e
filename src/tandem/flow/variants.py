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

import contextlib
import gc
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.compute as pc

from tandem.flow.dfg import MICROSECONDS, seconds_between
from tandem.flow.engine import Filters, FlowEngine, collect_in_order
from tandem.lake.steps import SEPARATOR, join_trace, split_trace


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
    """Variants of an event selection, most frequent first (maybe only the first ``limit``)."""

    cases: int
    events: int
    total_variants: int
    variants: tuple[Variant, ...]

    def to_dict(self) -> dict[str, Any]:
        shown = len(self.variants)
        return {
            "cases": self.cases,
            "events": self.events,
            "total_variants": self.total_variants,
            "shown_variants": shown,
            "variants": [variant.to_dict() for variant in self.variants],
            "excluded": {
                "variants_not_shown": self.total_variants - shown,
                "cases_not_shown": self.cases - sum(v.cases for v in self.variants),
            },
        }


def variants(
    engine: FlowEngine, filters: Filters | None = None, *, limit: int | None = None
) -> VariantsReport:
    """Distinct activity sequences with cases, share and median case duration.

    When the filters keep whole cases, each case's last event already carries its sequence and
    duration (the lake's step facts), so variants are one group-by over one row per case;
    otherwise each case's events are collected in order.
    """
    filters = filters or Filters()
    if filters.keeps_whole_cases:
        table = _variants_from_step_facts(engine, filters)
    else:
        table = _variants_in_order(engine, filters)
    total_cases = pc.sum(table["cases"]).as_py() or 0
    shown = table if limit is None else table.slice(0, max(limit, 0))
    cases = shown["cases"].to_pylist()
    with _collector_paused():
        return VariantsReport(
            cases=total_cases,
            events=pc.sum(table["events"]).as_py() or 0,
            total_variants=table.num_rows,
            variants=tuple(
                map(
                    Variant,
                    map(split_trace, shown["trace"].to_pylist()),
                    cases,
                    (count / total_cases for count in cases),
                    shown["median_duration_seconds"].to_pylist(),
                )
            ),
        )


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while many small objects are built.

    Hundreds of thousands of variants allocate as many tuples; each allocation burst triggers
    full collections that rescan every live object (1 s of 3.3 s at 5 M events). Nothing built
    here forms a cycle, so pausing is safe; the collector's previous state is restored.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _variants_from_step_facts(engine: FlowEngine, filters: Filters) -> pa.Table:
    """One row per variant from the cases' last events, ranked in the database."""
    events = engine.events(filters, details=False)
    last = events.filter(events.is_last)
    grouped = last.group_by(trace=last.trace).aggregate(
        cases=last.count(),
        median_duration_seconds=(last.trace_us.cast("float64") / MICROSECONDS).median(),
    )
    activities = grouped.trace.length() - grouped.trace.replace(SEPARATOR, "").length() + 1
    ranked = grouped.mutate(events=grouped.cases * activities).order_by(
        [ibis.desc("cases"), "trace"]
    )
    return ranked.select("trace", "cases", "events", "median_duration_seconds").to_pyarrow()


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
    rows: list[dict[str, Any]] = grouped.to_pyarrow().to_pylist()
    for row in rows:
        row["trace"] = join_trace(row.pop("activities"))
    rows.sort(key=lambda row: (-row["cases"], row["trace"]))
    return pa.Table.from_pylist(
        rows,
        schema=pa.schema(
            [
                ("trace", pa.string()),
                ("cases", pa.int64()),
                ("events", pa.int64()),
                ("median_duration_seconds", pa.float64()),
            ]
        ),
    )
