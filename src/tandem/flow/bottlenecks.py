"""Bottleneck ranking: where the waiting is, with the evidence (contract: ``docs/metrics.md``).

Three kinds of candidate, ranked together by impact in seconds:

- ``edge`` ``a → b``: impact = the DFG's total wait, ``count × median`` wait (DESIGN §5);
- ``activity`` ``b``: impact = the sum of the waits of every transition into ``b`` (time spent
  waiting before ``b`` starts);
- ``handoff`` ``R1 → R2``: impact = the sum of the waits of the transitions where the work
  passes from resource ``R1`` to ``R2`` (see :mod:`tandem.flow.handoffs`).

Each carries its evidence: count, cases, mean/median/P85 wait, summed wait and the cases that
waited longest (drill-down).

Example
-------
>>> with FlowEngine(lake) as engine:  # doctest: +SKIP
...     bottlenecks(engine, limit=1).to_dict()["bottlenecks"][0]["kind"]
'edge'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import ibis
import ibis.expr.types as ir

from tandem.flow.dfg import transitions, wait_stats
from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.handoffs import is_handoff

Kind = Literal["edge", "activity", "handoff"]
KIND_ORDER: dict[Kind, int] = {"edge": 0, "activity": 1, "handoff": 2}
TOP_CASES = 3


@dataclass(frozen=True)
class Bottleneck:
    """One ranked candidate and the figures behind its impact."""

    kind: Kind
    name: str
    impact_seconds: float
    evidence: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "impact_seconds": self.impact_seconds,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class BottlenecksReport:
    """The ranked bottlenecks of an event selection (maybe only the first ``limit``)."""

    cases: int
    transitions: int
    candidates: int
    bottlenecks: tuple[Bottleneck, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "transitions": self.transitions,
            "candidates": self.candidates,
            "bottlenecks": [item.to_dict() for item in self.bottlenecks],
            "excluded": {"candidates_not_shown": self.candidates - len(self.bottlenecks)},
        }


def bottlenecks(
    engine: FlowEngine, filters: Filters | None = None, *, limit: int | None = 10
) -> BottlenecksReport:
    """Edges, activities and handoffs ranked by total wait impact, each with its evidence.

    The transitions are computed once and cached in the engine for the six queries below
    (statistics and longest waits per edge, activity and handoff); the cache is released on
    return.
    """
    events = engine.events(filters)
    with engine.materialized(transitions(events)) as pairs:
        return _ranked(events, pairs, limit)


def _ranked(events: ir.Table, pairs: ir.Table, limit: int | None) -> BottlenecksReport:
    handoff_pairs = pairs.filter(is_handoff(pairs))
    groups: list[tuple[Kind, ir.Table, dict[str, ir.Value]]] = [
        ("edge", pairs, {"source": pairs.activity, "target": pairs.next_activity}),
        ("activity", pairs, {"activity": pairs.next_activity}),
        (
            "handoff",
            handoff_pairs,
            {"from_resource": handoff_pairs.resource, "to_resource": handoff_pairs.next_resource},
        ),
    ]
    candidates: list[Bottleneck] = []
    for kind, table, keys in groups:
        for row in _evidence(table, keys):
            candidates.append(_candidate(kind, row))
    candidates.sort(key=lambda b: (-b.impact_seconds, KIND_ORDER[b.kind], b.name))
    shown = candidates if limit is None else candidates[: max(limit, 0)]
    return BottlenecksReport(
        cases=events.case_id.nunique().to_pyarrow().as_py(),
        transitions=pairs.count().to_pyarrow().as_py(),
        candidates=len(candidates),
        bottlenecks=tuple(shown),
    )


def _evidence(table: ir.Table, keys: dict[str, ir.Value]) -> list[dict[str, Any]]:
    """Per group of ``keys``: count, cases, wait statistics and the longest-waiting cases."""
    stats = table.group_by(**keys).aggregate(
        count=table.count(),
        cases=table.case_id.nunique(),
        total_wait_seconds=table.wait_seconds.sum(),
        **wait_stats(table.wait_seconds),
    )
    keyed = table.mutate(**keys)
    names = list(keys)
    longest = ibis.window(
        group_by=[keyed[name] for name in names],
        order_by=[keyed.wait_seconds.desc(), keyed.case_id, keyed.ordinal],
    )
    ranked = keyed.mutate(rank=ibis.row_number().over(longest))
    top = ranked.filter(ranked.rank < TOP_CASES).select(
        *names,
        "rank",
        "case_id",
        "wait_seconds",
        waiting_from=ranked.timestamp,
        source_activity=ranked.activity,
        target_activity=ranked.next_activity,
    )
    top_cases: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in sorted(top.to_pyarrow().to_pylist(), key=lambda r: r["rank"]):
        top_cases.setdefault(tuple(row[n] for n in names), []).append(
            {
                "case_id": row["case_id"],
                "wait_seconds": row["wait_seconds"],
                "waiting_from": row["waiting_from"].isoformat(),
                "source": row["source_activity"],
                "target": row["target_activity"],
            }
        )
    rows: list[dict[str, Any]] = stats.to_pyarrow().to_pylist()
    for row in rows:
        row["top_cases"] = top_cases.get(tuple(row[n] for n in names), [])
    return rows


def _candidate(kind: Kind, row: dict[str, Any]) -> Bottleneck:
    count, median = row["count"], row["median_seconds"]
    if kind == "edge":
        name = f"{row['source']} → {row['target']}"
        impact = count * median
    elif kind == "activity":
        name = row["activity"]
        impact = row["total_wait_seconds"]
    else:
        name = f"{row['from_resource']} → {row['to_resource']}"
        impact = row["total_wait_seconds"]
    return Bottleneck(kind=kind, name=name, impact_seconds=float(impact), evidence=row)
