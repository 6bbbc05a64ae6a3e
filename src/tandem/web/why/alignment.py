"""WHY panel: alignment (pages and their JSON twins under ``/api/why/…``).

``GET /why/alignment`` shows the team's rules, the suggestions (accept/reject forms for those
allowed ``edit_why``) and the investment balance as a Vega-Lite bar chart (actual against target,
unaligned shown, flagged goals marked). Every figure comes from one service answer of
:mod:`tandem.why.alignment`; the balance is withheld below 5 people, as the HOW panel is.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from tandem.accounts.schemas import UserOut
from tandem.errors import InputError
from tandem.flow.engine import FIRST_DAY, LAST_DAY, Filters, FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.web.deps import CurrentUser, DbSession, Id, Workspace
from tandem.web.flow_cache import FlowKey, filters_key
from tandem.web.how.charts import AUTOSIZE, VEGA_LITE_SCHEMA
from tandem.web.how.sections import flow_cache
from tandem.web.permissions import EDIT_WHY, VIEW_WHY, allowed, requires
from tandem.web.templating import render
from tandem.web.why.scope import request_team, why_resource
from tandem.why.alignment import service
from tandem.why.alignment.investment import Balance, investment_balance
from tandem.why.alignment.lake import LakeItem
from tandem.why.alignment.models import RULE_KINDS
from tandem.why.alignment.service import DecisionOut, ItemCache, RuleOut
from tandem.why.alignment.suggestions import Suggestions, suggest
from tandem.why.scope import TeamRef
from tandem.workspace import Workspace as TandemWorkspace

page = APIRouter(dependencies=[Depends(requires(VIEW_WHY, why_resource))], include_in_schema=False)
api = APIRouter(
    prefix="/api/why", tags=["why"], dependencies=[Depends(requires(VIEW_WHY, why_resource))]
)
edit = APIRouter(dependencies=[Depends(requires(EDIT_WHY, why_resource))])


MAX_INSTANT = 40  # an ISO date and time with its zone fits in far less


def _instant(value: str | None, name: str) -> dt.datetime | None:
    if value is None or not value.strip():
        return None
    if len(value) > MAX_INSTANT:
        raise InputError(f"give an ISO date or time ({MAX_INSTANT} characters at most)", field=name)
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"{value!r} is not an ISO date or time", field=name) from None
    if not FIRST_DAY <= parsed.date() <= LAST_DAY:
        raise InputError(f"give a day between {FIRST_DAY} and {LAST_DAY}", field=name)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


class Window:
    """``?from=…&to=…`` (ISO dates; the end is exclusive)."""

    def __init__(self, start: str | None = None, end: str | None = None) -> None:
        self.start = _instant(start, "from")
        self.end = _instant(end, "to")
        if self.start and self.end and self.start >= self.end:
            raise InputError("the window's start must be before its end", field="from")


def window(request: Request) -> Window:
    return Window(request.query_params.get("from"), request.query_params.get("to"))


WindowDep = Annotated[Window, Depends(window)]


def _read(request: Request, workspace: TandemWorkspace) -> tuple[StatusMapping, ItemCache]:
    """The status mapping and the window's items through the app's flow cache: read from the
    lake once per lake generation, selection and mapping (the balance and the suggestions of a
    page read the same items)."""
    cache = flow_cache(request.app)
    mapping, digest = cache.mapping(workspace)
    generation = cache.generation(workspace.lake)

    def cached(filters: Filters, compute: Callable[[], list[LakeItem]]) -> list[LakeItem]:
        key = FlowKey(generation, filters_key(filters), digest, ("why-alignment-items",))
        return cache.get_or_compute(key, compute)

    return mapping, cached


def _balance(request: Request, db: Session, workspace: TandemWorkspace, engine: FlowEngine,
             team: TeamRef, win: Window, model: str) -> Balance:  # fmt: skip
    mapping, cached = _read(request, workspace)
    return investment_balance(session=db, engine=engine, team_id=team.id, mapping=mapping,
                              start=win.start, end=win.end, model=model,
                              cached=cached)  # fmt: skip


def _suggestions(
    request: Request, db: Session, workspace: TandemWorkspace, engine: FlowEngine, team: TeamRef,
    win: Window,
) -> Suggestions:  # fmt: skip
    mapping, cached = _read(request, workspace)
    return suggest(session=db, engine=engine, team_id=team.id, mapping=mapping, start=win.start,
                   end=win.end, cached=cached,
                   encoder=workspace.settings.alignment.encoder)  # fmt: skip


BALANCE_ROW = 28  # px per goal: its actual and target bars


def balance_chart(balance: Balance) -> dict[str, Any]:
    """Actual against target share per goal (and unaligned), in %; flagged goals in red."""
    values = []
    for row in balance.rows:
        label = row.title + (" (far below target)" if row.flagged else "")
        values.append({"goal": label, "measure": "actual", "percent": row.percent or 0.0,
                       "flagged": row.flagged})  # fmt: skip
        if row.target_share is not None:
            target = round(row.target_share * 100, 1)
            values.append({"goal": label, "measure": "target", "percent": target,
                           "flagged": row.flagged})  # fmt: skip
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": "Effort share per goal: actual against target",
        "width": "container",
        "autosize": AUTOSIZE,
        # a number, not {"step": …}: Vega-Lite warns "Dropping fit-y" for a step height even
        # under fit-x (vega/vega-lite#8579)
        "height": BALANCE_ROW * len({v["goal"] for v in values}),
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "goal", "type": "nominal", "title": None, "sort": None},
            "yOffset": {"field": "measure"},
            "x": {"field": "percent", "type": "quantitative", "title": "% of effort"},
            "color": {
                "field": "measure",
                "type": "nominal",
                "scale": {"domain": ["actual", "target"], "range": ["#1d4ed8", "#9ca3af"]},
            },
            "stroke": {"condition": {"test": "datum.flagged", "value": "#b91c1c"}, "value": None},
            "tooltip": [{"field": "goal"}, {"field": "measure"}, {"field": "percent"}],
        },
    }


@page.get("/why/alignment")
def alignment_page(
    request: Request, db: DbSession, user: CurrentUser, workspace: Workspace, win: WindowDep
) -> Response:
    """Rules, suggestions and the investment balance of the team."""
    team = request_team(request, db, user)
    model = request.query_params.get("model") or "active_days"
    with FlowEngine(workspace.lake) as engine:
        balance = _balance(request, db, workspace, engine, team, win, model)
        suggestions = _suggestions(request, db, workspace, engine, team, win)
    rules = service.list_rules(session=db, team_id=team.id)
    goals = [{"id": g.id, "title": g.title} for g in service.team_goals(db, team.id)]
    chart = json.dumps(balance_chart(balance)) if balance.rows else None
    return render(request, "why/alignment.html", {
        "team": team, "current_path": "/why/alignment", "balance": balance, "chart": chart,
        "suggestions": suggestions, "rules": rules, "goals": goals, "kinds": RULE_KINDS,
        "can_edit": allowed(user, EDIT_WHY, why_resource(request, db, user)),
        "window": {"from": request.query_params.get("from", ""),
                   "to": request.query_params.get("to", "")},
    })  # fmt: skip


@api.get("/alignment/balance", summary="Investment balance")
def api_balance(request: Request, db: DbSession, user: CurrentUser, workspace: Workspace,
                win: WindowDep, model: str = "active_days") -> Balance:  # fmt: skip
    """Effort share per goal against its target, unaligned as its own row (withheld below 5
    people: ``withheld`` says why and no row is given)."""
    team = request_team(request, db, user)
    with FlowEngine(workspace.lake) as engine:
        return _balance(request, db, workspace, engine, team, win, model)


@api.get("/alignment/suggestions", summary="Alignment suggestions")
def api_suggestions(request: Request, db: DbSession, user: CurrentUser, workspace: Workspace,
                    win: WindowDep) -> Suggestions:  # fmt: skip
    """Unaligned items whose text is close to a goal's, with the score and matched words."""
    team = request_team(request, db, user)
    with FlowEngine(workspace.lake) as engine:
        return _suggestions(request, db, workspace, engine, team, win)


@api.get("/alignment/rules", summary="Alignment rules")
def api_rules(request: Request, db: DbSession, user: CurrentUser) -> list[RuleOut]:
    """The team's alignment rules."""
    return service.list_rules(session=db, team_id=request_team(request, db, user).id)


class RuleIn(BaseModel):
    goal_id: Id
    kind: str = Field(max_length=10)
    pattern: str = Field(max_length=400)


class DecisionIn(BaseModel):
    goal_id: Id
    object_id: str = Field(max_length=400)
    decision: str = Field(max_length=10)


def _decide(db: Session, workspace: TandemWorkspace, user: UserOut, team: TeamRef,
            body: DecisionIn, origin: str) -> DecisionOut:  # fmt: skip
    with FlowEngine(workspace.lake) as engine:
        return service.decide(session=db, engine=engine, team_id=team.id, goal_id=body.goal_id,
                              object_id=body.object_id, decision=body.decision, origin=origin,
                              person_id=user.person_id)  # fmt: skip


def _back(team: TeamRef, anchor: str) -> RedirectResponse:
    return RedirectResponse(f"/why/alignment?team={team.id}#{anchor}", status_code=303)


@edit.post("/api/why/alignment/rules", tags=["why"])
def api_add_rule(request: Request, db: DbSession, user: CurrentUser, body: RuleIn) -> RuleOut:
    """Add a rule (``edit_why``: the team's leader and manager)."""
    team = request_team(request, db, user)
    return service.add_rule(session=db, team_id=team.id, goal_id=body.goal_id, kind=body.kind,
                            pattern=body.pattern)  # fmt: skip


@edit.post("/api/why/alignment/decisions", tags=["why"])
def api_decide(request: Request, db: DbSession, user: CurrentUser, workspace: Workspace,
               body: DecisionIn) -> DecisionOut:  # fmt: skip
    """Accept or reject a link of a work item to a goal (kept over rules)."""
    return _decide(db, workspace, user, request_team(request, db, user), body, "manual")


@edit.post("/why/alignment/rules", include_in_schema=False)
def add_rule_form(
    request: Request, db: DbSession, user: CurrentUser,
    goal_id: Annotated[Id, Form()], kind: Annotated[str, Form(max_length=10)],
    pattern: Annotated[str, Form(max_length=400)],
) -> Response:  # fmt: skip
    team = request_team(request, db, user)
    rule = service.add_rule(session=db, team_id=team.id, goal_id=goal_id, kind=kind,
                            pattern=pattern)  # fmt: skip
    return _back(team, f"rule-{rule.id}")


@edit.post("/why/alignment/rules/{rule_id}/remove", include_in_schema=False)
def remove_rule_form(request: Request, db: DbSession, user: CurrentUser, rule_id: Id) -> Response:
    team = request_team(request, db, user)
    service.remove_rule(session=db, team_id=team.id, rule_id=rule_id)
    return _back(team, "rules")


@edit.post("/why/alignment/decisions", include_in_schema=False)
def decide_form(
    request: Request, db: DbSession, user: CurrentUser, workspace: Workspace,
    goal_id: Annotated[Id, Form()], object_id: Annotated[str, Form(max_length=400)],
    decision: Annotated[str, Form(max_length=10)],
) -> Response:  # fmt: skip
    team = request_team(request, db, user)
    body = DecisionIn(goal_id=goal_id, object_id=object_id, decision=decision)
    _decide(db, workspace, user, team, body, "suggestion")
    return _back(team, "suggestions")
