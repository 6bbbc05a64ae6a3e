"""What each section of the HOW panel shows, computed once per lake generation.

Every answer goes through :class:`~tandem.web.flow_cache.FlowCache`, keyed on the lake's
generation, the filters and the status mapping, so repeat requests do no DuckDB work and an
ingest invalidates them. Each answer is the flow service's own ``to_dict()`` (the JSON twins
serve it as is); the home page and the warm-up ask for the same answers.

Privacy (DESIGN §7): handoff bottlenecks, which name two people, are shown without their names
(:func:`redact_people`).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import FastAPI

from tandem.errors import InputError
from tandem.flow import forecast as flow_forecast
from tandem.flow.bottlenecks import bottlenecks
from tandem.flow.dfg import performance_dfg
from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.flow.render import render_process_map
from tandem.flow.summary import flow_summary
from tandem.flow.throughput import daily_throughput, history_window
from tandem.flow.timing import item_facts
from tandem.flow.wip import aging_wip, wip_from_items, wip_per_day
from tandem.web.flow_cache import FlowCache, FlowKey, filters_key
from tandem.workspace import Workspace as TandemWorkspace

T = TypeVar("T")

FORECAST_SEED = 2026  # fixed, so the page answers the same until the data changes
FORECAST_RUNS = 10_000
FORECAST_HISTORY_DAYS = 90
BOTTLENECK_LIMIT = 10
MAP_MAX_EDGES = 40
HANDOFF_NAME = "handoff between two people"

_cache_lock = threading.Lock()


def flow_cache(app: FastAPI) -> FlowCache:
    """The app's flow cache (made on first use)."""
    with _cache_lock:
        cache: FlowCache | None = getattr(app.state, "flow_cache", None)
        if cache is None:
            cache = app.state.flow_cache = FlowCache()
        return cache


@dataclass(frozen=True)
class FlowContext:
    """One request's view of the flow: the workspace, the filters and the cache."""

    workspace: TandemWorkspace
    cache: FlowCache
    filters: Filters
    mapping: StatusMapping
    mapping_key: str
    generation: int

    @classmethod
    def open(cls, app: FastAPI, workspace: TandemWorkspace, filters: Filters) -> FlowContext:
        cache = flow_cache(app)
        mapping, digest = cache.mapping(workspace)
        return cls(workspace, cache, filters, mapping, digest, cache.generation(workspace.lake))

    def key(self, *question: Any) -> FlowKey:
        return FlowKey(self.generation, filters_key(self.filters), self.mapping_key, question)

    def ask(self, question: tuple[Any, ...], compute: Callable[[FlowEngine], T]) -> T:
        """The cached answer to ``question``; computing it opens an engine of its own."""

        def run() -> T:
            with FlowEngine(self.workspace.lake) as engine:
                return compute(engine)

        return self.cache.get_or_compute(self.key(*question), run)

    def memo(self, question: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """A cached value derived from other answers (no engine)."""
        return self.cache.get_or_compute(self.key(*question), compute)


@dataclass(frozen=True)
class Outcome:
    """A cached answer or the reason there is none (an input error is an answer, too)."""

    value: Any = None
    error: str | None = None

    def unwrap(self) -> Any:
        if self.error is not None:
            raise InputError(self.error)
        return self.value


def outcome_of(compute: Callable[[], Any]) -> Outcome:
    """The answer of ``compute``, or the input error it raised as the reason there is none."""
    try:
        return Outcome(value=compute())
    except InputError as exc:
        return Outcome(error=exc.message)


def summary(ctx: FlowContext) -> dict[str, Any]:
    """``flow_summary(...).to_dict()``."""
    return ctx.ask(
        ("summary",),
        lambda e: flow_summary(engine=e, filters=ctx.filters, mapping=ctx.mapping).to_dict(),
    )


def redact_people(report: dict[str, Any]) -> dict[str, Any]:
    """The bottleneck report with handoffs unnamed: a handoff ``R1 → R2`` names two people."""
    items = []
    for item in report["bottlenecks"]:
        if item["kind"] == "handoff":
            evidence = {
                k: v
                for k, v in item["evidence"].items()
                if k not in ("from_resource", "to_resource")
            }
            item = {**item, "name": HANDOFF_NAME, "evidence": evidence}
        items.append(item)
    return {**report, "bottlenecks": items}


def bottleneck_report(ctx: FlowContext) -> dict[str, Any]:
    """``bottlenecks(...).to_dict()`` (top 10), handoffs unnamed (:func:`redact_people`)."""
    return ctx.ask(
        ("bottlenecks", BOTTLENECK_LIMIT),
        lambda e: redact_people(bottlenecks(e, ctx.filters, limit=BOTTLENECK_LIMIT).to_dict()),
    )


def dfg(ctx: FlowContext) -> dict[str, Any]:
    """``performance_dfg(...).to_dict()``."""
    return ctx.ask(("dfg",), lambda e: performance_dfg(e, ctx.filters).to_dict())


def process_map(ctx: FlowContext) -> dict[str, Any]:
    """The process map (performance colouring): ``{"svg": …, "nodes", "edges", "hidden_edges"}``."""

    def draw() -> dict[str, Any]:
        picture = render_process_map(dfg(ctx), colour="performance", max_edges=MAP_MAX_EDGES)
        inline = (
            picture.svg.split("?>", 1)[1].lstrip()
            if picture.svg.startswith("<?xml")
            else picture.svg
        )
        return {"svg": picture.svg, "inline": inline, **picture.summary()}

    return ctx.memo(("map", "performance", MAP_MAX_EDGES), draw)


def wip(ctx: FlowContext) -> dict[str, Any]:
    """``{"wip": wip_per_day(...).to_dict(), "aging": aging_wip(...).to_dict()}`` (as the CLI)."""

    def compute(engine: FlowEngine) -> dict[str, Any]:
        items = item_facts(engine, ctx.filters, ctx.mapping)
        windowed = ctx.filters.start is not None or ctx.filters.end is not None
        series = (
            wip_per_day(engine, ctx.filters, ctx.mapping)
            if windowed
            else wip_from_items(items, ctx.filters)  # the same items: no window to drop
        )
        aging = aging_wip(engine=engine, filters=ctx.filters, mapping=ctx.mapping, items=items)
        return {"wip": series.to_dict(), "aging": aging.to_dict()}

    return ctx.ask(("wip",), compute)


def forecast(ctx: FlowContext, items: int) -> Outcome:
    """``when_done(...).to_dict()`` for ``items`` more items, or why there is no forecast."""

    def compute(engine: FlowEngine) -> Outcome:
        def run() -> dict[str, Any]:
            start, end = history_window(engine, ctx.filters, FORECAST_HISTORY_DAYS)
            window = dataclasses.replace(ctx.filters, start=start, end=end)
            series = daily_throughput(engine, window, ctx.mapping)
            report = flow_forecast.when_done(series, items, runs=FORECAST_RUNS, seed=FORECAST_SEED)
            return report.to_dict()

        return outcome_of(run)

    return ctx.ask(("forecast", items, FORECAST_RUNS, FORECAST_SEED), compute)


def data_options(app: FastAPI, workspace: TandemWorkspace) -> dict[str, list[str]]:
    """The sources and item types in the lake (for the filter form)."""
    ctx = FlowContext.open(app, workspace, Filters())

    def compute(engine: FlowEngine) -> dict[str, list[str]]:
        events, objects = engine.table("events"), engine.table("objects")
        sources = events.select("source").distinct().to_pyarrow().column(0).to_pylist()
        kinds = objects.select("item_type").distinct().to_pyarrow().column(0).to_pylist()
        return {
            "sources": sorted(s for s in sources if s),
            "item_types": sorted(k for k in kinds if k),
        }

    return ctx.ask(("options",), compute)
