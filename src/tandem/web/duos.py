"""Duo pages and their ``/api`` twins: suggestions, a human confirms a pair, both partners consent.

A team's leader and manager see their own team; directors any team (``?team_id=``), both by
the ``view_duos`` / ``confirm_duo`` rules on the :class:`TeamResource` that
:func:`team_resource` reads from the query. A confirmed pair must be two members of that team
(in the cycle's frozen roster). Everything shown comes from :mod:`tandem.duos.service` for the
signed-in viewer: a pair's numbers only when both people shared their report with the viewer.
A confirmed duo is ``pending`` until both partners accept; each answers for themselves
(``respond_duo``: ``POST /duos/{duo_id}/accept|decline`` and their ``/api`` twins).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from tandem.accounts.schemas import UserOut
from tandem.audit import service as audit
from tandem.duos import service as duos_service
from tandem.duos import teams as duos_teams
from tandem.duos.explain import UNPAIRED_LABELS
from tandem.duos.schemas import DuoOut, TeamDuosOut, TeamRef
from tandem.errors import ConflictError, InputError, NotFoundError
from tandem.profile import service as profile_service
from tandem.web.deps import CurrentUser, DbSession, Id, parse_id
from tandem.web.permissions import (
    CONFIRM_DUO,
    RESPOND_DUO,
    VIEW_DUOS,
    DuoResource,
    Resource,
    TeamResource,
    requires,
    viewer_of,
)
from tandem.web.templating import render

TeamId = Annotated[Id | None, Query(description="the team (default: your own)")]
CycleName = Annotated[str | None, Query(max_length=200, description="a review cycle's name")]


def team_resource(request: Request, _db: Session, _user: UserOut) -> Resource | None:
    """The team named by ``?team_id=`` (none: the viewer's own team)."""
    raw = request.query_params.get("team_id")
    if not raw:
        return None
    return TeamResource(parse_id(raw, "team"))


def duo_resource(request: Request, db: Session, _user: UserOut) -> Resource | None:
    """The confirmed duo named by the path's ``{duo_id}``, with its two partners."""
    duo_id = parse_id(str(request.path_params.get("duo_id", "")), "confirmed duo")
    return DuoResource(duo_id, duos_service.partners(session=db, duo_id=duo_id))


def scoped_team(db: Session, user: UserOut, team_id: int | None) -> TeamRef | None:
    """The team a page is about: ``team_id``, else the viewer's own; ``None`` when neither."""
    wanted = team_id if team_id is not None else user.team_id
    if wanted is None:
        return None
    return duos_teams.team_ref(session=db, team_id=wanted)


view = APIRouter(dependencies=[Depends(requires(VIEW_DUOS, team_resource))])
confirm = APIRouter(dependencies=[Depends(requires(CONFIRM_DUO, team_resource))])
respond = APIRouter(dependencies=[Depends(requires(RESPOND_DUO, duo_resource))])


class ConfirmIn(BaseModel):
    """A human's confirmation of a pair: people by id or email, a tie-breaker, a review date."""

    a: str = Field(max_length=320)
    b: str = Field(max_length=320)
    tie_breaker: str = Field(max_length=400)
    review_date: dt.date | None = None
    cycle: str | None = Field(default=None, max_length=200)


def _confirm(db: Session, user: UserOut, team: TeamRef, body: ConfirmIn) -> DuoOut:
    cycle = profile_service.resolve_cycle(session=db, name=body.cycle)
    return duos_service.confirm(
        session=db,
        cycle=cycle.name,
        a=body.a.strip(),
        b=body.b.strip(),
        tie_breaker=body.tie_breaker,
        confirmed_by=user.email,
        viewer=viewer_of(user),
        team=team.name,
        review_date=body.review_date,
        actor=audit.user_actor(user.id),
    )


def _page(
    request: Request,
    db: Session,
    user: UserOut,
    team_id: int | None,
    cycle: str | None,
    *,
    error: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    team = scoped_team(db, user, team_id)
    context: dict[str, Any] = {
        "team": team,
        "teams": duos_teams.team_refs(session=db),
        "error": error,
        "notice": notice,
        "unpaired_labels": UNPAIRED_LABELS,
    }
    if team is not None:
        try:
            context["data"] = duos_teams.team_duos(
                session=db, team_id=team.id, cycle=cycle, viewer=viewer_of(user)
            )
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
    confirmed: Annotated[Id | None, Query()] = None,
) -> Response:
    """Duo suggestions with explanations for the team, and the confirmed duos."""
    notice = None
    if confirmed is not None:
        data = duos_teams.team_duos(
            session=db, team_id=_team_id(user, team_id), cycle=cycle, viewer=viewer_of(user)
        )
        done = next((d for d in data.confirmed if d.id == confirmed), None)
        if done is not None:
            notice = _confirmed_notice(done)
    return _page(request, db, user, team_id, cycle, notice=notice)


def _team_id(user: UserOut, team_id: int | None) -> int:
    wanted = team_id if team_id is not None else user.team_id
    if wanted is None:
        raise InputError("name a team: ?team_id=", field="team_id")
    return wanted


def _confirmed_notice(duo: DuoOut) -> str:
    return (
        f"Duo confirmed: {duo.a.name} + {duo.b.name}, review on {duo.review_date}. "
        f"{duo.tie_breaker_rule} It counts once both accept ({duo.a.name}: {duo.a_consent}, "
        f"{duo.b.name}: {duo.b_consent})."
    )


@view.get("/api/duos")
def duos(
    db: DbSession, user: CurrentUser, team_id: TeamId = None, cycle: CycleName = None
) -> TeamDuosOut:
    """Duo suggestions for the team (nothing stored) and its confirmed duos, as you may see them."""
    return duos_teams.team_duos(
        session=db, team_id=_team_id(user, team_id), cycle=cycle, viewer=viewer_of(user)
    )


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
    team = scoped_team(db, user, _team_id(user, team_id))
    assert team is not None
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
            duo = _confirm(db, user, team, body)
        except (ConflictError, InputError, NotFoundError) as exc:
            return _page(
                request, db, user, team.id, cycle, error=exc.message, status_code=exc.status
            )
        else:
            target = f"/duos?team_id={team.id}&confirmed={duo.id}"
            if cycle:
                target += f"&cycle={quote(cycle, safe='')}"
            return RedirectResponse(target + "#confirmed", status_code=303)
    return _page(request, db, user, team.id, cycle, error=error, status_code=400)


@confirm.post("/api/duos/confirm")
def confirm_duo(
    db: DbSession, user: CurrentUser, body: ConfirmIn, team_id: TeamId = None
) -> DuoOut:
    """Confirm a pair of the team's members: pending until both accept; tie-breaker recorded."""
    team = scoped_team(db, user, _team_id(user, team_id))
    assert team is not None
    return _confirm(db, user, team, body)


@respond.post("/duos/{duo_id}/{answer}", include_in_schema=False)
def respond_page(db: DbSession, user: CurrentUser, duo_id: int, answer: str) -> Response:
    """A partner accepts or declines the duo for themselves; back home with the outcome."""
    out = duos_service.respond(
        session=db,
        duo_id=duo_id,
        viewer=viewer_of(user),
        accept=_accept(answer),
        actor=audit.user_actor(user.id),
    )
    return RedirectResponse(f"/?duo={out.id}#duo", status_code=303)


@respond.post("/api/duos/{duo_id}/{answer}")
def respond_duo(db: DbSession, user: CurrentUser, duo_id: int, answer: str) -> DuoOut:
    """Accept or decline a confirmed duo you are a partner of (``accept`` or ``decline``)."""
    return duos_service.respond(
        session=db,
        duo_id=duo_id,
        viewer=viewer_of(user),
        accept=_accept(answer),
        actor=audit.user_actor(user.id),
    )


def _accept(answer: str) -> bool:
    if answer not in ("accept", "decline"):
        raise NotFoundError(f"no duo action {answer!r}; use accept or decline")
    return answer == "accept"
