"""Who may see whose profile and rate whom: the resource loaders of the people routers.

:func:`profile_resource` turns ``/people/{person_id}`` into a :class:`PersonResource` carrying
the line manager and whether the person shared the cycle's report; :func:`rating_resource` finds
the viewer's assignment to rate ``/people/rate/{person_id}``. :data:`PROFILE_GUARD` and
:data:`RATING_GUARD` attach them to a router with their action (``view_profile`` and
``rate_colleague``). The helpers below are the request parts every people route shares.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session

from tandem.accounts.schemas import UserOut
from tandem.errors import NotFoundError
from tandem.people import service as people_service
from tandem.profile import service as profile_service
from tandem.profile import sharing
from tandem.review import forms
from tandem.web.deps import parse_id
from tandem.web.permissions import (
    RATE_COLLEAGUE,
    VIEW_PROFILE,
    PersonResource,
    RatingResource,
    Resource,
    linked_person_id,
    requires,
)

if TYPE_CHECKING:  # the services hand these over; the web never queries them
    from tandem.people.models import Person
    from tandem.review.models import ReviewCycle

CycleName = Annotated[str | None, Query(max_length=200, description="a review cycle's name")]


def path_id(raw: str, what: str) -> int:
    """The id in a path segment; anything but an id (1 to 2³¹−1) is a 404."""
    return parse_id(raw, what)


def _cycle_or_none(db: Session, name: str | None) -> ReviewCycle | None:
    try:
        return profile_service.resolve_cycle(session=db, name=name)
    except NotFoundError:
        return None


def profile_resource(request: Request, db: Session, _user: UserOut) -> Resource | None:
    """``/people/{person_id}``: the person, their line manager, and the share's recipient."""
    raw = request.path_params.get("person_id")
    if raw is None:
        return None  # /people/me…: one's own
    person_id = path_id(str(raw), "person")
    try:
        person = people_service.get_person(session=db, person_id=person_id)
    except NotFoundError:
        return PersonResource(person_id)
    cycle = _cycle_or_none(db, request.query_params.get("cycle"))
    recipient = (
        None
        if cycle is None
        else sharing.shared_with(session=db, cycle_id=cycle.id, person_id=person.id)
    )
    return PersonResource(person.id, person.manager_id, recipient)


def rating_resource(request: Request, db: Session, user: UserOut) -> Resource | None:
    """``/people/rate/{person_id}``: the viewer's assignment to rate that person, if any."""
    raw = request.path_params.get("person_id")
    if raw is None or user.person_id is None:
        return None  # the list of one's own assignments; the rule needs a linked person
    ratee_id = path_id(str(raw), "person")
    if ratee_id == user.person_id:
        return RatingResource(user.person_id, ratee_id)  # refused: use /people/me/assessment
    assignment = forms.find_assignment(
        session=db,
        rater_id=user.person_id,
        ratee_id=ratee_id,
        cycle=request.query_params.get("cycle"),
    )
    if assignment is None:  # refused by the rule, with its own message
        return RatingResource(user.person_id, ratee_id, assigned=False)
    return RatingResource(assignment.rater_id, assignment.ratee_id)


PROFILE_GUARD = Depends(requires(VIEW_PROFILE, profile_resource))
RATING_GUARD = Depends(requires(RATE_COLLEAGUE, rating_resource))


def my_person(db: Session, user: UserOut) -> Person:
    """The viewer's own person (the ``view_profile`` rule already refuses unlinked accounts)."""
    person_id = linked_person_id(user, VIEW_PROFILE)
    try:
        return people_service.get_person(session=db, person_id=person_id)
    except NotFoundError:
        raise NotFoundError("your account's person no longer exists") from None


def my_rater_id(user: UserOut) -> int:
    """The viewer's person id as a rater (the ``rate_colleague`` rule already needs one)."""
    return linked_person_id(user, RATE_COLLEAGUE)
