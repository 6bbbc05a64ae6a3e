"""What the check-in services answer: one person's check-in, one team's check-in.

Every number a check-in page, its JSON twin or the CLI shows is in one of these answers. There
is deliberately no field for a person's work (throughput, cycle time, commits, reviews …):
DESIGN §7 keeps individual work data out of everything but the person's own flow views, and a
check-in ranks nobody.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

from tandem.manage.feedback.schemas import PersonRef
from tandem.why.goals.progress import Track
from tandem.why.scope import TeamRef


class KeyResultLine(BaseModel):
    """A key result as the goals answer measured it: value, progress and track on ``as_of``
    (a withheld value stays withheld, with the reason)."""

    model_config = ConfigDict(frozen=True)

    id: int
    title: str
    kind: Literal["metric", "manual"]
    unit: str
    direction: Literal["down", "up"]
    baseline: float | None
    target: float
    as_of: dt.date
    value: float | None
    n: int | None
    withheld: str | None
    progress: float | None
    reached: bool
    track: Track


class GoalLine(BaseModel):
    """A goal with its key results' progress (team level: the goal is the team's)."""

    model_config = ConfigDict(frozen=True)

    id: int
    team: TeamRef
    title: str
    status: Literal["active", "achieved", "dropped"]
    starts_on: dt.date
    ends_on: dt.date
    owner: str | None
    as_of: dt.date
    progress: float | None
    track: Track
    key_results: list[KeyResultLine]


class FeedbackCadence(BaseModel):
    """Feedback from the person's line manager (the feedback service's cadence rule) and how
    much the person received in the last ``count_days`` days (their manager reads all of it)
    and, to the person only, how much they gave (to others the manager may not read)."""

    model_config = ConfigDict(frozen=True)

    manager: PersonRef | None  # none: the person has no line manager today
    last_given_at: dt.datetime | None
    days_since: int | None  # null: never (or no manager)
    alert: bool
    alert_days: int
    count_days: int
    given: int | None  # null to the line manager: the person's own to see
    received: int


class OneOnOneCadence(BaseModel):
    """The 1:1 with the line manager: last meeting, cadence, the 1:1 service's overdue rule and
    the pair's open action items. With a line manager but no pair yet: overdue, with an alert."""

    model_config = ConfigDict(frozen=True)

    manager: PersonRef | None
    pair_id: int | None  # none: no pair started yet
    cadence_days: int | None
    last_meeting_at: dt.datetime | None
    days_since: int | None
    overdue: bool
    alert: str | None
    open_actions: int
    overdue_actions: int


class PersonCheckin(BaseModel):
    """One person's check-in: the goals they own, feedback and 1:1 cadence. Read by the person
    (``relation`` self) and their line manager (manager)."""

    model_config = ConfigDict(frozen=True)

    as_of: dt.date
    person: PersonRef
    relation: Literal["self", "manager"]
    goals: list[GoalLine]
    feedback: FeedbackCadence
    one_on_one: OneOnOneCadence
    reports: list[PersonRef]  # self only: one's direct reports, whose check-ins one may read


class MemberCadence(BaseModel):
    """A member's cadence as their line manager reads it on the team view."""

    model_config = ConfigDict(frozen=True)

    feedback_days: int | None  # null: never
    feedback_alert: bool
    one_on_one_days: int | None  # null: never met (or no pair)
    one_on_one_overdue: bool


class MemberRow(BaseModel):
    """A member on the team view: the name, and the cadence only for the member's line
    manager (null for everyone else). Rows are in alphabetical order, never by a figure."""

    model_config = ConfigDict(frozen=True)

    person: PersonRef
    cadence: MemberCadence | None


class TeamShares(BaseModel):
    """The team's cadence in quartile bands (``0–25 %`` … ``75–100 %``), never exact, so that
    neither "none" nor "all" is ever told; withheld below the people floor."""

    model_config = ConfigDict(frozen=True)

    feedback_within: str | None  # share of people with feedback within alert_days
    one_on_one_within: str | None  # share of people with a 1:1 within its cadence
    alert_days: int
    withheld: str | None


class TeamCheckin(BaseModel):
    """One team's check-in. ``view`` "team": its leader or manager (members by name, cadence
    rows of their own reports); "aggregate": directors and admins (no member, no name)."""

    model_config = ConfigDict(frozen=True)

    as_of: dt.date
    team: TeamRef
    view: Literal["team", "aggregate"]
    goals: list[GoalLine] | None
    goals_withheld: str | None
    members: list[MemberRow] | None
    shares: TeamShares
