"""Duo matching: pair people whose others'-rated strengths cover all ten practices (DESIGN §6),
only where a partner really adds, never a boss with their direct report.

Pure (numpy + networkx), no database. Inputs are :class:`Candidate` records built from OTHERS'
practice scores only; self ratings never reach this module (:meth:`Candidate.from_profile` reads
``ProfileScores.others_by_practice()``, which never contains self).

**Expected scores (uncertainty in the objective).** A candidate may carry a standard error per
practice (``practice_se``: it shrinks with the number of raters). With a :class:`Prior` (the
cycle's mean and true-score variance per practice, :func:`estimate_prior`) every others' score
``x`` is replaced by its expected true score ``m + λ(x − m)``, ``λ = τ² / (τ² + se²)``
(empirical Bayes): a 5.0 from one rater counts less than a 5.0 from eleven. Without an error
(``se`` unknown) or without a prior, ``λ = 1`` and the score is used as given (the behaviour
before errors existed). Why not the expected maximum E[max(a_p, b_p)] of two normals (Clark's
formula)? Centred on the observed scores it is ≥ max(a_p, b_p) and grows with the errors, so it
*adds* to the upward bias of the max of noisy scores and credits a pair for "one of us is
probably better, we do not know who"; two weak people with identical profiles and one rater
each would look complementary. The max of expected scores is the expected true score of the
partner who takes the practice (the one the explanation names): posterior means are not biased
by selecting the larger one.

The score of a pair a, b, on the 1–5 scale:

- per practice the pair's cover is the larger expected score (``max(a_p, b_p)`` when no error is
  known); when neither partner has an others' score the practice counts as **uncovered** at the
  scale floor 1.0 ("never"): a pair cannot earn credit for strengths nobody has observed, so
  missing data never makes a pair look better;
- ``C`` = mean of the ten covers; ``C_leader``, ``C_manager`` = mean over each side's five, so
  ``C = (C_leader + C_manager) / 2``;
- ``combined = (C + min(C_leader, C_manager)) / 2``. The average, not a lexicographic order: ``C``
  alone would rate two strong leaders (5 and 2 by side) like a balanced pair (3.5 and 3.5),
  while the essay's premise is that a duo must cover both sides; ``min`` alone would ignore
  every gain on the stronger side and flatten the weights the matching needs. The mean weighs
  the weaker side ¾ and the stronger ¼ and stays strictly increasing in every practice score;
- ``score = combined`` plus :data:`ORIENTATION_BONUS` when one partner is ``"leader-leaning"``
  and the other ``"manager-leaning"`` — labels the profile gives only when L − M exceeds its
  measurement error; ``"balanced"`` or unknown leanings never earn it;
- compatibility gate (opt-in): when BOTH partners answered the goals/values questions
  (``compat`` not None) and share no answer, the pair is not allowed; otherwise no gate;
- **line**: a person and their line manager (``line`` pairs, report → boss) are never paired. A
  report cannot disagree freely with their boss, and the boss would be the tie-breaker in all
  but name: that is a hierarchy, not a duo of partners.

**A duo only where it helps.** A person alone covers what they cover: their *solo* score is the
same ``combined`` over their own expected scores (:func:`solo_score`). A pair's **gain** is its
``combined`` minus the stronger partner's solo score (the bonus left out: it rewards labels, not
coverage); the pair is proposed only when the gain is at least :data:`MIN_GAIN` (0.2 on the 1–5
scale, about 1⅓ scale points on one practice of the weaker side), so each partner adds something
the other lacks. Two weak people with the same profile gain nothing; nobody is paired just to
pair everyone. Among helpful pairs the matching maximises the total **weight**
``score − (solo_a + solo_b) / 2`` — each partner's gain over covering alone, averaged, plus the
bonus — with networkx ``max_weight_matching`` (no ``maxcardinality``): when everyone can be
paired this picks the same pairs as maximising the total score (the solo terms are then a
constant), and otherwise it leaves out whoever nobody helps. Everyone left out gets a reason
(:class:`Unpaired`, with a ``code``).

The blossom algorithm is pure Python and far too slow on 10,000 people, so candidates are
sparsified (:mod:`tandem.duos.sparsify`): people are dealt into stratified groups and, inside a
group, each keeps its ``top_k`` partners by reduced weight (weight minus the partner's price, a
dual estimate, so that strong people, who raise everyone's score, do not absorb every candidate
list). Unmatched people get further rounds. Results are deterministic: candidates are sorted by
person id and weights are integers (weight × 10⁴).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from tandem.duos import explain
from tandem.duos.sparsify import Engine, match_all
from tandem.profile import prior as eb
from tandem.profile.prior import PRIOR_MIN_PEOPLE, Prior
from tandem.review.items import PRACTICE_IDS, practices_of

if TYPE_CHECKING:
    from tandem.profile.scoring import ProfileScores

__all__ = [
    "LEANINGS",
    "MIN_GAIN",
    "ORIENTATION_BONUS",
    "PRIOR_MIN_PEOPLE",
    "SCALE_FLOOR",
    "Candidate",
    "Coverage",
    "DuoPair",
    "DuoSuggestions",
    "Gate",
    "PracticeCover",
    "Prior",
    "Unpaired",
    "UnpairedCode",
    "build_engine",
    "coverage",
    "estimate_prior",
    "gate",
    "orientation_bonus",
    "pair_gain",
    "pair_score",
    "pair_weight",
    "solo_score",
    "suggest_duos",
]

SCALE_FLOOR = 1.0  # a practice nobody in the pair has an others' score for counts as "never"
ORIENTATION_BONUS = 0.25  # ≈ 1.7 scale points spread over the weaker side's practices
MIN_GAIN = 0.2  # a pair must cover this much more than its stronger partner alone (1–5 scale)
MIN_PRACTICES = 5  # a candidate needs others' scores on at least half the practices
LEANINGS = ("leader-leaning", "manager-leaning", "balanced")
_OPPOSITE = frozenset(("leader-leaning", "manager-leaning"))
_EPSILON = 1e-9  # gains are compared with MIN_GAIN up to float rounding
LEADER_IDS = practices_of("leader")
MANAGER_IDS = practices_of("manager")

UnpairedCode = Literal[
    "too_few_scores", "no_other_candidate", "gate", "line", "no_gain", "paired_elsewhere"
]


@dataclass(frozen=True)
class Candidate:
    """A person offered for pairing: OTHERS' practice scores (1–5, None unknown), never self.

    ``practices`` must hold others' (manager, peer, report) scores only; self ratings inform the
    person alone and never drive pairing (DESIGN §6). Prefer :meth:`from_profile`, which takes
    them from ``ProfileScores.others_by_practice()``. ``leaning`` is the profile's label;
    ``compat`` the opt-in goals/values answers (None = did not opt in); ``practice_se`` the
    standard error of each others' score (None or missing = unknown: used as given).
    """

    person: int
    practices: Mapping[str, float | None]
    leaning: str | None
    compat: frozenset[str] | None = None
    practice_se: Mapping[str, float | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = sorted((set(self.practices) | set(self.practice_se)) - set(PRACTICE_IDS))
        if unknown:
            raise ValueError(f"person {self.person}: unknown practice(s) {', '.join(unknown)}")
        for practice, value in self.practices.items():
            if value is not None and not 1.0 <= value <= 5.0:
                raise ValueError(f"person {self.person}: {practice} = {value} is outside 1–5")
        for practice, se in self.practice_se.items():
            if se is not None and not (math.isfinite(se) and se >= 0.0):
                raise ValueError(f"person {self.person}: {practice} error {se} is not ≥ 0")
        if self.leaning is not None and self.leaning not in LEANINGS:
            raise ValueError(f"person {self.person}: unknown leaning {self.leaning!r}")

    @classmethod
    def from_profile(
        cls, person: int, profile: ProfileScores, *, compat: Iterable[str] | None = None
    ) -> Candidate:
        """The candidate for a scored profile: its others' scores, their errors and its leaning,
        never self."""
        return cls(
            person=person,
            practices=profile.others_by_practice(),
            leaning=profile.leaning,
            compat=None if compat is None else frozenset(compat),
            practice_se=profile.errors_by_practice(),
        )

    def score(self, practice: str) -> float | None:
        """Others' score on one practice, or None when unknown."""
        return self.practices.get(practice)

    def expected(self, practice: str, prior: Prior | None = None) -> float | None:
        """The expected true score ``m + λ(x − m)``, ``λ = τ²/(τ² + se²)``; ``x`` when no error
        or no prior is known for the practice; None when there is no others' score.

        Examples
        --------
        >>> prior = Prior({"vision": 3.0}, {"vision": 0.36}, 40)
        >>> rated_once = Candidate(1, {"vision": 5.0}, None, practice_se={"vision": 0.6})
        >>> rated_once.expected("vision", prior)
        4.0
        >>> Candidate(1, {"vision": 5.0}, None).expected("vision", prior)
        5.0
        """
        value = self.practices.get(practice)
        if value is None:
            return None
        return eb.posterior(practice, value, self.practice_se.get(practice), prior).mean


def estimate_prior(
    candidates: Sequence[Candidate], *, min_people: int = PRIOR_MIN_PEOPLE
) -> Prior | None:
    """The cycle's prior (:func:`tandem.profile.prior.estimate_prior`) from candidates' others'
    scores and errors; None when no practice has ``min_people`` with both (scores as given)."""
    return eb.estimate_prior(
        ((c.practices, c.practice_se) for c in candidates), min_people=min_people
    )


@dataclass(frozen=True)
class PracticeCover:
    """One practice of a pair: who covers it (the higher expected score; both when equal), the
    others' score they hold (``value``, as their profile shows it) and the expected true score
    that counts in the pair's score (``expected``; equal to ``value`` when no error is known)."""

    practice: str
    side: str
    value: float | None  # None: neither partner has an others' score (counted as SCALE_FLOOR)
    by: tuple[int, ...]
    expected: float | None = None


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

    @property
    def shrunk(self) -> tuple[PracticeCover, ...]:
        """Practices whose expected score differs from the others' score shown (by ≥ 0.005)."""
        return tuple(
            c
            for c in self.practices
            if c.value is not None and c.expected is not None and abs(c.expected - c.value) >= 5e-3
        )


@dataclass(frozen=True)
class Gate:
    """The compatibility gate of a pair: applied only when both opted in."""

    applied: bool
    passed: bool
    shared: tuple[str, ...] = ()  # the goals/values answers both gave (sorted)
    not_opted_in: tuple[int, ...] = ()  # who did not opt in (gate not applied)


@dataclass(frozen=True)
class DuoPair:
    """A suggested pair with its score, gain, coverage, bonus, gate and explanation."""

    a: int
    b: int
    score: float
    coverage: Coverage
    bonus: float
    gate: Gate
    explanation: str
    gain: float  # combined coverage minus the stronger partner's solo score (no bonus)


@dataclass(frozen=True)
class Unpaired:
    """A candidate the suggestion leaves without a partner, why (``reason``) and the kind."""

    person: int
    reason: str
    code: UnpairedCode


@dataclass(frozen=True)
class DuoSuggestions:
    """The suggested pairs (best first) and the people left unpaired, with the settings used."""

    pairs: tuple[DuoPair, ...]
    unpaired: tuple[Unpaired, ...]
    total_score: float
    settings: Mapping[str, float | int] = field(default_factory=dict)
    stats: Mapping[str, int] = field(default_factory=dict)
    total_gain: float = 0.0  # the matching's objective: Σ score − (solo_a + solo_b) / 2
    prior: Prior | None = None  # the prior the expected scores came from (None: scores as given)


def coverage(a: Candidate, b: Candidate, *, prior: Prior | None = None) -> Coverage:
    """Per-practice cover (the higher expected score) and who covers it; side and combined.

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
        x, y = a.expected(practice, prior), b.expected(practice, prior)
        expected: float | None
        by: tuple[int, ...]
        if x is None and y is None:
            expected, by = None, ()
        elif y is None or (x is not None and x > y):
            expected, by = x, (a.person,)
        elif x is None or y > x:
            expected, by = y, (b.person,)
        else:
            expected, by = x, (a.person, b.person)
        held = [c.score(practice) for c in (a, b) if c.person in by]
        value = max((v for v in held if v is not None), default=None)
        side = "leader" if practice in LEADER_IDS else "manager"
        covers.append(
            PracticeCover(practice=practice, side=side, value=value, by=by, expected=expected)
        )
    return _coverage(a.person, b.person, covers)


def _coverage(a: int, b: int, covers: Sequence[PracticeCover]) -> Coverage:
    leader = _side_mean(covers, "leader")
    manager = _side_mean(covers, "manager")
    overall = (leader + manager) / 2
    return Coverage(
        a=a,
        b=b,
        practices=tuple(covers),
        leader=leader,
        manager=manager,
        overall=overall,
        combined=(overall + min(leader, manager)) / 2,
    )


def _side_mean(covers: Sequence[PracticeCover], side: str) -> float:
    values = [SCALE_FLOOR if c.expected is None else c.expected for c in covers if c.side == side]
    return sum(values) / len(values)


def solo_score(c: Candidate, *, prior: Prior | None = None) -> float:
    """What a person covers alone: ``combined`` over their own expected scores (no bonus).

    Examples
    --------
    >>> solo_score(Candidate(1, {p: 5.0 for p in LEADER_IDS} | {p: 2.0 for p in MANAGER_IDS}, None))
    2.75
    """
    covers = [
        PracticeCover(p, "leader" if p in LEADER_IDS else "manager", None, (), c.expected(p, prior))
        for p in PRACTICE_IDS
    ]
    return _coverage(c.person, c.person, covers).combined


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


def pair_score(
    a: Candidate, b: Candidate, *, bonus: float = ORIENTATION_BONUS, prior: Prior | None = None
) -> float | None:
    """The pair's score (combined coverage + bonus), or None when the gate blocks it.

    Examples
    --------
    >>> lead = Candidate(1, {p: 5.0 for p in LEADER_IDS}, "leader-leaning")
    >>> mgr = Candidate(2, {p: 4.0 for p in MANAGER_IDS}, "manager-leaning")
    >>> pair_score(lead, mgr)
    4.5
    """
    if not gate(a, b).passed:
        return None
    return coverage(a, b, prior=prior).combined + orientation_bonus(a, b, bonus=bonus)


def pair_gain(a: Candidate, b: Candidate, *, prior: Prior | None = None) -> float:
    """Combined coverage of the pair minus the stronger partner's solo score (no bonus).

    Examples
    --------
    >>> weak = Candidate(1, {p: 2.0 for p in PRACTICE_IDS}, None)
    >>> pair_gain(weak, Candidate(2, {p: 2.0 for p in PRACTICE_IDS}, None))
    0.0
    >>> lead = Candidate(3, {p: 5.0 for p in LEADER_IDS} | {p: 2.0 for p in MANAGER_IDS}, None)
    >>> mgr = Candidate(4, {p: 2.0 for p in LEADER_IDS} | {p: 5.0 for p in MANAGER_IDS}, None)
    >>> pair_gain(lead, mgr)
    2.25
    """
    alone = max(solo_score(a, prior=prior), solo_score(b, prior=prior))
    return coverage(a, b, prior=prior).combined - alone


def pair_weight(
    a: Candidate,
    b: Candidate,
    *,
    bonus: float = ORIENTATION_BONUS,
    prior: Prior | None = None,
    min_gain: float = MIN_GAIN,
    line: Iterable[tuple[int, int]] = (),
) -> float | None:
    """The matching weight ``score − (solo_a + solo_b) / 2`` of an allowed pair that helps
    (gain ≥ ``min_gain``); None when the gate blocks it, one manages the other (``line``), or
    the gain is too small. The scalar definition the vectorised engine is tested against."""
    score = pair_score(a, b, bonus=bonus, prior=prior)
    if score is None or {a.person, b.person} in [set(p) for p in line]:
        return None
    if pair_gain(a, b, prior=prior) < min_gain - _EPSILON:
        return None
    return score - (solo_score(a, prior=prior) + solo_score(b, prior=prior)) / 2


def suggest_duos(
    candidates: Sequence[Candidate],
    *,
    bonus: float = ORIENTATION_BONUS,
    min_practices: int = MIN_PRACTICES,
    min_gain: float = MIN_GAIN,
    line: Iterable[tuple[int, int]] = (),
    prior: Prior | Literal["estimate"] | None = "estimate",
    top_k: int = 10,
    group_size: int = 200,
) -> DuoSuggestions:
    """Suggest complementary pairs that help, by maximum-weight matching over sparsified candidates.

    Parameters
    ----------
    candidates : the people to pair (others' scores only); person ids must be unique.
    bonus : orientation bonus for a reliable leader-leaning + manager-leaning pair.
    min_practices : candidates with fewer others'-scored practices are left unpaired.
    min_gain : a pair is proposed only when it covers at least this much more than its
        stronger partner alone (see the module docstring).
    line : (report, boss) person-id pairs that are never paired (either order).
    prior : the prior of the expected scores; ``"estimate"`` (default) estimates it from the
        eligible candidates (:func:`estimate_prior`), None uses the scores as given.
    top_k : candidate partners kept per person inside a group.
    group_size : people per matching group (stratified by L − M); the exact matching runs
        on groups of this size, which bounds its time.

    Examples
    --------
    >>> lead = Candidate(1, {p: 5.0 for p in LEADER_IDS} | {p: 2.0 for p in MANAGER_IDS}, None)
    >>> mgr = Candidate(2, {p: 2.0 for p in LEADER_IDS} | {p: 5.0 for p in MANAGER_IDS}, None)
    >>> out = suggest_duos([mgr, lead])
    >>> [(p.a, p.b, p.score, p.gain) for p in out.pairs], out.unpaired
    ([(1, 2, 5.0, 2.25)], ())
    >>> suggest_duos([mgr, lead], line=[(2, 1)]).unpaired[0].code
    'line'
    """
    ids = [c.person for c in candidates]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate person ids among candidates")
    if top_k < 1 or group_size < 2 or min_practices < 0 or min_gain < 0:
        raise ValueError("top_k must be ≥ 1, group_size ≥ 2, min_practices ≥ 0, min_gain ≥ 0")
    ordered = sorted(candidates, key=lambda c: c.person)
    eligible, unpaired = [], []
    for c in ordered:
        scored = sum(v is not None for v in c.practices.values())
        if scored < min_practices:
            unpaired.append(
                Unpaired(c.person, explain.too_few_scores(scored, min_practices), "too_few_scores")
            )
        else:
            eligible.append(c)
    used = estimate_prior(eligible) if prior == "estimate" else prior
    assert used is None or isinstance(used, Prior)
    lines = list(line)
    engine = build_engine(eligible, bonus, prior=used, line=lines, min_gain=min_gain)
    matched, stats = match_all(engine, top_k=top_k, group_size=group_size)
    pairs = [_pair(eligible[i], eligible[j], bonus, used) for i, j in matched]
    pairs.sort(key=lambda p: (-p.score, p.a, p.b))
    paired = {i for pair in matched for i in pair}
    for i, c in enumerate(eligible):
        if i not in paired:
            unpaired.append(_unmatched(engine, i, c.person, min_gain))
    unpaired.sort(key=lambda u: u.person)
    for u in unpaired:
        stats[f"unpaired_{u.code}"] = stats.get(f"unpaired_{u.code}", 0) + 1
    total_gain = sum(float(engine.weights(np.array([i]), np.array([j]))[0, 0]) for i, j in matched)
    return DuoSuggestions(
        pairs=tuple(pairs),
        unpaired=tuple(unpaired),
        total_score=round(sum(p.score for p in pairs), 6),
        settings={
            "bonus": bonus,
            "min_practices": min_practices,
            "min_gain": min_gain,
            "top_k": top_k,
            "group_size": group_size,
            "scale_floor": SCALE_FLOOR,
        },
        stats=stats,
        total_gain=round(total_gain, 6),
        prior=used,
    )


def _unmatched(engine: Engine, i: int, person: int, min_gain: float) -> Unpaired:
    """Why eligible candidate ``i`` ended without a partner (the first reason that applies)."""
    if engine.size < 2:
        return Unpaired(person, explain.unmatched(0, 0), "no_other_candidate")
    gate_ok, line_ok, helps = engine.row_masks(i)
    usable = int(np.count_nonzero(helps & gate_ok & line_ok))
    if usable:
        return Unpaired(person, explain.paired_elsewhere(usable), "paired_elsewhere")
    if np.any(helps & gate_ok):  # every partner who would help is their boss or report
        return Unpaired(person, explain.only_line_partners(), "line")
    if np.any(helps) or not np.any(gate_ok):
        return Unpaired(person, explain.gate_allows_none(helpful=bool(np.any(helps))), "gate")
    return Unpaired(person, explain.no_partner_adds_enough(min_gain), "no_gain")


def build_engine(
    eligible: Sequence[Candidate],
    bonus: float = ORIENTATION_BONUS,
    *,
    prior: Prior | None = None,
    line: Iterable[tuple[int, int]] = (),
    min_gain: float = MIN_GAIN,
) -> Engine:
    """Arrays for the vectorised scorer: expected scores, solo scores, leaning codes, opt-in
    answer sets and the line (boss–report) pairs, by index. ``prior`` None: scores as given."""
    scores = np.full((len(eligible), len(PRACTICE_IDS)), SCALE_FLOOR)
    for i, c in enumerate(eligible):
        for p, practice in enumerate(PRACTICE_IDS):
            value = c.expected(practice, prior)
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
    index = {c.person: i for i, c in enumerate(eligible)}
    forbid: dict[int, set[int]] = {}
    for x, y in line:
        if x in index and y in index and x != y:
            forbid.setdefault(index[x], set()).add(index[y])
            forbid.setdefault(index[y], set()).add(index[x])
    return Engine(
        scores=scores,
        lean=lean,
        opted=opted,
        answers=answers,
        bonus=bonus,
        min_gain=min_gain,
        forbid={i: np.array(sorted(js), dtype=np.intp) for i, js in forbid.items()},
    )


def _pair(x: Candidate, y: Candidate, bonus: float, prior: Prior | None) -> DuoPair:
    """A suggested pair, the partner covering more leader practices first (then lower id)."""
    cov = coverage(x, y, prior=prior)
    lead_x = sum(1 for p in LEADER_IDS if p in cov.covered_by(x.person))
    lead_y = sum(1 for p in LEADER_IDS if p in cov.covered_by(y.person))
    a, b = (x, y) if (lead_x, -x.person) >= (lead_y, -y.person) else (y, x)
    cov = coverage(a, b, prior=prior)
    extra = orientation_bonus(a, b, bonus=bonus)
    gain = pair_gain(a, b, prior=prior)
    pair_gate = gate(a, b)
    return DuoPair(
        a=a.person,
        b=b.person,
        score=round(cov.combined + extra, 6),
        coverage=cov,
        bonus=extra,
        gate=pair_gate,
        explanation=explain.explain_pair(
            cov, extra, pair_gate, leanings=(a.leaning, b.leaning), gain=gain
        ),
        gain=round(gain, 6),
    )
