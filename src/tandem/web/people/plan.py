"""My development plan: made from my profile on the first visit, then my progress on it.

The plan and its progress live in :mod:`tandem.plans.service`; these routes only find the
viewer's person and cycle, and refuse an action that is not on the viewer's own plan.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from tandem.accounts.schemas import UserOut
from tandem.errors import NotFoundError
from tandem.plans import service as plans_service
from tandem.plans.schemas import ActionOut, PlanOut
from tandem.profile import service as profile_service
from tandem.web.deps import CurrentUser, DbSession, Id
from tandem.web.people.access import PROFILE_GUARD, CycleName, my_person
from tandem.web.people.profiles import PRACTICE_NAMES
from tandem.web.permissions import VIEW_PROFILE, linked_person_id
from tandem.web.templating import render

own = APIRouter(dependencies=[PROFILE_GUARD])


class ProgressIn(BaseModel):
    """Progress on one of my plan's actions."""

    action_id: Id
    status: str = Field(max_length=10)
    note: str = Field(default="", max_length=4000)


def _plan(db: Session, user: UserOut, cycle_name: str | None) -> PlanOut:
    person = my_person(db, user)
    cycle = profile_service.resolve_cycle(session=db, name=cycle_name)
    return plans_service.get_or_create_plan(session=db, person=str(person.id), cycle=cycle.name)


@own.get("/people/me/plan", include_in_schema=False)
def my_plan_page(
    request: Request, db: DbSession, user: CurrentUser, cycle: CycleName = None
) -> Response:
    """My development plan (made on the first visit when my profile allows one)."""
    try:
        plan = _plan(db, user, cycle)
    except NotFoundError as exc:
        return render(request, "people/no_profile.html", {"message": exc.message, "cycles": []})
    statuses = plans_service.PROGRESS_STATUSES
    return render(
        request, "people/plan.html", {"plan": plan, "names": PRACTICE_NAMES, "statuses": statuses}
    )


@own.get("/api/people/me/plan")
def my_plan(db: DbSession, user: CurrentUser, cycle: CycleName = None) -> PlanOut:
    """My development plan for a cycle; made on the first request when the profile allows one."""
    return _plan(db, user, cycle)


def _progress(db: Session, user: UserOut, body: ProgressIn) -> ActionOut:
    return plans_service.record_own_progress(
        session=db,
        person_id=linked_person_id(user, VIEW_PROFILE),
        action_id=body.action_id,
        status=body.status,
        note=body.note,
    )


@own.post("/people/me/plan/progress", include_in_schema=False)
def progress_page(
    db: DbSession,
    user: CurrentUser,
    action_id: Annotated[Id, Form()],
    status: Annotated[str, Form(max_length=10)],
    note: Annotated[str, Form(max_length=4000)] = "",
    cycle: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    """Record progress on one of my plan's actions, then back to the plan."""
    done = _progress(db, user, ProgressIn(action_id=action_id, status=status, note=note))
    target = "/people/me/plan" + (f"?cycle={quote(cycle, safe='')}" if cycle else "")
    return RedirectResponse(f"{target}#action-{done.id}", status_code=303)


@own.post("/api/people/me/plan/progress")
def progress(db: DbSession, user: CurrentUser, body: ProgressIn) -> ActionOut:
    """Record progress (doing, done, dropped, with a note) on one of my plan's actions."""
    return _progress(db, user, body)
