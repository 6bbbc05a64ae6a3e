"""Concerns and questions: ``/manage/concerns`` (the team's board, raise and answer forms) and
its JSON twins under ``/api/manage/concerns``.

Guards: reading ``view_concerns`` (the team's people; ``?team=ID`` or one's own), raising
``raise_concern``, answering and closing ``answer_concern`` (managers and leader), the counts
of every team ``view_concern_counts`` (directors and admins). The service checks again who
belongs to the item's team. An anonymous item's receipt is shown once, on the page answering
the form, and is never put in a URL; following it is a POST (the receipt in the body).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from tandem.audit.service import user_actor
from tandem.manage.concerns import service
from tandem.manage.concerns.rules import MAX_ANSWER, MAX_TEXT
from tandem.manage.concerns.schemas import AnswerIn, Board, ConcernIn, ConcernOut, Overview, Raised
from tandem.web.deps import CurrentUser, DbSession, parse_id
from tandem.web.permissions import (
    ANSWER_CONCERN,
    RAISE_CONCERN,
    VIEW_CONCERN_COUNTS,
    VIEW_CONCERNS,
    TeamResource,
    allowed,
    requires,
    viewer_of,
)
from tandem.web.templating import render
from tandem.web.why.scope import request_team, why_resource

page = APIRouter(
    dependencies=[Depends(requires(VIEW_CONCERNS, why_resource))], include_in_schema=False
)
raise_page = APIRouter(
    dependencies=[Depends(requires(RAISE_CONCERN, why_resource))], include_in_schema=False
)
answer_page = APIRouter(dependencies=[Depends(requires(ANSWER_CONCERN))], include_in_schema=False)
counts_page = APIRouter(
    dependencies=[Depends(requires(VIEW_CONCERN_COUNTS))], include_in_schema=False
)
api = APIRouter(
    prefix="/api/manage",
    tags=["manage"],
    dependencies=[Depends(requires(VIEW_CONCERNS, why_resource))],
)
raise_api = APIRouter(
    prefix="/api/manage",
    tags=["manage"],
    dependencies=[Depends(requires(RAISE_CONCERN, why_resource))],
)
answer_api = APIRouter(
    prefix="/api/manage", tags=["manage"], dependencies=[Depends(requires(ANSWER_CONCERN))]
)
counts_api = APIRouter(
    prefix="/api/manage", tags=["manage"], dependencies=[Depends(requires(VIEW_CONCERN_COUNTS))]
)
ROUTERS = (page, raise_page, answer_page, counts_page, api, raise_api, answer_api, counts_api)

AsOf = Annotated[dt.date | None, Query(description="The day to age open items on (default today).")]


class ReceiptIn(BaseModel):
    """The receipt of an anonymous item (JSON body)."""

    model_config = ConfigDict(extra="forbid")

    receipt: str = Field(max_length=200)


def _board_page(
    request: Request, db: DbSession, user: CurrentUser, raised: Raised | None
) -> Response:
    team = request_team(request, db, user)
    board = service.get_board(session=db, viewer=viewer_of(user), team=team.id)
    return render(
        request,
        "manage/concerns.html",
        {
            "board": board,
            "raised": raised,
            "can_raise": allowed(user, RAISE_CONCERN, TeamResource(team.id)),
            "max_text": MAX_TEXT,
            "max_answer": MAX_ANSWER,
        },
    )


@page.get("/manage/concerns")
def concerns_page(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """The team's board: raise form, items with their answers, time to answer and aging."""
    return _board_page(request, db, user, None)


@raise_page.post("/manage/concerns")
def raise_form(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    text: Annotated[str, Form(max_length=MAX_TEXT)] = "",
    kind: Annotated[str, Form(max_length=20)] = "question",
    anonymous: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Raise from the form; an anonymous item's receipt is shown on the page answering it."""
    team = request_team(request, db, user)
    raised = service.raise_item(
        session=db, viewer=viewer_of(user), team=team.id, kind=kind, text=text,
        anonymous=anonymous == "yes", actor=user_actor(user.id),
    )  # fmt: skip
    if raised.receipt is None:
        return RedirectResponse(f"/manage/concerns?team={team.id}#item-{raised.item.id}", 303)
    return _board_page(request, db, user, raised)


@answer_page.post("/manage/concerns/{concern_id}/answer")
def answer_form(
    db: DbSession,
    user: CurrentUser,
    concern_id: str,
    text: Annotated[str, Form(max_length=MAX_ANSWER)] = "",
) -> Response:
    """Answer from the form, then back to the board."""
    out = service.answer(
        session=db, viewer=viewer_of(user), item_id=parse_id(concern_id, "concern"), text=text,
        actor=user_actor(user.id),
    )  # fmt: skip
    return RedirectResponse(f"/manage/concerns?team={out.team_id}#item-{out.id}", 303)


@answer_page.post("/manage/concerns/{concern_id}/close")
def close_form(db: DbSession, user: CurrentUser, concern_id: str) -> Response:
    """Close from the form, then back to the board."""
    out = service.close(
        session=db, viewer=viewer_of(user), item_id=parse_id(concern_id, "concern"),
        actor=user_actor(user.id),
    )  # fmt: skip
    return RedirectResponse(f"/manage/concerns?team={out.team_id}#item-{out.id}", 303)


@counts_page.get("/manage/concerns/overview")
def overview_page(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """Every team's counts and time to first answer (directors and admins)."""
    found = service.overview(session=db, viewer=viewer_of(user))
    return render(request, "manage/concerns_overview.html", {"overview": found})


@api.get("/concerns", summary="The team's concerns and questions")
def board(request: Request, db: DbSession, user: CurrentUser, as_of: AsOf = None) -> Board:
    """The team's items (anonymous ones name no one), time to first answer, aging."""
    team = request_team(request, db, user)
    return service.get_board(session=db, viewer=viewer_of(user), team=team.id, as_of=as_of)


@raise_api.post("/concerns", status_code=201, summary="Raise a concern or a question")
def raise_item(request: Request, db: DbSession, user: CurrentUser, body: ConcernIn) -> Raised:
    """Raise an item in the team; ``anonymous`` (teams of 5 or more) stores no author and
    answers a receipt, shown once."""
    team = request_team(request, db, user)
    return service.raise_item(
        session=db, viewer=viewer_of(user), team=team.id, kind=body.kind, text=body.text,
        anonymous=body.anonymous, actor=user_actor(user.id),
    )  # fmt: skip


@raise_api.post("/concerns/follow", summary="Follow an anonymous item by its receipt")
def follow(db: DbSession, body: ReceiptIn) -> ConcernOut:
    """The anonymous item a receipt belongs to, with its answers."""
    return service.follow(session=db, receipt=body.receipt)


@answer_api.post("/concerns/{concern_id}/answers", status_code=201, summary="Answer an item")
def answer(db: DbSession, user: CurrentUser, concern_id: str, body: AnswerIn) -> ConcernOut:
    """Answer an item of one's team (its managers and leader)."""
    return service.answer(
        session=db, viewer=viewer_of(user), item_id=parse_id(concern_id, "concern"),
        text=body.text, actor=user_actor(user.id),
    )  # fmt: skip


@answer_api.post("/concerns/{concern_id}/close", summary="Close an item")
def close(db: DbSession, user: CurrentUser, concern_id: str) -> ConcernOut:
    """Close an item of one's team (its managers and leader)."""
    return service.close(
        session=db, viewer=viewer_of(user), item_id=parse_id(concern_id, "concern"),
        actor=user_actor(user.id),
    )  # fmt: skip


@counts_api.get("/concerns/overview", summary="Every team's counts (directors)")
def overview(db: DbSession, user: CurrentUser, as_of: AsOf = None) -> Overview:
    """Counts, time to first answer (from 5 answered items) and aging per team; no item."""
    return service.overview(session=db, viewer=viewer_of(user), as_of=as_of)
