"""The team a WHY request is about: ``?team=ID`` or the viewer's own team.

:func:`why_resource` hands a router's guard the team to check (``view_why``, ``edit_why``,
``give_kudos`` are team-scoped); :func:`request_team` loads it for the view, so a page never
shows a team its guard did not allow.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from tandem.accounts.schemas import UserOut
from tandem.errors import InputError, NotFoundError
from tandem.web.deps import parse_id
from tandem.web.permissions import Resource, TeamResource
from tandem.why.scope import TeamRef, team_ref


def team_param(request: Request) -> int | None:
    """The team id the request names (query string or form path), or None."""
    value = request.query_params.get("team", "").strip()
    if not value:
        value = str(request.path_params.get("team_id", "")).strip()
    if not value:
        return None
    if not value.lstrip("-").isdigit():
        raise InputError(f"{value!r} is not a team id", field="team")
    return parse_id(value, "team")


def why_resource(request: Request, _db: Any, _user: UserOut) -> Resource | None:
    """The team a WHY request is about (None: the viewer's own team)."""
    team_id = team_param(request)
    return None if team_id is None else TeamResource(team_id)


def request_team(request: Request, db: Session, user: UserOut) -> TeamRef:
    """The team the request is about, loaded; the viewer's own when none is named."""
    team_id = team_param(request)
    if team_id is None:
        team_id = user.team_id
    if team_id is None:
        raise NotFoundError("name a team (?team=ID): your account belongs to none")
    return team_ref(db, team_id)
