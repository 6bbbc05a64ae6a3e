"""What the concerns services answer. An anonymous item carries no author field value on any
surface: ``author`` is null and ``anonymous`` true."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tandem.manage.concerns.rules import MAX_ANSWER, MAX_TEXT
from tandem.why.scope import TeamRef


class ConcernIn(BaseModel):
    """A new concern or question (JSON body)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["concern", "question"] = "question"
    text: str = Field(max_length=MAX_TEXT)
    anonymous: bool = False


class AnswerIn(BaseModel):
    """An answer (JSON body)."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=MAX_ANSWER)


class AnswerOut(BaseModel):
    """One answer: who answered (a manager or the leader of the team) and when."""

    model_config = ConfigDict(frozen=True)

    id: int
    answerer: str | None  # null once the answerer is forgotten
    text: str
    answered_at: dt.datetime


class ConcernOut(BaseModel):
    """One item as the team sees it; ``author`` is null for an anonymous item."""

    model_config = ConfigDict(frozen=True)

    id: int
    team_id: int
    kind: str
    text: str
    anonymous: bool
    author: str | None
    mine: bool  # the viewer raised it by name
    raised_on: dt.date
    status: str
    days_open: int | None  # open items: whole days since raised
    days_to_first_answer: float | None
    answers: list[AnswerOut]


class Raised(BaseModel):
    """A raised item and, for an anonymous one, its receipt: shown once, never stored."""

    model_config = ConfigDict(frozen=True)

    item: ConcernOut
    receipt: str | None
    note: str | None


class Board(BaseModel):
    """A team's items with the team aggregates: time to first answer and the aging of the open.

    ``anonymous_allowed``: whether the team is big enough to raise an item anonymously now.
    """

    model_config = ConfigDict(frozen=True)

    team: TeamRef
    as_of: dt.date
    members: int
    anonymous_allowed: bool
    can_answer: bool
    open: int
    answered: int
    closed: int
    median_days_to_answer: float | None
    p85_days_to_answer: float | None
    aging: dict[str, int]
    items: list[ConcernOut]


class TeamCounts(BaseModel):
    """A team's counts and time-to-answer aggregates (directors; no text, no author)."""

    model_config = ConfigDict(frozen=True)

    team: TeamRef
    open: int
    answered: int
    closed: int
    median_days_to_answer: float | None
    p85_days_to_answer: float | None
    withheld: str | None
    aging: dict[str, int]


class Overview(BaseModel):
    """Every team's counts (directors and admins): no item, no text, no author."""

    model_config = ConfigDict(frozen=True)

    as_of: dt.date
    teams: list[TeamCounts]
