"""Process map pictures: a directly-follows graph drawn as SVG, in pure Python.

No graphviz, no system package, no network: a layered layout (:mod:`.layout`) and a plain SVG
writer (:mod:`.svg`). The input is the dict of the performance DFG (``DfgReport.to_dict()``),
so the CLI and the web app draw the same picture from the same figures.

>>> dfg = {"cases": 1, "events": 2, "edges": [{"source": "a", "target": "b", "count": 1,
...        "mean_seconds": 60.0, "median_seconds": 60.0, "p85_seconds": 60.0,
...        "total_wait_seconds": 60.0}], "start_activities": {"a": 1}, "end_activities": {"b": 1}}
>>> picture = render_process_map(dfg, colour="performance")
>>> (picture.nodes, picture.edges, picture.hidden_edges)
(2, 3, 0)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tandem.flow.render.graph import MapGraph, simplify
from tandem.flow.render.svg import Colouring, draw

__all__ = ["Colouring", "ProcessMap", "render_process_map"]


@dataclass(frozen=True)
class ProcessMap:
    """An SVG document and what it shows.

    ``edges`` and ``hidden_edges`` count paths, the arcs from ▶ and into ■ included.
    """

    svg: str
    nodes: int
    edges: int
    hidden_edges: int
    graph: MapGraph

    def summary(self) -> dict[str, int]:
        return {"nodes": self.nodes, "edges": self.edges, "hidden_edges": self.hidden_edges}


def render_process_map(
    dfg: Mapping[str, Any],
    *,
    colour: Colouring = "frequency",
    max_edges: int | None = None,
    min_count: int = 1,
) -> ProcessMap:
    """Draw a performance DFG dict as an SVG process map, hiding rare paths but no activity."""
    graph = simplify(dfg, max_edges=max_edges, min_count=min_count)
    svg, _ = draw(graph, colour)
    return ProcessMap(
        svg=svg,
        nodes=len(graph.activities),
        edges=len(graph.edges),
        hidden_edges=len(graph.hidden),
        graph=graph,
    )
