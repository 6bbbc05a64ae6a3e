"""What the conflict-case services take and answer. A case is shown only to its parties and
its facilitator; each party's satisfaction only to that party."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tandem.manage.conflicts.modes import Suggestion

MAX_ISSUE = 2000
MAX_TEXT = 4000
MAX_ITEM = 500
MAX_ITEMS = 30
MAX_PARTIES = 10

Kind = Literal["task", "process", "relationship", "status"]
Status = Literal["open", "in_mediation", "agreed", "closed", "escalated"]
Mode = Literal["competing", "collaborating", "compromising", "avoiding", "accommodating"]
Power = Literal["balanced", "unequal"]


class CaseIn(BaseModel):
    """A new case (JSON body); people by id or email. The facilitator defaults to the viewer."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind
    issue: str = Field(max_length=MAX_ISSUE)
    parties: list[str] = Field(min_length=2, max_length=MAX_PARTIES)
    facilitator: str | None = Field(default=None, max_length=320)
    time_pressure: int = Field(default=3, ge=1, le=5)
    power_balance: Power = "balanced"
    relationship_importance: int = Field(default=3, ge=1, le=5)


class CaseUpdate(BaseModel):
    """The facilitator's changes (JSON body): only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    issue: str | None = Field(default=None, max_length=MAX_ISSUE)
    status: Status | None = None
    facts: list[str] | None = Field(default=None, max_length=MAX_ITEMS)
    options: list[str] | None = Field(default=None, max_length=MAX_ITEMS)
    checklist: list[str] | None = Field(default=None, max_length=MAX_ITEMS)
    chosen_mode: Mode | None = None
    rationale: str | None = Field(default=None, max_length=MAX_TEXT)
    agreement: str | None = Field(default=None, max_length=MAX_TEXT)
    time_pressure: int | None = Field(default=None, ge=1, le=5)
    power_balance: Power | None = None
    relationship_importance: int | None = Field(default=None, ge=1, le=5)


class PartyUpdate(BaseModel):
    """A party's own entries (JSON body): position, interests, stake and satisfaction."""

    model_config = ConfigDict(extra="forbid")

    position: str | None = Field(default=None, max_length=MAX_TEXT)
    interests: str | None = Field(default=None, max_length=MAX_TEXT)
    importance: int | None = Field(default=None, ge=1, le=5)
    satisfaction: int | None = Field(default=None, ge=1, le=5)


class FollowUpIn(BaseModel):
    """A follow-up (JSON body): what, by when, optionally who (one of the case's people)."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=MAX_ITEM)
    due_on: dt.date
    owner: str | None = Field(default=None, max_length=320)


class PartyOut(BaseModel):
    """A party as the case's people see them; ``satisfaction`` only on the viewer's own row."""

    model_config = ConfigDict(frozen=True)

    person_id: int
    name: str
    position: str
    interests: str
    importance: int
    satisfaction: int | None
    me: bool


class CheckStep(BaseModel):
    """One step of the interest-based checklist and whether it is ticked."""

    model_config = ConfigDict(frozen=True)

    key: str
    step: str
    ticked: bool


class FollowUpOut(BaseModel):
    """A follow-up; ``overdue`` when not done past its day."""

    model_config = ConfigDict(frozen=True)

    id: int
    text: str
    due_on: dt.date
    owner: str | None
    done: bool
    overdue: bool


class Satisfaction(BaseModel):
    """The facilitator's view of the parties' satisfaction: how many answered and, from 3
    answers on, their mean (with 2 parties a mean and one's own would reveal the other's)."""

    model_config = ConfigDict(frozen=True)

    answered: int
    parties: int
    mean: float | None
    withheld: str | None


class CaseOut(BaseModel):
    """A case as its parties and facilitator see it."""

    model_config = ConfigDict(frozen=True)

    id: int
    kind: str
    issue: str
    status: str
    my_role: Literal["facilitator", "party"]
    facilitator: str | None
    facilitator_id: int | None
    parties: list[PartyOut]
    time_pressure: int
    power_balance: str
    relationship_importance: int
    suggestion: Suggestion
    chosen_mode: str | None
    rationale: str
    facts: list[str]
    options: list[str]
    checklist: list[CheckStep]
    agreement: str
    follow_ups: list[FollowUpOut]
    opened_on: dt.date
    agreed_on: dt.date | None
    days_open: int
    satisfaction: Satisfaction | None  # the facilitator's view only
    reminder: str | None  # the escalation reminder, to the facilitator only


class CaseSummary(BaseModel):
    """One line of the viewer's cases."""

    model_config = ConfigDict(frozen=True)

    id: int
    kind: str
    status: str
    issue: str
    my_role: Literal["facilitator", "party"]
    opened_on: dt.date
    days_open: int
    reminder: str | None


class CaseList(BaseModel):
    """The cases the viewer takes part in, and the escalation reminders among them."""

    model_config = ConfigDict(frozen=True)

    as_of: dt.date
    cases: list[CaseSummary]
    reminders: list[str]
