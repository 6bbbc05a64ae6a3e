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
from typing import Any

from tandem.flow.dfg import seconds_between
from tandem.flow.engine import Filters, FlowEngine, collect_in_order


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
    """Distinct activity sequences with cases, share and median case duration."""
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
    rows = grouped.to_pyarrow().to_pylist()
    total_cases = sum(row["cases"] for row in rows)
    rows.sort(key=lambda row: (-row["cases"], row["activities"]))
    shown = rows if limit is None else rows[: max(limit, 0)]
    return VariantsReport(
        cases=total_cases,
        events=sum(row["events"] for row in rows),
        total_variants=len(rows),
        variants=tuple(
            Variant(
                activities=tuple(row["activities"]),
                cases=row["cases"],
                share=row["cases"] / total_cases,
                median_duration_seconds=row["median_duration_seconds"],
            )
            for row in shown
        ),
    )
