"""The answers of the goals service: a team's vision, its goals, key results and their progress.

One :class:`TeamGoals` answer holds everything a page, the API and the brief show about a
team's goals, so no two numbers disagree. Values are in the key result's unit; a value is
``None`` when it is unknown or withheld (``withheld`` says why), never 0.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

from tandem.why.goals.metrics import MetricSpec
from tandem.why.goals.progress import Track
from tandem.why.scope import TeamRef

AsOfRule = Literal["goal_end", "lake_end", "asked"]


class VisionOut(BaseModel):
    """A team's vision statement and its postcard from the future."""

    model_config = ConfigDict(frozen=True)

    team_id: int
    statement: str
    postcard: str
    horizon: dt.date | None
    updated_at: dt.datetime
    updated_by: str | None


class CheckInOut(BaseModel):
    """A check-in: confidence 0–10 that the key result will be reached, a note, and for a manual
    key result the value entered."""

    model_config = ConfigDict(frozen=True)

    id: int
    key_result_id: int
    checked_at: dt.datetime
    confidence: int
    note: str
    value: float | None
    author: str | None


class HistoryPoint(BaseModel):
    """The key result's value on one day: the metric over the window ending that day, or a
    manual key result's check-in value."""

    model_config = ConfigDict(frozen=True)

    day: dt.date
    value: float | None
    n: int | None = None  # what a metric value rests on (items, deployments …)
    withheld: str | None = None


class KeyResultDef(BaseModel):
    """A key result as defined: its metric contract (or manual), baseline, target, direction."""

    model_config = ConfigDict(frozen=True)

    id: int
    goal_id: int
    title: str
    kind: Literal["metric", "manual"]
    metric: MetricSpec | None
    metric_text: str | None  # the contract in words
    unit: str
    direction: Literal["down", "up"]
    baseline: float | None
    target: float


class KeyResultOut(KeyResultDef):
    """A key result with its value on ``as_of``, its progress and its history."""

    as_of: dt.date
    value: float | None
    n: int | None
    withheld: str | None
    progress: float | None
    reached: bool
    track: Track
    history: list[HistoryPoint]
    latest_checkin: CheckInOut | None
    checkins: list[CheckInOut]


class GoalBrief(BaseModel):
    """A goal without its progress (the list)."""

    model_config = ConfigDict(frozen=True)

    id: int
    team_id: int
    title: str
    why: str
    starts_on: dt.date
    ends_on: dt.date
    target_share: float | None
    owner_id: int | None
    owner: str | None
    status: Literal["active", "achieved", "dropped"]
    key_results: int


class GoalProgress(BaseModel):
    """A goal with each key result's value, progress, status and history on ``as_of``."""

    model_config = ConfigDict(frozen=True)

    goal: GoalBrief
    as_of: dt.date
    as_of_rule: AsOfRule
    elapsed: float  # share of the goal's period gone by on as_of
    progress: float | None  # the mean of its key results' known progress
    track: Track  # its worst key result's status
    key_results: list[KeyResultOut]


class TeamGoals(BaseModel):
    """A team's vision and goals with their progress: the one answer of the goals page."""

    model_config = ConfigDict(frozen=True)

    team: TeamRef
    lake_last_day: dt.date | None
    vision: VisionOut | None
    goals: list[GoalProgress]
    target_share_total: float  # of the active goals
