"""The brief's HOW section: the flow panel, the top bottlenecks, the forecast and delivery.

Each part is one service's answer read back as is (no formula of the brief's own), with the
same settings as the HOW panel (``tandem/web/how/sections.py``): the forecast's seed, runs and
history, the bottlenecks ranked by wait impact with handoffs unnamed, delivery over the window
and the team only. A part the service withholds (fewer than 5 people behind it) or cannot
answer (no work data) becomes a :class:`~tandem.brief.schemas.Part` with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from tandem.brief.schemas import (
    BottleneckRow,
    Bottlenecks,
    DeliveryFigures,
    FlowFigures,
    ForecastFigures,
    ForecastPoint,
    HowSection,
    Part,
    WeekCount,
)
from tandem.delivery import service as delivery_service
from tandem.delivery.records import DEPLOYMENT_PREFIX
from tandem.errors import TandemError
from tandem.flow import service as flow_service
from tandem.flow.bottlenecks import bottlenecks
from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.progress import NoProgress, Progress
from tandem.web.how.sections import (
    BOTTLENECK_LIMIT,
    FORECAST_HISTORY_DAYS,
    FORECAST_RUNS,
    FORECAST_SEED,
    delivery_filters,
    redact_people,
)

T = TypeVar("T")
FORECAST_ITEMS = 10  # the HOW panel's default question: when will 10 more items be done?
BRIEF_BOTTLENECKS = 5  # the top five of the panel's ranking
NO_DEPLOYMENTS = (
    "not set up yet: the work data holds no deployments (delivery figures come from "
    "deployments: git tags or a deploy branch, GitHub or GitLab; docs/connectors.md)"
)


def answer(compute: Callable[[], T]) -> Part[T]:
    """The service's answer, or the reason it gives for having none (withheld, no data)."""
    try:
        return Part[T].shown(compute())
    except TandemError as error:
        return Part[T].withheld(error.message)


def flow_figures(panel: flow_service.FlowPanel) -> FlowFigures:
    """The panel's headline figures and weekly throughput, as the service gave them."""
    throughput = panel.summary["throughput"]
    return FlowFigures(
        people=panel.people,
        items=panel.items,
        lead_time=panel.lead_time,
        cycle_time=panel.cycle_time,
        throughput_per_day=panel.throughput_per_day,
        throughput_n=throughput["n"],
        throughput_days=panel.throughput_days,
        throughput_start=panel.throughput_start,
        throughput_end=panel.throughput_end,
        throughput_withheld=panel.throughput_withheld,
        weekly=[
            WeekCount(week=str(w["week"]), count=int(w["count"])) for w in throughput["weekly"]
        ],
        wip_now=panel.wip_now,
        flow_efficiency=panel.flow_efficiency,
        flow_efficiency_unknown=panel.flow_efficiency_unknown,
        warnings=panel.warnings,
    )


def bottleneck_figures(report: dict[str, Any]) -> Bottlenecks:
    """The ranked bottlenecks (handoffs already unnamed), the first five."""
    rows = [
        BottleneckRow(
            kind=item["kind"],
            name=item["name"],
            impact_seconds=item["impact_seconds"],
            count=int(item["evidence"]["count"]),
            cases=int(item["evidence"]["cases"]),
            median_seconds=item["evidence"].get("median_seconds"),
        )
        for item in report["bottlenecks"][:BRIEF_BOTTLENECKS]
    ]
    return Bottlenecks(
        cases=report["cases"],
        transitions=report["transitions"],
        candidates=report["candidates"],
        rows=rows,
    )


def forecast_figures(report: dict[str, Any]) -> ForecastFigures:
    """The forecast report (``ForecastReport.to_dict()``) as typed figures."""
    history = report["history"]
    return ForecastFigures(
        items=report["items"],
        start_date=report["start_date"],
        runs=report["runs"],
        seed=report["seed"],
        history_start=history["start_date"],
        history_end=history["end_date"],
        history_days=history["days"],
        history_items=history["items_done"],
        percentiles={
            name: ForecastPoint(date=entry.get("date"), days=entry.get("days"))
            for name, entry in report["percentiles"].items()
        },
        notes=report["notes"],
    )


def delivery_figures(report: Any) -> DeliveryFigures:
    """The four keys of a :class:`~tandem.delivery.schemas.DoraReport`."""
    return DeliveryFigures(
        people=report.people,
        deployments=report.deployment_frequency.deployments,
        deployment_days=report.deployment_frequency.deployment_days,
        per_week=report.deployment_frequency.per_week,
        change_lead_time=report.change_lead_time.figure,
        changes=report.change_lead_time.changes,
        unlinked=report.change_lead_time.unlinked,
        failure_rate=report.change_failure_rate.value,
        failed_deployments=report.change_failure_rate.failed_deployments,
        time_to_restore=report.time_to_restore,
    )


def has_deployments(engine: FlowEngine) -> bool:
    """Whether the lake holds any deployment object (else delivery is not set up)."""
    objects = engine.table("objects")
    found = objects.filter(objects.object_id.startswith(DEPLOYMENT_PREFIX)).limit(1)
    return bool(engine.to_pyarrow(found.select("object_id")).num_rows)


def how_section(
    *,
    engine: FlowEngine,
    filters: Filters,
    mapping: StatusMapping,
    production: str,
    progress: Progress | None = None,
) -> HowSection:
    """Flow, bottlenecks, forecast and delivery of ``filters`` (the team and the period)."""
    progress = progress or NoProgress()
    flow = answer(
        lambda: flow_figures(
            flow_service.flow_panel(engine=engine, filters=filters, mapping=mapping)
        )
    )
    progress.advance()
    if flow.state == "shown":
        found = answer(
            lambda: bottleneck_figures(
                redact_people(bottlenecks(engine, filters, limit=BOTTLENECK_LIMIT).to_dict())
            )
        )
    else:  # the same people rule: the ranking would rest on the same too few people
        found = Part[Bottlenecks].withheld(flow.reason or "")
    progress.advance()
    forecast = answer(
        lambda: forecast_figures(
            flow_service.forecast(
                engine=engine,
                filters=filters,
                mapping=mapping,
                items=FORECAST_ITEMS,
                history_days=FORECAST_HISTORY_DAYS,
                runs=FORECAST_RUNS,
                seed=FORECAST_SEED,
            ).report
        )
    )
    progress.advance()
    if has_deployments(engine):
        delivery = answer(
            lambda: delivery_figures(
                delivery_service.dora_metrics(
                    engine=engine, filters=delivery_filters(filters), production=production
                )
            )
        )
    else:
        delivery = Part[DeliveryFigures].not_set_up(NO_DEPLOYMENTS)
    if delivery.value is not None and delivery.value.deployments == 0:
        delivery = Part[DeliveryFigures].not_set_up(
            "no production deployment in this period (delivery figures count deployments)"
        )
    progress.advance()
    return HowSection(flow=flow, bottlenecks=found, forecast=forecast, delivery=delivery)


HOW_STEPS = 4  # the progress steps of how_section
