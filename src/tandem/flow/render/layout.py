"""A layered (Sugiyama-style) layout of a process map, top to bottom, in pure Python.

The four classic steps, each deterministic (ties always break by name or by a previous order):

1. cycle removal: a depth-first search from ▶ that follows the most frequent arcs first; the arcs
   it meets going back up its stack are reversed, so rework loops draw as back edges and the
   main flow runs downwards;
2. layer assignment by longest path (▶ on top, ■ alone at the bottom), with a dummy node on
   every layer a long arc crosses;
3. crossing reduction by barycenter sweeps, keeping the order with the fewest crossings;
4. coordinates: every layer is placed as close as possible to its neighbours' positions (a
   weighted isotonic regression, so boxes never overlap), alternating downward and upward.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass

from tandem.flow.render.graph import END_ID, START_ID, MapEdge, MapGraph

LAYER_GAP = 64.0  # vertical room between two layers, for arcs and their labels
MAX_LAYER_GAP = 200.0
FAN_SLOPE = 0.16  # layer gap per pixel of the widest fan-out between two layers
NODE_GAP = 28.0  # horizontal room between two boxes of one layer
DUMMY_WIDTH = 16.0  # horizontal room an arc takes where it crosses a layer
SWEEPS = 12


@dataclass(frozen=True)
class NodeBox:
    """A placed node: centre ``(x, y)`` and size."""

    id: str
    x: float
    y: float
    width: float
    height: float
    layer: int

    @property
    def top(self) -> float:
        return self.y - self.height / 2

    @property
    def bottom(self) -> float:
        return self.y + self.height / 2


@dataclass(frozen=True)
class Route:
    """Where an arc runs: from its source port through ``points`` to its target port.

    ``back`` arcs run upwards (a loop back to an earlier step); self-loops have no points and
    are drawn beside their node.
    """

    edge: MapEdge
    points: tuple[tuple[float, float], ...]
    back: bool
    self_loop: bool


@dataclass(frozen=True)
class Layout:
    nodes: dict[str, NodeBox]
    routes: list[Route]
    width: float
    height: float


@dataclass
class _Chain:
    """An arc of the acyclic graph, split into unit segments: ``nodes[0]`` → … → ``nodes[-1]``."""

    edge: MapEdge
    nodes: list[str]
    back: bool


def _acyclic(graph: MapGraph, order: list[str]) -> tuple[list[tuple[MapEdge, bool]], list[str]]:
    """Each non-loop arc with whether it is reversed, and the nodes in depth-first order."""
    out: dict[str, list[MapEdge]] = {node: [] for node in order}
    for edge in graph.edges:
        if edge.source != edge.target:
            out[edge.source].append(edge)
    for edges in out.values():
        edges.sort(key=lambda e: (-e.count, e.target))
    state: dict[str, int] = dict.fromkeys(order, 0)  # 0 new, 1 on the stack, 2 done
    back: set[tuple[str, str]] = set()
    visited: list[str] = []
    for root in order:
        if state[root]:
            continue
        state[root] = 1
        visited.append(root)
        stack: list[tuple[str, int]] = [(root, 0)]
        while stack:
            node, index = stack.pop()
            if index == len(out[node]):
                state[node] = 2
                continue
            stack.append((node, index + 1))
            edge = out[node][index]
            if state[edge.target] == 1:
                back.add(edge.key)
            elif state[edge.target] == 0:
                state[edge.target] = 1
                visited.append(edge.target)
                stack.append((edge.target, 0))
    arcs = [(e, e.key in back) for e in graph.edges if e.source != e.target]
    return arcs, visited


def _layers(arcs: list[tuple[MapEdge, bool]], visited: list[str]) -> dict[str, int]:
    """Longest-path layering of the acyclic graph; ■ alone on the last layer."""
    successors: dict[str, list[str]] = {node: [] for node in visited}
    indegree: dict[str, int] = dict.fromkeys(visited, 0)
    for edge, reversed_ in arcs:
        source, target = (edge.target, edge.source) if reversed_ else (edge.source, edge.target)
        successors[source].append(target)
        indegree[target] += 1
    layer = dict.fromkeys(visited, 0)
    ready = [node for node in visited if indegree[node] == 0]
    while ready:
        node = ready.pop(0)
        for target in successors[node]:
            layer[target] = max(layer[target], layer[node] + 1)
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    if END_ID in layer:
        others = [value for node, value in layer.items() if node != END_ID]
        layer[END_ID] = max(others, default=-1) + 1
    return layer


def _crossings(upper: list[str], lower: list[str], links: list[tuple[str, str]]) -> int:
    up = {node: i for i, node in enumerate(upper)}
    low = {node: i for i, node in enumerate(lower)}
    pairs = sorted((up[a], low[b]) for a, b in links if a in up and b in low)
    count = 0
    for i, (a1, b1) in enumerate(pairs):
        for a2, b2 in pairs[i + 1 :]:
            if a2 > a1 and b2 < b1:
                count += 1
    return count


def _order(
    rows: list[list[str]], down: dict[str, list[str]], up: dict[str, list[str]]
) -> list[list[str]]:
    """Barycenter sweeps; the ordering with the fewest crossings wins (earliest on ties)."""

    def total(candidate: list[list[str]]) -> int:
        return sum(
            _crossings(a, b, [(u, v) for u in a for v in down[u]])
            for a, b in itertools.pairwise(candidate)
        )

    best = [list(row) for row in rows]
    best_total = total(best)
    current = [list(row) for row in rows]
    for sweep in range(SWEEPS):
        downward = sweep % 2 == 0
        indices = range(1, len(current)) if downward else range(len(current) - 2, -1, -1)
        for i in indices:
            fixed = current[i - 1] if downward else current[i + 1]
            position = {node: p for p, node in enumerate(fixed)}
            neighbours = up if downward else down

            def barycenter(
                item: tuple[int, str],
                pos: dict[str, int] = position,
                links: dict[str, list[str]] = neighbours,
            ) -> float:
                index, node = item
                linked = [pos[n] for n in links[node] if n in pos]
                return sum(linked) / len(linked) if linked else float(index)

            ranked = sorted(enumerate(current[i]), key=lambda it: (barycenter(it), it[0]))
            current[i] = [node for _, node in ranked]
        score = total(current)
        if score < best_total:
            best, best_total = [list(row) for row in current], score
    return best


def _isotonic(desired: list[float], weights: list[float], gaps: list[float]) -> list[float]:
    """Positions nearest ``desired`` (weighted least squares) with ``x[i] - x[i-1] >= gaps[i]``."""
    offsets = []
    running = 0.0
    for gap in gaps:
        running += gap
        offsets.append(running)
    # Pool adjacent violators on y = x - offset, which must be non-decreasing.
    blocks: list[list[float]] = []  # [mean, weight, size]
    for target, weight, offset in zip(desired, weights, offsets, strict=True):
        blocks.append([target - offset, weight, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean2, weight2, size2 = blocks.pop()
            mean1, weight1, size1 = blocks.pop()
            weight = weight1 + weight2
            blocks.append([(mean1 * weight1 + mean2 * weight2) / weight, weight, size1 + size2])
    result: list[float] = []
    for mean, _, size in blocks:
        result.extend([mean] * int(size))
    return [y + offset for y, offset in zip(result, offsets, strict=True)]


def layout(
    graph: MapGraph,
    sizes: Mapping[str, tuple[float, float]],
    *,
    right_room: Mapping[str, float] | None = None,
) -> Layout:
    """Place the nodes (sized by ``sizes``) and route every arc of ``graph``.

    ``right_room`` reserves space to the right of a node (for its self-loop and label).
    """
    right_room = right_room or {}
    order = [START_ID, *sorted(graph.activities, key=lambda a: (-graph.activities[a], a)), END_ID]
    arcs, visited = _acyclic(graph, order)
    layer = _layers(arcs, visited)

    # Split long arcs with dummy nodes, one per layer crossed.
    chains: list[_Chain] = []
    width: dict[str, float] = {node: sizes[node][0] for node in visited}
    weight: dict[tuple[str, str], float] = {}
    for index, (edge, reversed_) in enumerate(arcs):
        source, target = (edge.target, edge.source) if reversed_ else (edge.source, edge.target)
        nodes = [source]
        for depth in range(layer[source] + 1, layer[target]):
            dummy = f"\x01{index}:{depth}"
            layer[dummy] = depth
            width[dummy] = DUMMY_WIDTH
            nodes.append(dummy)
        nodes.append(target)
        chains.append(_Chain(edge, nodes, reversed_))
        strength = 1.0 + math.log1p(edge.count)
        for a, b in itertools.pairwise(nodes):
            dummies = a.startswith("\x01") + b.startswith("\x01")
            weight[(a, b)] = weight.get((a, b), 0.0) + strength * (1 + dummies)

    down: dict[str, list[str]] = {node: [] for node in layer}
    up: dict[str, list[str]] = {node: [] for node in layer}
    for a, b in weight:
        down[a].append(b)
        up[b].append(a)

    # Initial order: depth-first discovery for real nodes, then each dummy after its source.
    depth = max(layer.values(), default=0) + 1
    rows: list[list[str]] = [[] for _ in range(depth)]
    for node in visited:
        rows[layer[node]].append(node)
    for chain in chains:
        for dummy in chain.nodes[1:-1]:
            rows[layer[dummy]].append(dummy)
    rows = _order(rows, down, up)

    # Horizontal positions: pack, then pull every layer towards its neighbours.
    x: dict[str, float] = {}

    def gaps(row: list[str]) -> list[float]:
        result = [0.0]
        for a, b in itertools.pairwise(row):
            result.append((width[a] + width[b]) / 2 + right_room.get(a, 0.0) + NODE_GAP)
        return result

    for row in rows:
        left = 0.0
        for node, gap in zip(row, gaps(row), strict=True):
            left += gap
            x[node] = left
    for sweep in range(4 * SWEEPS):
        direction = ("down", "up", "both")[sweep % 3]
        sequence = rows if direction != "up" else rows[::-1]
        for row in sequence:
            desired, weights = [], []
            for node in row:
                pulls: list[tuple[float, float]] = []
                if direction in ("down", "both"):
                    pulls += [(x[n], weight[(n, node)]) for n in up[node]]
                if direction in ("up", "both"):
                    pulls += [(x[n], weight[(node, n)]) for n in down[node]]
                total = sum(w for _, w in pulls)
                if total:
                    desired.append(sum(p * w for p, w in pulls) / total)
                    weights.append(total)
                else:
                    desired.append(x[node])
                    weights.append(1e-3)
            for node, value in zip(row, _isotonic(desired, weights, gaps(row)), strict=True):
                x[node] = value
    left_edge = min((x[n] - width[n] / 2 for n in x), default=0.0)
    right_edge = max((x[n] + width[n] / 2 + right_room.get(n, 0.0) for n in x), default=0.0)
    for node in x:
        x[node] = round(x[node] - left_edge, 1)

    # Vertical positions: each layer as tall as its tallest box, and layers further apart where
    # arcs fan out wide, so they never run flat.
    spread = [0.0] * len(rows)
    for a, b in weight:
        spread[layer[a]] = max(spread[layer[a]], abs(x[a] - x[b]))
    ys: list[float] = []
    y = 0.0
    for index, row in enumerate(rows):
        tallest = max((sizes[n][1] for n in row if n in sizes), default=0.0)
        ys.append(y + tallest / 2)
        y += tallest + min(MAX_LAYER_GAP, max(LAYER_GAP, FAN_SLOPE * spread[index]))
    height = y - min(MAX_LAYER_GAP, max(LAYER_GAP, FAN_SLOPE * spread[-1])) if rows else 0.0

    boxes = {
        node: NodeBox(node, x[node], round(ys[layer[node]], 1), *sizes[node], layer[node])
        for node in visited
    }
    routes = _routes(graph, chains, boxes, x, ys, layer)
    return Layout(
        nodes=boxes,
        routes=routes,
        width=round(right_edge - left_edge, 1),
        height=round(max(height, 0.0), 1),
    )


def _routes(
    graph: MapGraph,
    chains: list[_Chain],
    boxes: dict[str, NodeBox],
    x: dict[str, float],
    ys: list[float],
    layer: dict[str, int],
) -> list[Route]:
    """Ports spread along each box's top and bottom, ordered by where their arcs go."""
    # (node, side) -> [(x of the arc's next point, chain index)]; side 0 top, 1 bottom
    attachments: dict[tuple[str, int], list[tuple[float, int]]] = {}
    for index, chain in enumerate(chains):
        first, second = chain.nodes[0], chain.nodes[1]
        before, last = chain.nodes[-2], chain.nodes[-1]
        attachments.setdefault((first, 1), []).append((x[second], index))
        attachments.setdefault((last, 0), []).append((x[before], index))
    port: dict[tuple[int, str], tuple[float, float]] = {}
    for (node, side), items in attachments.items():
        box = boxes[node]
        items.sort()
        span = min(box.width * 0.7, 12.0 * (len(items) - 1)) if box.width > 40 else 0.0
        for i, (_, index) in enumerate(items):
            offset = span * (i / (len(items) - 1) - 0.5) if len(items) > 1 else 0.0
            port[(index, node)] = (
                round(box.x + offset, 1),
                box.bottom if side == 1 else box.top,
            )
    routes: list[Route] = []
    for index, chain in enumerate(chains):
        points = [port[(index, chain.nodes[0])]]
        points += [(x[d], round(ys[layer[d]], 1)) for d in chain.nodes[1:-1]]
        points.append(port[(index, chain.nodes[-1])])
        if chain.back:
            points.reverse()
        routes.append(Route(chain.edge, tuple(points), chain.back, False))
    routes += [Route(e, (), False, True) for e in graph.edges if e.source == e.target]
    routes.sort(key=lambda r: r.edge.key)
    return routes
