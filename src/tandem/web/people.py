"""People pages and their ``/api`` twins: my profile, sharing it, my plan, rating forms.

Two routers, one action each. ``profile`` (``view_profile``) serves the person's own area under
``/people/me`` (profile, share toggle, plan, self-assessment) and ``/people/{person_id}``, which
:func:`profile_resource` turns into a :class:`PersonResource` carrying the line manager and
whether the ratee shared the cycle's report. ``rate`` (``rate_colleague``) serves the colleagues
one is assigned to in open cycles; :func:`rating_resource` finds the assignment. The pages call
the domain services (:mod:`tandem.profile.service`, :mod:`tandem.profile.sharing`,
:mod:`tandem.plans.service`, :mod:`tandem.review.forms`) and nothing else decides a number.

Someone else's profile (a manager after sharing) is the others' view only: self ratings inform
the person alone (DESIGN §6), so it is computed with ``include_self=False``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.accounts.errors import PermissionDeniedError
from tandem.accounts.schemas import UserOut
from tandem.errors import InputError, NotFoundError
from tandem.people.models import Person
from tandem.plans import service as plans_service
from tandem.plans.models import PlanAction
from tandem.plans.schemas import ActionOut, PlanOut
from tandem.profile import service as profile_service
from tandem.profile import sharing
from tandem.profile.schemas import ProfileOut
from tandem.review import forms
from tandem.review.items import PRACTICES
from tandem.review.models import ReviewAssignment, ReviewCycle, ReviewResponse
from tandem.web.deps import CurrentUser, DbSession
from tandem.web.permissions import (
    RATE_COLLEAGUE,
    VIEW_PROFILE,
    PersonResource,
    RatingResource,
    Resource,
    requires,
)
from tandem.web.templating import render

CycleName = Annotated[str | None, Query(max_length=200, description="a review cycle's name")]
PRACTICE_NAMES = {p.id: p.name for p in PRACTICES}
NON_ANSWER_FIELDS = frozenset({"csrf_token", "cycle"})


def _path_int(raw: str, what: str) -> int:
    if not (raw.isascii() and raw.isdigit()):
        raise NotFoundError(f"{what} {raw!r} is not an id")
    return int(raw)


def _cycle_or_none(db: Session, name: str | None) -> ReviewCycle | None:
    try:
        return profile_service.resolve_cycle(session=db, name=name)
    except NotFoundError:
        return None


def profile_resource(request: Request, db: Session, _user: UserOut) -> Resource | None:
    """``/people/{person_id}``: the person, their line manager, and whether the cycle is shared."""
    raw = request.path_params.get("person_id")
    if raw is None:
        return None  # /people/me…: one's own
    person_id = _path_int(str(raw), "person")
    person = db.get(Person, person_id)
    if person is None:
        return PersonResource(person_id)
    cycle = _cycle_or_none(db, request.query_params.get("cycle"))
    shared = cycle is not None and sharing.is_shared_with_manager(
        session=db, cycle_id=cycle.id, person_id=person.id
    )
    return PersonResource(person.id, person.manager_id, shared)


def rating_resource(request: Request, db: Session, user: UserOut) -> Resource | None:
    """``/people/rate/{person_id}``: the viewer's assignment to rate that person, if any."""
    raw = request.path_params.get("person_id")
    if raw is None or user.person_id is None:
        return None  # the list of one's own assignments; the rule needs a linked person
    ratee_id = _path_int(str(raw), "person")
    if ratee_id == user.person_id:
        return RatingResource(user.person_id, ratee_id)  # refused: use /people/me/assessment
    assignment = forms.find_assignment(
        session=db,
        rater_id=user.person_id,
        ratee_id=ratee_id,
        cycle=request.query_params.get("cycle"),
    )
    if assignment is None:
        raise PermissionDeniedError("you are not assigned to rate this person in an open cycle")
    return RatingResource(assignment.rater_id, assignment.ratee_id)


profile = APIRouter(dependencies=[Depends(requires(VIEW_PROFILE, profile_resource))])
rate = APIRouter(dependencies=[Depends(requires(RATE_COLLEAGUE, rating_resource))])


# -- shapes ----------------------------------------------------------------------------------------


class ProfilePageOut(BaseModel):
    """A profile as a page shows it: the numbers, the sharing choice, the chart and the cycles."""

    profile: ProfileOut
    sharing: sharing.ShareOut
    viewer_is_owner: bool
    cycles: list[str]  # cycles the person is rated in, newest first
    chart: dict[str, Any]  # a Vega-Lite spec of the ten practices


class ShareIn(BaseModel):
    """Share my report of ``cycle`` with my manager (``shared``), or take it back."""

    cycle: str | None = Field(default=None, max_length=200)
    shared: bool


class ProgressIn(BaseModel):
    """Progress on one of my plan's actions."""

    action_id: int
    status: str = Field(max_length=10)
    note: str = Field(default="", max_length=4000)


class AnswersIn(BaseModel):
    """Answers by item id: 1–5, ``"cant_observe"`` or ``null`` (can't observe)."""

    cycle: str | None = Field(default=None, max_length=200)
    answers: dict[str, int | str | None]


# -- the profile ---------------------------------------------------------------------------------


def _me(db: Session, user: UserOut) -> Person:
    if user.person_id is None:  # the rule refuses this already; kept for the type checker
        raise PermissionDeniedError("your account is not linked to a person")
    person = db.get(Person, user.person_id)
    if person is None:
        raise NotFoundError("your account's person no longer exists")
    return person


def rated_cycles(db: Session, person_id: int) -> list[str]:
    """Names of the cycles the person is rated in (assigned or answered about), newest first."""
    ids = set(
        db.scalars(select(ReviewAssignment.cycle_id).where(ReviewAssignment.ratee_id == person_id))
    )
    ids |= set(
        db.scalars(select(ReviewResponse.cycle_id).where(ReviewResponse.ratee_id == person_id))
    )
    cycles = db.scalars(
        select(ReviewCycle)
        .where(ReviewCycle.id.in_(ids))
        .order_by(ReviewCycle.created_at.desc(), ReviewCycle.id.desc())
    )
    return [c.name for c in cycles]


def profile_chart(found: ProfileOut) -> dict[str, Any]:
    """A paired dot plot of the ten practices: others (with the band) and self, on 1–5.

    A dot plot rather than a radar: every practice is read against one straight 1–5 axis, the
    band fits as a bar, the order does not change the picture, and it stays legible at 375 px.
    """
    rows: list[dict[str, Any]] = []
    for practice, score in found.practices.items():
        name = f"{PRACTICE_NAMES.get(practice, practice)} ({score.side[0].upper()})"
        band = score.band or (None, None)
        rows.append(
            {"practice": name, "who": "others", "score": score.others, "lo": band[0], "hi": band[1]}
        )
        if found.self_included:
            rows.append({"practice": name, "who": "self", "score": score.self_score})
    order = [
        f"{PRACTICE_NAMES.get(p, p)} ({s.side[0].upper()})" for p, s in found.practices.items()
    ]
    x = {"type": "quantitative", "scale": {"domain": [1, 5]}}
    return {
        "description": "Each practice's score by others (with its band) and by self, from 1 to 5",
        "width": "container",
        "height": 26 * len(order),
        "data": {"values": rows},
        "encoding": {"y": {"field": "practice", "type": "nominal", "sort": order, "title": None}},
        "layer": [
            {
                "transform": [{"filter": {"field": "lo", "valid": True}}],
                "mark": {"type": "rule", "strokeWidth": 7, "opacity": 0.3, "color": "#1d4ed8"},
                "encoding": {
                    "x": {"field": "lo", **x, "title": "1 never · 3 sometimes · 5 almost always"},
                    "x2": {"field": "hi"},
                },
            },
            {
                "transform": [{"filter": {"field": "score", "valid": True}}],
                "mark": {"type": "point", "filled": True, "size": 110},
                "encoding": {
                    "x": {"field": "score", **x},
                    "color": {
                        "field": "who",
                        "type": "nominal",
                        "scale": {"domain": ["others", "self"], "range": ["#1d4ed8", "#b45309"]},
                        "legend": {"title": None, "orient": "top"},
                    },
                    "shape": {
                        "field": "who",
                        "type": "nominal",
                        "scale": {"domain": ["others", "self"], "range": ["circle", "diamond"]},
                    },
                },
            },
        ],
    }


def profile_page_data(
    db: Session, person: Person, cycle_name: str | None, *, viewer_is_owner: bool
) -> ProfilePageOut:
    """The profile of ``person`` for the cycle (default: the latest closed), as pages show it."""
    cycle = profile_service.resolve_cycle(session=db, name=cycle_name)
    found = profile_service.person_profile(
        session=db, person=person, cycle=cycle, include_self=viewer_is_owner
    )
    return ProfilePageOut(
        profile=found,
        sharing=sharing.share_state(session=db, cycle=cycle, person_id=person.id),
        viewer_is_owner=viewer_is_owner,
        cycles=rated_cycles(db, person.id),
        chart=profile_chart(found),
    )


def _profile_context(data: ProfilePageOut) -> dict[str, Any]:
    return {"data": data, "p": data.profile, "names": PRACTICE_NAMES}


@profile.get("/people/me", include_in_schema=False)
def my_profile_page(
    request: Request, db: DbSession, user: CurrentUser, cycle: CycleName = None
) -> Response:
    """My profile: the ten practices self vs others, groups, L/M, leaning, the share toggle."""
    person = _me(db, user)
    try:
        data = profile_page_data(db, person, cycle, viewer_is_owner=True)
    except NotFoundError as exc:
        context = {"message": exc.message, "cycles": rated_cycles(db, person.id)}
        return render(request, "people/no_profile.html", context)
    return render(request, "people/profile.html", _profile_context(data))


@profile.get("/api/people/me")
def my_profile(db: DbSession, user: CurrentUser, cycle: CycleName = None) -> ProfilePageOut:
    """My profile for a cycle (default: the latest closed), with my sharing choice."""
    return profile_page_data(db, _me(db, user), cycle, viewer_is_owner=True)


def _share(db: Session, user: UserOut, cycle_name: str | None, shared: bool) -> sharing.ShareOut:
    person = _me(db, user)
    cycle = profile_service.resolve_cycle(session=db, name=cycle_name)
    return sharing.set_shared(session=db, cycle=cycle, person_id=person.id, shared=shared)


@profile.post("/people/me/share", include_in_schema=False)
def share_page(
    db: DbSession,
    user: CurrentUser,
    shared: Annotated[str, Form(max_length=5)],
    cycle: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    """The share toggle: ``shared=1`` shares my report with my manager, ``0`` takes it back."""
    if shared not in ("0", "1"):
        raise InputError("shared must be 0 or 1", field="shared")
    result = _share(db, user, cycle, shared == "1")
    return RedirectResponse(f"/people/me?cycle={_q(result.cycle)}", status_code=303)


@profile.post("/api/people/me/share")
def share(db: DbSession, user: CurrentUser, body: ShareIn) -> sharing.ShareOut:
    """Share my report of a cycle with my manager, or take it back."""
    return _share(db, user, body.cycle, body.shared)


def _q(value: str) -> str:
    return quote(value, safe="")


# -- the plan ------------------------------------------------------------------------------------


def _plan(db: Session, user: UserOut, cycle_name: str | None) -> PlanOut:
    person = _me(db, user)
    cycle = profile_service.resolve_cycle(session=db, name=cycle_name)
    return plans_service.get_or_create_plan(session=db, person=str(person.id), cycle=cycle.name)


@profile.get("/people/me/plan", include_in_schema=False)
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


@profile.get("/api/people/me/plan")
def my_plan(db: DbSession, user: CurrentUser, cycle: CycleName = None) -> PlanOut:
    """My development plan for a cycle; made on the first request when the profile allows one."""
    return _plan(db, user, cycle)


def _progress(db: Session, user: UserOut, body: ProgressIn) -> ActionOut:
    action = db.get(PlanAction, body.action_id)
    if action is None or action.plan.person_id != user.person_id:
        raise NotFoundError(f"you have no plan action {body.action_id}")
    return plans_service.record_progress(
        session=db, action_id=action.id, status=body.status, note=body.note
    )


@profile.post("/people/me/plan/progress", include_in_schema=False)
def progress_page(
    db: DbSession,
    user: CurrentUser,
    action_id: Annotated[int, Form()],
    status: Annotated[str, Form(max_length=10)],
    note: Annotated[str, Form(max_length=4000)] = "",
    cycle: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    """Record progress on one of my plan's actions, then back to the plan."""
    done = _progress(db, user, ProgressIn(action_id=action_id, status=status, note=note))
    target = "/people/me/plan" + (f"?cycle={_q(cycle)}" if cycle else "")
    return RedirectResponse(f"{target}#action-{done.id}", status_code=303)


@profile.post("/api/people/me/plan/progress")
def progress(db: DbSession, user: CurrentUser, body: ProgressIn) -> ActionOut:
    """Record progress (doing, done, dropped, with a note) on one of my plan's actions."""
    return _progress(db, user, body)


# -- rating forms (the self-assessment is the same form with me as ratee) ------------------------


def _form_answers(items: list[tuple[str, Any]]) -> dict[str, object]:
    answers: dict[str, object] = {}
    repeated: dict[str, str] = {}
    for key, value in items:
        if key in NON_ANSWER_FIELDS:
            continue
        if key in answers:
            repeated[key] = "is given more than once"
        answers[key] = value
    if repeated:
        raise forms.AnswerFormError(repeated)
    return answers


def _render_form(
    request: Request,
    form: forms.RatingFormOut,
    *,
    action: str,
    saved: forms.SaveReport | None = None,
    error: forms.AnswerFormError | None = None,
    submitted: Mapping[str, object] | None = None,
) -> Response:
    context = {
        "form": form,
        "action": action,
        "saved": saved,
        "error": error,
        "problems": error.problems if error else {},
        "submitted": {k: str(v) for k, v in (submitted or {}).items()},
        "cant": forms.CANT_OBSERVE,
        "is_self": form.ratee_id == form.rater_id,
    }
    return render(request, "people/rate_form.html", context, status_code=400 if error else 200)


async def _form_post(
    request: Request, db: Session, rater_id: int, ratee_id: int, action: str
) -> Response:
    raw = await request.form()
    cycle = raw.get("cycle")
    cycle_name = cycle if isinstance(cycle, str) and cycle else None
    try:
        answers = _form_answers(list(raw.multi_items()))
        saved = await run_in_threadpool(
            forms.save_answers,
            session=db,
            rater_id=rater_id,
            ratee_id=ratee_id,
            answers=answers,
            cycle=cycle_name,
        )
    except forms.AnswerFormError as exc:
        form = await run_in_threadpool(
            forms.rating_form, session=db, rater_id=rater_id, ratee_id=ratee_id, cycle=cycle_name
        )
        return _render_form(request, form, action=action, error=exc, submitted=dict(raw.items()))
    form = await run_in_threadpool(
        forms.rating_form, session=db, rater_id=rater_id, ratee_id=ratee_id, cycle=saved.cycle
    )
    return _render_form(request, form, action=action, saved=saved)


@profile.get("/people/me/assessment", include_in_schema=False)
def self_assessment_page(
    request: Request, db: DbSession, user: CurrentUser, cycle: CycleName = None
) -> Response:
    """My self-assessment: the rating form about myself."""
    me = _me(db, user)
    form = forms.rating_form(session=db, rater_id=me.id, ratee_id=me.id, cycle=cycle)
    return _render_form(request, form, action="/people/me/assessment")


@profile.post("/people/me/assessment", include_in_schema=False)
async def save_self_assessment_page(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """Save my self-assessment answers."""
    me = await run_in_threadpool(_me, db, user)
    return await _form_post(request, db, me.id, me.id, "/people/me/assessment")


@profile.get("/api/people/me/assessment")
def self_assessment(
    db: DbSession, user: CurrentUser, cycle: CycleName = None
) -> forms.RatingFormOut:
    """My self-assessment form with the answers stored so far."""
    me = _me(db, user)
    return forms.rating_form(session=db, rater_id=me.id, ratee_id=me.id, cycle=cycle)


@profile.post("/api/people/me/assessment")
def save_self_assessment(db: DbSession, user: CurrentUser, body: AnswersIn) -> forms.SaveReport:
    """Save my self-assessment answers (upsert; items left out keep their answer)."""
    me = _me(db, user)
    return forms.save_answers(
        session=db, rater_id=me.id, ratee_id=me.id, answers=body.answers, cycle=body.cycle
    )


@rate.get("/people/rate", include_in_schema=False)
def to_rate_page(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """Colleagues I am asked to rate in open cycles (and my own self-assessment)."""
    items = forms.open_assignments(session=db, rater_id=user.person_id) if user.person_id else []
    return render(request, "people/rate_list.html", {"assignments": items, "me": user.person_id})


@rate.get("/api/people/rate")
def to_rate(db: DbSession, user: CurrentUser) -> list[forms.AssignmentToRate]:
    """Everyone I am assigned to rate in open cycles, myself included (relation ``self``)."""
    return forms.open_assignments(session=db, rater_id=user.person_id) if user.person_id else []


def _rater(user: UserOut) -> int:
    if user.person_id is None:  # the rule refuses this already
        raise PermissionDeniedError("your account is not linked to a person")
    return user.person_id


@rate.get("/people/rate/{person_id}", include_in_schema=False)
def rating_page(
    request: Request, db: DbSession, user: CurrentUser, person_id: str, cycle: CycleName = None
) -> Response:
    """The rating form for a colleague I am assigned to."""
    ratee = _path_int(person_id, "person")
    form = forms.rating_form(session=db, rater_id=_rater(user), ratee_id=ratee, cycle=cycle)
    return _render_form(request, form, action=f"/people/rate/{ratee}")


@rate.post("/people/rate/{person_id}", include_in_schema=False)
async def save_rating_page(
    request: Request, db: DbSession, user: CurrentUser, person_id: str
) -> Response:
    """Save my answers about a colleague."""
    ratee = _path_int(person_id, "person")
    return await _form_post(request, db, _rater(user), ratee, f"/people/rate/{ratee}")


@rate.get("/api/people/rate/{person_id}")
def rating(
    db: DbSession, user: CurrentUser, person_id: str, cycle: CycleName = None
) -> forms.RatingFormOut:
    """The rating form for a colleague I am assigned to, with my answers so far."""
    ratee = _path_int(person_id, "person")
    return forms.rating_form(session=db, rater_id=_rater(user), ratee_id=ratee, cycle=cycle)


@rate.post("/api/people/rate/{person_id}")
def save_rating(
    db: DbSession, user: CurrentUser, person_id: str, body: AnswersIn
) -> forms.SaveReport:
    """Save my answers about a colleague (upsert; items left out keep their answer)."""
    ratee = _path_int(person_id, "person")
    return forms.save_answers(
        session=db, rater_id=_rater(user), ratee_id=ratee, answers=body.answers, cycle=body.cycle
    )


# -- someone's profile (the owner, or their manager once shared) ---------------------------------


def _person_profile(
    db: Session, user: UserOut, person_id: str, cycle: str | None
) -> ProfilePageOut:
    found = db.get(Person, _path_int(person_id, "person"))
    if found is None:
        raise NotFoundError(f"no person {person_id}")
    return profile_page_data(db, found, cycle, viewer_is_owner=found.id == user.person_id)


@profile.get("/people/{person_id}", include_in_schema=False)
def person_page(
    request: Request, db: DbSession, user: CurrentUser, person_id: str, cycle: CycleName = None
) -> Response:
    """A profile: one's own, or a report's once they shared it (others' view only)."""
    data = _person_profile(db, user, person_id, cycle)
    return render(request, "people/profile.html", _profile_context(data))


@profile.get("/api/people/{person_id}")
def person(
    db: DbSession, user: CurrentUser, person_id: str, cycle: CycleName = None
) -> ProfilePageOut:
    """A profile: one's own, or a report's once they shared it (without self ratings)."""
    return _person_profile(db, user, person_id, cycle)
