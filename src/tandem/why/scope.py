"""The team a why answer is about, and the work data that is the team's.

Every why service takes a team (by id) and, where it reads the lake, the team's
:class:`~tandem.flow.engine.Filters` from :func:`team_filters`: the members' identity keys and
the identity → person mapping, exactly as the HOW panel builds them, so a key result bound to a
metric reads the same items as the panel (DESIGN §7: team aggregates, n ≥ 5 people).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.errors import NotFoundError
from tandem.flow.engine import Filters
from tandem.people import service as people_service
from tandem.people.models import Team


def find_team(session: Session, team: int | str) -> Team:
    """A team by id or name; :class:`NotFoundError` names what was asked for."""
    if isinstance(team, int) or (isinstance(team, str) and team.isdigit()):
        found = session.get(Team, int(team))
        if found is not None:
            return found
        if isinstance(team, int):
            raise NotFoundError(f"no team with id {team}")
    found = session.scalar(select(Team).where(Team.name == str(team)))
    if found is None:
        raise NotFoundError(f"no team named {team!r}")
    return found


class TeamRef(BaseModel):
    """A team as the surfaces name it."""

    model_config = ConfigDict(frozen=True)

    id: int
    name: str


def team_ref(session: Session, team: int | str) -> TeamRef:
    """The team (by id or name) as a :class:`TeamRef`."""
    found = find_team(session, team)
    return TeamRef(id=found.id, name=found.name)


def team_filters(session: Session, team: Team, *, include_bots: bool = True) -> Filters:
    """The team's work-data selection: its members' identities and who they are."""
    keys = people_service.team_identity_keys(session=session, teams=[team.name])
    people = people_service.team_identity_people(session=session, teams=[team.name])
    return Filters(teams=keys, team_people=people, include_bots=include_bots)
