"""Trends: my practices across closed review cycles, and a report's once shared (per cycle).

``/people/me/trend`` is the viewer's own trend with their plans; ``/people/{person_id}/trend``
is someone's trend as the viewer may see it. The guard lets a viewer in when the person shared
at least one closed cycle with them; :mod:`tandem.profile.trend_service` then keeps, per cycle,
only what that viewer may see (and refuses directors and admins), so nothing here decides a
number. Every cycle shown to someone other than the person is audited as a report read.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from tandem.accounts.schemas import UserOut
from tandem.audit import service as audit
from tandem.errors import NotFoundError
from tandem.people import service as people_service
from tandem.profile import sharing, trend_service
from tandem.profile.trend_schemas import TrendOut
from tandem.web.deps import CurrentUser, DbSession
from tandem.web.people.access import PROFILE_GUARD, my_person, path_id
from tandem.web.people.profiles import PRACTICE_NAMES
from tandem.web.permissions import (
    VIEW_PROFILE,
    PersonResource,
    Resource,
    requires,
    viewer_of,
)
from tandem.web.templating import render


def trend_resource(request: Request, db: Session, user: UserOut) -> Resource | None:
    """``/people/{person_id}/trend``: the person, and the viewer as recipient when the person
    shared any closed cycle with them (the service then shows those cycles only)."""
    person_id = path_id(str(request.path_params["person_id"]), "person")
    try:
        person = people_service.get_person(session=db, person_id=person_id)
    except NotFoundError:
        return PersonResource(person_id)
    cycles, _ = trend_service.person_cycles(session=db, person_id=person.id)
    shared = user.person_id is not None and any(
        sharing.shared_with_reader(
            session=db, cycle_id=c.id, reader_id=user.person_id, people=[person.id]
        )
        for c in cycles
    )
    return PersonResource(person.id, person.manager_id, user.person_id if shared else None)


own = APIRouter(dependencies=[PROFILE_GUARD])  # /people/me/trend: before /people/{person_id}/…
by_id = APIRouter(dependencies=[Depends(requires(VIEW_PROFILE, trend_resource))])


def trend_chart(out: TrendOut) -> dict[str, Any]:
    """Each practice's others' score per cycle on one 1–5 axis, the cycles joined in order.

    The profile's dot plot with one dot per cycle (darker = later): a practice's row reads as its
    path over time, and the table below holds the same numbers with the changes.
    """
    order = [PRACTICE_NAMES.get(p, p) for p in (out.cycles[-1].practices if out.cycles else {})]
    rows = [
        {
            "practice": PRACTICE_NAMES.get(practice, practice),
            "cycle": cycle.cycle,
            "at": index,
            "score": figure.value,
        }
        for index, cycle in enumerate(out.cycles)
        for practice, figure in cycle.practices.items()
        if figure.value is not None
    ]
    x = {"type": "quantitative", "scale": {"domain": [1, 5], "padding": 8}}
    return {
        "description": "Each practice's score by others in each review cycle, from 1 to 5",
        "width": "container",
        "height": 26 * max(1, len(order)),
        "data": {"values": rows},
        "encoding": {
            "y": {"field": "practice", "type": "nominal", "sort": order, "title": None},
            "x": {"field": "score", **x, "title": "1 never · 3 sometimes · 5 almost always"},
        },
        "layer": [
            {
                "mark": {"type": "line", "color": "#94a3b8", "strokeWidth": 1.5},
                "encoding": {"detail": {"field": "practice"}, "order": {"field": "at"}},
            },
            {
                "mark": {"type": "point", "filled": True, "size": 90},
                "encoding": {
                    "color": {
                        "field": "cycle",
                        "type": "ordinal",
                        "sort": [c.cycle for c in out.cycles],
                        "scale": {"scheme": "blues"},
                        "legend": {"title": None, "orient": "top"},
                    }
                },
            },
        ],
    }


def _trend(db: Session, user: UserOut, person_id: int | None) -> TrendOut:
    if person_id is None:
        return trend_service.person_trend(session=db, person=my_person(db, user))
    try:
        person = people_service.get_person(session=db, person_id=person_id)
    except NotFoundError:
        raise NotFoundError(f"no person {person_id}") from None
    out = trend_service.person_trend(session=db, person=person, viewer=viewer_of(user))
    for cycle in out.cycles:
        audit.record_report_read(
            session=db,
            actor=audit.user_actor(user.id),
            viewer_person_id=user.person_id,
            person_id=person.id,
            cycle=cycle.cycle,
        )
    return out


def _page(request: Request, out: TrendOut) -> Response:
    context = {"t": out, "names": PRACTICE_NAMES, "chart": trend_chart(out)}
    return render(request, "people/trend.html", context)


@own.get("/people/me/trend", include_in_schema=False)
def my_trend_page(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """My practices across closed cycles: reliable changes, tied to my plans."""
    return _page(request, _trend(db, user, None))


@own.get("/api/people/me/trend")
def my_trend(db: DbSession, user: CurrentUser) -> TrendOut:
    """My trend across closed cycles: per practice, L, M and L − M, each step's reliable change,
    and my plans tied to the next cycle."""
    return _trend(db, user, None)


@by_id.get("/people/{person_id}/trend", include_in_schema=False)
def person_trend_page(
    request: Request, db: DbSession, user: CurrentUser, person_id: str
) -> Response:
    """Someone's trend: one's own, or the cycles a report shared with the viewer."""
    return _page(request, _trend(db, user, path_id(person_id, "person")))


@by_id.get("/api/people/{person_id}/trend")
def person_trend(db: DbSession, user: CurrentUser, person_id: str) -> TrendOut:
    """Someone's trend: one's own, or only the cycles they shared with the viewer (no plans)."""
    return _trend(db, user, path_id(person_id, "person"))
