"""Duo pages and their ``/api`` twins: suggestions with explanations, a human confirms a pair.

A team's leader and manager see their own team; directors any team (``?team_id=``), both by
the ``view_duos`` / ``confirm_duo`` rules on the :class:`TeamResource` that
:func:`team_resource` reads from the query. A confirmed pair must be two members of that team.
Suggestions come from :func:`tandem.duos.service.suggest` (others' ratings only, never stored);
a confirmation from :func:`tandem.duos.service.confirm`, which refuses a second duo for a person.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.accounts.errors import PermissionDeniedError
from tandem.accounts.schemas import UserOut
from tandem.duos import service as duos_service
from tandem.duos.schemas import DuoOut, SuggestionsOut
from tandem.errors import ConflictError, InputError, NotFoundError
from tandem.people import service as people_service
from tandem.people.models import Membership, Team
from tandem.profile import service as profile_service
from tandem.review.models import ReviewCycle
from tandem.web.deps import CurrentUser, DbSession, Id, parse_id
from tandem.web.permissions import CONFIRM_DUO, VIEW_DUOS, Resource, TeamResource, requires
from tandem.web.templating import render

TeamId = Annotated[Id | None, Query(description="the team (default: your own)")]
CycleName = Annotated[str | None, Query(max_length=200, description="a review cycle's name")]


def team_resource(request: Request, _db: Session, _user: UserOut) -> Resource | None:
    """The team named by ``?team_id=`` (none: the viewer's own team)."""
    raw = request.query_params.get("team_id")
    if not raw:
        return None
    return TeamResource(parse_id(raw, "team"))


def scoped_team(db: Session, user: UserOut, team_id: int | None) -> Team | None:
    """The team a page is about: ``team_id``, else the viewer's own; ``None`` when neither."""
    wanted = team_id if team_id is not None else user.team_id
    if wanted is None:
        return None
    team = db.get(Team, wanted)
    if team is None:
        raise NotFoundError(f"no team {wanted}")
    return team


def all_teams(db: Session) -> list[Team]:
    """Every team by name (the picker shown to directors)."""
    return list(db.scalars(select(Team).order_by(Team.name)))


view = APIRouter(dependencies=[Depends(requires(VIEW_DUOS, team_resource))])
confirm = APIRouter(dependencies=[Depends(requires(CONFIRM_DUO, team_resource))])


class TeamDuosOut(BaseModel):
    """A team's duo suggestions (nothing stored) and its confirmed duos in the cycle."""

    team_id: int
    team: str
    suggestions: SuggestionsOut
    confirmed: list[DuoOut]


class ConfirmIn(BaseModel):
    """A human's confirmation of a pair: people by id or email, a tie-breaker, a review date."""

    a: str = Field(max_length=320)
    b: str = Field(max_length=320)
    tie_breaker: str = Field(max_length=400)
    review_date: dt.date | None = None
    cycle: str | None = Field(default=None, max_length=200)


def _cycle(db: Session, name: str | None) -> ReviewCycle:
    return profile_service.resolve_cycle(session=db, name=name)


def team_duos(db: Session, team: Team, cycle_name: str | None) -> TeamDuosOut:
    """Suggestions among the team's members and the team's confirmed duos."""
    cycle = _cycle(db, cycle_name)
    members = set(db.scalars(select(Membership.person_id).where(Membership.team_id == team.id)))
    listed = duos_service.list_duos(session=db, cycle=cycle.name)
    return TeamDuosOut(
        team_id=team.id,
        team=team.name,
        suggestions=duos_service.suggest(session=db, cycle=cycle.name, teams=[team.name]),
        confirmed=[d for d in listed.duos if d.a.id in members or d.b.id in members],
    )


def _confirm(db: Session, user: UserOut, team: Team, body: ConfirmIn) -> DuoOut:
    cycle = _cycle(db, body.cycle)
    members = set(db.scalars(select(Membership.person_id).where(Membership.team_id == team.id)))
    for ref in (body.a, body.b):
        person = people_service.find_person(session=db, ref=ref.strip())
        if person.id not in members:
            raise PermissionDeniedError(
                f"{person.display_name} is not a member of team {team.name}; a duo is confirmed "
                "within the team whose page it is on"
            )
    return duos_service.confirm(
        session=db,
        cycle=cycle.name,
        a=body.a.strip(),
        b=body.b.strip(),
        tie_breaker=body.tie_breaker,
        confirmed_by=user.email,
        review_date=body.review_date,
    )


def _page(
    request: Request,
    db: Session,
    user: UserOut,
    team_id: int | None,
    cycle: str | None,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    team = scoped_team(db, user, team_id)
    context: dict[str, Any] = {"team": team, "teams": all_teams(db), "error": error}
    if team is not None:
        try:
            context["data"] = team_duos(db, team, cycle)
        except NotFoundError as exc:
            context["empty"] = exc.message
    return render(request, "duos/index.html", context, status_code=status_code)


@view.get("/duos", include_in_schema=False)
def duos_page(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    team_id: TeamId = None,
    cycle: CycleName = None,
) -> Response:
    """Duo suggestions with explanations for the team, and the confirmed duos."""
    return _page(request, db, user, team_id, cycle)


@view.get("/api/duos")
def duos(
    db: DbSession, user: CurrentUser, team_id: TeamId = None, cycle: CycleName = None
) -> TeamDuosOut:
    """Duo suggestions for the team (nothing stored) and its confirmed duos."""
    team = scoped_team(db, user, team_id)
    if team is None:
        raise InputError("name a team: ?team_id=", field="team_id")
    return team_duos(db, team, cycle)


@confirm.post("/duos/confirm", include_in_schema=False)
def confirm_page(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    a: Annotated[str, Form(max_length=320)],
    b: Annotated[str, Form(max_length=320)],
    tie_breaker: Annotated[str, Form(max_length=400)],
    review_date: Annotated[str, Form(max_length=10)] = "",
    cycle: Annotated[str | None, Form(max_length=200)] = None,
    team_id: TeamId = None,
) -> Response:
    """A human confirms a pair; refused (with the reason) for a second duo of one person."""
    team = scoped_team(db, user, team_id)
    if team is None:
        raise InputError("name a team: ?team_id=", field="team_id")
    try:
        date = dt.date.fromisoformat(review_date) if review_date else None
    except ValueError:
        date = None
        error: str | None = f"field 'review_date': {review_date!r} is not a date (YYYY-MM-DD)"
    else:
        error = None
    if error is None:
        body = ConfirmIn(a=a, b=b, tie_breaker=tie_breaker, review_date=date, cycle=cycle or None)
        try:
            _confirm(db, user, team, body)
        except (ConflictError, InputError, NotFoundError) as exc:
            return _page(
                request, db, user, team.id, cycle, error=exc.message, status_code=exc.status
            )
        else:
            target = f"/duos?team_id={team.id}"
            return RedirectResponse(target + "#confirmed", status_code=303)
    return _page(request, db, user, team.id, cycle, error=error, status_code=400)


@confirm.post("/api/duos/confirm")
def confirm_duo(
    db: DbSession, user: CurrentUser, body: ConfirmIn, team_id: TeamId = None
) -> DuoOut:
    """Confirm a pair of the team's members: the tie-breaker and review date are recorded."""
    team = scoped_team(db, user, team_id)
    if team is None:
        raise InputError("name a team: ?team_id=", field="team_id")
    return _confirm(db, user, team, body)
