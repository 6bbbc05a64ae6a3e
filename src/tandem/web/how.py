"""The manager's HOW panel: flow summary, bottlenecks, process map, aging WIP and forecast.

``GET /how`` renders every section for one scope — the viewer's team by default, another team
for directors, or all work data for roles allowed to see every team — with filters in a GET
form. Each section has a JSON twin under ``/api/how/…`` answering the flow service's own
``to_dict()``. Every flow answer goes through :class:`~tandem.web.flow_cache.FlowCache`, keyed on
the lake's generation, so repeat requests do no DuckDB work and an ingest invalidates them.

Privacy (DESIGN §7): a team's flow is the work of its members' identities, shown only when at
least :data:`MIN_PEOPLE` of its people appear in the work data (below that it would describe
individuals); handoff bottlenecks, which name two people, are shown without their names.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response
from jinja2.utils import htmlsafe_json_dumps
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.accounts.errors import PermissionDeniedError
from tandem.accounts.schemas import UserOut
from tandem.cli.flow_forecast import history_window
from tandem.errors import ConflictError, InputError, NotFoundError
from tandem.flow import forecast as flow_forecast
from tandem.flow.bottlenecks import bottlenecks
from tandem.flow.dfg import performance_dfg
from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.flow.render import render_process_map
from tandem.flow.summary import flow_summary
from tandem.flow.throughput import daily_throughput
from tandem.flow.timing import item_facts
from tandem.flow.wip import aging_wip, wip_from_items, wip_per_day
from tandem.people import service as people_service
from tandem.people.models import Identity, Membership, Team
from tandem.web.deps import CurrentUser, DbSession, Workspace
from tandem.web.flow_cache import FlowCache, FlowKey, filters_key
from tandem.web.permissions import VIEW_HOW, Resource, TeamResource, allowed, requires
from tandem.web.templating import render
from tandem.workspace import Workspace as TandemWorkspace

T = TypeVar("T")

ALL = "all"
# A team nobody belongs to: only roles that may see any team's flow are allowed it, so
# "all work data" is decided by the same rule as every team panel.
ANY_TEAM = TeamResource(0)
MIN_PEOPLE = 5  # DESIGN §7: people-derived aggregates need n ≥ 5
DEFAULT_ITEMS = 10
MAX_ITEMS = 100_000
FORECAST_SEED = 2026  # fixed, so the page answers the same until the data changes
FORECAST_RUNS = 10_000
FORECAST_HISTORY_DAYS = 90
BOTTLENECK_LIMIT = 10
MAP_MAX_EDGES = 40
OLDEST_SHOWN = 20
CHART_POINTS = 500
HANDOFF_NAME = "handoff between two people"


# -- the scope of a request -----------------------------------------------------------------------


def how_resource(request: Request, _db: Any, _user: UserOut) -> Resource | None:
    """The team a HOW request is about: ``?team=ID``, ``?team=all``, or the viewer's own."""
    value = request.query_params.get("team", "").strip()
    if not value:
        return None
    if value == ALL:
        return ANY_TEAM
    try:
        return TeamResource(int(value))
    except ValueError:
        raise InputError(f"{value!r} is not a team id or 'all'", field="team") from None


def may_see_all(user: UserOut) -> bool:
    """Whether ``user`` may see all work data (= every team's flow, by the permission rules)."""
    return allowed(user, VIEW_HOW, ANY_TEAM)


class NoWorkDataError(ConflictError):
    """The chosen team has no (or too few) people in the work data: nothing can be shown."""

    code = "no_team_work_data"


@dataclass(frozen=True)
class HowQuery:
    """The filters of the HOW form (query parameters), as given."""

    team: str | None
    source: str | None
    start: str | None
    end: str | None
    item_type: str | None
    items: int

    def form(self) -> dict[str, str]:
        """The values to put back into the form (and the links of the page)."""
        return {
            "team": self.team or "",
            "source": self.source or "",
            "from": self.start or "",
            "to": self.end or "",
            "item_type": self.item_type or "",
            "items": str(self.items),
        }


def how_query(
    team: Annotated[str | None, Query(description="Team id, or 'all' (all work data).")] = None,
    source: Annotated[str | None, Query(description="Only this source.")] = None,
    start: Annotated[
        str | None, Query(alias="from", description="First day (ISO date, UTC).")
    ] = None,
    end: Annotated[str | None, Query(alias="to", description="Last day, inclusive.")] = None,
    item_type: Annotated[str | None, Query(description="Only this item type.")] = None,
    items: Annotated[
        int, Query(ge=1, le=MAX_ITEMS, description="Forecast: when will N more items be done?")
    ] = DEFAULT_ITEMS,
) -> HowQuery:
    """The HOW filters from the query string (empty values mean "any")."""

    def clean(value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    return HowQuery(clean(team), clean(source), clean(start), clean(end), clean(item_type), items)


HowQueryDep = Annotated[HowQuery, Depends(how_query)]


def _day(value: str | None, field: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise InputError(f"{value!r} is not a date (YYYY-MM-DD)", field=field) from None


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


@dataclass(frozen=True)
class HowScope:
    """Whose flow a request shows, with which filters, or why it cannot show any."""

    team_id: int | None  # None: all work data
    team_name: str | None
    filters: Filters
    identities: int
    people: int
    blocked: str | None  # why nothing is computed (no or too few people in the work data)
    can_see_all: bool

    @property
    def label(self) -> str:
        return f"team {self.team_name}" if self.team_name else "all work data"


def _team_people(session: Session, team_id: int) -> int:
    """People of a team who have at least one identity in the work data."""
    count = session.scalar(
        select(func.count(func.distinct(Identity.person_id)))
        .join(Membership, Membership.person_id == Identity.person_id)
        .where(Membership.team_id == team_id)
    )
    return int(count or 0)


def resolve_scope(session: Session, user: UserOut, query: HowQuery) -> HowScope:
    """The scope and filters of ``query`` for ``user`` (the route's guard checked the team)."""
    can_see_all = may_see_all(user)
    first, last = _day(query.start, "from"), _day(query.end, "to")
    if first and last and first > last:
        raise InputError("the first day must not be after the last day", field="from")
    base = Filters(
        start=_midnight(first) if first else None,
        end=_midnight(last + dt.timedelta(days=1)) if last else None,
        sources=(query.source,) if query.source else (),
        item_types=(query.item_type,) if query.item_type else (),
    )
    if query.team == ALL or (query.team is None and user.team_id is None):
        if not can_see_all:
            raise PermissionDeniedError("your role does not give access to all work data")
        return HowScope(None, None, base, 0, 0, None, can_see_all)
    team_id = int(query.team) if query.team is not None else user.team_id
    if team_id is None:  # handled above: no team asked and none of one's own means all
        raise NotFoundError("no team to show")
    return team_scope(session, team_id, base, can_see_all=can_see_all)


def team_scope(session: Session, team_id: int, base: Filters, *, can_see_all: bool) -> HowScope:
    """The scope of one team: ``base`` narrowed to its members' identities, or why it is blocked."""
    team = session.get(Team, team_id)
    if team is None:
        raise NotFoundError(f"there is no team {team_id}")
    keys = people_service.team_identity_keys(session=session, teams=[team.name])[team.name]
    people = _team_people(session, team.id)
    blocked = None
    if not keys:
        blocked = (
            f"Nobody in team {team.name} is linked to an identity in the work data yet, so "
            "there is no team flow to show. An admin can link people to their identities "
            "(tandem people link)."
        )
    elif people < MIN_PEOPLE:
        blocked = (
            f"Only {people} of team {team.name}'s people appear in the work data; team flow is "
            f"shown from {MIN_PEOPLE} people on, so that it never describes one person."
        )
    filters = dataclasses.replace(base, teams={team.name: keys})
    return HowScope(team.id, team.name, filters, len(keys), people, blocked, can_see_all)


# -- flow answers, through the cache -----------------------------------------------------------

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


def _outcome(compute: Callable[[], Any]) -> Outcome:
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

        return _outcome(run)

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


# -- charts (Vega-Lite specs, drawn by static/how.js) ------------------------------------------

ZONE_COLOURS = {"<P50": "#166534", "P50-P85": "#b45309", ">P85": "#a4161a", "no history": "#4a5260"}


def throughput_chart(data: dict[str, Any]) -> dict[str, Any]:
    """Items done per ISO week, as bars."""
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": "Items done per week",
        "width": "container",
        "height": 180,
        "data": {"values": data["throughput"]["weekly"]},
        "mark": {"type": "bar", "color": "#1d4ed8"},
        "encoding": {
            "x": {"field": "week", "type": "ordinal", "title": "ISO week", "sort": None},
            "y": {"field": "count", "type": "quantitative", "title": "items done"},
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
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": "Aging work in progress by stage",
        "width": "container",
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
                    "x": {"field": "days", "type": "quantitative", "title": "days in stage"},
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


# -- the page and its JSON twins -------------------------------------------------------------

page = APIRouter(dependencies=[Depends(requires(VIEW_HOW, how_resource))], include_in_schema=False)
api = APIRouter(
    prefix="/api/how",
    tags=["how"],
    dependencies=[Depends(requires(VIEW_HOW, how_resource))],
    responses={
        401: {"description": "Not signed in."},
        403: {"description": "Not allowed this team (or all work data)."},
        409: {"description": "The team has no (or too few) people in the work data."},
    },
)


def _context(request: Request, db: Session, user: UserOut, workspace: TandemWorkspace,
             query: HowQuery) -> tuple[HowScope, FlowContext]:  # fmt: skip
    scope = resolve_scope(db, user, query)
    return scope, FlowContext.open(request.app, workspace, scope.filters)


def _computable(scope: HowScope) -> None:
    if scope.blocked:
        raise NoWorkDataError(scope.blocked)


def _json(ctx: FlowContext, name: str, value: Callable[[], Any]) -> Response:
    """A JSON response whose bytes are cached with the answer (no encoding per request)."""
    body = ctx.memo(("json", name), lambda: json.dumps(value(), separators=(",", ":")).encode())
    return Response(body, media_type="application/json")


@api.get("/summary", summary="Flow summary")
def api_summary(
    request: Request, db: DbSession, user: CurrentUser, workspace: Workspace, query: HowQueryDep
) -> Response:
    """Lead and cycle time P50/P85/P95, throughput, WIP, flow efficiency (``flow summary``)."""
    scope, ctx = _context(request, db, user, workspace, query)
    _computable(scope)
    return _json(ctx, "summary", lambda: summary(ctx))


@api.get("/bottlenecks", summary="Bottlenecks")
def api_bottlenecks(
    request: Request, db: DbSession, user: CurrentUser, workspace: Workspace, query: HowQueryDep
) -> Response:
    """The ten bottlenecks with most impact, with evidence; handoffs unnamed."""
    scope, ctx = _context(request, db, user, workspace, query)
    _computable(scope)
    return _json(ctx, "bottlenecks", lambda: bottleneck_report(ctx))


@api.get("/dfg", summary="Process map data")
def api_dfg(
    request: Request, db: DbSession, user: CurrentUser, workspace: Workspace, query: HowQueryDep
) -> Response:
    """The performance directly-follows graph the process map is drawn from."""
    scope, ctx = _context(request, db, user, workspace, query)
    _computable(scope)
    return _json(ctx, "dfg", lambda: dfg(ctx))


@api.get(
    "/map.svg",
    summary="Process map picture",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
def api_map(
    request: Request, db: DbSession, user: CurrentUser, workspace: Workspace, query: HowQueryDep
) -> Response:
    """The process map as SVG, arcs coloured by median wait."""
    scope, ctx = _context(request, db, user, workspace, query)
    _computable(scope)
    return Response(process_map(ctx)["svg"], media_type="image/svg+xml")


@api.get("/wip", summary="WIP and aging WIP")
def api_wip(
    request: Request, db: DbSession, user: CurrentUser, workspace: Workspace, query: HowQueryDep
) -> Response:
    """WIP per day and the open items by age, zoned by their stage's history."""
    scope, ctx = _context(request, db, user, workspace, query)
    _computable(scope)
    return _json(ctx, "wip", lambda: wip(ctx))


@api.get("/forecast", summary="Forecast")
def api_forecast(
    request: Request, db: DbSession, user: CurrentUser, workspace: Workspace, query: HowQueryDep
) -> Response:
    """When will ``items`` more items be done: P50/P85/P95 (Monte Carlo, fixed seed)."""
    scope, ctx = _context(request, db, user, workspace, query)
    _computable(scope)
    outcome = forecast(ctx, query.items)
    outcome.unwrap()
    return _json(ctx, f"forecast-{query.items}", outcome.unwrap)


def _section(compute: Callable[[], Any]) -> Outcome:
    """A page section's answer, or the reason it has none (shown as "—" with the reason)."""
    return _outcome(compute)


def _teams(session: Session, user: UserOut, scope: HowScope) -> list[dict[str, Any]]:
    """The teams the viewer may pick (directors: all of them; others: their own)."""
    if scope.can_see_all:
        rows = session.execute(select(Team.id, Team.name).order_by(Team.name)).all()
        return [{"id": str(i), "name": n} for i, n in rows]
    if user.team_id is not None:
        return [{"id": str(user.team_id), "name": user.team_name or "my team"}]
    return []


@page.get("/how")
def how_page(
    request: Request, db: DbSession, user: CurrentUser, workspace: Workspace, query: HowQueryDep
) -> HTMLResponse:
    """The HOW panel: every section for the chosen scope and filters."""
    scope, ctx = _context(request, db, user, workspace, query)
    sections: dict[str, Outcome] = {}
    charts: dict[str, str] = {}  # JSON made safe for a <script> block (<, >, & escaped)
    if not scope.blocked:
        sections["summary"] = _section(lambda: summary(ctx))
        sections["bottlenecks"] = _section(lambda: bottleneck_report(ctx))
        sections["map"] = _section(lambda: process_map(ctx))
        sections["wip"] = _section(lambda: wip(ctx))
        sections["forecast"] = forecast(ctx, query.items)
        if sections["summary"].error is None:
            charts["throughput"] = ctx.memo(
                ("chart", "throughput"),
                lambda: htmlsafe_json_dumps(throughput_chart(sections["summary"].value)),
            )
        if sections["wip"].error is None:
            charts["aging"] = ctx.memo(
                ("chart", "aging"),
                lambda: htmlsafe_json_dumps(aging_chart(sections["wip"].value["aging"])),
            )
    options = data_options(request.app, workspace)
    form = query.form()
    if not form["team"]:
        form["team"] = str(scope.team_id) if scope.team_id is not None else ALL
    return render(
        request,
        "how/page.html",
        {
            "scope": scope,
            "sections": sections,
            "charts": charts,
            "form": form,
            "teams": _teams(db, user, scope),
            "options": options,
            "duration": duration,
            "excluded_text": excluded_text,
            "oldest_shown": OLDEST_SHOWN,
            "handoff_name": HANDOFF_NAME,
            "min_people": MIN_PEOPLE,
        },
    )
