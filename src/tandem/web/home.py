"""Home: the viewer's team duo and what needs attention this week (``GET /``, ``GET /api/home``).

The duo card shows what the duo service gives this viewer: names and status for all, numbers
only where both partners shared their report with the viewer, and the viewer's own duo with
accept/decline (a confirmed duo counts once both partners accepted).

What needs attention: the top bottlenecks and the oldest work in progress past its stage's P85
(from the HOW panel's cached answers, for the same scope), the ratings assigned to the viewer
in open cycles that they have not answered (with the cycle's due date, marked when overdue), and
duo reviews due within two weeks.

Choosing raters (``raters``): the viewer's own raters in open cycles they are rated in (counts
against the 5–8 target and their nominations, never who has answered) with a form to nominate
more, and the nominations of their direct reports waiting for their approval
(:mod:`tandem.web.nominations` takes the forms). Each part is
shown only when the viewer's role allows its page (the same ``allowed()`` checks as the pages).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy.orm import Session

from tandem.accounts.schemas import UserOut
from tandem.duos import service as duos_service
from tandem.duos import teams as duos_teams
from tandem.duos.schemas import DuoOut
from tandem.errors import TandemError
from tandem.review import forms, reminders
from tandem.web import nominations as web_nominations
from tandem.web.deps import CurrentUser, DbSession, Workspace
from tandem.web.how import charts as how_charts
from tandem.web.how import scope as how_scope
from tandem.web.how import sections as how_sections
from tandem.web.permissions import (
    VIEW_DUOS,
    VIEW_HOME,
    VIEW_HOW,
    VIEW_ORG_COVERAGE,
    TeamResource,
    allowed,
    requires,
    viewer_of,
)
from tandem.web.templating import render
from tandem.workspace import Workspace as TandemWorkspace

TOP_BOTTLENECKS = 3
OLDEST_WIP = 5
REVIEW_WITHIN_DAYS = 14
# Where each attention item leads (the pages of other panels).
RATE_PATH = "/people/rate/{ratee_id}?cycle={cycle}"
DUOS_PATH = "/duos"

page = APIRouter(dependencies=[Depends(requires(VIEW_HOME))], include_in_schema=False)
api = APIRouter(prefix="/api", tags=["home"], dependencies=[Depends(requires(VIEW_HOME))])


def team_duos(session: Session, user: UserOut) -> dict[str, Any]:
    """The confirmed duos the viewer may see, from the latest closed cycle, as the viewer may.

    Leaders and managers see their team's duo (``view_duos``: review date, status and the
    service's explanation — numbers only if both partners shared their report with them);
    members see who their team's duo is (names only); directors see every team's duo
    (``view_org_coverage``) without any person's numbers. ``mine`` is the viewer's own duo with
    their consent to give.
    """
    viewer = viewer_of(user)
    cycle = duos_teams.latest_closed_cycle(session=session)
    if cycle is None:
        return {
            "cycle": None,
            "duos": [],
            "mine": [],
            "detail": False,
            "reason": "no review cycle is closed yet",
        }
    if allowed(user, VIEW_ORG_COVERAGE):
        chosen, detail = (
            duos_service.list_duos(session=session, cycle=cycle.name, viewer=viewer).duos,
            True,
        )
    elif user.team_id is not None:
        found = duos_teams.team_heads_duos(session=session, team_id=user.team_id, viewer=viewer)
        chosen = found.duos if found else []
        detail = allowed(user, VIEW_DUOS, TeamResource(user.team_id))
    else:
        chosen, detail = [], False
    duos = [_entry(duo, detail) for duo in chosen]
    mine = duos_teams.my_duos(session=session, viewer=viewer)
    reason = None if duos else f"no confirmed duo for your team in cycle {cycle.name}"
    return {
        "cycle": cycle.name,
        "duos": duos,
        "mine": [_mine(duo, user) for duo in (mine.duos if mine else [])],
        "detail": detail,
        "reason": reason,
    }


def _entry(duo: DuoOut, detail: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": duo.id, "a": duo.a.name, "b": duo.b.name, "status": duo.status}
    if detail:
        entry |= {
            "review_date": duo.review_date.isoformat(),
            "score": duo.score,  # None unless both partners shared their report with the viewer
            "explanation": duo.explanation,
            "tie_breaker_rule": duo.tie_breaker_rule,
        }
    return entry


def _mine(duo: DuoOut, user: UserOut) -> dict[str, Any]:
    mine_is_a = duo.a.id == user.person_id
    partner = duo.b if mine_is_a else duo.a
    return {
        "id": duo.id,
        "partner": partner.name,
        "status": duo.status,
        "my_consent": duo.a_consent if mine_is_a else duo.b_consent,
        "partner_consent": duo.b_consent if mine_is_a else duo.a_consent,
        "review_date": duo.review_date.isoformat(),
        "tie_breaker_rule": duo.tie_breaker_rule,
        "explanation": duo.explanation,
        "accept_href": f"/duos/{duo.id}/accept",
        "decline_href": f"/duos/{duo.id}/decline",
    }


def pending_ratings(session: Session, user: UserOut, today: dt.date) -> list[dict[str, Any]]:
    """Colleagues the viewer is assigned to rate in open cycles whose form is not complete, with
    the cycle's due date and whether it has passed."""
    if user.person_id is None:
        return []
    return [
        {
            **assignment.model_dump(mode="json"),
            "overdue": reminders.is_overdue(assignment.due_date, today),
            "href": RATE_PATH.format(
                ratee_id=assignment.ratee_id, cycle=quote(assignment.cycle, safe="")
            ),
        }
        for assignment in forms.open_assignments(session=session, rater_id=user.person_id)
        if assignment.ratee_id != user.person_id and assignment.answered < assignment.items
    ]


def reviews_due(duos: dict[str, Any], today: dt.date) -> list[dict[str, Any]]:
    """Duo reviews dated from today to :data:`REVIEW_WITHIN_DAYS` days on."""
    last = today + dt.timedelta(days=REVIEW_WITHIN_DAYS)
    due = []
    for duo in duos["duos"]:
        date = duo.get("review_date")
        if duo["status"] != "active":  # a duo counts only once both partners accepted
            continue
        if date is not None and today <= dt.date.fromisoformat(date) <= last:
            due.append({**duo, "href": DUOS_PATH})
    return sorted(due, key=lambda d: (d["review_date"], d["id"]))


def flow_attention(
    request: Request, session: Session, user: UserOut, workspace: TandemWorkspace
) -> dict[str, Any]:
    """Top bottlenecks and the oldest WIP past its stage's P85, for the viewer's HOW scope."""
    own = TeamResource(user.team_id) if user.team_id is not None else None
    if not allowed(user, VIEW_HOW, own) or (own is None and not how_scope.may_see_all(user)):
        return {"shown": False, "reason": "your role does not include the team's flow"}
    query = how_scope.how_query()
    scope = how_scope.resolve_scope(session, user, query)
    result: dict[str, Any] = {"shown": True, "scope": scope.label, "href": "/how"}
    if scope.blocked:
        return result | {"reason": scope.blocked, "bottlenecks": [], "oldest": []}
    ctx = how_sections.FlowContext.open(request.app, workspace, scope.filters)
    try:
        found = attention_items(ctx)
    except TandemError as exc:
        return result | {"reason": exc.message, "bottlenecks": [], "oldest": []}
    result |= found
    result["reason"] = None
    return result


def attention_items(ctx: how_sections.FlowContext) -> dict[str, Any]:
    """The top bottlenecks and the oldest WIP past P85 (cached with the flow answers)."""
    return ctx.memo(("home", TOP_BOTTLENECKS, OLDEST_WIP), lambda: _attention_items(ctx))


def _attention_items(ctx: how_sections.FlowContext) -> dict[str, Any]:
    report = how_sections.bottleneck_report(ctx)
    aging = how_sections.wip(ctx)["aging"]
    over = [item for item in aging["items"] if item["zone"] == ">P85"]
    return {
        "bottlenecks": [
            {
                "kind": b["kind"],
                "name": b["name"],
                "impact_seconds": b["impact_seconds"],
                "href": "/how#bottlenecks",
            }
            for b in report["bottlenecks"][:TOP_BOTTLENECKS]
        ],
        "oldest": [
            {
                "case_id": item["case_id"],
                "stage": item["stage"],
                "age_seconds": item["age_seconds"],
                "time_in_stage_seconds": item["time_in_stage_seconds"],
                "stage_p85_seconds": item["stage_p85_seconds"],
                "href": "/how#aging",
            }
            for item in over[:OLDEST_WIP]
        ],
    }


def home_data(
    request: Request, session: Session, user: UserOut, workspace: TandemWorkspace
) -> dict[str, Any]:
    """Everything the home page shows the viewer (and the JSON twin answers)."""
    duos = team_duos(session, user)
    today = dt.datetime.now(dt.UTC).date()
    return {
        "user": {"display_name": user.display_name, "role": user.role, "team": user.team_name},
        "duo": duos,
        "raters": web_nominations.raters_panel(session, user),
        "attention": {
            "flow": flow_attention(request, session, user, workspace),
            "ratings": pending_ratings(session, user, today),
            "reviews": reviews_due(duos, today),
        },
    }


@page.get("/")
def home_page(
    request: Request, db: DbSession, user: CurrentUser, workspace: Workspace
) -> HTMLResponse:
    """Home: the team's duo and what needs attention this week."""
    data = home_data(request, db, user, workspace)
    return render(request, "home.html", {"home": data, "duration": how_charts.duration})


@api.get("/home", summary="Home")
def api_home(
    request: Request, db: DbSession, user: CurrentUser, workspace: Workspace
) -> JSONResponse:
    """The viewer's team duo and what needs attention this week (what the home page shows)."""
    return JSONResponse(home_data(request, db, user, workspace))
