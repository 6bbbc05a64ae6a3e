"""What each section of the HOW panel shows, computed once per lake generation.

Every answer goes through :class:`~tandem.web.flow_cache.FlowCache`, keyed on the lake's
generation, the filters and the status mapping, so repeat requests do no DuckDB work and an
ingest invalidates them. The summary, WIP and aging sections are parts of ONE answer of the flow
service (:func:`tandem.flow.service.flow_panel`), so a header and the chart beside it cannot
disagree; the JSON twins serve the parts as they are; the home page and the warm-up ask for the
same answers. A team answer behind fewer than ``MIN_PEOPLE`` people is withheld (:func:`withheld`).

Privacy (DESIGN §7): handoff bottlenecks, which name two people, are shown without their names
(:func:`redact_people`). The Delivery section (:func:`pull_requests`, :func:`dora`) counts the
people behind it among the authors of its pull requests and changes, and is withheld alone below
``MIN_PEOPLE``; inside it each stage and key is checked on its own items by the delivery
services (:mod:`tandem.delivery.privacy`), which also refuse a team window under a week (an
:class:`Outcome` keeps the input error's field). It carries no per-PR or per-change rows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import FastAPI

from tandem.delivery import service as delivery_service
from tandem.delivery.changes import GitSelection, change_flow
from tandem.delivery.rework import rework
from tandem.errors import InputError
from tandem.flow import service as flow_service
from tandem.flow.bottlenecks import bottlenecks
from tandem.flow.dfg import performance_dfg
from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.flow.render import render_process_map
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
    """A cached answer or the reason there is none (an input error is an answer, too, and so
    is a figure withheld for too few people behind it)."""

    value: Any = None
    error: str | None = None
    withheld: bool = False
    field: str | None = None  # the input field an input error names (e.g. the window)

    def unwrap(self) -> Any:
        if self.error is not None:
            if self.withheld:
                raise flow_service.TooFewPeopleError(self.error)
            if self.field is None:
                raise InputError(self.error)
            # the message already names the field: raise it with the field, named once
            raise InputError(self.error.removeprefix(f"field {self.field!r}: "), field=self.field)
        return self.value


def outcome_of(compute: Callable[[], Any]) -> Outcome:
    """The answer of ``compute``, or the input error or withholding it raised as the reason
    there is none."""
    try:
        return Outcome(value=compute())
    except InputError as exc:
        return Outcome(error=exc.message, field=exc.field)
    except flow_service.TooFewPeopleError as exc:
        return Outcome(error=exc.message, withheld=True)


def withheld(ctx: FlowContext) -> str | None:
    """Why a team answer is withheld (fewer than ``MIN_PEOPLE`` people behind it), or None.

    Every section asks it first: the minimum applies to the people behind the answer (those who
    worked inside the window on the selected items), not only to the team's size. All work
    data (no team filter) has nothing to check here.
    """
    if not ctx.filters.teams:
        return None

    def compute(engine: FlowEngine) -> str | None:
        try:
            flow_service.require_people(engine=engine, filters=ctx.filters)
        except flow_service.TooFewPeopleError as exc:
            return exc.message
        return None

    return ctx.ask(("people",), compute)


def _require_people(ctx: FlowContext) -> None:
    reason = withheld(ctx)
    if reason is not None:
        raise flow_service.TooFewPeopleError(reason)


def panel(ctx: FlowContext) -> flow_service.FlowPanel:
    """The flow service's one answer for the panel: counts, timing, throughput, WIP, aging."""
    return ctx.ask(
        ("panel",),
        lambda e: flow_service.flow_panel(engine=e, filters=ctx.filters, mapping=ctx.mapping),
    )


def summary(ctx: FlowContext) -> dict[str, Any]:
    """The panel's summary (the ``flow summary`` JSON)."""
    return panel(ctx).summary


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
    _require_people(ctx)
    return ctx.ask(
        ("bottlenecks", BOTTLENECK_LIMIT),
        lambda e: redact_people(bottlenecks(e, ctx.filters, limit=BOTTLENECK_LIMIT).to_dict()),
    )


def dfg(ctx: FlowContext) -> dict[str, Any]:
    """``performance_dfg(...).to_dict()``."""
    _require_people(ctx)
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
    """``{"wip": …, "aging": …}`` of the same panel answer as the summary (as ``flow wip``)."""
    answer = panel(ctx)
    return {"wip": answer.wip, "aging": answer.aging}


def forecast(ctx: FlowContext, items: int) -> Outcome:
    """The service's forecast for ``items`` more items, or why there is no forecast."""

    def compute(engine: FlowEngine) -> Outcome:
        return outcome_of(
            lambda: (
                flow_service.forecast(
                    engine=engine,
                    filters=ctx.filters,
                    mapping=ctx.mapping,
                    items=items,
                    history_days=FORECAST_HISTORY_DAYS,
                    runs=FORECAST_RUNS,
                    seed=FORECAST_SEED,
                ).report
            )
        )

    return ctx.ask(("forecast", items, FORECAST_RUNS, FORECAST_SEED), compute)


def from_git(ctx: FlowContext) -> dict[str, Outcome]:
    """The "From git" section: change flow (with deployment frequency) and rework, each an
    answer or the reason there is none (a team part behind fewer than ``MIN_PEOPLE`` people is
    withheld by the delivery engine itself, on the authors of the changes it reads)."""
    selection = GitSelection.from_filters(ctx.filters)
    lake = ctx.workspace.lake

    def answer(compute: Callable[[], Any]) -> Outcome:
        if ctx.filters.item_types:
            return Outcome(error="git changes have no item type; clear the item type filter")
        if ctx.filters.sources and not any(s.startswith("git:") for s in ctx.filters.sources):
            return Outcome(error="the source filter names no git repository")
        return outcome_of(compute)

    return {
        "changes": ctx.memo(
            ("git", "changes"),
            lambda: answer(lambda: change_flow(lake=lake, selection=selection)),
        ),
        "rework": ctx.memo(
            ("git", "rework"), lambda: answer(lambda: rework(lake=lake, selection=selection))
        ),
    }


def delivery_filters(filters: Filters) -> Filters:
    """The part of the panel's filters delivery reads: the window and the team (sources and
    item types select work items, which pull requests and deployments are not)."""
    return Filters(
        start=filters.start, end=filters.end, teams=filters.teams, team_people=filters.team_people
    )


def pull_requests(ctx: FlowContext) -> Outcome:
    """Pull request flow (stage percentiles, no per-PR rows), or why it is withheld; bots out."""
    production = ctx.workspace.settings.flow.delivery.production

    def compute(engine: FlowEngine) -> Outcome:
        return outcome_of(
            lambda: delivery_service.pull_request_flow(
                engine=engine, filters=delivery_filters(ctx.filters), production=production
            ).model_dump(mode="json", exclude={"rows"})
        )

    return ctx.ask(("prs", production), compute)


def dora(ctx: FlowContext) -> Outcome:
    """The four keys (no per-change rows), or why they are withheld; bots out."""
    production = ctx.workspace.settings.flow.delivery.production

    def compute(engine: FlowEngine) -> Outcome:
        return outcome_of(
            lambda: delivery_service.dora_metrics(
                engine=engine, filters=delivery_filters(ctx.filters), production=production
            ).model_dump(mode="json", exclude={"changes"})
        )

    return ctx.ask(("dora", production), compute)


def data_options(app: FastAPI, workspace: TandemWorkspace) -> dict[str, list[str]]:
    """The sources and item types in the lake (for the filter form)."""
    ctx = FlowContext.open(app, workspace, Filters())

    return ctx.ask(
        ("options",), lambda engine: flow_service.data_options(engine=engine).model_dump()
    )
