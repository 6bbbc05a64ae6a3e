"""Pydantic shapes of duo suggestions and confirmed duos (CLI, web, tests).

Every number here comes from OTHERS' ratings (manager, peers, reports); self ratings never
appear. People are named by id and display name so that an explanation can be checked.

The shapes are **viewer-specific** (:class:`tandem.profile.visibility.Viewer`): a person's
leaning, a pair's score, coverage and bonus, and a numeric explanation are filled only when the
viewer may see every person involved (themself, or someone who shared their report with them);
otherwise they are ``None`` and the explanation is qualitative. ``details`` says which.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel

Consent = Literal["pending", "accepted", "declined"]
DuoStatus = Literal["pending", "active", "declined"]
# Why a person is left unpaired: matching reasons (tandem.duos.matching.UnpairedCode) and the
# service's: not rated in the cycle, or already in a confirmed duo.
UnpairedCode = Literal[
    "too_few_scores",
    "no_other_candidate",
    "gate",
    "line",
    "no_gain",
    "paired_elsewhere",
    "not_rated",
    "already_in_duo",
]


class DuoPerson(BaseModel):
    """A partner: id, display name, and the leaning when the viewer may see it (else None)."""

    id: int
    name: str
    leaning: str | None = None
    shared: bool = False  # whether the viewer may see this person's results


class PracticeCoverOut(BaseModel):
    """One practice of a pair: who covers it, their others' score and its expected true score.

    ``expected`` is what counts in the score: the others' score pulled toward the cycle's mean
    by its error (more with fewer raters); equal to ``value`` when no error is known. None in
    duos confirmed before it existed.
    """

    side: str
    value: float | None  # None: neither has an others' score (counted as uncovered, 1.0)
    by: list[int]
    expected: float | None = None


class CoverageOut(BaseModel):
    """A pair's coverage: ``value`` is the combined coverage (C + weaker side) / 2."""

    value: float
    overall: float
    leader: float
    manager: float
    practices: dict[str, PracticeCoverOut]


class PairOut(BaseModel):
    """A suggested pair: score = combined coverage + orientation bonus, its gain, and why.

    ``gain`` is the combined coverage minus the stronger partner's alone: a pair is suggested
    only when it is at least the ``min_gain`` setting. Numbers only when ``details`` (the viewer
    may see both people); otherwise ``None``.
    """

    a: DuoPerson
    b: DuoPerson
    details: bool
    score: float | None
    coverage: CoverageOut | None
    bonus: float | None
    gate: str  # "not applied" | "passed" | "blocked"
    explanation: str
    gain: float | None = None


class FormalPairOut(PairOut):
    """A team's formal leader (``a``) and manager (``b``): the pair to judge first.

    Shown whatever the matching chose, under the same visibility rules as a suggested pair.
    ``proposed``: the matching proposes this exact pair too. ``line``: the sentence saying one
    reports to the other (such a pair is never proposed), else None. ``scored``: both are rated
    with enough others' scores for a coverage.
    """

    team: str
    proposed: bool
    line: str | None
    scored: bool


class UnpairedOut(BaseModel):
    """A candidate left without a suggested partner, why, and the kind of reason (``code``)."""

    person: DuoPerson
    reason: str
    code: UnpairedCode


class SuggestionsOut(BaseModel):
    """The formal pair of each team asked for (first), suggested pairs (best first), unpaired
    people with a count per reason, and the settings used. Nothing stored."""

    cycle: str
    teams: list[str]
    formal: list[FormalPairOut] = []
    pairs: list[PairOut]
    unpaired: list[UnpairedOut]
    unpaired_counts: dict[str, int] = {}  # code → how many, e.g. {"no_gain": 3}
    total_score: float | None  # None unless the viewer may see everyone paired
    total_gain: float | None = None  # Σ (score − mean of the two solo scores); same rule
    settings: dict[str, float | int]
    notes: list[str]


class DuoOut(BaseModel):
    """A confirmed duo: the pair (a has the lower id), why, the tie-breaker and each consent.

    ``status`` is ``pending`` until both partners accept (only then the duo counts: ``active``)
    and ``declined`` once either declines. Score, coverage and a numeric explanation only when
    ``details`` (the viewer may see both people); otherwise ``None`` and a qualitative reason.
    """

    id: int
    cycle: str
    a: DuoPerson
    b: DuoPerson
    status: DuoStatus
    a_consent: Consent
    b_consent: Consent
    details: bool
    score: float | None
    coverage: CoverageOut | None
    explanation: str
    tie_breaker: str
    tie_breaker_rule: str  # what the tie-breaker means, in a sentence
    review_date: dt.date
    confirmed_at: dt.datetime
    confirmed_by: str
    message: str  # what happened and what comes next, for the person who acted


class DuoListOut(BaseModel):
    """The confirmed duos of a cycle (pending, active and declined), by confirmation time."""

    cycle: str
    duos: list[DuoOut]
    count: int


class TeamDuosOut(BaseModel):
    """A team's duo suggestions (nothing stored) and the confirmed duos of its members."""

    team_id: int
    team: str
    suggestions: SuggestionsOut
    confirmed: list[DuoOut]


class TeamRef(BaseModel):
    """A team a duo or coverage page can be about: id and name."""

    id: int
    name: str
