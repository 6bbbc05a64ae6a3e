"""What the feedback services answer: a piece of feedback, the lint, the cadence, the counts."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

from tandem.manage.feedback.lint import Finding


class PersonRef(BaseModel):
    """A person as the feedback pages name them."""

    model_config = ConfigDict(frozen=True)

    id: int
    name: str


class FeedbackOut(BaseModel):
    """One piece of feedback, as its giver, its receiver or the receiver's manager read it."""

    model_config = ConfigDict(frozen=True)

    id: int
    kind: Literal["praise", "redirect"]
    giver: PersonRef
    receiver: PersonRef
    situation: str
    behaviour: str
    impact: str
    intent: str
    practice: str | None
    created_at: dt.datetime
    lint_shown: bool  # the giver saw the lint's findings before giving it as written
    lint_rules: list[str]
    findings: list[Finding]  # the lint of the text as stored (the same for every reader)
    relation: Literal["giver", "receiver", "manager"]  # how the viewer may read it


class LintOut(BaseModel):
    """The lint of a draft: its findings (empty: nothing to flag)."""

    model_config = ConfigDict(frozen=True)

    findings: list[Finding]


class FeedbackList(BaseModel):
    """Feedback the viewer may read, newest first."""

    model_config = ConfigDict(frozen=True)

    items: list[FeedbackOut]
    count: int


class CadenceRow(BaseModel):
    """Days since a manager last gave feedback to one direct report."""

    model_config = ConfigDict(frozen=True)

    report: PersonRef
    manager: PersonRef
    last_given_at: dt.datetime | None
    days_since: int | None  # null: never
    alert: bool


class Cadence(BaseModel):
    """The viewer's direct reports (as their manager) and their own row (as a report)."""

    model_config = ConfigDict(frozen=True)

    as_of: dt.date
    alert_days: int
    reports: list[CadenceRow]
    mine: CadenceRow | None


class FeedbackCounts(BaseModel):
    """Counts only (directors and admins): never a person, withheld below the people floor."""

    model_config = ConfigDict(frozen=True)

    since: dt.date
    people: int | None  # distinct givers and receivers behind the counts; null when withheld
    total: int | None
    praise: int | None
    redirect: int | None
    withheld: str | None
