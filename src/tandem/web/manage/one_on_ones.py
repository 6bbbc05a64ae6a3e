"""1:1 pages (``/manage/one-on-ones…``) and their JSON twins (``/api/manage/one-on-ones…``).

A pair's page shows its meetings (newest first) with the agenda (carried items marked with the
day they were first raised), actions and notes, the open actions, the cadence alert and the
.ics link. Every read and write goes through :mod:`tandem.manage.one_on_ones.service`, which
admits the pair's two people only and shows a private note to its author alone; the route
guard only admits people in a team role. Times in forms are UTC unless they carry an offset.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from tandem.accounts.schemas import UserOut
from tandem.audit import service as audit
from tandem.errors import InputError
from tandem.ids import as_id
from tandem.manage.one_on_ones import rules, service
from tandem.manage.one_on_ones.schemas import (
    ActionOut,
    AgendaItemOut,
    MeetingOut,
    NoteOut,
    PairCounts,
    PairDetail,
    PairList,
    PairOut,
)
from tandem.web.deps import CurrentUser, DbSession, Id
from tandem.web.permissions import USE_ONE_ON_ONES, VIEW_MANAGE_COUNTS, requires, viewer_of
from tandem.web.templating import render

PATH = "/manage/one-on-ones"
API = "/one-on-ones"

page = APIRouter(dependencies=[Depends(requires(USE_ONE_ON_ONES))], include_in_schema=False)
api = APIRouter(
    prefix="/api/manage", tags=["manage"], dependencies=[Depends(requires(USE_ONE_ON_ONES))]
)
counts_api = APIRouter(
    prefix="/api/manage", tags=["manage"], dependencies=[Depends(requires(VIEW_MANAGE_COUNTS))]
)

Short = Annotated[str, Form(max_length=40)]
AgendaText = Annotated[str, Form(max_length=rules.MAX_AGENDA_TEXT)]


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _actor(user: UserOut) -> str:
    return audit.user_actor(user.id)


def _id(value: str, field: str) -> int:
    found = as_id(value.strip())
    if found is None:
        raise InputError(f"{value!r} is not an id", field=field)
    return found


def _int(value: str, field: str) -> int:
    text = value.strip()
    if not text.isdigit() or len(text) > 4:
        raise InputError(f"{value!r} is not a whole number", field=field)
    return int(text)


def _instant(value: str, field: str = "starts_at") -> dt.datetime:
    try:
        at = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise InputError(
            f"{value!r} is not a date and time (YYYY-MM-DDTHH:MM)", field=field
        ) from None
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)


def _day(value: str, field: str) -> dt.date | None:
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"{value!r} is not a date (YYYY-MM-DD)", field=field) from None


def _back(pair_id: int, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"{PATH}/{pair_id}{anchor}", status_code=303)


# -- pages -------------------------------------------------------------------------------------


@page.get(PATH)
def pairs_page(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """The viewer's 1:1 pairs with their cadence alerts, and the pairs they may start."""
    listed = service.list_pairs(session=db, viewer=viewer_of(user), as_of=_today())
    return render(request, "manage/one_on_ones.html", {"listed": listed})


@page.post(PATH)
def start_page(
    db: DbSession,
    user: CurrentUser,
    other: Short,
    cadence_days: Short = str(rules.DEFAULT_CADENCE_DAYS),
) -> Response:
    """Start the 1:1 pair with one's direct report or line manager."""
    out = service.start_pair(
        session=db, viewer=viewer_of(user), other=_id(other, "other"),
        cadence_days=_int(cadence_days, "cadence_days"), actor=_actor(user),
    )  # fmt: skip
    return _back(out.id)


@page.get(f"{PATH}/{{pair_id}}")
def pair_page(request: Request, db: DbSession, user: CurrentUser, pair_id: Id) -> Response:
    """One pair: meetings with agenda, actions and notes; open actions; cadence; the .ics."""
    detail = service.pair_detail(
        session=db, viewer=viewer_of(user), pair_id=pair_id, as_of=_today()
    )
    return render(request, "manage/one_on_one.html", {"d": detail, "me": user.person_id})


@page.post(f"{PATH}/{{pair_id}}/meetings")
def meeting_page(
    db: DbSession, user: CurrentUser, pair_id: Id, starts_at: Short, minutes: Short = "30"
) -> Response:
    """Plan (or record) a meeting."""
    out = service.add_meeting(
        session=db, viewer=viewer_of(user), pair_id=pair_id, starts_at=_instant(starts_at),
        minutes=_int(minutes, "minutes"),
    )  # fmt: skip
    return _back(pair_id, f"#meeting-{out.id}")


@page.post(f"{PATH}/{{pair_id}}/agenda")
def agenda_page(
    db: DbSession, user: CurrentUser, pair_id: Id, text: AgendaText, meeting_id: Short = ""
) -> Response:
    """Put a point on the agenda (default: the next meeting)."""
    service.add_agenda_item(
        session=db, viewer=viewer_of(user), pair_id=pair_id, text=text,
        meeting_id=_id(meeting_id, "meeting_id") if meeting_id.strip() else None,
    )  # fmt: skip
    return _back(pair_id)


@page.post(f"{PATH}/{{pair_id}}/agenda/{{item_id}}/resolve")
def resolve_page(
    db: DbSession, user: CurrentUser, pair_id: Id, item_id: Id, reopen: Short = ""
) -> Response:
    """Resolve an agenda item at the current meeting (or reopen it)."""
    service.resolve_item(session=db, viewer=viewer_of(user), item_id=item_id, reopen=reopen == "1")
    return _back(pair_id)


@page.post(f"{PATH}/{{pair_id}}/actions")
def action_page(
    db: DbSession,
    user: CurrentUser,
    pair_id: Id,
    owner: Short,
    text: AgendaText,
    due_date: Short = "",
) -> Response:
    """An action item for one of the pair, with an optional due date."""
    service.add_action(
        session=db, viewer=viewer_of(user), pair_id=pair_id, owner=_id(owner, "owner"),
        text=text, due_date=_day(due_date, "due_date"),
    )  # fmt: skip
    return _back(pair_id, "#open-actions")


@page.post(f"{PATH}/{{pair_id}}/actions/{{action_id}}/done")
def done_page(
    db: DbSession, user: CurrentUser, pair_id: Id, action_id: Id, undo: Short = ""
) -> Response:
    """Tick an action item done (or not done)."""
    service.set_action_done(
        session=db, viewer=viewer_of(user), action_id=action_id, done=undo != "1"
    )
    return _back(pair_id, "#open-actions")


@page.post(f"{PATH}/{{pair_id}}/notes")
def note_page(
    db: DbSession,
    user: CurrentUser,
    pair_id: Id,
    meeting_id: Short,
    text: Annotated[str, Form(max_length=rules.MAX_TEXT)],
    private: Short = "",
) -> Response:
    """A note on a meeting: shared, or private to oneself."""
    meeting = _id(meeting_id, "meeting_id")
    out = service.meeting_view(session=db, viewer=viewer_of(user), meeting_id=meeting)
    if out.pair_id != pair_id:
        raise InputError(f"meeting {meeting} is not one of pair {pair_id}", field="meeting_id")
    service.add_note(session=db, viewer=viewer_of(user), meeting_id=meeting, text=text,
                     private=private == "1")  # fmt: skip
    return _back(pair_id, f"#meeting-{meeting}")


@page.post(f"{PATH}/{{pair_id}}/cadence")
def cadence_page(db: DbSession, user: CurrentUser, pair_id: Id, cadence_days: Short) -> Response:
    """Change how often the pair meets."""
    service.set_cadence(
        session=db, viewer=viewer_of(user), pair_id=pair_id,
        cadence_days=_int(cadence_days, "cadence_days"), actor=_actor(user),
    )  # fmt: skip
    return _back(pair_id)


@page.get(f"{PATH}/{{pair_id}}/calendar.ics")
def calendar_file(db: DbSession, user: CurrentUser, pair_id: Id) -> Response:
    """The pair's 1:1 series as an iCalendar file (names and cadence only)."""
    body = service.pair_calendar(session=db, viewer=viewer_of(user), pair_id=pair_id)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="one-on-one-{pair_id}.ics"'},
    )


# -- API ---------------------------------------------------------------------------------------


class PairIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    other: Id
    cadence_days: int = Field(default=rules.DEFAULT_CADENCE_DAYS, ge=1, le=rules.MAX_CADENCE)


class MeetingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    starts_at: dt.datetime
    minutes: int = Field(default=30, ge=rules.MIN_MINUTES, le=rules.MAX_MINUTES)


class AgendaIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=rules.MAX_AGENDA_TEXT)
    meeting_id: Id | None = None


class ActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    owner: Id
    text: str = Field(max_length=rules.MAX_AGENDA_TEXT)
    due_date: dt.date | None = None
    meeting_id: Id | None = None


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=rules.MAX_TEXT)
    private: bool = False


@api.get(API, summary="My 1:1 pairs")
def api_pairs(db: DbSession, user: CurrentUser) -> PairList:
    """The viewer's pairs (overdue first) and roster links without a pair yet."""
    return service.list_pairs(session=db, viewer=viewer_of(user), as_of=_today())


@api.post(API, status_code=201, summary="Start a 1:1 pair")
def api_start(db: DbSession, user: CurrentUser, body: PairIn) -> PairOut:
    """Start the pair with one's direct report or line manager (the existing one if any)."""
    return service.start_pair(
        session=db, viewer=viewer_of(user), other=body.other, cadence_days=body.cadence_days,
        actor=_actor(user),
    )  # fmt: skip


@api.get(f"{API}/{{pair_id}}", summary="A 1:1 pair")
def api_pair(db: DbSession, user: CurrentUser, pair_id: Id) -> PairDetail:
    """The pair, its meetings with agenda, actions and the notes one may read."""
    return service.pair_detail(session=db, viewer=viewer_of(user), pair_id=pair_id, as_of=_today())


@api.post(f"{API}/{{pair_id}}/meetings", status_code=201, summary="Plan a 1:1")
def api_meeting(db: DbSession, user: CurrentUser, pair_id: Id, body: MeetingIn) -> MeetingOut:
    """Plan (or record) a meeting; ``starts_at`` needs a time zone."""
    return service.add_meeting(
        session=db, viewer=viewer_of(user), pair_id=pair_id, starts_at=body.starts_at,
        minutes=body.minutes,
    )  # fmt: skip


@api.post(f"{API}/{{pair_id}}/agenda", status_code=201, summary="Add an agenda item")
def api_agenda(db: DbSession, user: CurrentUser, pair_id: Id, body: AgendaIn) -> AgendaItemOut:
    """Put a point on a meeting's agenda (default: the next meeting)."""
    return service.add_agenda_item(
        session=db, viewer=viewer_of(user), pair_id=pair_id, text=body.text,
        meeting_id=body.meeting_id,
    )  # fmt: skip


@api.post(f"{API}/{{pair_id}}/actions", status_code=201, summary="Add an action item")
def api_action(db: DbSession, user: CurrentUser, pair_id: Id, body: ActionIn) -> ActionOut:
    """An action item owned by one of the pair."""
    return service.add_action(
        session=db, viewer=viewer_of(user), pair_id=pair_id, owner=body.owner, text=body.text,
        due_date=body.due_date, meeting_id=body.meeting_id,
    )  # fmt: skip


@api.get("/one-on-one-meetings/{meeting_id}", summary="A 1:1 meeting")
def api_meeting_view(db: DbSession, user: CurrentUser, meeting_id: Id) -> MeetingOut:
    """One meeting: agenda with carried items, actions, the notes one may read."""
    return service.meeting_view(session=db, viewer=viewer_of(user), meeting_id=meeting_id)


@api.post("/one-on-one-meetings/{meeting_id}/notes", status_code=201, summary="Add a note")
def api_note(db: DbSession, user: CurrentUser, meeting_id: Id, body: NoteIn) -> NoteOut:
    """A shared note, or a private one only its author will ever read."""
    return service.add_note(
        session=db, viewer=viewer_of(user), meeting_id=meeting_id, text=body.text,
        private=body.private,
    )  # fmt: skip


@counts_api.get("/counts/one-on-ones", summary="1:1 counts")
def api_counts(db: DbSession) -> PairCounts:
    """How many pairs and how many within their cadence; withheld below 5 pairs."""
    return service.counts(session=db, as_of=_today())
