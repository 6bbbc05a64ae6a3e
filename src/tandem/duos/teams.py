"""The duos of a team and of a viewer, for the pages: a team's suggestions and confirmed duos,
the viewer's own duo, the team heads' duo on the home page, and the teams a page can be about.

Thin compositions of :mod:`tandem.duos.service` (which holds every rule) so that web views never
query the ORM; membership comes from the cycle's frozen roster.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.duos.schemas import DuoListOut, TeamDuosOut, TeamRef
from tandem.duos.service import list_duos, suggest, team_members
from tandem.errors import NotFoundError
from tandem.people.models import Team
from tandem.profile import frozen_roster
from tandem.profile import service as profile_service
from tandem.profile.visibility import Viewer
from tandem.review.models import CycleStatus, ReviewCycle


def team_duos(*, session: Session, team_id: int, cycle: str | None, viewer: Viewer) -> TeamDuosOut:
    """A team's suggestions and its members' confirmed duos (cycle: default the latest closed)."""
    team = session.get(Team, team_id)
    if team is None:
        raise NotFoundError(f"no team {team_id}")
    found = profile_service.resolve_cycle(session=session, name=cycle)
    members = team_members(session=session, cycle=found, teams=[team.name])
    return TeamDuosOut(
        team_id=team.id,
        team=team.name,
        suggestions=suggest(session=session, cycle=found.name, teams=[team.name], viewer=viewer),
        confirmed=list_duos(session=session, cycle=found.name, viewer=viewer, people=members).duos,
    )


def my_duos(*, session: Session, viewer: Viewer) -> DuoListOut | None:
    """The viewer's own duos in the latest closed cycle (None when no cycle is closed)."""
    found = latest_closed_cycle(session=session)
    if found is None or viewer.person_id is None:
        return None
    return list_duos(session=session, cycle=found.name, viewer=viewer, people=[viewer.person_id])


def latest_closed_cycle(*, session: Session) -> ReviewCycle | None:
    """The most recently closed review cycle (duos are formed over it), if any."""
    return session.scalar(
        select(ReviewCycle)
        .where(ReviewCycle.status == CycleStatus.CLOSED.value)
        .order_by(ReviewCycle.closed_at.desc(), ReviewCycle.id.desc())
        .limit(1)
    )


def team_heads_duos(*, session: Session, team_id: int, viewer: Viewer) -> DuoListOut | None:
    """The active or pending duos of a team's leader and manager in the latest closed cycle."""
    found = latest_closed_cycle(session=session)
    if found is None:
        return None
    team = session.get(Team, team_id)
    frozen = frozen_roster.teams(session=session, cycle=found).get(team.name, []) if team else []
    heads = [m.person_id for m in frozen if m.role in ("leader", "manager")]
    return list_duos(session=session, cycle=found.name, viewer=viewer, people=heads)


def team_ref(*, session: Session, team_id: int) -> TeamRef:
    """The team with this id; :class:`NotFoundError` otherwise."""
    team = session.get(Team, team_id)
    if team is None:
        raise NotFoundError(f"no team {team_id}")
    return TeamRef(id=team.id, name=team.name)


def team_refs(*, session: Session) -> list[TeamRef]:
    """Every team by name (the picker shown to directors)."""
    return [
        TeamRef(id=t.id, name=t.name) for t in session.scalars(select(Team).order_by(Team.name))
    ]
