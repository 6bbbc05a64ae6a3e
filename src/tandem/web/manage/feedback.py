"""Feedback pages (``/manage/feedback``) and their JSON twins (``/api/manage/feedback…``).

The page gives feedback in two steps when the lint flags anything: the form comes back with the
findings next to the text, and the giver edits it or gives it as written (``lint_seen``). Who
reads which piece is the service's rule (:mod:`tandem.manage.feedback.service`): the route's
guard only admits people in a team role; directors and admins read counts only.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from tandem.accounts.schemas import UserOut
from tandem.audit import service as audit
from tandem.errors import InputError
from tandem.manage.feedback import service
from tandem.manage.feedback.lint import TRAIT_WORDS
from tandem.manage.feedback.schemas import (
    Cadence,
    FeedbackCounts,
    FeedbackList,
    FeedbackOut,
    LintOut,
)
from tandem.review.items import PRACTICES
from tandem.web.deps import CurrentUser, DbSession, Id
from tandem.web.permissions import USE_FEEDBACK, VIEW_MANAGE_COUNTS, requires, viewer_of
from tandem.web.templating import render

PATH = "/manage/feedback"
Text = Annotated[str, Form(max_length=service.MAX_TEXT)]

page = APIRouter(dependencies=[Depends(requires(USE_FEEDBACK))], include_in_schema=False)
api = APIRouter(
    prefix="/api/manage", tags=["manage"], dependencies=[Depends(requires(USE_FEEDBACK))]
)
counts_api = APIRouter(
    prefix="/api/manage", tags=["manage"], dependencies=[Depends(requires(VIEW_MANAGE_COUNTS))]
)


class FeedbackIn(BaseModel):
    """Feedback to give; ``lint_seen``: the giver read the lint's findings (needed when any)."""

    model_config = ConfigDict(extra="forbid")

    receiver_id: Id
    kind: str = Field(max_length=10)
    situation: str = Field(max_length=service.MAX_TEXT)
    behaviour: str = Field(max_length=service.MAX_TEXT)
    impact: str = Field(default="", max_length=service.MAX_TEXT)
    intent: str = Field(default="", max_length=service.MAX_TEXT)
    practice: str | None = Field(default=None, max_length=40)
    lint_seen: bool = False


class DraftIn(BaseModel):
    """A draft to lint (nothing is stored)."""

    model_config = ConfigDict(extra="forbid")

    situation: str = Field(default="", max_length=service.MAX_TEXT)
    behaviour: str = Field(default="", max_length=service.MAX_TEXT)
    impact: str = Field(default="", max_length=service.MAX_TEXT)
    intent: str = Field(default="", max_length=service.MAX_TEXT)


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _actor(user: UserOut) -> str:
    return audit.user_actor(user.id)


def _page(
    request: Request,
    db: DbSession,
    user: UserOut,
    *,
    draft: dict[str, str] | None = None,
    lint: LintOut | None = None,
) -> Response:
    viewer = viewer_of(user)
    cadence = service.cadence(session=db, viewer=viewer, as_of=_today())
    listed = service.list_feedback(session=db, viewer=viewer, actor=_actor(user))
    receivers = [r.report for r in cadence.reports]
    if cadence.mine is not None:
        receivers.append(cadence.mine.manager)
    return render(
        request,
        "manage/feedback.html",
        {
            "cadence": cadence,
            "feedback": listed,
            "me": user.person_id,
            "receivers": receivers,
            "practices": [(p.id, p.name) for p in PRACTICES],
            "draft": draft or {},
            "lint": lint,
            "trait_words": TRAIT_WORDS,
        },
    )


@page.get(PATH)
def feedback_page(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """Give feedback (with the lint), read what one may, and the cadence per report."""
    return _page(request, db, user)


@page.post(PATH)
def give_page(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    receiver_id: Annotated[str, Form(max_length=20)],
    kind: Annotated[str, Form(max_length=10)],
    situation: Text,
    behaviour: Text,
    impact: Text = "",
    intent: Text = "",
    practice: Annotated[str, Form(max_length=40)] = "",
    lint_seen: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Give feedback; when the lint flags anything not yet seen, show it and ask again."""
    receiver = receiver_id.strip()
    if not receiver.isdigit() or not 1 <= int(receiver) <= 2**31 - 1:
        raise InputError(f"{receiver_id!r} is not a person id", field="receiver_id")
    draft = {
        "receiver_id": receiver, "kind": kind, "situation": situation, "behaviour": behaviour,
        "impact": impact, "intent": intent, "practice": practice,
    }  # fmt: skip
    found = service.draft_lint(
        situation=situation, behaviour=behaviour, impact=impact, intent=intent
    )
    if found.findings and lint_seen != "1":
        return _page(request, db, user, draft=draft, lint=found)
    done = service.give_feedback(
        session=db, viewer=viewer_of(user), receiver_id=int(receiver), kind=kind,
        situation=situation, behaviour=behaviour, impact=impact, intent=intent,
        practice=practice or None, lint_seen=lint_seen == "1", actor=_actor(user),
    )  # fmt: skip
    return RedirectResponse(f"{PATH}#feedback-{done.id}", status_code=303)


@api.get("/feedback", summary="Feedback one may read")
def api_list(
    db: DbSession,
    user: CurrentUser,
    about: Annotated[
        Id | None, Query(description="Only feedback given or received by them.")
    ] = None,
) -> FeedbackList:
    """What one gave, received, or one's direct reports received; newest first."""
    return service.list_feedback(
        session=db, viewer=viewer_of(user), about=about, actor=_actor(user)
    )


@api.post("/feedback", status_code=201, summary="Give feedback")
def api_give(db: DbSession, user: CurrentUser, body: FeedbackIn) -> FeedbackOut:
    """Give feedback; when the lint flags anything, ``lint_seen`` must say the giver read it."""
    return service.give_feedback(
        session=db, viewer=viewer_of(user), actor=_actor(user), **body.model_dump()
    )


@api.post("/feedback/lint", summary="Lint a draft")
def api_lint(body: DraftIn) -> LintOut:
    """Trait words, absolutes and missing parts of a draft, with suggestions (nothing stored)."""
    return service.draft_lint(**body.model_dump())


@api.get("/feedback/cadence", summary="Feedback cadence")
def api_cadence(db: DbSession, user: CurrentUser) -> Cadence:
    """Days since one last gave feedback to each direct report, and one's own row."""
    return service.cadence(session=db, viewer=viewer_of(user), as_of=_today())


@api.get("/feedback/{feedback_id}", summary="One piece of feedback")
def api_one(db: DbSession, user: CurrentUser, feedback_id: Id) -> FeedbackOut:
    """One piece of feedback one may read (404 otherwise, whether or not it exists)."""
    return service.get_feedback(
        session=db, viewer=viewer_of(user), feedback_id=feedback_id, actor=_actor(user)
    )


@counts_api.get("/counts/feedback", summary="Feedback counts")
def api_counts(db: DbSession) -> FeedbackCounts:
    """Feedback given in the last 90 days, in total and by kind; withheld below 5 people."""
    return service.counts(session=db, as_of=_today())
