"""Choosing raters on the web: the ratee nominates, their line manager approves or rejects.

Forms on the home page post here (CSRF like every form; no JavaScript needed) and come back to
``/#raters`` with a 303; a refusal is the usual error page naming the problem. The ``/api``
twins answer JSON. Who may do what is decided by :mod:`tandem.review.nominations` (the ratee
nominates for themself, the line manager or an admin decides and may add raters at once);
``choose_raters`` only requires a linked person (or the admin role).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from tandem.accounts.schemas import UserOut
from tandem.audit import service as audit
from tandem.errors import InputError, NotFoundError
from tandem.people import service as people_service
from tandem.review import nominations
from tandem.web.deps import CurrentUser, DbSession, parse_id
from tandem.web.permissions import CHOOSE_RATERS, requires

router = APIRouter(dependencies=[Depends(requires(CHOOSE_RATERS))])

HOME_ANCHOR = "/#raters"


class NominationIn(BaseModel):
    """A rater to nominate: the cycle, the rater (person id or email), the relation; the ratee
    is the signed-in person unless given (a manager adding a rater for a report)."""

    cycle: str = Field(max_length=200)
    rater: str = Field(max_length=320)
    relation: str = Field(max_length=10)
    ratee: int | None = None


class DecisionIn(BaseModel):
    """An optional reason for an approval or a rejection (shown to the ratee)."""

    reason: str | None = Field(default=None, max_length=nominations.MAX_REASON)


def actor_of(user: UserOut) -> nominations.Actor:
    """The signed-in user as the nominations service's actor."""
    return nominations.Actor(
        person_id=user.person_id, is_admin=user.role == "admin", label=audit.user_actor(user.id)
    )


def raters_panel(session: Session, user: UserOut) -> dict[str, Any]:
    """What the home page shows about choosing raters: mine, those to decide, reports to add to."""
    actor = actor_of(user)
    mine = (
        nominations.rater_choices(session=session, ratee_id=user.person_id)
        if user.person_id is not None
        else []
    )
    reports = (
        nominations.reports_to_add(session=session, manager_id=user.person_id)
        if user.person_id is not None
        else []
    )
    return {
        "mine": [c.model_dump(mode="json") for c in mine],
        "to_decide": [
            n.model_dump(mode="json") for n in nominations.to_decide(session=session, actor=actor)
        ],
        "reports": reports,
        "relations": list(nominations.NOMINATED_RELATIONS),
    }


def _nominate(db: Session, user: UserOut, body: NominationIn) -> nominations.NominationOut:
    ratee = body.ratee if body.ratee is not None else user.person_id
    if ratee is None:  # an admin without a person of their own
        raise InputError("say whose raters these are", field="ratee")
    rater = people_service.find_person(session=db, ref=body.rater.strip())
    return nominations.nominate(
        session=db,
        cycle=body.cycle,
        ratee_id=ratee,
        rater_id=rater.id,
        relation=body.relation,
        actor=actor_of(user),
    )


def _decide(
    db: Session, user: UserOut, nomination_id: str, approve: bool, reason: str | None
) -> nominations.NominationOut:
    return nominations.decide(
        session=db,
        nomination_id=parse_id(nomination_id, "nomination"),
        approve=approve,
        actor=actor_of(user),
        reason=reason,
    )


Text = Annotated[str, Form(max_length=320)]


@router.post("/people/raters", include_in_schema=False)
def nominate_page(
    db: DbSession,
    user: CurrentUser,
    cycle: Annotated[str, Form(max_length=200)],
    rater: Text,
    relation: Annotated[str, Form(max_length=10)],
    ratee: Annotated[str, Form(max_length=20)] = "",
) -> RedirectResponse:
    """Nominate a rater (the home page's form)."""
    body = NominationIn(
        cycle=cycle,
        rater=rater,
        relation=relation,
        ratee=parse_id(ratee, "ratee") if ratee else None,
    )
    _nominate(db, user, body)
    return RedirectResponse(HOME_ANCHOR, status_code=303)


@router.post("/people/raters/{nomination_id}/{answer}", include_in_schema=False)
def decide_page(
    db: DbSession,
    user: CurrentUser,
    nomination_id: str,
    answer: str,
    reason: Annotated[str, Form(max_length=nominations.MAX_REASON)] = "",
) -> RedirectResponse:
    """Approve or reject a nomination (the manager's buttons on the home page)."""
    _decide(db, user, nomination_id, _approve(answer), reason or None)
    return RedirectResponse(HOME_ANCHOR, status_code=303)


def _approve(answer: str) -> bool:
    if answer not in ("approve", "reject"):
        raise NotFoundError(f"no such answer {answer!r}: approve or reject")
    return answer == "approve"


@router.get("/api/people/raters", tags=["review"])
def raters(db: DbSession, user: CurrentUser) -> dict[str, Any]:
    """My choice of raters in open cycles, and the nominations waiting for my decision."""
    return raters_panel(db, user)


@router.post("/api/people/raters", tags=["review"], status_code=201)
def nominate(db: DbSession, user: CurrentUser, body: NominationIn) -> nominations.NominationOut:
    """Nominate a rater for myself (or, as their line manager, add one for a report at once)."""
    return _nominate(db, user, body)


@router.post("/api/people/raters/{nomination_id}/{answer}", tags=["review"])
def decide(
    db: DbSession, user: CurrentUser, nomination_id: str, answer: str, body: DecisionIn
) -> nominations.NominationOut:
    """Approve (assigning the rater) or reject a waiting nomination, as the line manager."""
    return _decide(db, user, nomination_id, _approve(answer), body.reason)
