"""Answers of the change tools: experiments (with their metric before and after) and the radar."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

from tandem.why.goals.metrics import MetricSpec, MetricValue

Status = Literal["running", "concluded", "abandoned"]
Result = Literal["supported", "refuted", "inconclusive"]
Change = Literal["added", "removed"]
Ring = Literal["new", "adopted", "established", "dropped"]


class PersonRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    name: str


class MetricReading(BaseModel):
    """An experiment's metric contract measured before it started and during/after it.

    ``before`` is the window ending the day before the start; ``after`` the window ending on
    the end (planned end, conclusion day, or the lake's last event day, whichever comes
    first of those that exist). ``change`` is after − before; ``improved`` whether it moved in
    the metric's better direction (None when either side is unknown or withheld, or equal).
    """

    model_config = ConfigDict(frozen=True)

    spec: MetricSpec
    text: str  # the spec in words
    unit: str
    better: Literal["down", "up"]
    before: MetricValue
    after: MetricValue
    change: float | None
    improved: bool | None


class ExperimentOut(BaseModel):
    """An experiment as every surface shows it."""

    model_config = ConfigDict(frozen=True)

    id: int
    team_id: int
    title: str
    hypothesis: str
    owner: PersonRef | None
    starts_on: dt.date
    ends_on: dt.date | None
    measure: str
    metric: MetricSpec | None
    status: Status
    result: Result | None
    outcome: str
    concluded_on: dt.date | None
    reading: MetricReading | None = None
    reading_error: str | None = None  # why the metric could not be read (e.g. no work data)


class ExperimentList(BaseModel):
    model_config = ConfigDict(frozen=True)

    team_id: int
    team: str
    lake_last_day: dt.date | None
    experiments: list[ExperimentOut]


class DependencyEvent(BaseModel):
    """A dependency added to or removed from one manifest by one first-parent commit."""

    model_config = ConfigDict(frozen=True)

    day: dt.date
    repo: str
    manifest: str
    ecosystem: str
    dependency: str
    change: Change
    sha: str


class ManifestProblem(BaseModel):
    """A manifest version that could not be read or parsed (skipped, never a crash)."""

    model_config = ConfigDict(frozen=True)

    repo: str
    path: str
    sha: str
    reason: str


class UnavailableRepo(BaseModel):
    model_config = ConfigDict(frozen=True)

    repo: str
    reason: str


class QuarterCount(BaseModel):
    """Per calendar quarter: manifest-level events (``added``, ``removed``) and dependencies
    that appeared in or left every scanned manifest (``adopted``, ``dropped``)."""

    model_config = ConfigDict(frozen=True)

    quarter: str  # "2025-Q3"
    added: int
    removed: int
    adopted: int
    dropped: int


class RingEntry(BaseModel):
    """One dependency's ring, derived from its history (see :data:`RING_RULE`)."""

    model_config = ConfigDict(frozen=True)

    ecosystem: str
    dependency: str
    ring: Ring
    since: dt.date  # start of its current presence (or of its last one, when dropped)
    dropped_on: dt.date | None
    manifests: int  # manifests that declare it now
    repos: list[str]


class RadarAnswer(BaseModel):
    """The change radar of the lake's repositories (or one of them)."""

    model_config = ConfigDict(frozen=True)

    as_of: dt.date | None  # the last commit day of the scanned first-parent chains
    since: dt.date | None
    ring_rule: str
    repos: list[str]
    unavailable: list[UnavailableRepo]
    manifests: int
    versions_read: int
    quarters: list[QuarterCount]
    current: dict[str, list[str]]
    latest: list[DependencyEvent]
    events: list[DependencyEvent]
    rings: list[RingEntry]
    problems: list[ManifestProblem]
