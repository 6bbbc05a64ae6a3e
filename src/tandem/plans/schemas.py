"""Pydantic shapes of development plans, their actions and progress (CLI, web, tests)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from tandem.profile.schemas import PersonRef


class ProgressOut(BaseModel):
    """One progress record: when, the status the action moved to, and the note."""

    id: int
    recorded_at: dt.datetime
    status: str
    note: str


class ActionOut(BaseModel):
    """A stored plan action: what to do, how often, what shows it happened, and its status."""

    id: int  # the plan action's id, for `tandem plan progress ID`
    plan_id: int
    action_id: str  # the action library's id
    practice: str
    title: str | None  # from the action library; None if the library no longer has the id
    behaviour: str
    cadence: str
    evidence: str
    rerate_date: dt.date
    status: str
    progress: list[ProgressOut]


class PlannedPracticeOut(BaseModel):
    """A practice in the plan, why it was chosen (rebuilt from the cycle's profile) and actions."""

    practice: str
    others: float | None
    blind_spot: bool
    reason: str | None
    actions: list[ActionOut]


class PlanOut(BaseModel):
    """A person's development plan for one cycle, or why there is none."""

    person: PersonRef
    cycle: str
    has_plan: bool
    created: bool  # True when this call made the plan; False when it was already there
    plan_id: int | None
    plan_date: dt.date | None
    side: str | None
    reason: str
    rerate_date: dt.date | None
    practices: list[PlannedPracticeOut]
    stale: bool  # the cycle's ratings now give a different plan than the stored one
    notes: list[str]
