"""What the 1:1 services answer: pairs with their cadence, a meeting with its agenda (carried
items marked), actions and the notes the viewer may read."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

from tandem.manage.feedback.schemas import PersonRef


class PairOut(BaseModel):
    """A manager–report pair, its cadence and whether a 1:1 is overdue."""

    model_config = ConfigDict(frozen=True)

    id: int
    manager: PersonRef
    report: PersonRef
    partner: PersonRef  # the other person, seen from the viewer
    cadence_days: int
    last_meeting_at: dt.datetime | None
    next_meeting_at: dt.datetime | None  # the next planned meeting (after as_of), if any
    days_since: int | None  # since the last meeting held (null: none yet)
    overdue: bool
    alert: str | None


class AgendaItemOut(BaseModel):
    """An agenda point; ``carried``: raised for an earlier meeting and still open (or resolved
    at this one), with the day it was first raised."""

    model_config = ConfigDict(frozen=True)

    id: int
    text: str
    author: PersonRef | None
    status: Literal["open", "resolved"]
    first_raised_on: dt.date
    carried: bool


class ActionOut(BaseModel):
    """An action item: who does what by when, done or not."""

    model_config = ConfigDict(frozen=True)

    id: int
    text: str
    owner: PersonRef
    due_date: dt.date | None
    done: bool
    overdue: bool
    meeting_id: int


class NoteOut(BaseModel):
    """A note: shared (both read it) or private (the viewer's own: nobody else ever sees it)."""

    model_config = ConfigDict(frozen=True)

    id: int
    text: str
    private: bool
    author: PersonRef
    created_at: dt.datetime


class MeetingOut(BaseModel):
    """One meeting of the pair as the viewer sees it."""

    model_config = ConfigDict(frozen=True)

    id: int
    pair_id: int
    starts_at: dt.datetime
    minutes: int
    agenda: list[AgendaItemOut]
    actions: list[ActionOut]
    notes: list[NoteOut]


class PairDetail(BaseModel):
    """A pair with its meetings (newest first), the open actions and the current meeting."""

    model_config = ConfigDict(frozen=True)

    pair: PairOut
    meetings: list[MeetingOut]
    open_actions: list[ActionOut]


class PairList(BaseModel):
    """The viewer's pairs; ``candidates``: manager–report links with no pair yet."""

    model_config = ConfigDict(frozen=True)

    as_of: dt.date
    pairs: list[PairOut]
    candidates: list[PersonRef]


class PairCounts(BaseModel):
    """Aggregates for directors and admins: how many pairs, and the share within their cadence
    as a quartile band (:mod:`tandem.manage.bands`: never "none" or "all", which would say it of
    every pair)."""

    model_config = ConfigDict(frozen=True)

    as_of: dt.date
    pairs: int | None
    within_cadence: str | None  # a band, e.g. "75–100 %"
    withheld: str | None
