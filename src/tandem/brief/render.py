"""The brief as ONE self-contained HTML file: inline CSS, inline SVG charts, no script.

The file asks for nothing (no font, no stylesheet, no image, no script) so it opens offline and
from anywhere; charts are inline SVG drawn by :mod:`tandem.brief.charts` from the brief's own
figures. Jinja2 autoescapes every value (team names, goal titles, vision text); numbers carry
their exact value in a ``data-value`` attribute beside the words, so a test can read them back.
A ``@media print`` layout sets A4 pages with a break before each section.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from tandem.brief import charts
from tandem.brief.schemas import Brief
from tandem.web.how.charts import duration

DAY = 86_400.0


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("tandem.brief", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["duration"] = duration
    env.filters["share"] = share
    env.filters["number"] = number
    env.filters["reason"] = reason_text
    return env


def reason_text(text: str | None) -> str:
    """A part's reason as a sentence, without the "withheld:" or "not set up yet:" its label
    already says."""
    words = (text or "").strip()
    for prefix in ("withheld: ", "not set up yet: "):
        if words.lower().startswith(prefix):
            words = words[len(prefix) :]
    return words[:1].upper() + words[1:]


def share(value: float | None) -> str:
    """``42 %`` (no decimals), ``—`` when unknown."""
    return "—" if value is None else f"{value * 100:.0f} %"


def number(value: float | int | None, decimals: int = 1) -> str:
    """``1,234`` or ``3.2``; ``—`` when unknown."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{decimals}f}"


_ENV = _environment()


def brief_charts(brief: Brief) -> dict[str, Markup]:
    """Every chart of the brief, by name (only for figures that are shown)."""
    out: dict[str, Markup] = {}
    flow = brief.how.flow.value
    if flow is not None:
        out["timing"] = charts.bar_chart(
            [
                (
                    f"{name} {p.upper()}",
                    seconds / DAY if seconds is not None else None,
                    duration(seconds),
                )
                for name, figure in (("lead time", flow.lead_time), ("cycle time", flow.cycle_time))
                for p, seconds in (
                    ("p50", figure.p50_seconds),
                    ("p85", figure.p85_seconds),
                    ("p95", figure.p95_seconds),
                )
            ],
            title="Lead and cycle time percentiles (days)",
        )
        if flow.throughput_withheld is None and flow.weekly:
            out["throughput"] = charts.column_chart(
                [(w.week, float(w.count)) for w in flow.weekly],
                title="Items done per ISO week",
                unit="items",
            )
    forecast = brief.how.forecast.value
    if forecast is not None:
        out["forecast"] = charts.bar_chart(
            [
                (
                    name.upper(),
                    float(p.days) if p.days is not None else None,
                    f"{p.days} day{'' if p.days == 1 else 's'}, by {p.date}"
                    if p.days is not None
                    else "not reached",
                )
                for name, p in forecast.percentiles.items()
            ],
            title=f"Days until {forecast.items} more items are done",
            colour=charts.AMBER,
        )
    coverage = brief.people.coverage.value
    if coverage is not None:
        out["coverage"] = charts.coverage_strip(
            [(cell.practice, cell.call) for cell in coverage.cells],
            title="Practices covered by the team",
        )
    for g, goal in enumerate(brief.why.goals):
        for k, kr in enumerate(goal.key_results):
            if kr.history:
                out[f"kr-{g}-{k}"] = charts.line_chart(
                    [(p.day.isoformat(), p.value) for p in kr.history],
                    title=f"{kr.title}: value by day",
                    target=kr.target,
                )
    return out


def render_brief(brief: Brief) -> str:
    """The brief as one HTML document (text)."""
    context: dict[str, Any] = {
        "brief": brief,
        "h": brief.header,
        "charts": brief_charts(brief),
        "withheld": brief.withheld(),
    }
    return _ENV.get_template("brief.html").render(context)
