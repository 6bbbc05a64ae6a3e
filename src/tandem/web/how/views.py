"""The HOW panel's routes: ``GET /how`` and its JSON twins under ``/api/how/…``.

``GET /how`` renders every section for one scope (:mod:`.scope`) with the filters in a GET
form; each section's JSON twin answers the cached flow answer of :mod:`.sections` as is. Both
routers are guarded by ``view_how`` on the team the request names.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from tandem.accounts.schemas import UserOut
from tandem.flow.service import TooFewPeopleError
from tandem.people import service as people_service
from tandem.web.deps import CurrentUser, DbSession, Workspace
from tandem.web.how.charts import (
    aging_chart,
    duration,
    excluded_text,
    pr_stages_chart,
    rework_chart,
    throughput_chart,
)
from tandem.web.how.scope import (
    ALL,
    MIN_PEOPLE,
    HowQuery,
    HowQueryDep,
    HowScope,
    NoWorkDataError,
    how_resource,
    resolve_scope,
)
from tandem.web.how.sections import (
    HANDOFF_NAME,
    FlowContext,
    Outcome,
    bottleneck_report,
    data_options,
    dfg,
    dora,
    forecast,
    from_git,
    outcome_of,
    process_map,
    pull_requests,
    summary,
    wip,
    withheld,
)
from tandem.web.permissions import VIEW_HOW, requires
from tandem.web.templating import render
from tandem.workspace import Workspace as TandemWorkspace

OLDEST_SHOWN = 20

page = APIRouter(dependencies=[Depends(requires(VIEW_HOW, how_resource))], include_in_schema=False)
api = APIRouter(
    prefix="/api/how",
    tags=["how"],
    dependencies=[Depends(requires(VIEW_HOW, how_resource))],
    responses={
        401: {"description": "Not signed in."},
        403: {"description": "Not allowed this team (or all work data)."},
        409: {
            "description": "The team has no (or too few) people in the work data, or the "
            "answer rests on fewer than 5 people (withheld)."
        },
    },
)


def _context(request: Request, db: Session, user: UserOut, workspace: TandemWorkspace,
             query: HowQuery) -> tuple[HowScope, FlowContext]:  # fmt: skip
    scope = resolve_scope(db, user, query)
    ctx = FlowContext.open(request.app, workspace, scope.filters)
    if not scope.blocked:
        reason = withheld(ctx)  # the people behind this answer, not only the team's size
        if reason is not None:
            scope = dataclasses.replace(
                scope, blocked=reason[:1].upper() + reason[1:], withheld=True
            )
    return scope, ctx


def _computable(scope: HowScope) -> None:
    if scope.blocked and scope.withheld:
        raise TooFewPeopleError(scope.blocked[:1].lower() + scope.blocked[1:])
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


@api.get("/git", summary="From git: change flow and rework")
def api_git(
    request: Request, db: DbSession, user: CurrentUser, workspace: Workspace, query: HowQueryDep
) -> Response:
    """Change flow (coding, release wait, lead time, deployment frequency) and rework from git.

    Answered even when the team's tracker flow is withheld: these figures count the people
    behind the git changes they read, and are withheld (409) below 5 of them.
    """
    scope, ctx = _context(request, db, user, workspace, query)
    _delivery_computable(scope)
    parts = from_git(ctx)
    return _json(ctx, "git", lambda: {name: part.unwrap() for name, part in parts.items()})


def _delivery_shown(scope: HowScope) -> bool:
    """Whether the Delivery and From git sections are computed: unless the team itself is
    blocked (nobody, or fewer than five people, in the work data at all). A team whose work-item
    answer is withheld still gets them: each delivery figure counts the people behind its own
    pull requests, changes or deployments (the delivery services), not the work items'."""
    return not scope.blocked or scope.withheld


def _delivery_computable(scope: HowScope) -> None:
    if not _delivery_shown(scope):
        raise NoWorkDataError(scope.blocked or "")


def _git_section(scope: HowScope, ctx: FlowContext, charts: dict[str, str]) -> dict[str, Outcome]:
    """The "From git" parts (shown unless the team itself is blocked: its git figures have
    their own people check) and the rework chart."""
    if not _delivery_shown(scope):
        return {}
    parts = from_git(ctx)
    rework_part = parts["rework"]
    if rework_part.error is None and any(
        not row["withheld"] for row in rework_part.value["weekly"]
    ):
        charts["rework"] = ctx.memo(
            ("chart", "rework"), lambda: json.dumps(rework_chart(rework_part.value))
        )
    return parts


@api.get("/prs", summary="Pull request flow")
def api_prs(
    request: Request, db: DbSession, user: CurrentUser, workspace: Workspace, query: HowQueryDep
) -> Response:
    """Coding, pickup, review and deploy P50/P85/P95 (``flow prs``, bots out, no rows).

    Answered even when the team's tracker flow is withheld: each stage counts the people behind
    its own pull requests (a stage below 5 is withheld alone, the whole answer below 5: 409);
    a team window under a week is refused (400)."""
    scope, ctx = _context(request, db, user, workspace, query)
    _delivery_computable(scope)
    outcome = pull_requests(ctx)
    outcome.unwrap()
    return _json(ctx, "prs", outcome.unwrap)


@api.get("/dora", summary="DORA four keys")
def api_dora(
    request: Request, db: DbSession, user: CurrentUser, workspace: Workspace, query: HowQueryDep
) -> Response:
    """Deployment frequency, change lead time, change failure rate, time to restore (``flow
    dora``, bots out, no per-change rows); each key checked on the people behind its own items,
    as :func:`api_prs`."""
    scope, ctx = _context(request, db, user, workspace, query)
    _delivery_computable(scope)
    outcome = dora(ctx)
    outcome.unwrap()
    return _json(ctx, "dora", outcome.unwrap)


def _section(compute: Callable[[], Any]) -> Outcome:
    """A page section's answer, or the reason it has none (shown as "—" with the reason)."""
    return outcome_of(compute)


def _teams(session: Session, user: UserOut, scope: HowScope) -> list[dict[str, Any]]:
    """The teams the viewer may pick (directors: all of them; others: their own)."""
    if scope.can_see_all:
        teams = people_service.list_teams(session=session)
        return [{"id": str(t.id), "name": t.name} for t in teams]
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
    # each chart's spec as JSON text, put in its element's data-vega-chart attribute (escaped
    # there by the template): htmx drops every <script> of a swapped fragment (allowScriptTags
    # is off), so a spec in a script block would not survive a filter change
    charts: dict[str, str] = {}
    if not scope.blocked:
        sections["summary"] = _section(lambda: summary(ctx))
        sections["bottlenecks"] = _section(lambda: bottleneck_report(ctx))
        sections["map"] = _section(lambda: process_map(ctx))
        sections["wip"] = _section(lambda: wip(ctx))
        sections["forecast"] = forecast(ctx, query.items)
        if sections["summary"].error is None and not summary(ctx)["throughput"]["withheld"]:
            charts["throughput"] = ctx.memo(
                ("chart", "throughput"),
                lambda: json.dumps(throughput_chart(sections["summary"].value)),
            )
        if sections["wip"].error is None:
            charts["aging"] = ctx.memo(
                ("chart", "aging"),
                lambda: json.dumps(aging_chart(sections["wip"].value["aging"])),
            )
    if _delivery_shown(scope):  # its own per-figure people checks, not the work items'
        sections["prs"] = pull_requests(ctx)
        sections["dora"] = dora(ctx)
        if sections["prs"].error is None and sections["prs"].value["n"]:
            charts["prs"] = ctx.memo(
                ("chart", "prs"), lambda: json.dumps(pr_stages_chart(sections["prs"].value))
            )
    git = _git_section(scope, ctx, charts)
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
            "git": git,
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
