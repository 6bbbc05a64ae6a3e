"""Profiles: my profile (the ten practices, self vs others), sharing it, and someone's profile.

``/people/me`` is the viewer's own profile with the share toggle; ``/people/{person_id}`` is
anyone's profile the viewer may see (their own, or a report's once shared with the manager). The
numbers come from :mod:`tandem.profile.service` and nothing else decides one.

Someone else's profile (the recorded recipient after sharing) is the others' view only: self
ratings inform the person alone (DESIGN §6), so it is computed with ``include_self=False``.
While a cycle is open its results are locked for everyone: the page shows completion counts
(:func:`tandem.profile.service.profile_view`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from tandem.accounts.schemas import UserOut
from tandem.audit import service as audit
from tandem.errors import InputError, NotFoundError
from tandem.people import service as people_service
from tandem.profile import service as profile_service
from tandem.profile import sharing
from tandem.profile.schemas import LockedProfileOut, ProfileOut
from tandem.review import service as review_service
from tandem.review.items import PRACTICES
from tandem.web.deps import CurrentUser, DbSession
from tandem.web.people.access import PROFILE_GUARD, CycleName, my_person, path_id
from tandem.web.templating import render

if TYPE_CHECKING:  # the people service hands it over; the web never queries it
    from tandem.people.models import Person

PRACTICE_NAMES = {p.id: p.name for p in PRACTICES}

own = APIRouter(dependencies=[PROFILE_GUARD])  # /people/me and its share toggle
by_id = APIRouter(dependencies=[PROFILE_GUARD])  # /people/{person_id}: after every /people/me…


class ProfilePageOut(BaseModel):
    """A profile as a page shows it: the numbers, the sharing choice, the chart and the cycles.

    In an open cycle ``profile`` and ``chart`` are ``None`` and ``locked`` holds the completion
    counts: results are locked until the cycle closes.
    """

    profile: ProfileOut | None
    locked: LockedProfileOut | None = None
    sharing: sharing.ShareOut
    viewer_is_owner: bool
    cycles: list[str]  # cycles the person is rated in, newest first
    chart: dict[str, Any] | None  # a Vega-Lite spec of the ten practices


class ShareIn(BaseModel):
    """Share my report of ``cycle`` with my manager (``shared``), or take it back."""

    cycle: str | None = Field(default=None, max_length=200)
    shared: bool


def rated_cycles(db: Session, person_id: int) -> list[str]:
    """Names of the cycles the person is rated in (assigned or answered about), newest first."""
    return review_service.rated_cycles(session=db, person_id=person_id)


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
    x = {"type": "quantitative", "scale": {"domain": [1, 5], "padding": 8}}
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
    db: Session,
    person: Person,
    cycle_name: str | None,
    *,
    viewer_is_owner: bool,
    viewer_id: int | None = None,
) -> ProfilePageOut:
    """The profile of ``person`` for the cycle (default: the latest closed), as pages show it."""
    cycle = profile_service.resolve_cycle(session=db, name=cycle_name)
    found = profile_service.profile_view(
        session=db,
        person=person,
        cycle=cycle,
        include_self=viewer_is_owner,
        viewer_id=None if viewer_is_owner else viewer_id,
    )
    locked = found if isinstance(found, LockedProfileOut) else None
    shown = found if isinstance(found, ProfileOut) else None
    return ProfilePageOut(
        profile=shown,
        locked=locked,
        sharing=sharing.share_state(session=db, cycle=cycle, person_id=person.id),
        viewer_is_owner=viewer_is_owner,
        cycles=rated_cycles(db, person.id),
        chart=None if shown is None else profile_chart(shown),
    )


def _render_profile(request: Request, data: ProfilePageOut) -> Response:
    if data.locked is not None:
        context = {"data": data, "locked": data.locked}
        return render(request, "people/profile_locked.html", context)
    return render(
        request, "people/profile.html", {"data": data, "p": data.profile, "names": PRACTICE_NAMES}
    )


@own.get("/people/me", include_in_schema=False)
def my_profile_page(
    request: Request, db: DbSession, user: CurrentUser, cycle: CycleName = None
) -> Response:
    """My profile: the ten practices self vs others, groups, L/M, leaning, the share toggle."""
    person = my_person(db, user)
    try:
        data = profile_page_data(db, person, cycle, viewer_is_owner=True)
    except NotFoundError as exc:
        context = {"message": exc.message, "cycles": rated_cycles(db, person.id)}
        return render(request, "people/no_profile.html", context)
    return _render_profile(request, data)


@own.get("/api/people/me")
def my_profile(db: DbSession, user: CurrentUser, cycle: CycleName = None) -> ProfilePageOut:
    """My profile for a cycle (default: the latest closed), with my sharing choice."""
    return profile_page_data(db, my_person(db, user), cycle, viewer_is_owner=True)


def _share(db: Session, user: UserOut, cycle_name: str | None, shared: bool) -> sharing.ShareOut:
    person = my_person(db, user)
    cycle = profile_service.resolve_cycle(session=db, name=cycle_name)
    out = sharing.set_shared(session=db, cycle=cycle, person_id=person.id, shared=shared)
    audit.record(
        session=db,
        actor=audit.user_actor(user.id),
        action="report.share" if shared else "report.unshare",
        subject_person_id=person.id,
        related_person_id=out.shared_with_id,  # the recipient (none once taken back)
        target=f"cycle:{cycle.id}",
        detail={"cycle_id": cycle.id},
    )
    return out


@own.post("/people/me/share", include_in_schema=False)
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
    return RedirectResponse(f"/people/me?cycle={quote(result.cycle, safe='')}", status_code=303)


@own.post("/api/people/me/share")
def share(db: DbSession, user: CurrentUser, body: ShareIn) -> sharing.ShareOut:
    """Share my report of a cycle with my manager, or take it back."""
    return _share(db, user, body.cycle, body.shared)


def _person_profile(
    db: Session, user: UserOut, person_id: str, cycle: str | None
) -> ProfilePageOut:
    try:
        found = people_service.get_person(session=db, person_id=path_id(person_id, "person"))
    except NotFoundError:
        raise NotFoundError(f"no person {person_id}") from None
    data = profile_page_data(
        db, found, cycle, viewer_is_owner=found.id == user.person_id, viewer_id=user.person_id
    )
    if data.profile is not None:  # a locked view shows completion counts only
        audit.record_report_read(
            session=db,
            actor=audit.user_actor(user.id),
            viewer_person_id=user.person_id,
            person_id=found.id,
            cycle=data.profile.cycle,
        )
    return data


@by_id.get("/people/{person_id}", include_in_schema=False)
def person_page(
    request: Request, db: DbSession, user: CurrentUser, person_id: str, cycle: CycleName = None
) -> Response:
    """A profile: one's own, or a report's once they shared it (others' view only)."""
    data = _person_profile(db, user, person_id, cycle)
    return _render_profile(request, data)


@by_id.get("/api/people/{person_id}")
def person(
    db: DbSession, user: CurrentUser, person_id: str, cycle: CycleName = None
) -> ProfilePageOut:
    """A profile: one's own, or a report's once they shared it (without self ratings)."""
    return _person_profile(db, user, person_id, cycle)
