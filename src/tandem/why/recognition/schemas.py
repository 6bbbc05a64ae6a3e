"""The answers of recognition: kudos, achievements, nudges and the wins digest (pydantic)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tandem.why.scope import TeamRef

MAX_TEXT = 1000  # what was done / its impact, characters
MAX_RECIPIENTS = 20
PER_PAGE = 20
MAX_PER_PAGE = 100


class PersonRef(BaseModel):
    """A person as recognition names them."""

    model_config = ConfigDict(frozen=True)

    id: int
    name: str


class GoalRef(BaseModel):
    """The goal a kudos is linked to."""

    model_config = ConfigDict(frozen=True)

    id: int
    title: str


class KudosIn(BaseModel):
    """A kudos to give (the giver is whoever gives it: the signed-in person)."""

    model_config = ConfigDict(extra="forbid")

    recipients: list[int] = Field(min_length=1, max_length=MAX_RECIPIENTS)
    what: str = Field(max_length=MAX_TEXT)
    impact: str = Field(max_length=MAX_TEXT)
    goal_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    practice: str | None = Field(default=None, max_length=40)


class KudosOut(BaseModel):
    """A kudos: who recognised whom, what was done and its impact, and what it serves."""

    model_config = ConfigDict(frozen=True)

    id: int
    team_id: int
    given_at: dt.datetime
    giver: PersonRef | None  # null once the giver is forgotten
    recipients: list[PersonRef]
    what: str
    impact: str
    goal: GoalRef | None
    practice: str | None
    practice_name: str | None


class KudosPage(BaseModel):
    """One page of kudos, newest first."""

    model_config = ConfigDict(frozen=True)

    team: TeamRef
    person: PersonRef | None = None  # the recipient, for a person's received kudos
    page: int
    per_page: int
    total: int
    pages: int
    kudos: list[KudosOut]


AchievementKind = Literal["key_result_reached", "first_item_shipped", "bottleneck_removed"]


class Achievement(BaseModel):
    """One achievement read from the data (never stored), with the ids it rests on."""

    model_config = ConfigDict(frozen=True)

    id: str  # stable: kind and the ids it rests on
    kind: AchievementKind
    scope: Literal["team", "personal"]
    on: dt.date  # the day it holds on (the period's last day, a check-in's or the item's day)
    text: str
    goal_id: int | None = None
    key_result_id: int | None = None
    checkin_id: int | None = None
    value: float | None = None
    target: float | None = None
    direction: Literal["down", "up"] | None = None
    unit: str | None = None
    person_id: int | None = None
    item_id: str | None = None  # the work item's id in the lake
    stage_kind: Literal["edge", "activity"] | None = None
    stage: str | None = None
    rank: int | None = None
    wait_before_seconds: float | None = None
    wait_after_seconds: float | None = None


AsOfRule = Literal["asked", "lake_end", "no_work_data"]


class TeamAchievements(BaseModel):
    """A team's achievements over a period of the lake, and what could not be read and why."""

    model_config = ConfigDict(frozen=True)

    team: TeamRef
    as_of: dt.date | None  # the period's last day (null: the lake holds no work data)
    as_of_rule: AsOfRule
    first: dt.date | None
    days: int
    achievements: list[Achievement]
    withheld: list[str]  # e.g. "bottlenecks: withheld: … 3 people …", a key result's reason


class PersonalAchievements(BaseModel):
    """One person's own achievements: shown to that person only (DESIGN §7)."""

    model_config = ConfigDict(frozen=True)

    person_id: int
    achievements: list[Achievement]


class Nudge(BaseModel):
    """A member who got no kudos in the window, with a suggestion to recognise them."""

    model_config = ConfigDict(frozen=True)

    person: PersonRef
    last_kudos_on: dt.date | None
    suggestion: str


class Nudges(BaseModel):
    """The team's members without kudos in the last :data:`~.rules.NUDGE_DAYS` days."""

    model_config = ConfigDict(frozen=True)

    team: TeamRef
    today: dt.date
    first: dt.date
    days: int
    nudges: list[Nudge]


class Digest(BaseModel):
    """A team's wins over a period: its kudos and its team achievements, each with its ids.

    ``kudos``: the ones told (every recipient agreed to be named; the giver is null unless they
    agreed too); ``kudos_not_told``: how many others were given, counted only
    (:mod:`tandem.why.recognition.naming`).
    """

    model_config = ConfigDict(frozen=True)

    team: TeamRef
    first: dt.date  # the kudos period, both days included
    last: dt.date
    days: int
    kudos: list[KudosOut]
    kudos_total: int = 0
    kudos_not_told: int = 0
    achievements: TeamAchievements
