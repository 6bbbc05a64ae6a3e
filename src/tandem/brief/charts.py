"""The brief's charts as inline SVG, drawn in Python: no script, no font, no request.

A chart is a function of figures the services gave (never a figure of its own) and returns
SVG markup (:class:`markupsafe.Markup`) with every label escaped. Each picture scales to its
container (``viewBox``) and prints at its container's size; colours match the web app's.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

BLUE = "#1d4ed8"
AMBER = "#b45309"
RED = "#a4161a"
GREEN = "#166534"
GREY = "#4a5260"
INK = "#1f2933"
FONT = 'font-family="system-ui, sans-serif"'


def _text(x: float, y: float, text: str, *, size: int = 11, anchor: str = "start",
          fill: str = INK) -> str:  # fmt: skip
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}" {FONT}>{escape(text)}</text>'
    )


def _svg(width: int, height: int, title: str, body: Sequence[str]) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
        + "".join(body)
        + "</svg>"
    )


def column_chart(
    rows: Sequence[tuple[str, float]], *, title: str, unit: str, colour: str = BLUE
) -> Markup:
    """Vertical bars, one per row (e.g. items done per ISO week), a whole-number scale from 0."""
    width, height, left, bottom, top = 640, 200, 40, 34, 12
    peak = max([1.0, *(value for _, value in rows)])
    plot_w, plot_h = width - left - 8, height - bottom - top
    step = plot_w / max(len(rows), 1)
    body = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 8}" y2="{top + plot_h}" '
        f'stroke="{GREY}" stroke-width="1"/>',
        _text(left - 6, top + 8, f"{peak:g}", anchor="end", size=10),
        _text(left - 6, top + plot_h, "0", anchor="end", size=10),
        _text(4, top + plot_h / 2, unit, size=10),
    ]
    every = max(1, -(-len(rows) // 7))  # at most 7 labels: they never overlap
    for i, (label, value) in enumerate(rows):
        bar_h = plot_h * value / peak
        x = left + i * step
        body.append(
            f'<rect x="{x + step * 0.15:.1f}" y="{top + plot_h - bar_h:.1f}" '
            f'width="{step * 0.7:.1f}" height="{bar_h:.1f}" fill="{colour}">'
            f"<title>{escape(label)}: {value:g}</title></rect>"
        )
        if i % every == 0:
            body.append(_text(x + step / 2, height - 14, label, anchor="middle", size=9))
    return _svg(width, height, title, body)


def bar_chart(
    rows: Sequence[tuple[str, float | None, str]], *, title: str, colour: str = BLUE
) -> Markup:
    """Horizontal bars with their labels and values in words (``None``: no bar, "—")."""
    width, row_h, left = 640, 26, 170
    height = row_h * max(len(rows), 1) + 8
    peak = max([1e-9, *(value for _, value, _ in rows if value is not None)])
    plot_w = width - left - 180  # room for the words after the longest bar
    body = []
    for i, (label, value, words) in enumerate(rows):
        y = 4 + i * row_h
        body.append(_text(left - 8, y + row_h * 0.65, label, anchor="end"))
        if value is not None:
            bar_w = max(1.0, plot_w * value / peak)
            body.append(
                f'<rect x="{left}" y="{y + 4}" width="{bar_w:.1f}" height="{row_h - 8}" '
                f'fill="{colour}"/>'
            )
            body.append(_text(left + bar_w + 6, y + row_h * 0.65, words))
        else:
            body.append(_text(left + 6, y + row_h * 0.65, words or "—", fill=GREY))
    return _svg(width, height, title, body)


def line_chart(
    points: Sequence[tuple[str, float | None]], *, title: str, target: float | None = None
) -> Markup:
    """A series of values by day (gaps where unknown), with the target as a dashed line."""
    width, height, left, bottom, top = 640, 160, 48, 28, 12
    known = [v for _, v in points if v is not None]
    values = [*known, *([target] if target is not None else [])]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if high == low:
        low, high = low - 1, high + 1
    plot_w, plot_h = width - left - 8, height - bottom - top
    step = plot_w / max(len(points) - 1, 1)

    def y_of(value: float) -> float:
        return top + plot_h * (high - value) / (high - low)

    body = [
        _text(left - 6, top + 8, f"{high:.3g}", anchor="end", size=10),
        _text(left - 6, top + plot_h, f"{low:.3g}", anchor="end", size=10),
    ]
    if target is not None:
        body.append(
            f'<line x1="{left}" y1="{y_of(target):.1f}" x2="{width - 8}" y2="{y_of(target):.1f}" '
            f'stroke="{AMBER}" stroke-dasharray="6 4"/>'
        )
        body.append(_text(width - 10, y_of(target) - 4, "target", anchor="end", size=10))
    runs: list[list[str]] = [[]]
    for i, (label, value) in enumerate(points):
        x = left + i * step
        if value is None:
            runs.append([])  # a gap: the line stops at an unknown value
            continue
        runs[-1].append(f"{x:.1f},{y_of(value):.1f}")
        body.append(
            f'<circle cx="{x:.1f}" cy="{y_of(value):.1f}" r="3" fill="{BLUE}">'
            f"<title>{escape(label)}: {value:g}</title></circle>"
        )
    for run in runs:
        if len(run) > 1:
            body.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{BLUE}"/>')
    if points:
        body.append(_text(left, height - 8, points[0][0], size=9))
        body.append(_text(width - 8, height - 8, points[-1][0], anchor="end", size=9))
    return _svg(width, height, title, body)


CALL_COLOURS = {"covered": GREEN, "uncertain": AMBER, "gap": RED, "suppressed": "#d4d8de"}


def coverage_strip(cells: Sequence[tuple[str, str]], *, title: str) -> Markup:
    """One square per practice, coloured by its call (covered, uncertain, gap, suppressed)."""
    size, gap, label_h = 56, 6, 30
    width = len(cells) * (size + gap) + gap
    height = size + label_h + 8
    body = []
    for i, (practice, call) in enumerate(cells):
        x = gap + i * (size + gap)
        body.append(
            f'<rect x="{x}" y="4" width="{size}" height="{size}" rx="4" '
            f'fill="{CALL_COLOURS.get(call, GREY)}"><title>{escape(practice)}: {escape(call)}'
            "</title></rect>"
        )
        body.append(_text(x + size / 2, size + 20, practice[:12], anchor="middle", size=8))
    return _svg(width, height, title, body)
