"""Draw a laid-out process map as one standalone SVG document (no scripts, no fonts, no network).

Everything is a presentation attribute, so the SVG can be inlined in a page without its styles
leaking. Numbers are rounded to 0.1 px and every collection is iterated in a fixed order, so the
same map always gives byte-identical output.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Literal

from tandem.flow.render.graph import END, END_ID, START, START_ID, MapEdge, MapGraph
from tandem.flow.render.layout import Layout, NodeBox, Route, layout
from tandem.flow.render.text import escape, human_duration, text_width

Colouring = Literal["frequency", "performance"]
Point = tuple[float, float]
Segment = tuple[Point, Point, Point, Point]

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
INK = "#1f2933"
MUTED = "#52606d"
TERMINAL = "#9aa5b1"
FREQUENCY_EDGE = "#3e4c59"
# ColorBrewer sequential schemes: lightness changes monotonically, so they stay readable for
# colour-blind readers and in greyscale. Blues for activity frequency, OrRd for waiting time.
NODE_COLOURS = ("#eff3ff", "#c6dbef", "#9ecae1", "#4292c6", "#08519c")
NODE_TEXT = ("#1f2933", "#1f2933", "#1f2933", "#ffffff", "#ffffff")
WAIT_COLOURS = ("#fdbb84", "#fc8d59", "#ef6548", "#d7301f", "#990000")
MARGIN = 24.0
NAME_SIZE = 13.0
SMALL_SIZE = 11.0
NODE_HEIGHT = 42.0
TERMINAL_SIZE = 26.0
MAX_LABEL = 34
BOLD = 1.06  # bold text is about 6 % wider
BOW = 34.0  # sideways bulge of a back arc between adjacent layers


def _n(value: float) -> str:
    return f"{value:.1f}"


def _label(activity: str) -> str:
    return activity if len(activity) <= MAX_LABEL else activity[: MAX_LABEL - 1] + "…"


def _classes(values: Sequence[float], count: int) -> tuple[list[float], int]:
    """Log-spaced class boundaries ``count + 1`` long over ``values`` (all > 0)."""
    low, high = min(values), max(values)
    if high <= low:
        return [low, high], 1
    step = (math.log(high) - math.log(low)) / count
    return [math.exp(math.log(low) + step * i) for i in range(count + 1)], count


def _class_of(value: float, bounds: list[float]) -> int:
    classes = len(bounds) - 1
    if classes <= 1 or bounds[-1] <= bounds[0]:
        return 0
    share = (math.log(value) - math.log(bounds[0])) / (math.log(bounds[-1]) - math.log(bounds[0]))
    return min(classes - 1, max(0, int(share * classes)))


class _Drawing:
    """Collects the SVG elements of one map."""

    def __init__(self, graph: MapGraph, colour: Colouring) -> None:
        self.graph = graph
        self.colour = colour
        counts = [c for c in graph.activities.values() if c > 0] or [1]
        self.node_bounds, _ = _classes(counts, len(NODE_COLOURS))
        waits = [
            edge.median_seconds + 1.0
            for edge in graph.edges
            if not edge.is_terminal and edge.median_seconds is not None
        ]
        self.wait_bounds, _ = _classes(waits or [1.0], len(WAIT_COLOURS))
        self.max_count = max((edge.count for edge in graph.edges), default=1)

    # -- sizes ------------------------------------------------------------------------------

    def sizes(self) -> dict[str, tuple[float, float]]:
        sizes = {START_ID: (TERMINAL_SIZE, TERMINAL_SIZE), END_ID: (TERMINAL_SIZE, TERMINAL_SIZE)}
        for activity, count in self.graph.activities.items():
            width = max(
                BOLD * text_width(_label(activity), NAME_SIZE), text_width(f"{count:,}", SMALL_SIZE)
            )
            sizes[activity] = (round(max(96.0, width + 28.0), 1), NODE_HEIGHT)
        return sizes

    def right_room(self) -> dict[str, float]:
        return {
            edge.source: 30.0 + text_width(self.edge_label(edge), SMALL_SIZE)
            for edge in self.graph.edges
            if edge.source == edge.target
        }

    # -- styling ----------------------------------------------------------------------------

    def edge_label(self, edge: MapEdge) -> str:
        if self.colour == "performance":
            return "" if edge.is_terminal else human_duration(edge.median_seconds)
        return f"{edge.count:,}"

    def edge_colour(self, edge: MapEdge) -> str:
        if edge.is_terminal:
            return TERMINAL
        if self.colour == "performance" and edge.median_seconds is not None:
            return WAIT_COLOURS[_class_of(edge.median_seconds + 1.0, self.wait_bounds)]
        return FREQUENCY_EDGE

    def stroke(self, edge: MapEdge) -> float:
        return round(1.2 + 5.3 * math.log1p(edge.count) / math.log1p(self.max_count), 1)

    def edge_title(self, edge: MapEdge) -> str:
        source = START if edge.source == START_ID else edge.source
        target = END if edge.target == END_ID else edge.target
        lines = [f"{source} → {target}", f"{edge.count:,} times"]
        if not edge.is_terminal and edge.median_seconds is not None:
            lines.append(
                f"wait: median {human_duration(edge.median_seconds)}, "
                f"mean {human_duration(edge.mean_seconds)}, "
                f"P85 {human_duration(edge.p85_seconds)}"
            )
            lines.append(f"total wait {human_duration(edge.total_wait_seconds)}")
        return "\n".join(lines)

    # -- elements ---------------------------------------------------------------------------

    def node(self, box: NodeBox) -> str:
        if box.id in (START_ID, END_ID):
            is_start = box.id == START_ID
            radius = _n(box.width / 2)
            cases = "" if self.graph.cases is None else f"\n{self.graph.cases:,} cases"
            shape = (
                f'<polygon points="{_n(box.x - 4)},{_n(box.y - 6)} {_n(box.x + 6)},{_n(box.y)} '
                f'{_n(box.x - 4)},{_n(box.y + 6)}" fill="#ffffff"/>'
                if is_start
                else f'<rect x="{_n(box.x - 5)}" y="{_n(box.y - 5)}" width="10" height="10" '
                f'fill="#ffffff"/>'
            )
            return (
                f'<g class="node terminal" data-node="{"start" if is_start else "end"}">'
                f"<title>{escape(('start' if is_start else 'end') + cases)}</title>"
                f'<circle cx="{_n(box.x)}" cy="{_n(box.y)}" r="{radius}" fill="{MUTED}"/>'
                f"{shape}</g>"
            )
        count = self.graph.activities[box.id]
        shade = _class_of(max(count, 1), self.node_bounds)
        left, top = box.x - box.width / 2, box.top
        return (
            f'<g class="node" data-activity="{escape(box.id)}">'
            f"<title>{escape(box.id)}\n{count:,} events</title>"
            f'<rect x="{_n(left)}" y="{_n(top)}" width="{_n(box.width)}" '
            f'height="{_n(box.height)}" rx="8" fill="{NODE_COLOURS[shade]}" '
            f'stroke="#2c3e50" stroke-width="1"/>'
            f'<text x="{_n(box.x)}" y="{_n(box.y - 3)}" text-anchor="middle" '
            f'font-size="{NAME_SIZE:g}" font-weight="600" fill="{NODE_TEXT[shade]}">'
            f"{escape(_label(box.id))}</text>"
            f'<text x="{_n(box.x)}" y="{_n(box.y + 13)}" text-anchor="middle" '
            f'font-size="{SMALL_SIZE:g}" fill="{NODE_TEXT[shade]}">{count:,}</text></g>'
        )

    def geometry(self, route: Route, boxes: dict[str, NodeBox]) -> tuple[list[Segment], Point]:
        """The Bézier segments of an arc (ending where its arrowhead starts) and its tip."""
        edge = route.edge
        head = 5.0 + 1.4 * self.stroke(edge)
        if route.self_loop:
            box = boxes[edge.source]
            right = box.x + box.width / 2
            p0, p3 = (right, box.y - 9), (right + head, box.y + 9)
            c1, c2 = (right + 30, box.y - 26), (right + 30, box.y + 26)
            return [(p0, c1, c2, p3)], (right, box.y + 9)
        return self._segments(route, head), route.points[-1]

    def label_spots(self, route: Route, boxes: dict[str, NodeBox]) -> list[Point]:
        """Where the arc's label may go, best first: along the middle of the arc, then beside."""
        segments, _ = self.geometry(route, boxes)
        shift = self.stroke(route.edge) / 2 + 3
        if route.self_loop:
            (_, c1, _, _) = segments[0]
            return [(c1[0] - 4 + shift, route_y(segments[0]) + 4)]
        middle = len(segments) // 2
        order = [middle] + [i for i in range(len(segments)) if i != middle]
        return [
            (point[0] + shift, point[1] + 4)
            for index in order
            for t in (0.5, 0.35, 0.65, 0.2, 0.8)
            for point in [_bezier(segments[index], t)]
        ]

    def label(self, route: Route, label_at: Point | None) -> str:
        """The arc's label, drawn above every arc so none hides it."""
        edge = route.edge
        label = self.edge_label(edge)
        return (
            f'<text x="{_n(label_at[0])}" y="{_n(label_at[1])}" font-size="{SMALL_SIZE:g}" '
            f'fill="{INK if not edge.is_terminal else MUTED}" stroke="#ffffff" '
            f'stroke-width="3" paint-order="stroke">{escape(label)}</text>'
            if label and label_at is not None
            else ""
        )

    def edge(self, route: Route, boxes: dict[str, NodeBox]) -> str:
        edge = route.edge
        width = self.stroke(edge)
        colour = self.edge_colour(edge)
        segments, tip = self.geometry(route, boxes)
        start = segments[0][0]
        path = f"M{_n(start[0])},{_n(start[1])}" + "".join(
            f" C{_n(c1[0])},{_n(c1[1])} {_n(c2[0])},{_n(c2[1])} {_n(p3[0])},{_n(p3[1])}"
            for _, c1, c2, p3 in segments
        )
        base = segments[-1][3]
        arrow = _arrow(base, tip, 2.2 + 1.0 * width)
        source = "start" if edge.source == START_ID else edge.source
        target = "end" if edge.target == END_ID else edge.target
        kind = "edge terminal" if edge.is_terminal else ("edge back" if route.back else "edge")
        return (
            f'<g class="{kind}" data-source="{escape(source)}" data-target="{escape(target)}">'
            f"<title>{escape(self.edge_title(edge))}</title>"
            f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="{_n(width)}" '
            f'stroke-opacity="0.85"/>'
            f'<polygon points="{arrow}" fill="{colour}"/></g>'
        )

    def _segments(self, route: Route, head: float) -> list[Segment]:
        points = list(route.points)
        # Stop the line where the arrowhead starts.
        tip = points[-1]
        before = points[-2]
        direction = 1.0 if tip[1] >= before[1] else -1.0
        points[-1] = (tip[0], tip[1] - direction * head)
        bow = BOW if route.back and len(points) == 2 else 0.0
        segments: list[Segment] = []
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            half = (y1 - y0) / 2
            segments.append(((x0, y0), (x0 + bow, y0 + half), (x1 + bow, y1 - half), (x1, y1)))
        return segments


def route_y(segment: Segment) -> float:
    """Vertical middle of a segment."""
    return (segment[0][1] + segment[3][1]) / 2


def _bezier(segment: Segment, t: float) -> Point:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = segment
    a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
    return (a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3)


def _place_labels(drawing: _Drawing, placed: Layout) -> dict[tuple[str, str], Point | None]:
    """Greedy label placement: heavy arcs first, each at its first spot that overlaps nothing."""
    taken: list[tuple[float, float, float, float]] = [
        (box.x - box.width / 2, box.top, box.x + box.width / 2, box.bottom)
        for box in placed.nodes.values()
    ]
    where: dict[tuple[str, str], Point | None] = {}
    for route in sorted(placed.routes, key=lambda r: (-r.edge.count, r.edge.key)):
        label = drawing.edge_label(route.edge)
        if not label:
            where[route.edge.key] = None
            continue
        width = text_width(label, SMALL_SIZE)
        spots = drawing.label_spots(route, placed.nodes)
        chosen = spots[0]
        for x, y in spots:
            box = (x - 1, y - SMALL_SIZE, x + width + 1, y + 3)
            if not any(
                box[0] < o[2] and o[0] < box[2] and box[1] < o[3] and o[1] < box[3] for o in taken
            ):
                chosen = (x, y)
                break
        x, y = chosen
        taken.append((x - 1, y - SMALL_SIZE, x + width + 1, y + 3))
        where[route.edge.key] = chosen
    return where


def _arrow(base: tuple[float, float], tip: tuple[float, float], half_width: float) -> str:
    dx, dy = tip[0] - base[0], tip[1] - base[1]
    length = math.hypot(dx, dy) or 1.0
    nx, ny = -dy / length * half_width, dx / length * half_width
    corners = ((tip[0], tip[1]), (base[0] + nx, base[1] + ny), (base[0] - nx, base[1] - ny))
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in corners)


def caption(graph: MapGraph) -> list[str]:
    """The lines under the title: what the map counts and what it leaves out."""
    facts = []
    if graph.cases is not None:
        facts.append(f"{graph.cases:,} cases")
    if graph.events is not None:
        facts.append(f"{graph.events:,} events")
    facts.append(f"{len(graph.activities):,} activities")
    total = len(graph.edges) + len(graph.hidden)
    facts.append(f"{len(graph.edges):,} of {total:,} paths shown")
    lines = [" · ".join(facts)]
    if graph.hidden:
        share = (
            f", which carry {100 * graph.kept_transitions / graph.total_transitions:.1f} % "
            "of all transitions"
            if graph.total_transitions
            else ""
        )
        rule = (
            f"the {graph.max_edges:,} most frequent"
            if graph.max_edges is not None
            else "the most frequent"
        )
        if graph.min_count > 1:
            rule += f" with at least {graph.min_count:,}"
        lines.append(
            f"{len(graph.hidden):,} rarer paths hidden: shown are {rule}, plus those that keep "
            f"every activity connected{share}."
        )
    return lines


def _legend(drawing: _Drawing, top: float) -> tuple[list[str], float, float]:
    """Legend elements, their height and width."""
    parts: list[str] = []
    x = MARGIN
    y = top

    def swatch_row(title: str, colours: Sequence[str], bounds: list[float], fmt: str) -> None:
        nonlocal x
        parts.append(
            f'<text x="{_n(x)}" y="{_n(y + 12)}" font-size="{SMALL_SIZE:g}" fill="{MUTED}">'
            f"{escape(title)}</text>"
        )
        x += text_width(title, SMALL_SIZE) + 8
        classes = max(1, len(bounds) - 1)
        shown = colours if classes > 1 else colours[-1:]
        for i, colour in enumerate(shown):
            low = bounds[i] if classes > 1 else bounds[0]
            high = bounds[i + 1] if classes > 1 else bounds[-1]
            if fmt == "count":
                label = f"{math.ceil(low):,}–{math.floor(high):,}" if high > low else f"{low:,.0f}"
            else:
                label = f"{human_duration(low - 1)}–{human_duration(high - 1)}"
            parts.append(
                f'<rect x="{_n(x)}" y="{_n(y + 2)}" width="18" height="12" rx="2" '
                f'fill="{colour}" stroke="#2c3e50" stroke-width="0.5"/>'
                f'<text x="{_n(x + 22)}" y="{_n(y + 12)}" font-size="{SMALL_SIZE:g}" '
                f'fill="{INK}">{escape(label)}</text>'
            )
            x += 22 + text_width(label, SMALL_SIZE) + 12
        x += 14

    swatch_row("Activity events:", NODE_COLOURS, drawing.node_bounds, "count")
    if drawing.colour == "performance":
        swatch_row("Median wait:", WAIT_COLOURS, drawing.wait_bounds, "wait")
        note = "Arc labels: median wait · thickness: frequency"
    else:
        note = "Arc labels and thickness: how often one activity directly follows another"
    parts.append(
        f'<text x="{_n(x)}" y="{_n(y + 12)}" font-size="{SMALL_SIZE:g}" fill="{MUTED}">'
        f"{escape(note)}</text>"
    )
    x += text_width(note, SMALL_SIZE)
    return parts, 20.0, x + MARGIN


def draw(graph: MapGraph, colour: Colouring = "frequency") -> tuple[str, Layout]:
    """The SVG document of ``graph`` and the layout it used."""
    drawing = _Drawing(graph, colour)
    placed = layout(graph, drawing.sizes(), right_room=drawing.right_room())
    title = "Process map · " + (
        "performance (median wait between activities)" if colour == "performance" else "frequency"
    )
    header = [
        f'<text x="{_n(MARGIN)}" y="{_n(MARGIN + 14)}" font-size="16" font-weight="700" '
        f'fill="{INK}">{escape(title)}</text>'
    ]
    lines = caption(graph)
    y = MARGIN + 20
    for line in lines:
        y += 16
        header.append(
            f'<text x="{_n(MARGIN)}" y="{_n(y)}" font-size="12" fill="{MUTED}">'
            f"{escape(line)}</text>"
        )
    legend, legend_height, legend_width = _legend(drawing, y + 10)
    graph_top = y + 10 + legend_height + 28
    header_width = max(
        [text_width(title, 16) + 2 * MARGIN]
        + [text_width(line, 12) + 2 * MARGIN for line in lines]
        + [legend_width]
    )
    width = max(header_width, placed.width + 2 * MARGIN + BOW)
    height = graph_top + placed.height + MARGIN
    offset_x = MARGIN + max(0.0, (width - 2 * MARGIN - placed.width - BOW) / 2)
    labels = _place_labels(drawing, placed)
    edges = [drawing.edge(route, placed.nodes) for route in placed.routes]
    edge_labels = [drawing.label(route, labels[route.edge.key]) for route in placed.routes]
    nodes = [drawing.node(placed.nodes[key]) for key in sorted(placed.nodes)]
    body = "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}" height="{_n(height)}" '
            f'viewBox="0 0 {_n(width)} {_n(height)}" font-family="{escape(FONT)}" '
            f'role="img" aria-label="{escape(title)}">',
            f"<title>{escape(title)}</title>",
            f"<desc>{escape(' '.join(lines))}</desc>",
            f'<rect width="{_n(width)}" height="{_n(height)}" fill="#ffffff"/>',
            '<g class="header">',
            *header,
            *legend,
            "</g>",
            f'<g class="map" transform="translate({_n(offset_x)},{_n(graph_top)})">',
            '<g class="edges">',
            *edges,
            "</g>",
            '<g class="edge-labels">',
            *(label for label in edge_labels if label),
            "</g>",
            '<g class="nodes">',
            *nodes,
            "</g>",
            "</g>",
            "</svg>",
            "",
        ]
    )
    return body, placed
