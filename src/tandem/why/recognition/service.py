"""Kudos and nudges: give kudos, list a team's or a person's, and who got none lately.

Kudos are app data on the clock: ``given_at`` is when they were given, and "today" defaults
to the clock's day (UTC). A kudos is visible to its team (``view_why``); the giver is a member
of the team (any role) and the recipients are members of the same team, not the giver alone.
Nudges name members without kudos in the last :data:`~.rules.NUDGE_DAYS` days: the surfaces
show them to the team's leader and manager only (``edit_why``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from tandem.db.base import utcnow
from tandem.errors import InputError, NotFoundError
from tandem.people.models import Membership, Person, Team
from tandem.review.items import PRACTICE_IDS, PRACTICES
from tandem.why.goals.models import Goal
from tandem.why.recognition.models import Kudos, KudosRecipient
from tandem.why.recognition.rules import NUDGE_DAYS, days_back
from tandem.why.recognition.schemas import (
    MAX_PER_PAGE,
    MAX_RECIPIENTS,
    MAX_TEXT,
    PER_PAGE,
    GoalRef,
    KudosOut,
    KudosPage,
    Nudge,
    Nudges,
    PersonRef,
)
from tandem.why.scope import TeamRef, find_team

PRACTICE_NAMES = {p.id: p.name for p in PRACTICES}


def practice_choices() -> list[tuple[str, str]]:
    """The ten practices a kudos may be linked to: ``(key, name)`` in the fixed order."""
    return [(key, PRACTICE_NAMES.get(key, key)) for key in PRACTICE_IDS]


def _ref(team: Team) -> TeamRef:
    return TeamRef(id=team.id, name=team.name)


def _person(person: Person) -> PersonRef:
    return PersonRef(id=person.id, name=person.display_name)


def team_members(*, session: Session, team: int | str) -> list[PersonRef]:
    """The team's people (any role; no bots, no stand-ins), by name."""
    found = find_team(session, team)
    return [_person(p) for p in _members(session, found)]


def _members(session: Session, team: Team) -> list[Person]:
    return list(
        session.scalars(
            select(Person)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.team_id == team.id, ~Person.is_bot, ~Person.stand_in)
            .order_by(Person.display_name, Person.id)
        )
    )


def _text(value: str | None, field: str) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise InputError("required: say it in a sentence", field=field)
    if len(text) > MAX_TEXT:
        raise InputError(f"at most {MAX_TEXT} characters (got {len(text)})", field=field)
    return text


def _out(kudos: Kudos) -> KudosOut:
    return KudosOut(
        id=kudos.id,
        team_id=kudos.team_id,
        given_at=kudos.given_at,
        giver=_person(kudos.giver) if kudos.giver is not None else None,
        recipients=[_person(r.person) for r in kudos.recipients],
        what=kudos.what,
        impact=kudos.impact,
        goal=GoalRef(id=kudos.goal.id, title=kudos.goal.title) if kudos.goal else None,
        practice=kudos.practice,
        practice_name=PRACTICE_NAMES.get(kudos.practice) if kudos.practice else None,
    )


def give_kudos(
    *,
    session: Session,
    team: int | str,
    giver_id: int,
    recipients: Sequence[int],
    what: str,
    impact: str,
    goal_id: int | None = None,
    practice: str | None = None,
    given_at: dt.datetime | None = None,
) -> KudosOut:
    """Record a kudos from ``giver_id`` to members of ``team``; an :class:`InputError` names
    the field that is wrong and nothing is written."""
    found = find_team(session, team)
    members = {p.id: p for p in _members(session, found)}
    if giver_id not in members:
        raise InputError(
            f"the giver (person {giver_id}) is not in team {found.name}", field="giver"
        )
    chosen = list(dict.fromkeys(recipients))
    if not chosen:
        raise InputError("name at least one colleague to recognise", field="recipients")
    if len(chosen) > MAX_RECIPIENTS:
        raise InputError(f"at most {MAX_RECIPIENTS} people in one kudos", field="recipients")
    outside = [r for r in chosen if r not in members]
    if outside:
        raise InputError(
            f"not in team {found.name}: person {', '.join(map(str, outside))}", field="recipients"
        )
    if chosen == [giver_id]:
        raise InputError("kudos recognise someone else: not only yourself", field="recipients")
    what_text, impact_text = _text(what, "what"), _text(impact, "impact")
    goal = _goal_link(session, found, goal_id, practice)
    kudos = Kudos(
        team_id=found.id,
        giver_id=giver_id,
        given_at=given_at or utcnow(),
        what=what_text,
        impact=impact_text,
        goal_id=goal.id if goal is not None else None,
        practice=practice or None,
        recipients=[KudosRecipient(person_id=r) for r in chosen],
    )
    session.add(kudos)
    session.flush()
    session.refresh(kudos)
    return _out(kudos)


def _goal_link(
    session: Session, team: Team, goal_id: int | None, practice: str | None
) -> Goal | None:
    if goal_id is not None and practice:
        raise InputError("link the kudos to a goal or to a practice, not both", field="goal")
    if goal_id is None and not practice:
        raise InputError("link the kudos to one of the team's goals or to a practice", field="goal")
    if practice:
        if practice not in PRACTICE_IDS:
            raise InputError(
                f"{practice!r} is not a practice; one of {', '.join(PRACTICE_IDS)}",
                field="practice",
            )
        return None
    goal = session.get(Goal, goal_id)
    if goal is None or goal.team_id != team.id:
        raise InputError(f"team {team.name} has no goal {goal_id}", field="goal")
    return goal


def _kudos_query(team: Team) -> Select[Kudos]:
    return (
        select(Kudos)
        .where(Kudos.team_id == team.id)
        .options(
            selectinload(Kudos.recipients).selectinload(KudosRecipient.person),
            selectinload(Kudos.giver),
            selectinload(Kudos.goal),
        )
        .order_by(Kudos.given_at.desc(), Kudos.id.desc())
    )


def _page(page: int, per_page: int) -> tuple[int, int]:
    if page < 1:
        raise InputError("pages count from 1", field="page")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InputError(f"give 1 to {MAX_PER_PAGE} kudos per page", field="per_page")
    return page, per_page


def list_kudos(
    *, session: Session, team: int | str, page: int = 1, per_page: int = PER_PAGE
) -> KudosPage:
    """A team's kudos, newest first, one page at a time."""
    found = find_team(session, team)
    page, per_page = _page(page, per_page)
    total = int(session.scalar(select(func.count(Kudos.id)).where(Kudos.team_id == found.id)) or 0)
    rows = session.scalars(_kudos_query(found).offset((page - 1) * per_page).limit(per_page))
    return KudosPage(
        team=_ref(found),
        page=page,
        per_page=per_page,
        total=total,
        pages=max(1, -(-total // per_page)),
        kudos=[_out(k) for k in rows],
    )


def received_kudos(
    *, session: Session, team: int | str, person_id: int, page: int = 1, per_page: int = PER_PAGE
) -> KudosPage:
    """The kudos a member of ``team`` received there, newest first."""
    found = find_team(session, team)
    page, per_page = _page(page, per_page)
    person = session.get(Person, person_id)
    members = {p.id for p in _members(session, found)}
    if person is None or person.id not in members:
        raise NotFoundError(f"team {found.name} has no member {person_id}")
    received = select(KudosRecipient.kudos_id).where(KudosRecipient.person_id == person.id)
    total = int(
        session.scalar(
            select(func.count(Kudos.id)).where(Kudos.team_id == found.id, Kudos.id.in_(received))
        )
        or 0
    )
    rows = session.scalars(
        _kudos_query(found)
        .where(Kudos.id.in_(received))
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return KudosPage(
        team=_ref(found),
        person=_person(person),
        page=page,
        per_page=per_page,
        total=total,
        pages=max(1, -(-total // per_page)),
        kudos=[_out(k) for k in rows],
    )


def kudos_between(
    *, session: Session, team: int | str, start: dt.datetime, end: dt.datetime
) -> list[KudosOut]:
    """The team's kudos given in ``[start, end)``, newest first (the digest's)."""
    found = find_team(session, team)
    rows = session.scalars(_kudos_query(found).where(Kudos.given_at >= start, Kudos.given_at < end))
    return [_out(k) for k in rows]


def today_utc() -> dt.date:
    """The clock's day (UTC): "today" of app data such as kudos."""
    return utcnow().date()


def nudges(*, session: Session, team: int | str, today: dt.date | None = None) -> Nudges:
    """The team's members without kudos in the :data:`NUDGE_DAYS` days ending on ``today``
    (the clock's day by default), each with a suggestion. For the team's leader and manager
    only: the surfaces guard it with ``edit_why``."""
    found = find_team(session, team)
    day = today or today_utc()
    first, start, end = days_back(day, NUDGE_DAYS)
    last_received = dict(
        session.execute(
            select(KudosRecipient.person_id, func.max(Kudos.given_at))
            .join(Kudos, Kudos.id == KudosRecipient.kudos_id)
            .where(Kudos.team_id == found.id, Kudos.given_at < end)
            .group_by(KudosRecipient.person_id)
        ).all()
    )
    found_nudges: list[Nudge] = []
    for person in _members(session, found):
        last = last_received.get(person.id)
        if last is not None and _utc(last) >= start:
            continue
        last_day = _utc(last).date() if last is not None else None
        since = f"last kudos on {last_day}" if last_day else "no kudos yet"
        found_nudges.append(
            Nudge(
                person=_person(person),
                last_kudos_on=last_day,
                suggestion=(
                    f"{person.display_name} got no kudos in the last {NUDGE_DAYS} days "
                    f"({since}). What did they do lately that helped the team? Recognise it: "
                    "what they did and its impact."
                ),
            )
        )
    return Nudges(team=_ref(found), today=day, first=first, days=NUDGE_DAYS, nudges=found_nudges)


def _utc(instant: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes for a MAX(); they are UTC."""
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=dt.UTC)


def goal_choices(*, session: Session, team: int | str) -> list[GoalRef]:
    """The team's goals a kudos may be linked to (not dropped), newest first."""
    found = find_team(session, team)
    goals = session.scalars(
        select(Goal)
        .where(Goal.team_id == found.id, Goal.status != "dropped")
        .order_by(Goal.starts_on.desc(), Goal.id.desc())
    )
    return [GoalRef(id=g.id, title=g.title) for g in goals]


def is_member(*, session: Session, team: int | str, person_id: int | None) -> bool:
    """Whether ``person_id`` belongs to ``team``."""
    if person_id is None:
        return False
    found = find_team(session, team)
    return person_id in {p.id for p in _members(session, found)}
