"""The delegation board service: areas, their levels over time, quarterly reviews.

Surfaces (``tandem delegation area …``, ``/why/delegation``) call these typed, keyword-only
functions; the rules (levels, notes, the review date) are :mod:`.board`'s. Every write checks
that the area belongs to the team it is asked through, so a team's editors never reach another
team's board. Ownership and approvals are :mod:`.ownership` and :mod:`.approvals`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from tandem.db.base import utcnow
from tandem.duos.models import Duo
from tandem.errors import ConflictError, InputError, NotFoundError
from tandem.people.models import Membership, Person
from tandem.why.delegation import board as rules
from tandem.why.delegation.models import LEVELS, DecisionArea, DelegationLevel
from tandem.why.delegation.schemas import AreaOut, Board, LevelInfo, LevelSet
from tandem.why.scope import find_team, team_ref

__all__ = ["add_area", "area_history", "confirm", "find_area", "get_board", "set_level"]


def _instant(at: dt.datetime | None) -> dt.datetime:
    if at is None:
        return utcnow()
    if at.tzinfo is None:
        raise InputError("give the time with a time zone", field="at")
    return at.astimezone(dt.UTC)


def _person(session: Session, person_id: int | None) -> int | None:
    if person_id is None:
        return None
    person = session.get(Person, person_id)
    if person is None or person.stand_in:
        raise NotFoundError(f"no person with id {person_id}")
    return person.id


def _team_duo(session: Session, team_id: int, duo_id: int) -> Duo:
    """A confirmed duo (neither partner declined) whose two people are members of the team."""
    duo = session.get(Duo, duo_id)
    if duo is None:
        raise InputError(f"there is no duo {duo_id}", field="duo_id")
    if duo.confirmed_at is None or "declined" in (duo.a_consent, duo.b_consent):
        raise InputError(f"duo {duo_id} is not a confirmed pair", field="duo_id")
    members = set(
        session.scalars(select(Membership.person_id).where(Membership.team_id == team_id))
    )
    if not {duo.person_a_id, duo.person_b_id} <= members:
        raise InputError(f"duo {duo_id} does not belong to this team", field="duo_id")
    return duo


def _duo_label(session: Session, duo_id: int | None) -> str | None:
    if duo_id is None:
        return None
    duo = session.get(Duo, duo_id)
    return None if duo is None else f"{duo.person_a.display_name} & {duo.person_b.display_name}"


def _record(
    session: Session,
    area: DecisionArea,
    *,
    level: int,
    note: str,
    set_by: int | None,
    at: dt.datetime,
) -> None:
    """Append a level to the area's history and move its review date (one review)."""
    previous = area.levels[-1] if area.levels else None
    if previous is not None and at < previous.set_at:
        raise InputError("a review cannot come before the area's last one", field="at")
    note = rules.check_note(previous.level if previous else None, level, note)
    area.levels.append(
        DelegationLevel(level=level, note=note, set_by_id=_person(session, set_by), set_at=at)
    )
    area.review_on = rules.next_review(at.date())


def add_area(
    *,
    session: Session,
    team: int | str,
    name: str,
    level: int | str,
    note: str = "",
    description: str = "",
    duo_id: int | None = None,
    set_by: int | None = None,
    at: dt.datetime | None = None,
) -> AreaOut:
    """A new decision area of the team (or of one of its confirmed pairs) at its first level."""
    found = find_team(session, team)
    name = rules.check_name(name)
    first = rules.parse_level(level)
    description = description.strip()
    if len(description) > rules.MAX_DESCRIPTION:
        raise InputError(
            f"keep the description under {rules.MAX_DESCRIPTION} characters", field="description"
        )
    if duo_id is not None:
        _team_duo(session, found.id, duo_id)
    clash = session.scalar(
        select(DecisionArea.id).where(
            DecisionArea.team_id == found.id,
            DecisionArea.name == name,
            DecisionArea.duo_id.is_(None) if duo_id is None else DecisionArea.duo_id == duo_id,
        )
    )
    if clash is not None:
        raise ConflictError(f"the board already has an area named {name!r}")
    instant = _instant(at)
    area = DecisionArea(
        team_id=found.id,
        duo_id=duo_id,
        name=name,
        description=description,
        review_on=rules.next_review(instant.date()),
        created_at=instant,
    )
    _record(session, area, level=first, note=note, set_by=set_by, at=instant)
    with session.begin_nested():
        session.add(area)
        try:
            session.flush()
        except IntegrityError:
            raise ConflictError(f"the board already has an area named {name!r}") from None
    return _area_out(session, area, as_of=instant.date())


def find_area(*, session: Session, team: int | str, area: int | str) -> DecisionArea:
    """One of the team's areas by id or name; another team's area is not found."""
    found = find_team(session, team)
    query = select(DecisionArea).where(DecisionArea.team_id == found.id)
    text = str(area).strip()
    if text.isdigit():
        rows = list(session.scalars(query.where(DecisionArea.id == int(text))))
    else:
        rows = list(session.scalars(query.where(DecisionArea.name == " ".join(text.split()))))
    if not rows:
        raise NotFoundError(f"team {found.name} has no decision area {text!r}")
    if len(rows) > 1:
        raise InputError(
            f"{text!r} names {len(rows)} areas (the team's and a pair's): give its id",
            field="area",
        )
    return rows[0]


def set_level(
    *,
    session: Session,
    team: int | str,
    area: int | str,
    level: int | str,
    note: str = "",
    set_by: int | None = None,
    at: dt.datetime | None = None,
) -> AreaOut:
    """Set an area's level (a review); moving down needs a ``note``."""
    found = find_area(session=session, team=team, area=area)
    new = rules.parse_level(level)
    instant = _instant(at)
    _record(session, found, level=new, note=note, set_by=set_by, at=instant)
    session.flush()
    return _area_out(session, found, as_of=instant.date())


def confirm(
    *,
    session: Session,
    team: int | str,
    area: int | str,
    note: str = "",
    set_by: int | None = None,
    at: dt.datetime | None = None,
) -> AreaOut:
    """Review an area without changing its level: the review date moves a quarter on."""
    found = find_area(session=session, team=team, area=area)
    instant = _instant(at)
    _record(session, found, level=found.levels[-1].level, note=note, set_by=set_by, at=instant)
    session.flush()
    return _area_out(session, found, as_of=instant.date())


def get_board(*, session: Session, team: int | str, as_of: dt.date) -> Board:
    """The team's board on ``as_of``: its areas (team first, then pairs; by name), with the
    reminder of the reviews due."""
    ref = team_ref(session, team)
    areas = session.scalars(
        select(DecisionArea)
        .where(DecisionArea.team_id == ref.id)
        .options(selectinload(DecisionArea.levels).selectinload(DelegationLevel.set_by))
        .order_by(DecisionArea.duo_id.is_not(None), DecisionArea.duo_id, DecisionArea.name)
    )
    shown = [_area_out(session, area, as_of=as_of) for area in areas]
    due = [area for area in shown if area.review_due]
    reminder = None
    if due:
        names = ", ".join(area.name for area in due)
        reminder = (
            f"{len(due)} {'area is' if len(due) == 1 else 'areas are'} due for the quarterly "
            f"review: {names} (set a level or confirm it unchanged)"
        )
    return Board(
        team=ref,
        as_of=as_of,
        levels=[
            LevelInfo(level=i + 1, name=name, meaning=rules.MEANINGS[i])
            for i, name in enumerate(LEVELS)
        ],
        areas=shown,
        due=len(due),
        reminder=reminder,
    )


def area_history(*, session: Session, team: int | str, area: int | str, as_of: dt.date) -> AreaOut:
    """One area with its whole history (oldest first)."""
    return _area_out(session, find_area(session=session, team=team, area=area), as_of=as_of)


def _area_out(session: Session, area: DecisionArea, *, as_of: dt.date) -> AreaOut:
    history: list[LevelSet] = []
    previous: int | None = None
    for row in area.levels:
        history.append(
            LevelSet(
                level=row.level,
                name=rules.level_name(row.level),
                change=rules.change_of(previous, row.level),
                set_at=row.set_at,
                set_by=row.set_by.display_name if row.set_by is not None else None,
                note=row.note,
            )
        )
        previous = row.level
    current = history[-1]
    return AreaOut(
        id=area.id,
        team_id=area.team_id,
        duo_id=area.duo_id,
        duo=_duo_label(session, area.duo_id),
        name=area.name,
        description=area.description,
        level=current.level,
        level_name=current.name,
        review_on=area.review_on,
        review_due=rules.review_due(area.review_on, as_of),
        last_set_at=current.set_at,
        history=history,
    )
