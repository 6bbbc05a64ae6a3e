"""Whose work data a HOW request shows: the team it is about, who may see it, its ``Filters``.

A request names a team (``?team=ID``), all work data (``?team=all``) or nothing (the viewer's
own team). :func:`how_resource` hands the router's guard the team to check; :func:`resolve_scope`
turns the form's filters into :class:`~tandem.flow.engine.Filters` narrowed to the team's
members' identities, or says why the team has no flow to show.

Privacy (DESIGN §7): a team's flow is the items its members' identities worked on, shown only
when at least :data:`MIN_PEOPLE` of its people appear in the work data (below that it would
describe individuals). That is the first, cheap gate; the flow service applies the same minimum
to the people behind each answer (a one-day window holding one person's work is withheld too:
:func:`tandem.flow.service.require_people`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session

from tandem.accounts.schemas import UserOut
from tandem.errors import ConflictError, InputError, NotFoundError
from tandem.flow.engine import FIRST_DAY, LAST_DAY, Filters
from tandem.flow.service import MIN_PEOPLE as MIN_PEOPLE
from tandem.people import service as people_service
from tandem.web.deps import parse_id
from tandem.web.permissions import VIEW_HOW, Resource, TeamResource, allowed, ensure_allowed

ALL = "all"
# A team nobody belongs to: only roles that may see any team's flow are allowed it, so
# "all work data" is decided by the same rule as every team panel.
ANY_TEAM = TeamResource(0)
DEFAULT_ITEMS = 10
MAX_ITEMS = 100_000


def how_resource(request: Request, _db: Any, _user: UserOut) -> Resource | None:
    """The team a HOW request is about: ``?team=ID``, ``?team=all``, or the viewer's own."""
    value = request.query_params.get("team", "").strip()
    if not value:
        return None
    if value == ALL:
        return ANY_TEAM
    if not value.lstrip("-").isdigit():
        raise InputError(f"{value!r} is not a team id or 'all'", field="team")
    return TeamResource(parse_id(value, "team"))


def may_see_all(user: UserOut) -> bool:
    """Whether ``user`` may see all work data (= every team's flow, by the permission rules)."""
    return allowed(user, VIEW_HOW, ANY_TEAM)


class NoWorkDataError(ConflictError):
    """The chosen team has no (or too few) people in the work data: nothing can be shown."""

    code = "no_team_work_data"


@dataclass(frozen=True)
class HowQuery:
    """The filters of the HOW form (query parameters), as given."""

    team: str | None
    source: str | None
    start: str | None
    end: str | None
    item_type: str | None
    items: int

    def form(self) -> dict[str, str]:
        """The values to put back into the form (and the links of the page)."""
        return {
            "team": self.team or "",
            "source": self.source or "",
            "from": self.start or "",
            "to": self.end or "",
            "item_type": self.item_type or "",
            "items": str(self.items),
        }


def how_query(
    team: Annotated[str | None, Query(description="Team id, or 'all' (all work data).")] = None,
    source: Annotated[str | None, Query(description="Only this source.")] = None,
    start: Annotated[
        str | None, Query(alias="from", description="First day (ISO date, UTC).")
    ] = None,
    end: Annotated[str | None, Query(alias="to", description="Last day, inclusive.")] = None,
    item_type: Annotated[str | None, Query(description="Only this item type.")] = None,
    items: Annotated[
        int, Query(ge=1, le=MAX_ITEMS, description="Forecast: when will N more items be done?")
    ] = DEFAULT_ITEMS,
) -> HowQuery:
    """The HOW filters from the query string (empty values mean "any")."""

    def clean(value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    return HowQuery(clean(team), clean(source), clean(start), clean(end), clean(item_type), items)


HowQueryDep = Annotated[HowQuery, Depends(how_query)]


def _day(value: str | None, field: str) -> dt.date | None:
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value[:10])
    except ValueError:
        raise InputError(f"{value!r} is not a date (YYYY-MM-DD)", field=field) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InputError(f"give a day between {FIRST_DAY} and {LAST_DAY}", field=field)
    return day


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


@dataclass(frozen=True)
class HowScope:
    """Whose flow a request shows, with which filters, or why it cannot show any."""

    team_id: int | None  # None: all work data
    team_name: str | None
    filters: Filters
    identities: int
    people: int
    blocked: str | None  # why nothing is computed (no or too few people in the work data)
    can_see_all: bool
    withheld: bool = False  # blocked because the answer rests on too few people

    @property
    def label(self) -> str:
        return f"team {self.team_name}" if self.team_name else "all work data"


def resolve_scope(session: Session, user: UserOut, query: HowQuery) -> HowScope:
    """The scope and filters of ``query`` for ``user`` (the route's guard checked the team)."""
    can_see_all = may_see_all(user)
    first, last = _day(query.start, "from"), _day(query.end, "to")
    if first and last and first > last:
        raise InputError("the first day must not be after the last day", field="from")
    base = Filters(
        start=_midnight(first) if first else None,
        end=_midnight(last + dt.timedelta(days=1)) if last else None,
        sources=(query.source,) if query.source else (),
        item_types=(query.item_type,) if query.item_type else (),
    )
    if query.team == ALL or (query.team is None and user.team_id is None):
        ensure_allowed(user, VIEW_HOW, ANY_TEAM)  # the route's guard refused it already
        return HowScope(None, None, base, 0, 0, None, can_see_all)
    team_id = parse_id(query.team, "team") if query.team is not None else user.team_id
    if team_id is None:  # handled above: no team asked and none of one's own means all
        raise NotFoundError("no team to show")
    return team_scope(session, team_id, base, can_see_all=can_see_all)


def team_scope(session: Session, team_id: int, base: Filters, *, can_see_all: bool) -> HowScope:
    """The scope of one team: ``base`` narrowed to its members' identities, or why it is blocked."""
    team = people_service.get_team(session=session, team_id=team_id)
    keys = people_service.team_identity_keys(session=session, teams=[team.name])[team.name]
    people = people_service.team_people_in_work_data(session=session, team_id=team.id)
    blocked = None
    if not keys:
        blocked = (
            f"Nobody in team {team.name} is linked to an identity in the work data yet, so "
            "there is no team flow to show. An admin can link people to their identities "
            "(tandem people link)."
        )
    elif people < MIN_PEOPLE:
        blocked = (
            f"Only {people} of team {team.name}'s people appear in the work data; team flow is "
            f"shown from {MIN_PEOPLE} people on, so that it never describes one person."
        )
    team_people = people_service.team_identity_people(session=session, teams=[team.name])
    filters = dataclasses.replace(base, teams={team.name: keys}, team_people=team_people)
    return HowScope(team.id, team.name, filters, len(keys), people, blocked, can_see_all)
