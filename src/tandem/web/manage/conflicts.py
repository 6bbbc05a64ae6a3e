"""Conflict cases: ``/manage/conflicts`` (one's cases, the open form, escalation reminders),
``/manage/conflicts/{case_id}`` (the case) and their JSON twins under ``/api/manage/conflicts``.

One guard, ``conflict_cases``: any signed-in person may ask; the service shows a case only to
its parties and its facilitator and answers 404 to everyone else, whatever their role (a
director, an admin, the team's leader or another manager), so not even its existence leaks.
"""

from __future__ import annotations

from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from tandem.errors import InputError
from tandem.manage.conflicts import checklist, service
from tandem.manage.conflicts.modes import MEANINGS
from tandem.manage.conflicts.schemas import (
    MAX_ISSUE,
    MAX_ITEM,
    MAX_TEXT,
    CaseIn,
    CaseList,
    CaseOut,
    CaseUpdate,
    FollowUpIn,
    PartyUpdate,
)
from tandem.web.deps import CurrentUser, DbSession, parse_id
from tandem.web.permissions import CONFLICT_CASES, requires, viewer_of
from tandem.web.templating import render

page = APIRouter(dependencies=[Depends(requires(CONFLICT_CASES))], include_in_schema=False)
api = APIRouter(
    prefix="/api/manage", tags=["manage"], dependencies=[Depends(requires(CONFLICT_CASES))]
)
ROUTERS = (page, api)

M = TypeVar("M", bound=BaseModel)
Line = Annotated[str, Form(max_length=MAX_ITEM)]
Text = Annotated[str, Form(max_length=MAX_TEXT)]


def _validated(build: type[M], values: dict[str, object]) -> M:
    """A form's values as the API's body model; a validation error names its field (400)."""
    try:
        return build.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "form"
        raise InputError(f"{field}: {first['msg']}", field=field) from None


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _case(db: DbSession, user: CurrentUser, case_id: str) -> CaseOut:
    return service.get_case(session=db, viewer=viewer_of(user), case_id=parse_id(case_id, "case"))


@page.get("/manage/conflicts")
def conflicts_page(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """The cases one takes part in, the facilitator's reminders, the open form."""
    found = service.list_cases(session=db, viewer=viewer_of(user))
    return render(request, "manage/conflicts.html", {"found": found, "max_issue": MAX_ISSUE})


@page.post("/manage/conflicts")
def open_form(
    db: DbSession,
    user: CurrentUser,
    kind: Annotated[str, Form(max_length=20)] = "",
    issue: Annotated[str, Form(max_length=MAX_ISSUE)] = "",
    parties: Annotated[str, Form(max_length=4000)] = "",
    facilitator: Annotated[str, Form(max_length=320)] = "",
    time_pressure: Annotated[int, Form(ge=1, le=5)] = 3,
    power_balance: Annotated[str, Form(max_length=10)] = "balanced",
    relationship_importance: Annotated[int, Form(ge=1, le=5)] = 3,
) -> Response:
    """Open a case from the form (parties one per line, by email or id)."""
    body = _validated(
        CaseIn,
        {
            "kind": kind, "issue": issue, "parties": _lines(parties),
            "facilitator": facilitator.strip() or None, "time_pressure": time_pressure,
            "power_balance": power_balance, "relationship_importance": relationship_importance,
        },
    )  # fmt: skip
    case = service.open_case(session=db, viewer=viewer_of(user), body=body)
    return RedirectResponse(f"/manage/conflicts/{case.id}", 303)


@page.get("/manage/conflicts/{case_id}")
def case_page(request: Request, db: DbSession, user: CurrentUser, case_id: str) -> Response:
    """One case, for its parties and facilitator."""
    case = _case(db, user, case_id)
    context = {"case": case, "steps": checklist.STEPS, "modes": MEANINGS}
    return render(request, "manage/conflict.html", context)


@page.post("/manage/conflicts/{case_id}")
def update_form(
    db: DbSession,
    user: CurrentUser,
    case_id: str,
    status: Annotated[str, Form(max_length=20)] = "",
    facts: Annotated[str, Form(max_length=16000)] = "",
    options: Annotated[str, Form(max_length=16000)] = "",
    ticks: Annotated[list[str] | None, Form(max_length=20)] = None,
    chosen_mode: Annotated[str, Form(max_length=20)] = "",
    rationale: Text = "",
    agreement: Text = "",
) -> Response:
    """The facilitator's form: facts and options (one per line), ticks, mode, agreement, status."""
    body = _validated(
        CaseUpdate,
        {
            "facts": _lines(facts), "options": _lines(options), "checklist": ticks or [],
            "chosen_mode": chosen_mode or None, "rationale": rationale, "agreement": agreement,
            "status": status or None,
        },
    )  # fmt: skip
    case = service.update_case(
        session=db, viewer=viewer_of(user), case_id=parse_id(case_id, "case"), body=body
    )
    return RedirectResponse(f"/manage/conflicts/{case.id}", 303)


@page.post("/manage/conflicts/{case_id}/position")
def position_form(
    db: DbSession,
    user: CurrentUser,
    case_id: str,
    position: Text = "",
    interests: Text = "",
    importance: Annotated[int, Form(ge=1, le=5)] = 3,
    satisfaction: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    """A party's own form: position, interests, stake and (once settled) satisfaction."""
    body = _validated(
        PartyUpdate,
        {
            "position": position, "interests": interests, "importance": importance,
            "satisfaction": int(satisfaction) if satisfaction.isdigit() else None,
        },
    )  # fmt: skip
    case = service.update_party(
        session=db, viewer=viewer_of(user), case_id=parse_id(case_id, "case"), body=body
    )
    return RedirectResponse(f"/manage/conflicts/{case.id}", 303)


@page.post("/manage/conflicts/{case_id}/follow-ups")
def follow_up_form(
    db: DbSession,
    user: CurrentUser,
    case_id: str,
    text: Line = "",
    due_on: Annotated[str, Form(max_length=10)] = "",
    owner: Annotated[str, Form(max_length=320)] = "",
) -> Response:
    """The facilitator adds a follow-up."""
    body = _validated(FollowUpIn, {"text": text, "due_on": due_on, "owner": owner.strip() or None})
    case = service.add_follow_up(
        session=db, viewer=viewer_of(user), case_id=parse_id(case_id, "case"), body=body
    )
    return RedirectResponse(f"/manage/conflicts/{case.id}", 303)


@api.get("/conflicts", summary="The conflict cases one takes part in")
def list_cases(db: DbSession, user: CurrentUser) -> CaseList:
    """One's cases (as a party or the facilitator) and the facilitator's reminders."""
    return service.list_cases(session=db, viewer=viewer_of(user))


@api.post("/conflicts", status_code=201, summary="Open a conflict case")
def open_case(db: DbSession, user: CurrentUser, body: CaseIn) -> CaseOut:
    """Open a case as its facilitator or one of its parties."""
    return service.open_case(session=db, viewer=viewer_of(user), body=body)


@api.get("/conflicts/{case_id}", summary="A conflict case")
def get_case(db: DbSession, user: CurrentUser, case_id: str) -> CaseOut:
    """A case, to its parties and facilitator only (404 to everyone else)."""
    return _case(db, user, case_id)


@api.patch("/conflicts/{case_id}", summary="Change a case (the facilitator)")
def update_case(db: DbSession, user: CurrentUser, case_id: str, body: CaseUpdate) -> CaseOut:
    """The facilitator's changes: only the fields given change."""
    return service.update_case(
        session=db, viewer=viewer_of(user), case_id=parse_id(case_id, "case"), body=body
    )


@api.patch("/conflicts/{case_id}/position", summary="A party's own entries")
def update_party(db: DbSession, user: CurrentUser, case_id: str, body: PartyUpdate) -> CaseOut:
    """A party's position, interests, stake and satisfaction (their own)."""
    return service.update_party(
        session=db, viewer=viewer_of(user), case_id=parse_id(case_id, "case"), body=body
    )


@api.post("/conflicts/{case_id}/follow-ups", status_code=201, summary="Add a follow-up")
def add_follow_up(db: DbSession, user: CurrentUser, case_id: str, body: FollowUpIn) -> CaseOut:
    """A follow-up with a due day (the facilitator)."""
    return service.add_follow_up(
        session=db, viewer=viewer_of(user), case_id=parse_id(case_id, "case"), body=body
    )


@api.post("/conflicts/{case_id}/follow-ups/{follow_up_id}/done", summary="A follow-up done")
def follow_up_done(db: DbSession, user: CurrentUser, case_id: str, follow_up_id: str) -> CaseOut:
    """Mark a follow-up done (the facilitator or its owner)."""
    return service.complete_follow_up(
        session=db, viewer=viewer_of(user), case_id=parse_id(case_id, "case"),
        follow_up_id=parse_id(follow_up_id, "follow-up"),
    )  # fmt: skip
