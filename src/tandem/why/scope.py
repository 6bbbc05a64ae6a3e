"""The team a why answer is about, and the work data that is the team's.

Every why service takes a team (by id) and, where it reads the lake, the team's
:class:`~tandem.flow.engine.Filters` from :func:`team_filters`: the members' identity keys and
the identity → person mapping, exactly as the HOW panel builds them, so a key result bound to a
metric reads the same items as the panel (DESIGN §7: team aggregates, n ≥ 5 people).

A team window a why answer is asked for spans at least
:data:`~tandem.delivery.privacy.MIN_WINDOW_DAYS` days (:func:`require_window`): two answers a few
days apart could otherwise be subtracted to give one person's work.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.delivery.privacy import MIN_WINDOW_DAYS
from tandem.errors import InputError, NotFoundError
from tandem.flow.engine import Filters
from tandem.ids import MAX_ID, as_id
from tandem.people import service as people_service
from tandem.people.models import Team


def find_team(session: Session, team: int | str) -> Team:
    """A team by id or name; :class:`NotFoundError` names what was asked for."""
    wanted = (team if 1 <= team <= MAX_ID else None) if isinstance(team, int) else as_id(team)
    if wanted is not None:  # a number past MAX_ID is no id (the database would overflow)
        found = session.get(Team, wanted)
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


def require_window(
    start: dt.datetime | None,
    end: dt.datetime | None,
    *,
    field: str = "from",
    what: str = "team answers",
    min_days: int = MIN_WINDOW_DAYS,
) -> None:
    """Refuse a team window ``[start, end)`` shorter than ``min_days`` days, naming ``field``
    (never widened silently). An open end runs to now; an open start over the whole history
    before the end (nothing to check)."""
    if start is None:
        return
    if end is None:
        end = max(start, dt.datetime.now(dt.UTC))
    span = end - start
    if span >= dt.timedelta(days=min_days):
        return
    days = span.total_seconds() / 86_400
    last = (end - dt.timedelta(microseconds=1)).date()
    raise InputError(
        f"the window {start.date().isoformat()} to {last.isoformat()} is {days:g} "
        f"{'day' if days == 1 else 'days'}; {what} need a window of at least {min_days} days, "
        "so that two answers a few days apart cannot be subtracted to give one person's work "
        "(widen the window)",
        field=field,
    )


def require_days(
    start: dt.date, last: dt.date, *, field: str = "from", what: str = "team answers"
) -> None:
    """:func:`require_window` for the inclusive days ``start`` … ``last``."""
    midnight = dt.time(tzinfo=dt.UTC)
    require_window(
        dt.datetime.combine(start, midnight),
        dt.datetime.combine(last + dt.timedelta(days=1), midnight),
        field=field,
        what=what,
    )


def withheld_text(label: str, what: str, min_people: int, where: str = "this window") -> str:
    """Why a whole answer is withheld: no count, only the floor (a count below it is itself a
    figure of fewer people than the floor)."""
    return (
        f"withheld: the work of {label} in {where} comes from fewer than {min_people} "
        f"people; {what} figures are shown from {min_people} people on, so that they never "
        "describe one person (widen the window)"
    )
