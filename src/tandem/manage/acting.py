"""Who is acting in the manager's toolkit: the viewer's own person, and how a person is shown.

Feedback and 1:1s are read person to person: directors, admins and the operator (no person, or
an aggregates-only role) have no individual's view, and are refused with the area's own words
as a "not found", so that a refusal does not say a record exists. A team's people (the roster
and web accounts, with their team role) are :func:`team_people`, for concerns and check-ins.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.accounts.models import User
from tandem.errors import NotFoundError
from tandem.manage.feedback.schemas import PersonRef
from tandem.people.models import Membership, Person
from tandem.profile.visibility import INDIVIDUAL_ROLES, Viewer


def acting_person(session: Session, viewer: Viewer, *, refusal: str) -> Person:
    """The viewer's person; ``refusal`` (not found) for a viewer without an individual's view."""
    if viewer.person_id is None or viewer.aggregates_only:
        raise NotFoundError(refusal)
    person = session.get(Person, viewer.person_id)
    if person is None or person.stand_in:
        raise NotFoundError(f"no person with id {viewer.person_id}")
    return person


def person_ref(person: Person) -> PersonRef:
    """A person as the toolkit's answers name them: id and display name."""
    return PersonRef(id=person.id, name=person.display_name)


def team_people(session: Session, team_id: int) -> dict[int, str]:
    """The team's people and their team role: the roster's memberships, and web accounts of the
    team in a team role (a membership's role wins). No bots, no stand-ins."""
    people: dict[int, str] = {}
    accounts = session.execute(
        select(User.person_id, User.role).where(
            User.team_id == team_id,
            User.person_id.is_not(None),
            User.is_active.is_(True),
            User.role.in_(sorted(INDIVIDUAL_ROLES)),
        )
    )
    for account_person, account_role in accounts:
        if account_person is not None:
            people[account_person] = account_role
    roster = session.execute(
        select(Membership.person_id, Membership.role).where(Membership.team_id == team_id)
    )
    for person_id, role in roster:
        people[int(person_id)] = str(role)
    if not people:
        return people
    real = set(
        session.scalars(
            select(Person.id).where(
                Person.id.in_(people), Person.is_bot.is_(False), Person.stand_in.is_(False)
            )
        )
    )
    return {pid: role for pid, role in people.items() if pid in real}
