"""The process map's graph simplification and layered layout: invariants on small and big DFGs."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from tandem.errors import InputError
from tandem.flow.render.graph import END_ID, START_ID, MapGraph, simplify
from tandem.flow.render.layout import Layout, layout
from tests.flow.test_render_helpers import TRICKY, edge, random_dfg, small_dfg


def placed(dfg: dict[str, Any], **kwargs: Any) -> tuple[MapGraph, Layout]:
    graph = simplify(dfg, **kwargs)
    sizes = dict.fromkeys(graph.activities, (120.0, 42.0))
    sizes[START_ID] = sizes[END_ID] = (26.0, 26.0)
    return graph, layout(graph, sizes, right_room={"Fix": 40.0})


def reachable(graph: MapGraph, root: str, *, forward: bool) -> set[str]:
    seen = {root}
    frontier = [root]
    while frontier:
        node = frontier.pop()
        for e in graph.edges:
            near, far = (e.source, e.target) if forward else (e.target, e.source)
            if near == node and far not in seen:
                seen.add(far)
                frontier.append(far)
    return seen


def assert_invariants(graph: MapGraph, result: Layout) -> None:
    assert set(result.nodes) == {*graph.activities, START_ID, END_ID}
    boxes = list(result.nodes.values())
    for a, b in itertools.combinations(boxes, 2):
        overlap_x = abs(a.x - b.x) < (a.width + b.width) / 2
        overlap_y = abs(a.y - b.y) < (a.height + b.height) / 2
        assert not (overlap_x and overlap_y), (a, b)
    assert result.nodes[START_ID].layer == 0
    assert result.nodes[END_ID].layer == max(box.layer for box in boxes)
    assert {route.edge.key for route in result.routes} == {e.key for e in graph.edges}
    for route in result.routes:
        source = result.nodes[route.edge.source]
        target = result.nodes[route.edge.target]
        if route.self_loop:
            assert source is target
        elif route.back:
            assert source.layer > target.layer, route.edge
        else:
            assert source.layer < target.layer, route.edge
        for x, y in route.points:
            assert 0 <= x <= result.width + 1 and -1 <= y <= result.height + 1


def test_small_map_layers_follow_the_flow_and_rework_is_a_back_edge() -> None:
    graph, result = placed(small_dfg())
    assert_invariants(graph, result)
    layer = {node: box.layer for node, box in result.nodes.items()}
    assert layer[START_ID] < layer["Open"] < layer["Triage"] < layer["Fix"] < layer["Test"]
    assert layer["Test"] < layer["Close"] < layer[END_ID]
    assert layer["Fix"] == layer[TRICKY]
    back = {route.edge.key for route in result.routes if route.back}
    assert back == {("Test", "Fix")}
    loops = {route.edge.key for route in result.routes if route.self_loop}
    assert loops == {("Fix", "Fix")}


def test_activity_frequency_counts_starts_and_arrivals() -> None:
    graph = simplify(small_dfg())
    assert graph.activities["Open"] == 100
    assert graph.activities["Fix"] == 70 + 15 + 25
    assert graph.activities["Close"] == 100


@pytest.mark.parametrize("activities", [1, 2, 15, 60])
def test_invariants_hold_from_one_to_sixty_activities(activities: int) -> None:
    dfg = random_dfg(activities) if activities > 1 else single_activity()
    graph, result = placed(dfg, max_edges=80)
    assert len(graph.activities) == activities
    assert_invariants(graph, result)


def single_activity() -> dict[str, Any]:
    return {
        "cases": 3,
        "events": 5,
        "edges": [edge("Only", "Only", 2)],
        "start_activities": {"Only": 3},
        "end_activities": {"Only": 3},
    }


def test_empty_dfg_draws_start_and_end_only() -> None:
    graph, result = placed(
        {"cases": 0, "events": 0, "edges": [], "start_activities": {}, "end_activities": {}}
    )
    assert graph.activities == {} and graph.edges == []
    assert set(result.nodes) == {START_ID, END_ID}


def test_layout_is_deterministic_whatever_the_input_order() -> None:
    dfg = random_dfg(40)
    shuffled = dict(dfg, edges=list(reversed(dfg["edges"])))
    shuffled["start_activities"] = dict(reversed(list(dfg["start_activities"].items())))
    assert placed(dfg, max_edges=50)[1] == placed(shuffled, max_edges=50)[1]


@pytest.mark.parametrize(("max_edges", "min_count"), [(1, 1), (10, 1), (60, 1), (None, 50)])
def test_hiding_keeps_every_activity_between_start_and_end(
    max_edges: int | None, min_count: int
) -> None:
    dfg = random_dfg(60, fan_out=6)
    graph = simplify(dfg, max_edges=max_edges, min_count=min_count)
    every = len(dfg["edges"]) + len(dfg["start_activities"]) + len(dfg["end_activities"])
    assert len(graph.edges) + len(graph.hidden) == every
    assert graph.hidden, "a spaghetti DFG must hide something"
    assert {*graph.activities, END_ID} <= reachable(graph, START_ID, forward=True)
    assert {*graph.activities, START_ID} <= reachable(graph, END_ID, forward=False)
    kept = {e.key for e in graph.edges}
    hidden = {e.key for e in graph.hidden}
    assert not kept & hidden
    if max_edges is not None:
        # The most frequent paths are always among the kept ones.
        top = sorted(graph.edges + graph.hidden, key=lambda e: (-e.count, e.source, e.target))
        assert {e.key for e in top[:max_edges]} <= kept


def test_no_hiding_when_everything_fits() -> None:
    graph = simplify(small_dfg(), max_edges=100)
    assert graph.hidden == []


def test_bad_limits_are_input_errors() -> None:
    with pytest.raises(InputError, match="max_edges"):
        simplify(small_dfg(), max_edges=0)
    with pytest.raises(InputError, match="min_count"):
        simplify(small_dfg(), min_count=0)
    with pytest.raises(InputError, match="directly-follows"):
        simplify({"edges": [{"source": "a"}]})
