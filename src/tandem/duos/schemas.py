"""Pydantic shapes of duo suggestions and confirmed duos (CLI, web, tests).

Every number here comes from OTHERS' ratings (manager, peers, reports); self ratings never
appear. People are named by id and display name so that an explanation can be checked.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel


class DuoPerson(BaseModel):
    """A partner: id, display name and the profile's leaning (None when unknown)."""

    id: int
    name: str
    leaning: str | None = None


class PracticeCoverOut(BaseModel):
    """One practice of a pair: the better others' score and the ids of who holds it."""

    side: str
    value: float | None  # None: neither has an others' score (counted as uncovered, 1.0)
    by: list[int]


class CoverageOut(BaseModel):
    """A pair's coverage: ``value`` is the combined coverage (C + weaker side) / 2."""

    value: float
    overall: float
    leader: float
    manager: float
    practices: dict[str, PracticeCoverOut]


class PairOut(BaseModel):
    """A suggested pair: score = combined coverage + orientation bonus, and why."""

    a: DuoPerson
    b: DuoPerson
    score: float
    coverage: CoverageOut
    bonus: float
    gate: str  # "not applied" | "passed" | "blocked"
    explanation: str


class UnpairedOut(BaseModel):
    """A candidate left without a suggested partner, and why."""

    person: DuoPerson
    reason: str


class SuggestionsOut(BaseModel):
    """Suggested pairs (best first), unpaired people, and the settings used. Nothing stored."""

    cycle: str
    teams: list[str]
    pairs: list[PairOut]
    unpaired: list[UnpairedOut]
    total_score: float
    settings: dict[str, float | int]
    notes: list[str]


class DuoOut(BaseModel):
    """A confirmed duo: the pair (a has the lower id), score and explanation at confirm time."""

    id: int
    cycle: str
    a: DuoPerson
    b: DuoPerson
    score: float
    coverage: CoverageOut
    explanation: str
    tie_breaker: str
    review_date: dt.date
    confirmed_at: dt.datetime
    confirmed_by: str


class DuoListOut(BaseModel):
    """The confirmed duos of a cycle, by confirmation time."""

    cycle: str
    duos: list[DuoOut]
    count: int
