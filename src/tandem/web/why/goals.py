"""WHY panel: vision and goals (``/why``) and their JSON twins under ``/api/why/…``.

``GET /why`` shows the team's vision and postcard, then each goal with its key results: value
on the as-of day, target, progress bar, a Vega-Lite line of the history and the latest
check-in — all from one :func:`tandem.why.goals.service.team_goals` answer, which
``GET /api/why/goals`` returns as is. The forms (vision, goal, key result, check-in, status)
are for the team's leader and manager (``edit_why``): each POSTs with the CSRF token and
redirects back (303); bad input answers 400 with the message.

Measures are cached in the app's flow cache under the lake's generation, the team's filters and
the status mapping, so a page asks the flow service once per key result and day until the next
ingest.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from tandem.accounts.schemas import UserOut
from tandem.flow.engine import Filters
from tandem.web.deps import CurrentUser, DbSession, Id, Workspace
from tandem.web.flow_cache import FlowKey, filters_key
from tandem.web.how.charts import AUTOSIZE, VEGA_LITE_SCHEMA
from tandem.web.how.sections import flow_cache
from tandem.web.permissions import EDIT_WHY, VIEW_WHY, TeamResource, allowed, requires
from tandem.web.templating import render
from tandem.web.why.scope import request_team, why_resource
from tandem.why.goals import service
from tandem.why.goals.metrics import MetricSpec, MetricValue, parse_spec
from tandem.why.goals.schemas import (
    CheckInOut,
    GoalBrief,
    KeyResultDef,
    KeyResultOut,
    TeamGoals,
    VisionOut,
)
from tandem.why.scope import TeamRef
from tandem.workspace import Workspace as TandemWorkspace

page = APIRouter(dependencies=[Depends(requires(VIEW_WHY, why_resource))], include_in_schema=False)
api = APIRouter(
    prefix="/api/why", tags=["why"], dependencies=[Depends(requires(VIEW_WHY, why_resource))]
)
edit_page = APIRouter(
    dependencies=[Depends(requires(EDIT_WHY, why_resource))], include_in_schema=False
)
edit_api = APIRouter(
    prefix="/api/why", tags=["why"], dependencies=[Depends(requires(EDIT_WHY, why_resource))]
)

Text = Annotated[str, Form(max_length=5000)]
Optional = Annotated[str, Form(max_length=5000)]


def measure_cache(app: FastAPI, workspace: TandemWorkspace) -> service.Measure:
    """Measures through the app's flow cache (keyed on the lake's generation): the goals page's
    and the start-up warm-up's (:mod:`tandem.web.warmup`), with the same keys."""
    cache = flow_cache(app)
    _, digest = cache.mapping(workspace)
    generation = cache.generation(workspace.lake)

    def cached(
        spec: MetricSpec, team: Filters, as_of: dt.date, compute: Callable[[], MetricValue]
    ) -> MetricValue:
        key = FlowKey(
            generation,
            filters_key(team),
            digest,
            ("why-kr", spec.model_dump_json(), as_of.isoformat()),
        )
        return cache.get_or_compute(key, compute)

    return cached


def _answer(request: Request, db: Session, user: UserOut, workspace: TandemWorkspace) -> TeamGoals:
    team = request_team(request, db, user)
    return service.team_goals(
        session=db, workspace=workspace, team=team.id, cached=measure_cache(request.app, workspace)
    )


def history_chart(kr: KeyResultOut) -> dict[str, Any]:
    """A key result's history as a line, its target as a dashed rule."""
    values = [
        {"day": point.day.isoformat(), "value": point.value}
        for point in kr.history
        if point.value is not None
    ]
    title = kr.unit or "value"
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": f"History of {kr.title}",
        "width": "container",
        "autosize": AUTOSIZE,
        "height": 140,
        "layer": [
            {
                "data": {"values": values},
                "mark": {"type": "line", "point": True, "color": "#1d4ed8"},
                "encoding": {
                    "x": {"field": "day", "type": "temporal", "title": None},
                    "y": {"field": "value", "type": "quantitative", "title": title},
                    "tooltip": [
                        {"field": "day", "type": "temporal"},
                        {"field": "value", "type": "quantitative", "format": ",.2f"},
                    ],
                },
            },
            {
                "data": {"values": [{"target": kr.target}]},
                "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#166534"},
                "encoding": {"y": {"field": "target", "type": "quantitative"}},
            },
        ],
    }


@page.get("/why")
def goals_page(
    request: Request, db: DbSession, user: CurrentUser, workspace: Workspace
) -> HTMLResponse:
    """The team's vision and goals with each key result's progress and history."""
    answer = _answer(request, db, user, workspace)
    charts = {
        kr.id: json.dumps(history_chart(kr))
        for goal in answer.goals
        for kr in goal.key_results
        if any(point.value is not None for point in kr.history)
    }
    return render(
        request,
        "why/goals.html",
        {
            "team": answer.team,
            "answer": answer,
            "charts": charts,
            "can_edit": allowed(user, EDIT_WHY, TeamResource(answer.team.id)),
        },
    )


@api.get("/goals", summary="Vision and goals with progress")
def api_goals(
    request: Request, db: DbSession, user: CurrentUser, workspace: Workspace
) -> TeamGoals:
    """The team's vision and goals: each key result's value from the lake (or its check-ins),
    progress, on-track status and weekly history; withheld values stay withheld."""
    return _answer(request, db, user, workspace)


# -- writes -------------------------------------------------------------------------------------


def _team(request: Request, db: Session, user: UserOut) -> TeamRef:
    return request_team(request, db, user)


def _back(team: TeamRef, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/why?team={team.id}{anchor}", status_code=303)


class VisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    statement: str = Field(max_length=5000)
    postcard: str = Field(default="", max_length=5000)
    horizon: dt.date | None = None


class GoalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(max_length=5000)
    starts_on: dt.date
    ends_on: dt.date
    why: str = Field(default="", max_length=5000)
    target_share: float | None = None
    owner: str | None = Field(default=None, max_length=320)


class KeyResultIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(max_length=5000)
    target: float
    metric: str | None = Field(default=None, max_length=500)
    baseline: float | None = None
    direction: str | None = Field(default=None, max_length=10)
    unit: str | None = Field(default=None, max_length=200)


class CheckInIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    confidence: int
    note: str = Field(default="", max_length=5000)
    value: float | None = None


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str = Field(max_length=20)


def _vision(db: Session, user: UserOut, team: TeamRef, body: VisionIn) -> VisionOut:
    return service.set_vision(
        session=db, team=team.id, statement=body.statement, postcard=body.postcard,
        horizon=body.horizon, author_id=user.person_id,
    )  # fmt: skip


def _goal(db: Session, team: TeamRef, body: GoalIn) -> GoalBrief:
    return service.add_goal(
        session=db, team=team.id, title=body.title, starts_on=body.starts_on,
        ends_on=body.ends_on, why=body.why, target_share=body.target_share, owner=body.owner,
    )  # fmt: skip


def _key_result(
    db: Session, workspace: TandemWorkspace, team: TeamRef, goal_id: int, body: KeyResultIn
) -> KeyResultDef:
    return service.add_key_result(
        session=db, workspace=workspace, team=team.id, goal_id=goal_id, title=body.title,
        target=body.target, metric=parse_spec(body.metric) if body.metric else None,
        baseline=body.baseline, direction=body.direction, unit=body.unit,
    )  # fmt: skip


def _check_in(
    db: Session, user: UserOut, team: TeamRef, key_result_id: int, body: CheckInIn
) -> CheckInOut:
    return service.check_in(
        session=db, team=team.id, key_result_id=key_result_id, confidence=body.confidence,
        note=body.note, value=body.value, author_id=user.person_id,
    )  # fmt: skip


def _blank(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


@edit_page.post("/why/vision")
def vision_form(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    statement: Text,
    postcard: Optional = "",
    horizon: Optional = "",
) -> Response:
    """Set the team's vision and postcard, then back to the page."""
    team = _team(request, db, user)
    service.set_vision(
        session=db, team=team.id, statement=statement, postcard=postcard,
        horizon=_blank(horizon), author_id=user.person_id,
    )  # fmt: skip
    return _back(team, "#vision")


@edit_page.post("/why/goals")
def goal_form(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    title: Text,
    starts_on: Optional = "",
    ends_on: Optional = "",
    why: Optional = "",
    target_share: Optional = "",
    owner: Optional = "",
) -> Response:
    """Add a goal, then back to the page."""
    team = _team(request, db, user)
    goal = service.add_goal(
        session=db, team=team.id, title=title, starts_on=_blank(starts_on),
        ends_on=_blank(ends_on), why=why, target_share=_blank(target_share),
        owner=_blank(owner),
    )  # fmt: skip
    return _back(team, f"#goal-{goal.id}")


@edit_page.post("/why/goals/{goal_id}/key-results")
def key_result_form(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    workspace: Workspace,
    goal_id: Id,
    title: Text,
    target: Optional = "",
    metric: Optional = "",
    baseline: Optional = "",
    direction: Optional = "",
    unit: Optional = "",
) -> Response:
    """Add a key result to a goal, then back to the page."""
    team = _team(request, db, user)
    spec = _blank(metric)
    service.add_key_result(
        session=db, workspace=workspace, team=team.id, goal_id=goal_id, title=title,
        target=_blank(target), metric=parse_spec(spec) if spec else None,
        baseline=_blank(baseline), direction=_blank(direction), unit=_blank(unit),
    )  # fmt: skip
    return _back(team, f"#goal-{goal_id}")


@edit_page.post("/why/key-results/{key_result_id}/check-ins")
def check_in_form(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    key_result_id: Id,
    confidence: Optional = "",
    note: Optional = "",
    value: Optional = "",
) -> Response:
    """Check in on a key result, then back to the page."""
    team = _team(request, db, user)
    service.check_in(
        session=db, team=team.id, key_result_id=key_result_id, confidence=confidence,
        note=note, value=_blank(value), author_id=user.person_id,
    )  # fmt: skip
    return _back(team, f"#kr-{key_result_id}")


@edit_page.post("/why/goals/{goal_id}/status")
def status_form(
    request: Request, db: DbSession, user: CurrentUser, goal_id: Id, status: Optional = ""
) -> Response:
    """Mark a goal active, achieved or dropped, then back to the page."""
    team = _team(request, db, user)
    service.set_goal_status(session=db, team=team.id, goal_id=goal_id, status=status)
    return _back(team, f"#goal-{goal_id}")


@edit_api.post("/vision", summary="Set the vision")
def api_vision(request: Request, db: DbSession, user: CurrentUser, body: VisionIn) -> VisionOut:
    """Set (or replace) the team's vision statement and postcard from the future."""
    return _vision(db, user, _team(request, db, user), body)


@edit_api.post("/goals", summary="Add a goal")
def api_add_goal(request: Request, db: DbSession, user: CurrentUser, body: GoalIn) -> GoalBrief:
    """Add an active goal (its target share keeps the team's active goals within 100 %)."""
    return _goal(db, _team(request, db, user), body)


@edit_api.post("/goals/{goal_id}/key-results", summary="Add a key result")
def api_add_key_result(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    workspace: Workspace,
    goal_id: Id,
    body: KeyResultIn,
) -> KeyResultDef:
    """Add a key result bound to a metric contract (``metric``, short form) or manual."""
    return _key_result(db, workspace, _team(request, db, user), goal_id, body)


@edit_api.post("/key-results/{key_result_id}/check-ins", summary="Check in")
def api_check_in(
    request: Request, db: DbSession, user: CurrentUser, key_result_id: Id, body: CheckInIn
) -> CheckInOut:
    """Confidence 0–10, a note, and a manual key result's value."""
    return _check_in(db, user, _team(request, db, user), key_result_id, body)


@edit_api.post("/goals/{goal_id}/status", summary="Set a goal's status")
def api_goal_status(
    request: Request, db: DbSession, user: CurrentUser, goal_id: Id, body: StatusIn
) -> GoalBrief:
    """Mark a goal active, achieved or dropped."""
    team = _team(request, db, user)
    return service.set_goal_status(session=db, team=team.id, goal_id=goal_id, status=body.status)
