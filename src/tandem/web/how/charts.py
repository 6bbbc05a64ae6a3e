"""How the HOW panel draws its numbers: Vega-Lite specs and durations in words.

The specs are embedded in the page and drawn by ``static/how.js``; :func:`duration` and
:func:`excluded_text` are the formats the templates (HOW and home) use for numbers.
"""

from __future__ import annotations

from typing import Any

CHART_POINTS = 500
# The vendored runtime is Vega-Lite 6 (static/vendor/VERSIONS.md): a spec of another major
# version makes vega-embed warn in the console. A test keeps the two equal.
VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
# Axis labels: whole numbers for counts, one decimal at most for days (d3-format).
COUNT_AXIS = {"format": "d", "tickMinStep": 1}
DAYS_AXIS = {"format": ",.1~f"}
# fit the container's width only
AUTOSIZE = {"type": "fit-x", "contains": "padding"}
AGING_ROW = 28  # px per stage
MIN_AGING_HEIGHT = 120

ZONE_COLOURS = {"<P50": "#166534", "P50-P85": "#b45309", ">P85": "#a4161a", "no history": "#4a5260"}


def throughput_chart(data: dict[str, Any]) -> dict[str, Any]:
    """Items done per ISO week, as bars (a whole-number axis from 0, at least to 1)."""
    weekly = data["throughput"]["weekly"]
    top = max([1, *(row["count"] for row in weekly)])
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": "Items done per week",
        "width": "container",
        "autosize": AUTOSIZE,
        "height": 180,
        "data": {"values": weekly},
        "mark": {"type": "bar", "color": "#1d4ed8"},
        "encoding": {
            "x": {"field": "week", "type": "ordinal", "title": "ISO week", "sort": None},
            "y": {
                "field": "count",
                "type": "quantitative",
                "title": "items done",
                "axis": COUNT_AXIS,
                "scale": {"domain": [0, top], "nice": True},
            },
            "tooltip": [{"field": "week"}, {"field": "count", "title": "done"}],
        },
    }


def aging_chart(aging: dict[str, Any]) -> dict[str, Any]:
    """Open items by stage and days in stage, coloured by zone, with each stage's P50 and P85."""
    points = [
        {
            "item": item["case_id"],
            "stage": item["stage"],
            "days": round(item["time_in_stage_seconds"] / 86400, 2),
            "age_days": round(item["age_seconds"] / 86400, 1),
            "zone": item["zone"] or "no history",
        }
        for item in aging["items"][:CHART_POINTS]
    ]
    marks: dict[str, dict[str, Any]] = {}
    for item in aging["items"]:
        if item["stage_p50_seconds"] is not None and item["stage"] not in marks:
            marks[item["stage"]] = {
                "stage": item["stage"],
                "p50": round(item["stage_p50_seconds"] / 86400, 2),
                "p85": round(item["stage_p85_seconds"] / 86400, 2),
            }
    zones = list(ZONE_COLOURS)
    stages = {point["stage"] for point in points} | set(marks)
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": "Aging work in progress by stage",
        "width": "container",
        # a fixed height (a row per stage): a discrete height with a container width makes
        # Vega-Lite warn in the console ("Dropping fit-y")
        "height": max(MIN_AGING_HEIGHT, AGING_ROW * len(stages)),
        "autosize": AUTOSIZE,
        "layer": [
            {
                "data": {"values": list(marks.values())},
                "mark": {"type": "tick", "color": "#b45309", "thickness": 2},
                "encoding": {
                    "y": {"field": "stage", "type": "nominal", "title": None},
                    "x": {"field": "p50", "type": "quantitative"},
                    "tooltip": [{"field": "stage"}, {"field": "p50", "title": "stage P50 (d)"}],
                },
            },
            {
                "data": {"values": list(marks.values())},
                "mark": {"type": "tick", "color": "#a4161a", "thickness": 2},
                "encoding": {
                    "y": {"field": "stage", "type": "nominal"},
                    "x": {"field": "p85", "type": "quantitative"},
                    "tooltip": [{"field": "stage"}, {"field": "p85", "title": "stage P85 (d)"}],
                },
            },
            {
                "data": {"values": points},
                "mark": {"type": "point", "filled": True, "opacity": 0.75},
                "encoding": {
                    "y": {"field": "stage", "type": "nominal", "title": None},
                    "x": {
                        "field": "days",
                        "type": "quantitative",
                        "title": "days in stage",
                        "axis": DAYS_AXIS,
                    },
                    "color": {
                        "field": "zone",
                        "type": "nominal",
                        "title": "zone",
                        "scale": {"domain": zones, "range": [ZONE_COLOURS[z] for z in zones]},
                    },
                    "tooltip": [
                        {"field": "item"},
                        {"field": "stage"},
                        {"field": "days", "title": "days in stage"},
                        {"field": "age_days", "title": "age (days)"},
                        {"field": "zone"},
                    ],
                },
            },
        ],
    }


def rework_chart(report: dict[str, Any]) -> dict[str, Any]:
    """The rework share of changed lines per ISO week, as bars (0–100 %); a week withheld for
    too few people behind it is left out (a gap, never a 0)."""
    weekly = [
        {
            "week": row["week"],
            "share": row["line_share"] if row["line_share"] is not None else 0.0,
            "lines": row["lines"],
            "rework_lines": row["rework_lines"],
        }
        for row in report["weekly"][-CHART_POINTS:]
        if not row.get("withheld")
    ]
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": "Rework share of changed lines per week",
        "width": "container",
        "autosize": AUTOSIZE,
        "height": 160,
        "data": {"values": weekly},
        "mark": {"type": "bar", "color": "#b45309"},
        "encoding": {
            "x": {"field": "week", "type": "ordinal", "title": "ISO week", "sort": None},
            "y": {
                "field": "share",
                "type": "quantitative",
                "title": "rework share of changed lines",
                "axis": {"format": ".0%"},
                "scale": {"domain": [0, 1]},
            },
            "tooltip": [
                {"field": "week"},
                {"field": "share", "title": "rework share", "format": ".1%"},
                {"field": "rework_lines", "title": "rework lines"},
                {"field": "lines", "title": "changed lines"},
            ],
        },
    }


PR_STAGES = ("coding", "pickup", "review", "deploy")


def pr_stages_chart(prs: dict[str, Any]) -> dict[str, Any]:
    """Each pull request stage's P50 and P85 in hours, as grouped bars (stages without data
    are left out, never drawn as 0)."""
    values = [
        {
            "stage": stage,
            "percentile": label,
            "hours": round(prs[stage][f"{key}_seconds"] / 3600, 2),
            "n": prs[stage]["n"],
        }
        for stage in PR_STAGES
        for label, key in (("P50", "p50"), ("P85", "p85"))
        if prs[stage][f"{key}_seconds"] is not None
    ]
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": "Pull request stages: P50 and P85 in hours",
        "width": "container",
        "autosize": AUTOSIZE,
        "height": 28 * len(PR_STAGES) * 2,
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "stage", "type": "nominal", "title": None, "sort": list(PR_STAGES)},
            "yOffset": {"field": "percentile", "type": "nominal"},
            "x": {"field": "hours", "type": "quantitative", "title": "hours", "axis": DAYS_AXIS},
            "color": {
                "field": "percentile",
                "type": "nominal",
                "title": None,
                "scale": {"domain": ["P50", "P85"], "range": ["#1d4ed8", "#b45309"]},
            },
            "tooltip": [
                {"field": "stage"},
                {"field": "percentile"},
                {"field": "hours"},
                {"field": "n", "title": "pull requests"},
            ],
        },
    }


def duration(seconds: float | None) -> str:
    """A duration for people: ``3.2 d``, ``5.0 h``, ``12 min``; unknown is ``—``."""
    if seconds is None:
        return "—"
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if seconds >= size:
            return f"{seconds / size:,.1f} {unit}"
    return f"{seconds:.0f} s"


def excluded_text(excluded: dict[str, int] | None) -> str:
    """``not done: 12, canceled: 3`` (only the non-zero reasons), or empty."""
    return ", ".join(f"{k}: {v:,}" for k, v in (excluded or {}).items() if v)
