"""Duo matching: pair people whose others'-rated strengths cover all ten practices (DESIGN §6).

Pure (numpy + networkx), no database. Inputs are :class:`Candidate` records built from OTHERS'
practice scores only; self ratings never reach this module (:meth:`Candidate.from_profile` reads
``ProfileScores.others_by_practice()``, which never contains self).

The score of a pair a, b, on the 1–5 scale:

- per practice the pair's cover is ``max(a_p, b_p)``; when neither partner has an others' score
  the practice counts as **uncovered** at the scale floor 1.0 ("never"): a pair cannot earn
  credit for strengths nobody has observed, so missing data never makes a pair look better;
- ``C`` = mean of the ten covers; ``C_leader``, ``C_manager`` = mean over each side's five, so
  ``C = (C_leader + C_manager) / 2``;
- ``score = (C + min(C_leader, C_manager)) / 2``. The average, not a lexicographic order: ``C``
  alone would rate two strong leaders (5 and 2 by side) like a balanced pair (3.5 and 3.5),
  while the essay's premise is that a duo must cover both sides; ``min`` alone would ignore
  every gain on the stronger side and flatten the weights the matching needs. The mean weighs
  the weaker side ¾ and the stronger ¼ and stays strictly increasing in every practice score;
- plus :data:`ORIENTATION_BONUS` when one partner is ``"leader-leaning"`` and the other
  ``"manager-leaning"`` — labels the profile gives only when L − M exceeds its measurement error;
  ``"balanced"`` or unknown leanings never earn it;
- compatibility gate (opt-in): when BOTH partners answered the goals/values questions
  (``compat`` not None) and share no answer, the pair is not allowed; otherwise no gate.

Matching maximises the total score (networkx ``max_weight_matching`` with
``maxcardinality=True``: every score is ≥ 1, and leaving a person without a partner to gain a
little total is the wrong trade for a programme that offers everyone a partner). The blossom
algorithm is pure Python and far too slow on 10,000 people, so candidates are sparsified
(:mod:`tandem.duos.sparsify`): people are dealt into stratified groups and, inside a group,
each keeps its ``top_k`` partners by reduced score (score minus the partner's price, a dual
estimate, so that strong people, who raise everyone's score, do not absorb every candidate
list). Unmatched people get further rounds. Results are deterministic: candidates are sorted
by person id and weights are integers (score × 10⁴).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from tandem.duos import explain
from tandem.duos.sparsify import Engine, match_all
from tandem.review.items import PRACTICE_IDS, practices_of

if TYPE_CHECKING:
    from tandem.profile.scoring import ProfileScores

__all__ = [
    "LEANINGS",
    "ORIENTATION_BONUS",
    "SCALE_FLOOR",
    "Candidate",
    "Coverage",
    "DuoPair",
    "DuoSuggestions",
    "Gate",
    "PracticeCover",
    "Unpaired",
    "build_engine",
    "coverage",
    "gate",
    "orientation_bonus",
    "pair_score",
    "suggest_duos",
]

SCALE_FLOOR = 1.0  # a practice nobody in the pair has an others' score for counts as "never"
ORIENTATION_BONUS = 0.25  # ≈ 1.7 scale points spread over the weaker side's practices
MIN_PRACTICES = 5  # a candidate needs others' scores on at least half the practices
LEANINGS = ("leader-leaning", "manager-leaning", "balanced")
_OPPOSITE = frozenset(("leader-leaning", "manager-leaning"))
LEADER_IDS = practices_of("leader")
MANAGER_IDS = practices_of("manager")


@dataclass(frozen=True)
class Candidate:
    """A person offered for pairing: OTHERS' practice scores (1–5, None unknown), never self.

    ``practices`` must hold others' (manager, peer, report) scores only; self ratings inform the
    person alone and never drive pairing (DESIGN §6). Prefer :meth:`from_profile`, which takes
    them from ``ProfileScores.others_by_practice()``. ``leaning`` is the profile's label;
    ``compat`` the opt-in goals/values answers (None = did not opt in).
    """

    person: int
    practices: Mapping[str, float | None]
    leaning: str | None
    compat: frozenset[str] | None = None

    def __post_init__(self) -> None:
        unknown = sorted(set(self.practices) - set(PRACTICE_IDS))
        if unknown:
            raise ValueError(f"person {self.person}: unknown practice(s) {', '.join(unknown)}")
        for practice, value in self.practices.items():
            if value is not None and not 1.0 <= value <= 5.0:
                raise ValueError(f"person {self.person}: {practice} = {value} is outside 1–5")
        if self.leaning is not None and self.leaning not in LEANINGS:
            raise ValueError(f"person {self.person}: unknown leaning {self.leaning!r}")

    @classmethod
    def from_profile(
        cls, person: int, profile: ProfileScores, *, compat: Iterable[str] | None = None
    ) -> Candidate:
        """The candidate for a scored profile: its others' scores and leaning, never self."""
        return cls(
            person=person,
            practices=profile.others_by_practice(),
            leaning=profile.leaning,
            compat=None if compat is None else frozenset(compat),
        )

    def score(self, practice: str) -> float | None:
        """Others' score on one practice, or None when unknown."""
        return self.practices.get(practice)


@dataclass(frozen=True)
class PracticeCover:
    """One practice of a pair: the better others' score and who holds it (both when equal)."""

    practice: str
    side: str
    value: float | None  # None: neither partner has an others' score (counted as SCALE_FLOOR)
    by: tuple[int, ...]


@dataclass(frozen=True)
class Coverage:
    """How a pair covers the ten practices: per practice, per side, overall and combined."""

    a: int
    b: int
    practices: tuple[PracticeCover, ...]
    leader: float  # C_leader
    manager: float  # C_manager
    overall: float  # C = mean of the ten covers
    combined: float  # (C + min(C_leader, C_manager)) / 2

    @property
    def unknown(self) -> tuple[str, ...]:
        """Practices neither partner has an others' score for (counted as uncovered)."""
        return tuple(c.practice for c in self.practices if c.value is None)

    def covered_by(self, person: int) -> tuple[str, ...]:
        """Practices on which ``person`` alone holds the pair's better score."""
        return tuple(c.practice for c in self.practices if c.by == (person,))

    @property
    def shared(self) -> tuple[str, ...]:
        """Practices on which both partners hold the same (better) score."""
        return tuple(c.practice for c in self.practices if len(c.by) == 2)


@dataclass(frozen=True)
class Gate:
    """The compatibility gate of a pair: applied only when both opted in."""

    applied: bool
    passed: bool
    shared: tuple[str, ...] = ()  # the goals/values answers both gave (sorted)
    not_opted_in: tuple[int, ...] = ()  # who did not opt in (gate not applied)


@dataclass(frozen=True)
class DuoPair:
    """A suggested pair with its score, coverage, bonus, gate and explanation."""

    a: int
    b: int
    score: float
    coverage: Coverage
    bonus: float
    gate: Gate
    explanation: str


@dataclass(frozen=True)
class Unpaired:
    """A candidate the suggestion leaves without a partner, and why."""

    person: int
    reason: str


@dataclass(frozen=True)
class DuoSuggestions:
    """The suggested pairs (best first) and the people left unpaired, with the settings used."""

    pairs: tuple[DuoPair, ...]
    unpaired: tuple[Unpaired, ...]
    total_score: float
    settings: Mapping[str, float | int] = field(default_factory=dict)
    stats: Mapping[str, int] = field(default_factory=dict)


def coverage(a: Candidate, b: Candidate) -> Coverage:
    """Per-practice cover max(a_p, b_p) and who covers it; side and combined coverage.

    Examples
    --------
    >>> lead = Candidate(1, {p: 5.0 for p in LEADER_IDS} | {p: 2.0 for p in MANAGER_IDS}, None)
    >>> mgr = Candidate(2, {p: 2.0 for p in LEADER_IDS} | {p: 4.0 for p in MANAGER_IDS}, None)
    >>> cov = coverage(lead, mgr)
    >>> (cov.leader, cov.manager, cov.overall, cov.combined)
    (5.0, 4.0, 4.5, 4.25)
    >>> cov.covered_by(2)
    ('process', 'performance', 'communication', 'allocation', 'conflict')
    """
    covers = []
    for practice in PRACTICE_IDS:
        x, y = a.score(practice), b.score(practice)
        value: float | None
        by: tuple[int, ...]
        if x is None and y is None:
            value, by = None, ()
        elif y is None or (x is not None and x > y):
            value, by = x, (a.person,)
        elif x is None or y > x:
            value, by = y, (b.person,)
        else:
            value, by = x, (a.person, b.person)
        side = "leader" if practice in LEADER_IDS else "manager"
        covers.append(PracticeCover(practice=practice, side=side, value=value, by=by))
    leader = _side_mean(covers, "leader")
    manager = _side_mean(covers, "manager")
    overall = (leader + manager) / 2
    return Coverage(
        a=a.person,
        b=b.person,
        practices=tuple(covers),
        leader=leader,
        manager=manager,
        overall=overall,
        combined=(overall + min(leader, manager)) / 2,
    )


def _side_mean(covers: Sequence[PracticeCover], side: str) -> float:
    values = [SCALE_FLOOR if c.value is None else c.value for c in covers if c.side == side]
    return sum(values) / len(values)


def orientation_bonus(a: Candidate, b: Candidate, *, bonus: float = ORIENTATION_BONUS) -> float:
    """``bonus`` when one reliably leans leader and the other manager, else 0."""
    return bonus if {a.leaning, b.leaning} == _OPPOSITE else 0.0


def gate(a: Candidate, b: Candidate) -> Gate:
    """Compatibility gate: when both opted in, they must share a goals/values answer."""
    missing = tuple(c.person for c in (a, b) if c.compat is None)
    if missing:
        return Gate(applied=False, passed=True, not_opted_in=missing)
    assert a.compat is not None and b.compat is not None
    shared = tuple(sorted(a.compat & b.compat))
    return Gate(applied=True, passed=bool(shared), shared=shared)


def pair_score(a: Candidate, b: Candidate, *, bonus: float = ORIENTATION_BONUS) -> float | None:
    """The pair's matching score (combined coverage + bonus), or None when the gate blocks it.

    Examples
    --------
    >>> lead = Candidate(1, {p: 5.0 for p in LEADER_IDS}, "leader-leaning")
    >>> mgr = Candidate(2, {p: 4.0 for p in MANAGER_IDS}, "manager-leaning")
    >>> pair_score(lead, mgr)
    4.5
    """
    if not gate(a, b).passed:
        return None
    return coverage(a, b).combined + orientation_bonus(a, b, bonus=bonus)


def suggest_duos(
    candidates: Sequence[Candidate],
    *,
    bonus: float = ORIENTATION_BONUS,
    min_practices: int = MIN_PRACTICES,
    top_k: int = 10,
    group_size: int = 200,
) -> DuoSuggestions:
    """Suggest complementary pairs by maximum-weight matching over sparsified candidates.

    Parameters
    ----------
    candidates : the people to pair (others' scores only); person ids must be unique.
    bonus : orientation bonus for a reliable leader-leaning + manager-leaning pair.
    min_practices : candidates with fewer others'-scored practices are left unpaired.
    top_k : candidate partners kept per person inside a group.
    group_size : people per matching group (stratified by L − M); the exact matching runs
        on groups of this size, which bounds its time.

    Examples
    --------
    >>> lead = Candidate(1, {p: 5.0 for p in LEADER_IDS} | {p: 2.0 for p in MANAGER_IDS}, None)
    >>> mgr = Candidate(2, {p: 2.0 for p in LEADER_IDS} | {p: 5.0 for p in MANAGER_IDS}, None)
    >>> out = suggest_duos([mgr, lead])
    >>> [(p.a, p.b, p.score) for p in out.pairs], out.unpaired
    ([(1, 2, 5.0)], ())
    """
    ids = [c.person for c in candidates]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate person ids among candidates")
    if top_k < 1 or group_size < 2 or min_practices < 0:
        raise ValueError("top_k must be ≥ 1, group_size ≥ 2, min_practices ≥ 0")
    ordered = sorted(candidates, key=lambda c: c.person)
    eligible, unpaired = [], []
    for c in ordered:
        scored = sum(v is not None for v in c.practices.values())
        if scored < min_practices:
            unpaired.append(Unpaired(c.person, explain.too_few_scores(scored, min_practices)))
        else:
            eligible.append(c)
    engine = build_engine(eligible, bonus)
    matched, stats = match_all(engine, top_k=top_k, group_size=group_size)
    pairs = [_pair(eligible[i], eligible[j], bonus) for i, j in matched]
    pairs.sort(key=lambda p: (-p.score, p.a, p.b))
    paired = {i for pair in matched for i in pair}
    for i, c in enumerate(eligible):
        if i not in paired:
            allowed = int(np.count_nonzero(engine.allowed_row(i)))
            unpaired.append(Unpaired(c.person, explain.unmatched(allowed, len(eligible) - 1)))
    unpaired.sort(key=lambda u: u.person)
    return DuoSuggestions(
        pairs=tuple(pairs),
        unpaired=tuple(unpaired),
        total_score=round(sum(p.score for p in pairs), 6),
        settings={
            "bonus": bonus,
            "min_practices": min_practices,
            "top_k": top_k,
            "group_size": group_size,
            "scale_floor": SCALE_FLOOR,
        },
        stats=stats,
    )


def build_engine(eligible: Sequence[Candidate], bonus: float = ORIENTATION_BONUS) -> Engine:
    """Arrays for the vectorised scorer: covers, leaning codes and opt-in answer sets."""
    scores = np.full((len(eligible), len(PRACTICE_IDS)), SCALE_FLOOR)
    for i, c in enumerate(eligible):
        for p, practice in enumerate(PRACTICE_IDS):
            value = c.score(practice)
            if value is not None:
                scores[i, p] = value
    lean = np.array(
        [{"leader-leaning": 1, "manager-leaning": -1}.get(c.leaning or "", 0) for c in eligible],
        dtype=np.int8,
    )
    vocabulary = sorted({answer for c in eligible for answer in (c.compat or ())})
    column = {answer: k for k, answer in enumerate(vocabulary)}
    answers = np.zeros((len(eligible), len(vocabulary)), dtype=np.float32)
    opted = np.zeros(len(eligible), dtype=bool)
    for i, c in enumerate(eligible):
        if c.compat is not None:
            opted[i] = True
            answers[i, [column[a] for a in c.compat]] = 1.0
    return Engine(scores=scores, lean=lean, opted=opted, answers=answers, bonus=bonus)


def _pair(x: Candidate, y: Candidate, bonus: float) -> DuoPair:
    """A suggested pair, the partner covering more leader practices first (then lower id)."""
    cov = coverage(x, y)
    lead_x = sum(1 for p in LEADER_IDS if p in cov.covered_by(x.person))
    lead_y = sum(1 for p in LEADER_IDS if p in cov.covered_by(y.person))
    a, b = (x, y) if (lead_x, -x.person) >= (lead_y, -y.person) else (y, x)
    cov = coverage(a, b)
    extra = orientation_bonus(a, b, bonus=bonus)
    pair_gate = gate(a, b)
    return DuoPair(
        a=a.person,
        b=b.person,
        score=round(cov.combined + extra, 6),
        coverage=cov,
        bonus=extra,
        gate=pair_gate,
        explanation=explain.explain_pair(cov, extra, pair_gate, leanings=(a.leaning, b.leaning)),
    )
