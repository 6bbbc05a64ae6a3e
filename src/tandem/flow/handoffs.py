"""Handoffs: changes of resource (or team) between consecutive events of a case, and ping-pong.

A transition (two consecutive events of one case, ordered by ``(timestamp, ordinal)``) is a
handoff when both events have a known resource and the resources differ. Transitions with an
unknown (null) resource on either side are excluded and counted. A ping-pong is a case going
``A → B → A`` between resources: over the case's resources in event order, with runs of the same
resource (or of unknown) collapsed, every three consecutive runs ``A, B, A`` with ``A`` and ``B``
known are one occurrence (``A, B, A, B`` holds two).

Example
-------
>>> with FlowEngine(lake) as engine:  # doctest: +SKIP
...     handoffs(engine).to_dict()["ping_pong"]["cases"]
87
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from tandem.flow.dfg import case_order, transitions, wait_stats
from tandem.flow.engine import Filters, FlowEngine


def is_handoff(table: ir.Table) -> ir.BooleanColumn:
    """Whether a transition (from :func:`tandem.flow.dfg.transitions`) changes resource."""
    known = table.resource.notnull() & table.next_resource.notnull()
    return known & (table.resource != table.next_resource)


@dataclass(frozen=True)
class Handoff:
    """Transitions from one resource to another, with the wait between the two events."""

    from_resource: str
    to_resource: str
    count: int
    cases: int
    mean_seconds: float
    median_seconds: float
    p85_seconds: float
    total_wait_seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "from_resource": self.from_resource,
            "to_resource": self.to_resource,
            "count": self.count,
            "cases": self.cases,
            "mean_seconds": self.mean_seconds,
            "median_seconds": self.median_seconds,
            "p85_seconds": self.p85_seconds,
            "total_wait_seconds": self.total_wait_seconds,
        }


@dataclass(frozen=True)
class PingPong:
    """``A → B → A`` occurrences for one ordered pair of resources."""

    first: str
    second: str
    occurrences: int
    cases: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "resources": [self.first, self.second, self.first],
            "occurrences": self.occurrences,
            "cases": self.cases,
        }


@dataclass(frozen=True)
class HandoffsReport:
    """Handoffs and ping-pong of an event selection, between resources or teams."""

    level: str
    cases: int
    transitions: int
    same_resource: int
    unknown_resource: int
    handoffs: tuple[Handoff, ...]
    ping_pong_cases: int
    ping_pong_occurrences: int
    ping_pong: tuple[PingPong, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "cases": self.cases,
            "transitions": self.transitions,
            "handoff_count": sum(h.count for h in self.handoffs),
            "same_resource": self.same_resource,
            "handoffs": [handoff.to_dict() for handoff in self.handoffs],
            "ping_pong": {
                "cases": self.ping_pong_cases,
                "occurrences": self.ping_pong_occurrences,
                "pairs": [pair.to_dict() for pair in self.ping_pong],
            },
            "excluded": {"transitions_with_unknown_resource": self.unknown_resource},
        }


def handoffs(
    engine: FlowEngine, filters: Filters | None = None, *, teams: Mapping[str, str] | None = None
) -> HandoffsReport:
    """Resource-to-resource handoffs (count, cases, wait) and ping-pong (``A → B → A``).

    With ``teams`` (identity key → team name, from the people side) every event's resource is
    replaced by its team first, so the same rules count handoffs between teams; a resource
    outside every team is unknown.
    """
    events = engine.events(filters)
    if teams is not None:
        events = by_team(events, teams)
    pairs = transitions(events)
    counts = (
        pairs.aggregate(
            transitions=pairs.count(),
            unknown=(pairs.resource.isnull() | pairs.next_resource.isnull()).cast("int64").sum(),
            same=(pairs.resource == pairs.next_resource).cast("int64").sum(),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    cases = events.case_id.nunique().to_pyarrow().as_py()

    changed = pairs.filter(is_handoff(pairs))
    by_pair = changed.group_by(
        from_resource=changed.resource, to_resource=changed.next_resource
    ).aggregate(
        count=changed.count(),
        cases=changed.case_id.nunique(),
        total_wait_seconds=changed.wait_seconds.sum(),
        **wait_stats(changed.wait_seconds),
    )
    rows = sorted(
        by_pair.to_pyarrow().to_pylist(),
        key=lambda r: (-r["count"], r["from_resource"], r["to_resource"]),
    )

    occurrences = ping_pongs(events)
    summary = (
        occurrences.aggregate(occurrences=occurrences.count(), cases=occurrences.case_id.nunique())
        .to_pyarrow()
        .to_pylist()[0]
    )
    per_pair = occurrences.group_by(
        first=occurrences.resource, second=occurrences.next_resource
    ).aggregate(occurrences=occurrences.count(), cases=occurrences.case_id.nunique())
    pong_rows = sorted(
        per_pair.to_pyarrow().to_pylist(),
        key=lambda r: (-r["occurrences"], r["first"], r["second"]),
    )
    return HandoffsReport(
        level="resource" if teams is None else "team",
        cases=cases,
        transitions=counts["transitions"],
        same_resource=counts["same"] or 0,
        unknown_resource=counts["unknown"] or 0,
        handoffs=tuple(Handoff(**row) for row in rows),
        ping_pong_cases=summary["cases"],
        ping_pong_occurrences=summary["occurrences"],
        ping_pong=tuple(PingPong(**row) for row in pong_rows),
    )


def by_team(events: ir.Table, teams: Mapping[str, str]) -> ir.Table:
    """``events`` with ``resource`` replaced by the resource's team (null outside every team)."""
    lookup = ibis.memtable(
        pa.table(
            {"team_resource": list(teams), "team": list(teams.values())},
            schema=pa.schema([("team_resource", pa.string()), ("team", pa.string())]),
        )
    )
    joined = events.left_join(lookup, events.resource == lookup.team_resource)
    return joined.select(
        *[
            joined[name] if name != "resource" else joined.team.name("resource")
            for name in events.columns
        ]
    )


def ping_pongs(events: ir.Table) -> ir.Table:
    """One row per ``A → B → A``: ``case_id``, ``resource`` (A) and ``next_resource`` (B)."""
    window = case_order(events)
    marked = events.mutate(
        is_first=events.timestamp.lag().over(window).isnull(),
        previous_resource=events.resource.lag().over(window),
    )
    runs = marked.filter(marked.is_first | ~marked.resource.identical_to(marked.previous_resource))
    run_window = case_order(runs)
    ahead = runs.mutate(
        next_resource=runs.resource.lead().over(run_window),
        after_next=runs.resource.lead(2).over(run_window),
    )
    found = ahead.filter(
        ahead.resource.notnull()
        & ahead.next_resource.notnull()
        & (ahead.after_next == ahead.resource)
    )
    return found.select("case_id", "resource", "next_resource", "timestamp")
