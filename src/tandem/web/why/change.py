"""WHY panel: change — experiments and the change radar (``/why/change`` and its JSON twins).

Reads (``view_why``): the team's experiments with their metric before and after, and the radar
of the lake's repositories (it reads manifests, no people data). Writes (``edit_why``, the
team's leader and manager): add, conclude and abandon an experiment, as a form or as JSON.
Every number comes from :mod:`tandem.why.change.service` or :mod:`tandem.why.change.radar`.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from tandem.errors import TandemError
from tandem.flow.engine import parse_day
from tandem.web.deps import CurrentUser, DbSession, Id, Workspace
from tandem.web.how.charts import AUTOSIZE, COUNT_AXIS, VEGA_LITE_SCHEMA
from tandem.web.permissions import EDIT_WHY, VIEW_WHY, TeamResource, allowed, requires
from tandem.web.templating import render
from tandem.web.why.scope import request_team, why_resource
from tandem.why.change import radar as radar_service
from tandem.why.change import service
from tandem.why.change.schemas import ExperimentList, ExperimentOut, RadarAnswer
from tandem.why.scope import TeamRef

page = APIRouter(dependencies=[Depends(requires(VIEW_WHY, why_resource))], include_in_schema=False)
api = APIRouter(
    prefix="/api/why", tags=["why"], dependencies=[Depends(requires(VIEW_WHY, why_resource))]
)
edit = APIRouter(dependencies=[Depends(requires(EDIT_WHY, why_resource))])

SHORT = 200
LONG = 4000


class ExperimentIn(BaseModel):
    """A new experiment: what is tried, why, by whom, from when, and how it is measured."""

    title: str = Field(max_length=SHORT)
    hypothesis: str = Field(max_length=LONG)
    owner: str = Field(max_length=SHORT, description="Id or email of a person of the team.")
    starts_on: str = Field(max_length=10, description="First day, YYYY-MM-DD.")
    ends_on: str | None = Field(default=None, max_length=10)
    measure: str = Field(default="", max_length=LONG)
    metric: str | None = Field(
        default=None, max_length=SHORT, description="Metric contract, e.g. cycle_time:p85,window=30"
    )


class ConcludeIn(BaseModel):
    """How the experiment came out."""

    result: str = Field(max_length=12, description="supported, refuted or inconclusive.")
    outcome: str = Field(max_length=LONG)
    concluded_on: str = Field(max_length=10, description="YYYY-MM-DD.")


class AbandonIn(BaseModel):
    outcome: str = Field(default="", max_length=LONG)
    abandoned_on: str | None = Field(default=None, max_length=10)


def radar_chart(answer: RadarAnswer) -> dict[str, Any]:
    """Dependencies added (up) and removed (down) per quarter, as bars."""
    values = [
        {"quarter": q.quarter, "change": change, "count": count if change == "added" else -count}
        for q in answer.quarters
        for change, count in (("added", q.added), ("removed", q.removed))
    ]
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": "Dependencies added and removed per quarter",
        "width": "container",
        "autosize": AUTOSIZE,
        "height": 200,
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": {
            "x": {"field": "quarter", "type": "ordinal", "title": "quarter", "sort": None},
            "y": {
                "field": "count",
                "type": "quantitative",
                "title": "dependencies",
                "axis": COUNT_AXIS,
            },
            "color": {
                "field": "change",
                "type": "nominal",
                "scale": {"domain": ["added", "removed"], "range": ["#166534", "#a4161a"]},
            },
            "tooltip": [{"field": "quarter"}, {"field": "change"}, {"field": "count"}],
        },
    }


def _since(value: str | None) -> dt.date | None:
    return parse_day(value, "since")


def _radar(workspace: Workspace, repo: str | None, since: str | None) -> RadarAnswer:
    return radar_service.change_radar(
        lake=workspace.lake,
        repo=repo.strip() if repo and repo.strip() else None,
        since=_since(since),
    )


@page.get("/why/change")
def change_page(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    workspace: Workspace,
    since: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    """Experiments (with the metric before and after) and the change radar."""
    team = request_team(request, db, user)
    experiments = service.list_experiments(session=db, workspace=workspace, team=team.id)
    radar: RadarAnswer | None = None
    radar_error = None
    try:
        radar = _radar(workspace, None, since)
    except TandemError as error:
        radar_error = error.message
    return render(
        request,
        "why/change.html",
        {
            "team": team,
            "experiments": experiments,
            "radar": radar,
            "radar_error": radar_error,
            "chart": json.dumps(radar_chart(radar)) if radar and radar.quarters else None,
            "can_edit": allowed(user, EDIT_WHY, TeamResource(team.id)),
            "results": ("supported", "refuted", "inconclusive"),
            "since": since or "",
        },
    )


@api.get("/change/experiments", summary="Experiments")
def api_experiments(
    request: Request, db: DbSession, user: CurrentUser, workspace: Workspace
) -> ExperimentList:
    """The team's experiments, each with its metric before and during/after when it has one."""
    team = request_team(request, db, user)
    return service.list_experiments(session=db, workspace=workspace, team=team.id)


@api.get("/change/experiments/{experiment_id}", summary="One experiment")
def api_experiment(
    request: Request, db: DbSession, user: CurrentUser, workspace: Workspace, experiment_id: Id
) -> ExperimentOut:
    """One experiment of the team, with its metric reading."""
    team = request_team(request, db, user)
    return service.show_experiment(
        session=db, workspace=workspace, team=team.id, experiment_id=experiment_id
    )


@api.get("/change/radar", summary="Change radar")
def api_radar(
    workspace: Workspace,
    repo: Annotated[
        str | None, Query(max_length=4096, description="One repository's path.")
    ] = None,
    since: Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD.")] = None,
) -> RadarAnswer:
    """Dependencies added and removed in the lake's repositories: per quarter, now, rings."""
    return _radar(workspace, repo, since)


def _back(team: TeamRef, anchor: str = "experiments") -> Response:
    return RedirectResponse(f"/why/change?team={team.id}#{anchor}", status_code=303)


def _add(request: Request, db: DbSession, user: CurrentUser, body: ExperimentIn) -> ExperimentOut:
    team = request_team(request, db, user)
    return service.add_experiment(
        session=db,
        team=team.id,
        title=body.title,
        hypothesis=body.hypothesis,
        owner=body.owner,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        measure_text=body.measure,
        metric=body.metric,
    )


@edit.post("/why/change/experiments", include_in_schema=False)
def add_form(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    title: Annotated[str, Form(max_length=SHORT)],
    hypothesis: Annotated[str, Form(max_length=LONG)],
    owner: Annotated[str, Form(max_length=SHORT)],
    starts_on: Annotated[str, Form(max_length=10)],
    ends_on: Annotated[str, Form(max_length=10)] = "",
    measure: Annotated[str, Form(max_length=LONG)] = "",
    metric: Annotated[str, Form(max_length=SHORT)] = "",
) -> Response:
    """Add an experiment, then back to the page."""
    body = ExperimentIn(
        title=title,
        hypothesis=hypothesis,
        owner=owner,
        starts_on=starts_on,
        ends_on=ends_on or None,
        measure=measure,
        metric=metric or None,
    )
    done = _add(request, db, user, body)
    return _back(request_team(request, db, user), f"experiment-{done.id}")


@edit.post("/api/why/change/experiments", tags=["why"], summary="Add an experiment")
def add_api(
    request: Request, db: DbSession, user: CurrentUser, body: ExperimentIn
) -> ExperimentOut:
    """Add a running experiment to the team (leader and manager)."""
    return _add(request, db, user, body)


def _conclude(
    request: Request, db: DbSession, user: CurrentUser, experiment_id: int, body: ConcludeIn
) -> ExperimentOut:
    team = request_team(request, db, user)
    return service.conclude_experiment(
        session=db,
        team=team.id,
        experiment_id=experiment_id,
        result=body.result,
        outcome=body.outcome,
        concluded_on=body.concluded_on,
    )


@edit.post("/why/change/experiments/{experiment_id}/conclude", include_in_schema=False)
def conclude_form(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    experiment_id: Id,
    result: Annotated[str, Form(max_length=12)],
    outcome: Annotated[str, Form(max_length=LONG)],
    concluded_on: Annotated[str, Form(max_length=10)],
) -> Response:
    """Conclude an experiment, then back to the page."""
    body = ConcludeIn(result=result, outcome=outcome, concluded_on=concluded_on)
    done = _conclude(request, db, user, experiment_id, body)
    return _back(request_team(request, db, user), f"experiment-{done.id}")


@edit.post(
    "/api/why/change/experiments/{experiment_id}/conclude",
    tags=["why"],
    summary="Conclude an experiment",
)
def conclude_api(
    request: Request, db: DbSession, user: CurrentUser, experiment_id: Id, body: ConcludeIn
) -> ExperimentOut:
    """Conclude a running experiment: supported, refuted or inconclusive, with its outcome."""
    return _conclude(request, db, user, experiment_id, body)


@edit.post(
    "/api/why/change/experiments/{experiment_id}/abandon",
    tags=["why"],
    summary="Abandon an experiment",
)
def abandon_api(
    request: Request, db: DbSession, user: CurrentUser, experiment_id: Id, body: AbandonIn
) -> ExperimentOut:
    """Abandon a running experiment (why, in the outcome)."""
    team = request_team(request, db, user)
    return service.abandon_experiment(
        session=db,
        team=team.id,
        experiment_id=experiment_id,
        outcome=body.outcome,
        abandoned_on=body.abandoned_on,
    )
