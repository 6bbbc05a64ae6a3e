"""Rating forms: my self-assessment and the colleagues I am assigned to rate in open cycles.

The self-assessment is the same form with me as the ratee, under ``/people/me/assessment``
(``view_profile``); colleagues are under ``/people/rate`` (``rate_colleague``, which needs the
viewer's assignment, :func:`~tandem.web.people.access.rating_resource`). Forms, validation and
storage are :mod:`tandem.review.forms`; a page post that fails shows the form again with every
problem (400). A comment per practice (colleagues' forms only) is optional; when one may give
its writer away (:mod:`tandem.review.comment_checks`) nothing is saved and the form comes back
with the warnings and a box to keep the comments as written (409). No script is needed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from tandem.review import comments as review_comments
from tandem.review import forms
from tandem.web.deps import CurrentUser, DbSession, get_config
from tandem.web.people import form_timing
from tandem.web.people.access import (
    PROFILE_GUARD,
    RATING_GUARD,
    CycleName,
    my_person,
    my_rater_id,
    path_id,
)
from tandem.web.templating import render

NON_ANSWER_FIELDS = frozenset(
    {"csrf_token", "cycle", form_timing.FIELD, review_comments.CONFIRM_FIELD}
)

own = APIRouter(dependencies=[PROFILE_GUARD])  # /people/me/assessment: me as the ratee
colleagues = APIRouter(dependencies=[RATING_GUARD])  # /people/rate…


class AnswersIn(BaseModel):
    """Answers by item id: 1–5, ``"cant_observe"`` or ``null`` (can't observe); optional
    comments by practice id (``null`` or ``""`` deletes one); ``confirm_comments`` keeps
    comments that a warning rule flags."""

    cycle: str | None = Field(default=None, max_length=200)
    answers: dict[str, int | str | None] = Field(default_factory=dict)
    comments: dict[str, str | None] = Field(default_factory=dict)
    confirm_comments: bool = False


def _form_fields(items: list[tuple[str, Any]]) -> tuple[dict[str, object], dict[str, object]]:
    """The form's answers by item id and its comments by practice id."""
    answers: dict[str, object] = {}
    notes: dict[str, object] = {}
    repeated: dict[str, str] = {}
    for key, value in items:
        if key in NON_ANSWER_FIELDS:
            continue
        if key.startswith(review_comments.FIELD_PREFIX):
            practice = key.removeprefix(review_comments.FIELD_PREFIX)
            if practice in notes:
                repeated[key] = "is given more than once"
            notes[practice] = value  # not text (a file): parse_comments refuses it by field
            continue
        if key in answers:
            repeated[key] = "is given more than once"
        answers[key] = value
    if repeated:
        raise forms.AnswerFormError(repeated)
    return answers, notes


def _render_form(
    request: Request,
    form: forms.RatingFormOut,
    *,
    action: str,
    saved: forms.SaveReport | None = None,
    error: forms.AnswerFormError | None = None,
    warned: review_comments.CommentWarningsError | None = None,
    submitted: Mapping[str, object] | None = None,
    opened: str | None = None,
) -> Response:
    """The form page; ``opened``: a still valid opening token to carry on (a re-shown form's
    clock keeps running from when the rater first opened it), else a new one."""
    key = get_config(request).csrf_key
    opened = opened or form_timing.sign_opened(
        key, rater=form.rater_id, ratee=form.ratee_id, cycle=form.cycle
    )
    context = {
        "form": form,
        "opened": opened,
        "action": action,
        "saved": saved,
        "error": error,
        "problems": error.problems if error else {},
        "warned": warned,
        "warnings": warned.warnings if warned else {},
        "comment_field": review_comments.field_of,
        "confirm_field": review_comments.CONFIRM_FIELD,
        "submitted": {k: str(v) for k, v in (submitted or {}).items()},
        "cant": forms.CANT_OBSERVE,
        "is_self": form.ratee_id == form.rater_id,
    }
    status = 400 if error else 409 if warned else 200
    return render(request, "people/rate_form.html", context, status_code=status)


async def _form_post(
    request: Request, db: Session, rater_id: int, ratee_id: int, action: str
) -> Response:
    raw = await request.form()
    try:
        cycle = raw.get("cycle")
        cycle_name = cycle if isinstance(cycle, str) and cycle else None
        seconds = form_timing.seconds_since(
            get_config(request).csrf_key,
            raw.get(form_timing.FIELD),
            rater=rater_id,
            ratee=ratee_id,
            cycle=cycle_name or "",
        )
        try:
            answers, notes = _form_fields(list(raw.multi_items()))
            saved = await run_in_threadpool(
                forms.save_answers,
                session=db,
                rater_id=rater_id,
                ratee_id=ratee_id,
                answers=answers,
                cycle=cycle_name,
                seconds=seconds,
                comments=notes,
                confirm_comments=raw.get(review_comments.CONFIRM_FIELD) == "1",
            )
        except (forms.AnswerFormError, review_comments.CommentWarningsError) as exc:
            form = await run_in_threadpool(
                forms.rating_form,
                session=db,
                rater_id=rater_id,
                ratee_id=ratee_id,
                cycle=cycle_name,
            )
            return _render_form(
                request,
                form,
                action=action,
                error=exc if isinstance(exc, forms.AnswerFormError) else None,
                warned=exc if isinstance(exc, review_comments.CommentWarningsError) else None,
                submitted=dict(raw.items()),
                opened=token
                if seconds is not None and isinstance(token := raw.get(form_timing.FIELD), str)
                else None,
            )
        form = await run_in_threadpool(
            forms.rating_form, session=db, rater_id=rater_id, ratee_id=ratee_id, cycle=saved.cycle
        )
        return _render_form(request, form, action=action, saved=saved)
    finally:  # an uploaded file in a field is a temporary file: closed here
        await raw.close()


@own.get("/people/me/assessment", include_in_schema=False)
def self_assessment_page(
    request: Request, db: DbSession, user: CurrentUser, cycle: CycleName = None
) -> Response:
    """My self-assessment: the rating form about myself."""
    me = my_person(db, user)
    form = forms.rating_form(session=db, rater_id=me.id, ratee_id=me.id, cycle=cycle)
    return _render_form(request, form, action="/people/me/assessment")


@own.post("/people/me/assessment", include_in_schema=False)
async def save_self_assessment_page(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """Save my self-assessment answers."""
    me = await run_in_threadpool(my_person, db, user)
    return await _form_post(request, db, me.id, me.id, "/people/me/assessment")


@own.get("/api/people/me/assessment")
def self_assessment(
    db: DbSession, user: CurrentUser, cycle: CycleName = None
) -> forms.RatingFormOut:
    """My self-assessment form with the answers stored so far."""
    me = my_person(db, user)
    return forms.rating_form(session=db, rater_id=me.id, ratee_id=me.id, cycle=cycle)


@own.post("/api/people/me/assessment")
def save_self_assessment(db: DbSession, user: CurrentUser, body: AnswersIn) -> forms.SaveReport:
    """Save my self-assessment answers (upsert; items left out keep their answer)."""
    me = my_person(db, user)
    return forms.save_answers(
        session=db,
        rater_id=me.id,
        ratee_id=me.id,
        answers=body.answers,
        cycle=body.cycle,
        comments=body.comments,
        confirm_comments=body.confirm_comments,
    )


@colleagues.get("/people/rate", include_in_schema=False)
def to_rate_page(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """Colleagues I am asked to rate in open cycles (and my own self-assessment)."""
    items = forms.open_assignments(session=db, rater_id=user.person_id) if user.person_id else []
    return render(request, "people/rate_list.html", {"assignments": items, "me": user.person_id})


@colleagues.get("/api/people/rate")
def to_rate(db: DbSession, user: CurrentUser) -> list[forms.AssignmentToRate]:
    """Everyone I am assigned to rate in open cycles, myself included (relation ``self``)."""
    return forms.open_assignments(session=db, rater_id=user.person_id) if user.person_id else []


@colleagues.get("/people/rate/{person_id}", include_in_schema=False)
def rating_page(
    request: Request, db: DbSession, user: CurrentUser, person_id: str, cycle: CycleName = None
) -> Response:
    """The rating form for a colleague I am assigned to."""
    ratee = path_id(person_id, "person")
    form = forms.rating_form(session=db, rater_id=my_rater_id(user), ratee_id=ratee, cycle=cycle)
    return _render_form(request, form, action=f"/people/rate/{ratee}")


@colleagues.post("/people/rate/{person_id}", include_in_schema=False)
async def save_rating_page(
    request: Request, db: DbSession, user: CurrentUser, person_id: str
) -> Response:
    """Save my answers about a colleague."""
    ratee = path_id(person_id, "person")
    return await _form_post(request, db, my_rater_id(user), ratee, f"/people/rate/{ratee}")


@colleagues.get("/api/people/rate/{person_id}")
def rating(
    db: DbSession, user: CurrentUser, person_id: str, cycle: CycleName = None
) -> forms.RatingFormOut:
    """The rating form for a colleague I am assigned to, with my answers so far."""
    ratee = path_id(person_id, "person")
    return forms.rating_form(session=db, rater_id=my_rater_id(user), ratee_id=ratee, cycle=cycle)


@colleagues.post("/api/people/rate/{person_id}")
def save_rating(
    db: DbSession, user: CurrentUser, person_id: str, body: AnswersIn
) -> forms.SaveReport:
    """Save my answers about a colleague (upsert; items left out keep their answer)."""
    ratee = path_id(person_id, "person")
    return forms.save_answers(
        session=db,
        rater_id=my_rater_id(user),
        ratee_id=ratee,
        answers=body.answers,
        cycle=body.cycle,
        comments=body.comments,
        confirm_comments=body.confirm_comments,
    )
