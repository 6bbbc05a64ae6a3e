"""Performance check-ins: ``/manage/check-ins`` (one's own check-in, one's reports' as links, a
team's check-in) and its JSON twins ``/api/manage/check-ins/person/{id}`` and ``…/team/{id}``.

Guards: the page ``view_checkins`` (everyone: it shows what each may read), a person's check-in
``read_person_checkin`` (people in a team role; the service admits the person and their line
manager only, anyone else gets 404), a team's ``read_team_checkin`` (its leader and manager;
directors and admins any team, bands only). Every number comes from the service's one answer.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from tandem.accounts.errors import PermissionDeniedError
from tandem.accounts.schemas import UserOut
from tandem.audit.service import user_actor
from tandem.manage.checkins import service
from tandem.manage.checkins.schemas import PersonCheckin, TeamCheckin
from tandem.people import service as people_service
from tandem.profile.visibility import INDIVIDUAL_ROLES
from tandem.web.deps import CurrentUser, DbSession, Id, Workspace
from tandem.web.permissions import (
    READ_PERSON_CHECKIN,
    READ_TEAM_CHECKIN,
    VIEW_CHECKINS,
    TeamResource,
    allowed,
    ensure_allowed,
    requires,
    viewer_of,
)
from tandem.web.templating import render
from tandem.web.why.goals import measure_cache
from tandem.web.why.scope import team_param

PATH = "/manage/check-ins"

page = APIRouter(dependencies=[Depends(requires(VIEW_CHECKINS))], include_in_schema=False)
person_page = APIRouter(
    dependencies=[Depends(requires(READ_PERSON_CHECKIN))], include_in_schema=False
)
person_api = APIRouter(
    prefix="/api/manage", tags=["manage"], dependencies=[Depends(requires(READ_PERSON_CHECKIN))]
)
team_api = APIRouter(
    prefix="/api/manage", tags=["manage"], dependencies=[Depends(requires(READ_TEAM_CHECKIN))]
)
ROUTERS = (page, person_page, person_api, team_api)

AsOf = Annotated[dt.date | None, Query(description="The day of the check-in (default today).")]


def _day(as_of: dt.date | None) -> dt.date:
    return as_of if as_of is not None else dt.datetime.now(dt.UTC).date()


def _person(
    request: Request, db: DbSession, user: UserOut, ws: Workspace, person_id: int, day: dt.date
) -> PersonCheckin:
    return service.person_checkin(
        session=db, workspace=ws, viewer=viewer_of(user), person_id=person_id, as_of=day,
        actor=user_actor(user.id), cached=measure_cache(request.app, ws),
    )  # fmt: skip


def _team(
    request: Request, db: DbSession, user: UserOut, ws: Workspace, team_id: int, day: dt.date
) -> TeamCheckin:
    return service.team_checkin(
        session=db, workspace=ws, viewer=viewer_of(user), team=team_id, as_of=day,
        cached=measure_cache(request.app, ws),
    )  # fmt: skip


@page.get(PATH)
def checkins_page(
    request: Request, db: DbSession, user: CurrentUser, workspace: Workspace, as_of: AsOf = None
) -> Response:
    """One's own check-in with links to one's reports', and a team's check-in: one's own
    team's for its leader and manager, any team's (``?team=ID``) for directors and admins."""
    day = _day(as_of)
    mine = None
    if user.person_id is not None and user.role in INDIVIDUAL_ROLES:
        mine = _person(request, db, user, workspace, user.person_id, day)
    asked = team_param(request)
    team_id = asked if asked is not None else user.team_id
    team = None
    if asked is not None:
        ensure_allowed(user, READ_TEAM_CHECKIN, TeamResource(asked))
    if team_id is not None and allowed(user, READ_TEAM_CHECKIN, TeamResource(team_id)):
        try:
            team = _team(request, db, user, workspace, team_id, day)
        except PermissionDeniedError:
            # one's account's team where the roster makes one a member: no team section (a
            # team asked for by name is refused)
            if asked is not None:
                raise
    teams = []
    if user.role in service.AGGREGATE_ROLES:
        teams = people_service.list_teams(session=db)
    return render(
        request,
        "manage/checkins.html",
        {"mine": mine, "team": team, "teams": teams, "as_of": day, "shown": None},
    )


@person_page.get(PATH + "/person/{person_id}")
def person_checkin_page(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    workspace: Workspace,
    person_id: Id,
    as_of: AsOf = None,
) -> Response:
    """A person's check-in (the person and their line manager; anyone else: 404)."""
    shown = _person(request, db, user, workspace, person_id, _day(as_of))
    return render(
        request,
        "manage/checkins.html",
        {"mine": None, "team": None, "teams": [], "as_of": shown.as_of, "shown": shown},
    )


@person_api.get("/check-ins/person/{person_id}", summary="A person's check-in")
def person_checkin(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    workspace: Workspace,
    person_id: Id,
    as_of: AsOf = None,
) -> PersonCheckin:
    """Goals owned with each key result's progress, feedback and 1:1 cadence (the person and
    their line manager only; 404 for anyone else, whether or not the person exists)."""
    return _person(request, db, user, workspace, person_id, _day(as_of))


@team_api.get("/check-ins/team/{team_id}", summary="A team's check-in")
def team_checkin(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    workspace: Workspace,
    team_id: Id,
    as_of: AsOf = None,
) -> TeamCheckin:
    """The team's goals, its members by name (cadence of one's own reports) and its cadence in
    quartile bands (withheld below 5 people); directors and admins: no member."""
    return _team(request, db, user, workspace, team_id, _day(as_of))
