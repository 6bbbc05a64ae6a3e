"""The 360 profile: practice scores, group suppression, L and M, leaning and self–other agreement.

Pure numpy, no database. The rules (DESIGN §6; ``docs/people-science.md`` explains them):

* **Rater score.** Reverse keys x′ = 6 − x; a rater's practice score is the mean of the answered
  items, only when ≥ 75 % of the practice's items were answered (3 of 4 passes; 3 of 5 fails).
* **Groups** (per practice; n = raters with a valid score *for that practice*). A single
  ``manager`` is shown alone, labelled not anonymous; 2–3 managers are suppressed and not
  pooled; 4 or more are shown (:mod:`tandem.profile.groups` says why). ``peer`` and
  ``report`` are shown with n ≥ 3; a peer/report group with 1–2 raters is suppressed and its
  raters merge into ``others``, itself shown only with n ≥ 3. A suppressed group is
  :data:`SUPPRESSED`: no mean, no n, and it feeds no number of this ratee's profile. A group
  with no rater is absent.
* **Others' score** = the mean over the raters behind the shown groups (each group weighted by
  its n); ``n_raters`` = how many. Self answers never enter it, nor L, M, leaning.
* **L / M** = mean of the five leader / manager practices' others' scores; all five are
  required, else ``None`` (a subset would change what is measured and make L − M compare
  different practice mixes). Their n is the smallest n of the five practices.
* **Error** (:mod:`tandem.profile.error`: raters nested in ratees): every figure's standard error
  comes from the cohort's rater covariance Σ and this person's own raters, SE = √(w′Σw / n) with
  one set of n raters behind every practice, the overlap formula when the sets differ. Bands are
  figure ± z·SE, clipped to 1–5.
* **Leaning**: D = L − M. "leader-leaning" when D > z·SE_D, "manager-leaning" when D < −z·SE_D,
  otherwise "balanced"; ``None`` with a reason when L or M is unknown, when D carries the
  information of fewer than :data:`MIN_LABEL_RATERS` raters ("not enough raters": its effective
  number of raters, w′Σw / SE_D², is n with n raters behind every practice) or when the cohort
  cannot estimate Σ ("error unknown").
* **Agreement**: gap_p = self_p − others_p; the overall tendency g = the mean gap over the K
  practices with both, tested against its own error (self counted as one more rater; its label
  needs the others' mean to carry :data:`MIN_LABEL_RATERS` effective raters); the profile's shape
  gap_p − g tested against the error of that contrast (weights e_p − 1/K). Blind spot when
  gap_p − g > z·SE, hidden strength when < −z·SE, else "agree"; ``None`` with a reason when
  practice p has fewer than :data:`MIN_LABEL_RATERS` raters or the error is unknown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tandem.profile.answers import Answer, RaterScores, rater_scores
from tandem.profile.cohort import (
    CohortStats,
    cohort_stats,
    difference_weights,
    side_weights,
)
from tandem.profile.error import PersonError
from tandem.profile.groups import (
    GROUPS,
    MIN_GROUP_N,
    SUPPRESSED,
    GroupScore,
    PracticeFigures,
    Suppressed,
    exact_mean,
    others_scores,
    practice_figures,
    practice_groups,
)
from tandem.review.items import ItemBank, practices_of

__all__ = [
    "GROUPS",
    "MIN_GROUP_N",
    "MIN_LABEL_RATERS",
    "SUPPRESSED",
    "Answer",
    "CohortStats",
    "GroupScore",
    "PracticeScore",
    "ProfileScores",
    "SelfTendency",
    "SideScore",
    "Suppressed",
    "cohort_stats",
    "others_scores",
    "practice_groups",
    "score_ratee",
    "score_raters",
]

# A label needs at least this many raters: behind the practice for a blind spot or hidden
# strength; as the effective number behind L − M (leaning) or the mean over practices (overall
# tendency). Below it the label is "not enough raters". Under the privacy rules a practice has 1
# rater (a single manager) or 3 or more.
MIN_LABEL_RATERS = 3
NOT_ENOUGH_RATERS = "not enough raters"
ERROR_UNKNOWN = "error unknown"
SIDE_UNKNOWN = "L or M unknown"
TOO_FEW_PRACTICES = "too few practices"  # a profile's shape needs two practices with both


@dataclass(frozen=True)
class PracticeScore:
    """One practice of a profile: self, others, groups, its error and self–other agreement."""

    practice: str
    self: float | None
    others: float | None
    groups: Mapping[str, GroupScore | Suppressed]
    band: tuple[float, float] | None
    difference: float | None  # self − others
    agreement: str | None  # "blind spot" | "hidden strength" | "agree" | None (no label)
    se: float | None = None  # standard error of others (None: unknown or no others' score)
    n_raters: int = 0  # raters behind the others' score (the shown groups' n summed)
    relative_difference: float | None = None  # (self − others) − the overall tendency g
    relative_threshold: float | None = None  # z·SE of the relative difference
    agreement_reason: str | None = None  # why no agreement label although self and others exist
    overuse: float | None = None  # others' score on the practice's overuse scale (bank v2)
    overuse_n_raters: int = 0  # raters behind it (the same group rules as ``others``)


@dataclass(frozen=True)
class SideScore:
    """L or M: the mean of the side's five others' scores, with its error and band."""

    value: float
    band: tuple[float, float] | None
    se: float | None = None
    n_raters: int = 0  # the smallest n of the side's five practices


@dataclass(frozen=True)
class SelfTendency:
    """How the person rates themself overall against others: g = mean of self − others."""

    value: float
    se: float | None
    threshold: float | None  # z·SE
    label: str | None  # "higher" | "lower" | "in line" | None (no label: see ``reason``)
    practices: int  # K, the practices with both a self and an others' score
    reason: str | None = None
    effective_raters: float | None = None  # of the others' mean over the K practices


@dataclass(frozen=True)
class ProfileScores:
    """A ratee's profile for one cycle; see the module docstring for every rule."""

    practices: Mapping[str, PracticeScore]
    L: SideScore | None
    M: SideScore | None
    leaning: str | None
    leaning_difference: float | None  # L − M
    leaning_threshold: float | None  # z·SE_D; |L − M| must exceed it to lean
    blind_spots: tuple[str, ...]
    hidden_strengths: tuple[str, ...]
    leaning_se: float | None = None
    leaning_n_raters: int = 0  # the smallest n of the ten practices
    leaning_effective_raters: float | None = None  # w′Σw / SE_D²: n when all practices have n
    leaning_reason: str | None = None  # why ``leaning`` is None: NOT_ENOUGH_RATERS, …
    rater_sets_differ: bool = False  # the raters behind L − M differ between practices
    self_tendency: SelfTendency | None = None

    def others_by_practice(self) -> dict[str, float | None]:
        """Others' score per practice (never self), for matching, plans and coverage."""
        return {p: s.others for p, s in self.practices.items()}

    def errors_by_practice(self) -> dict[str, float | None]:
        """The standard error of each others' score (None: unknown), beside
        :meth:`others_by_practice`."""
        return {p: s.se for p, s in self.practices.items()}


def _enough(effective_raters: float | None) -> bool:
    """At least :data:`MIN_LABEL_RATERS` effective raters (with room for float rounding)."""
    return effective_raters is not None and effective_raters >= MIN_LABEL_RATERS - 1e-9


def _band(value: float, se: float | None, z: float) -> tuple[float, float] | None:
    if se is None:
        return None
    return (max(1.0, value - z * se), min(5.0, value + z * se))


def _side(others: Mapping[str, float | None], side: str) -> float | None:
    values = [others[p] for p in practices_of(side)]
    present = [v for v in values if v is not None]
    return exact_mean(present) if len(present) == len(values) else None


def _test(value: float, se: float | None, z: float, above: str, below: str, within: str) -> str:
    assert se is not None
    if value > z * se:
        return above
    if value < -z * se:
        return below
    return within


@dataclass(frozen=True)
class _Agreement:
    tendency: SelfTendency | None
    relative: Mapping[str, float]
    threshold: Mapping[str, float | None]
    label: Mapping[str, str | None]
    reason: Mapping[str, str | None]


def _agreement(
    gaps: Mapping[str, float], raters: Mapping[str, frozenset[int]], error: PersonError, z: float
) -> _Agreement:
    """The overall tendency g and each practice's shape test (module docstring)."""
    k = len(gaps)
    if k == 0:
        return _Agreement(None, {}, {}, {}, {})
    mean_weights = dict.fromkeys(gaps, 1.0 / k)
    g = exact_mean(list(gaps.values()))
    se_g = error.sd(mean_weights, self_rater=True)
    effective = error.effective_raters(mean_weights)
    reason = None
    if se_g is None:
        reason = ERROR_UNKNOWN
    elif not _enough(effective):
        reason = NOT_ENOUGH_RATERS
    tendency = SelfTendency(
        value=g,
        se=se_g,
        threshold=None if se_g is None else z * se_g,
        label=None if reason else _test(g, se_g, z, "higher", "lower", "in line"),
        practices=k,
        reason=reason,
        effective_raters=effective,
    )
    relative: dict[str, float] = {}
    threshold: dict[str, float | None] = {}
    label: dict[str, str | None] = {}
    why: dict[str, str | None] = {}
    for p, gap in gaps.items():
        relative[p] = gap - g
        weights = {q: (1.0 if q == p else 0.0) - 1.0 / k for q in gaps}
        se = error.sd(weights, self_rater=True) if k >= 2 else None
        threshold[p] = None if se is None else z * se
        why[p] = (
            TOO_FEW_PRACTICES
            if k < 2
            else ERROR_UNKNOWN
            if se is None
            else NOT_ENOUGH_RATERS
            if len(raters[p]) < MIN_LABEL_RATERS
            else None
        )
        label[p] = (
            None if why[p] else _test(relative[p], se, z, "blind spot", "hidden strength", "agree")
        )
    return _Agreement(tendency, relative, threshold, label, why)


def score_ratee(
    answers: Sequence[Answer], bank: ItemBank, cohort: CohortStats, *, viewer: int | None = None
) -> ProfileScores:
    """Score one ratee's answers for one cycle against the cycle's cohort statistics.

    ``viewer``: who will see it when not the ratee (:func:`~tandem.profile.groups.practice_groups`).

    Examples
    --------
    >>> from tandem.review.items import load_item_bank
    >>> from tandem.profile.synthetic import generate_org
    >>> bank = load_item_bank("1")
    >>> org = generate_org(bank, n_people=60, seed=3)
    >>> cohort = cohort_stats(org.answers, bank)
    >>> profile = score_ratee(org.answers[0], bank, cohort)
    >>> profile.leaning in ("leader-leaning", "manager-leaning", "balanced", None)
    True
    """
    return score_raters(rater_scores(answers, bank), bank, cohort, viewer=viewer)


def score_raters(
    raters: Sequence[RaterScores],
    bank: ItemBank,
    cohort: CohortStats,
    *,
    viewer: int | None = None,
    overuse: Sequence[RaterScores] = (),
) -> ProfileScores:
    """:func:`score_ratee` from the raters' practice scores (:func:`rater_scores`), self too.

    ``overuse``: the raters' overuse-scale scores (:func:`overuse_rater_scores`, bank v2); each
    practice's others' overuse score passes the same group rules as its others' score.
    """
    others_raters = [r for r in raters if r.relation != "self"]
    self_scores = [r for r in raters if r.relation == "self"]
    z = cohort.z
    behind: dict[str, frozenset[int]] = {}
    figures: dict[str, PracticeFigures] = {}
    self_values: dict[str, float | None] = {}
    for p in bank.by_practice():
        figures[p] = practice_figures(others_raters, p, viewer=viewer)
        behind[p] = figures[p].raters
        own = [v for s in self_scores if (v := s.practices[p]) is not None]
        self_values[p] = exact_mean(own) if own else None
    error = PersonError(behind, cohort.rater_cov)
    gaps = {
        p: own - others
        for p, own in self_values.items()
        if own is not None and (others := figures[p].others) is not None
    }
    agreement = _agreement(gaps, behind, error, z)
    overuse_others = [r for r in overuse if r.relation != "self"]
    practices: dict[str, PracticeScore] = {}
    for p, shown in figures.items():
        others = shown.others
        se = None if others is None else error.sd({p: 1.0})
        too_much = practice_figures(overuse_others, p, viewer=viewer) if overuse_others else None
        practices[p] = PracticeScore(
            practice=p,
            self=self_values[p],
            others=others,
            groups=shown.groups,
            band=None if others is None else _band(others, se, z),
            difference=gaps.get(p),
            agreement=agreement.label.get(p),
            se=se,
            n_raters=len(behind[p]),
            relative_difference=agreement.relative.get(p),
            relative_threshold=agreement.threshold.get(p),
            agreement_reason=agreement.reason.get(p),
            overuse=None if too_much is None else too_much.others,
            overuse_n_raters=0 if too_much is None else len(too_much.raters),
        )
    others_map = {p: s.others for p, s in practices.items()}
    side_l = _side_score(others_map, "leader", behind, error, z)
    side_m = _side_score(others_map, "manager", behind, error, z)
    leaning = difference_lm = threshold = se_d = reason = effective = None
    fewest = min((len(r) for r in behind.values()), default=0)
    differ = False
    if side_l is None or side_m is None:
        reason = SIDE_UNKNOWN
    else:
        difference_lm = side_l.value - side_m.value
        differ = len(set(behind.values())) > 1
        se_d = error.sd(difference_weights())
        effective = error.effective_raters(difference_weights())
        if se_d is not None:
            threshold = z * se_d
        if se_d is None:
            reason = ERROR_UNKNOWN
        elif not _enough(effective):
            reason = NOT_ENOUGH_RATERS
        else:
            leaning = _test(difference_lm, se_d, z, "leader-leaning", "manager-leaning", "balanced")
    return ProfileScores(
        practices=practices,
        L=side_l,
        M=side_m,
        leaning=leaning,
        leaning_difference=difference_lm,
        leaning_threshold=threshold,
        blind_spots=tuple(p for p, s in practices.items() if s.agreement == "blind spot"),
        hidden_strengths=tuple(p for p, s in practices.items() if s.agreement == "hidden strength"),
        leaning_se=se_d,
        leaning_n_raters=fewest if difference_lm is not None else 0,
        leaning_effective_raters=effective,
        leaning_reason=reason,
        rater_sets_differ=differ,
        self_tendency=agreement.tendency,
    )


def _side_score(
    others: Mapping[str, float | None],
    side: str,
    behind: Mapping[str, frozenset[int]],
    error: PersonError,
    z: float,
) -> SideScore | None:
    value = _side(others, side)
    if value is None:
        return None
    se = error.sd(side_weights(side))
    n = min(len(behind[p]) for p in practices_of(side))
    return SideScore(value=value, band=_band(value, se, z), se=se, n_raters=n)
