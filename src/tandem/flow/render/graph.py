"""The graph a process map draws: activities, ▶ and ■, and the paths kept after simplification.

Built from the performance DFG's ``to_dict()`` shape, so it needs nothing but that dict. Big
logs have hundreds of paths; the map keeps the most frequent ones (``max_edges``, ``min_count``)
and then adds back, for every activity, the widest path that connects it to ▶ and to ■, so no
activity is ever left floating. What was hidden is counted for the caption.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tandem.errors import InputError

START = "▶"
END = "■"
START_ID = "\x00start"
END_ID = "\x00end"


@dataclass(frozen=True)
class MapEdge:
    """One path of the map between node ids: activities, ``START_ID`` or ``END_ID``."""

    source: str
    target: str
    count: int
    mean_seconds: float | None = None
    median_seconds: float | None = None
    p85_seconds: float | None = None
    total_wait_seconds: float | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.target)

    @property
    def is_terminal(self) -> bool:
        """An arc from ▶ or into ■ (no waiting time of its own)."""
        return self.source == START_ID or self.target == END_ID


@dataclass(frozen=True)
class MapGraph:
    """The simplified graph with what it hides."""

    activities: dict[str, int]  # activity -> events (its frequency), sorted by name
    edges: list[MapEdge]  # kept, sorted by (source, target)
    hidden: list[MapEdge]
    cases: int | None
    events: int | None
    max_edges: int | None = None
    min_count: int = 1
    total_transitions: int = field(default=0)

    @property
    def kept_transitions(self) -> int:
        return sum(edge.count for edge in self.edges if not edge.is_terminal)


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def edges_from_dfg(dfg: Mapping[str, Any]) -> tuple[dict[str, int], list[MapEdge]]:
    """Activity frequencies and every path (▶/■ arcs included) of a performance DFG dict."""
    try:
        raw_edges = list(dfg.get("edges") or [])
        starts = {str(a): int(n) for a, n in (dfg.get("start_activities") or {}).items()}
        ends = {str(a): int(n) for a, n in (dfg.get("end_activities") or {}).items()}
        edges = [
            MapEdge(
                source=str(edge["source"]),
                target=str(edge["target"]),
                count=int(edge["count"]),
                mean_seconds=_optional_float(edge.get("mean_seconds")),
                median_seconds=_optional_float(edge.get("median_seconds")),
                p85_seconds=_optional_float(edge.get("p85_seconds")),
                total_wait_seconds=_optional_float(edge.get("total_wait_seconds")),
            )
            for edge in raw_edges
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"not a directly-follows graph: {exc}") from None
    # An activity occurs once per case it starts plus once per arc arriving at it.
    frequency: dict[str, int] = dict.fromkeys(starts, 0)
    for activity, count in starts.items():
        frequency[activity] += count
    for edge in edges:
        frequency.setdefault(edge.source, 0)
        frequency[edge.target] = frequency.get(edge.target, 0) + edge.count
    for activity in ends:
        frequency.setdefault(activity, 0)
    edges += [MapEdge(START_ID, activity, count) for activity, count in starts.items()]
    edges += [MapEdge(activity, END_ID, count) for activity, count in ends.items()]
    edges.sort(key=lambda e: e.key)
    return dict(sorted(frequency.items())), edges


def _rank(edge: MapEdge) -> tuple[int, str, str]:
    """Most frequent first; ties by name, so the choice is deterministic."""
    return (-edge.count, edge.source, edge.target)


def _connect(
    nodes: list[str], kept: dict[tuple[str, str], MapEdge], edges: list[MapEdge], *, forward: bool
) -> None:
    """Add the widest arcs that make every node reachable from ▶ (or reach ■ when not forward).

    Prim's algorithm on arc counts, seeded with the arcs already kept: each step adds the most
    frequent arc leaving the reached set, so what is added is a maximum-bottleneck tree.
    """

    def near(edge: MapEdge) -> str:
        return edge.source if forward else edge.target

    def far(edge: MapEdge) -> str:
        return edge.target if forward else edge.source

    reached = {START_ID if forward else END_ID}
    wanted = set(nodes) | {END_ID if forward else START_ID}
    candidates = sorted(edges, key=_rank)
    while True:
        grown = True
        while grown:  # close over the kept arcs
            grown = False
            for edge in kept.values():
                if near(edge) in reached and far(edge) not in reached:
                    reached.add(far(edge))
                    grown = True
        if wanted <= reached:
            return
        step = next((e for e in candidates if near(e) in reached and far(e) not in reached), None)
        if step is None:
            return  # unreachable in the full graph too: nothing could connect it
        kept[step.key] = step


def simplify(
    dfg: Mapping[str, Any], *, max_edges: int | None = None, min_count: int = 1
) -> MapGraph:
    """Keep the ``max_edges`` most frequent paths with at least ``min_count``, all connected."""
    if max_edges is not None and max_edges < 1:
        raise InputError("must be at least 1", field="max_edges")
    if min_count < 1:
        raise InputError("must be at least 1", field="min_count")
    activities, edges = edges_from_dfg(dfg)
    ranked = sorted((e for e in edges if e.count >= min_count), key=_rank)
    if max_edges is not None:
        ranked = ranked[:max_edges]
    kept = {edge.key: edge for edge in ranked}
    nodes = list(activities)
    _connect(nodes, kept, edges, forward=True)
    _connect(nodes, kept, edges, forward=False)
    hidden = [edge for edge in edges if edge.key not in kept]
    cases = dfg.get("cases")
    events = dfg.get("events")
    return MapGraph(
        activities=activities,
        edges=sorted(kept.values(), key=lambda e: e.key),
        hidden=hidden,
        cases=None if cases is None else int(cases),
        events=None if events is None else int(events),
        max_edges=max_edges,
        min_count=min_count,
        total_transitions=sum(edge.count for edge in edges if not edge.is_terminal),
    )
