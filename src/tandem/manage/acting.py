"""Who is acting in the manager's toolkit: the viewer's own person, and how a person is shown.

Feedback and 1:1s are read person to person: directors, admins and the operator (no person, or
an aggregates-only role) have no individual's view, and are refused with the area's own words
as a "not found", so that a refusal does not say a record exists.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from tandem.errors import NotFoundError
from tandem.manage.feedback.schemas import PersonRef
from tandem.people.models import Person
from tandem.profile.visibility import Viewer


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
