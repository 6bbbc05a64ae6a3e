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
* **Others' score** = unweighted mean of the shown groups' means (a shown merged ``others``
  counts as one group). Self answers never enter it, nor L, M, leaning.
* **L / M** = mean of the five leader / manager practices' others' scores; all five are
  required, else ``None`` (a subset would change what is measured and make L − M compare
  different practice mixes).
* **Bands** (classical test theory): score ± z·SEM with SEM = SD·√(1 − r), SD across the cohort's
  ratees and r the scale's reliability: Cronbach's α for a practice, stratified α for L and M.
  Bands are clipped to 1–5.
* **Leaning**: D = L − M; SE_D = SD_D·√(1 − r_D) with the reliability of the difference
  r_D = (σ²_L·r_LL + σ²_M·r_MM − 2·r_LM·σ_L·σ_M) / (σ²_L + σ²_M − 2·r_LM·σ_L·σ_M), which is
  (½(r_LL + r_MM) − r_LM)/(1 − r_LM) when σ_L = σ_M. "leader-leaning" when D > z·SE_D,
  "manager-leaning" when D < −z·SE_D, otherwise "balanced"; ``None`` when unknown.
* **Agreement**: d = self − others per practice; blind spot when d > +0.5·SD, hidden strength
  when d < −0.5·SD, SD = the cohort's SD of others' scores for that practice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tandem.profile.answers import Answer, rater_scores
from tandem.profile.cohort import CohortStats, cohort_stats
from tandem.profile.groups import (
    GROUPS,
    MIN_GROUP_N,
    SUPPRESSED,
    GroupScore,
    Suppressed,
    exact_mean,
    others_scores,
    practice_groups,
)
from tandem.review.items import ItemBank, practices_of

__all__ = [
    "GROUPS",
    "MIN_GROUP_N",
    "SUPPRESSED",
    "Answer",
    "CohortStats",
    "GroupScore",
    "PracticeScore",
    "ProfileScores",
    "SideScore",
    "Suppressed",
    "cohort_stats",
    "others_scores",
    "practice_groups",
    "score_ratee",
]

AGREEMENT_SD = 0.5  # blind spot / hidden strength at more than half an SD


@dataclass(frozen=True)
class PracticeScore:
    """One practice of a profile: self, others, groups, band and self–other agreement."""

    practice: str
    self: float | None
    others: float | None
    groups: Mapping[str, GroupScore | Suppressed]
    band: tuple[float, float] | None
    difference: float | None  # self − others
    agreement: str | None  # "blind spot" | "hidden strength" | "agree" | None (unknown)


@dataclass(frozen=True)
class SideScore:
    """L or M: the mean of the side's five others' scores, with its band (None if unknown)."""

    value: float
    band: tuple[float, float] | None


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

    def others_by_practice(self) -> dict[str, float | None]:
        """Others' score per practice (never self), for matching, plans and coverage."""
        return {p: s.others for p, s in self.practices.items()}


def _band(value: float, sem: float | None, z: float) -> tuple[float, float] | None:
    if sem is None:
        return None
    return (max(1.0, value - z * sem), min(5.0, value + z * sem))


def _agreement(difference: float | None, sd: float | None) -> str | None:
    if difference is None or sd is None:
        return None
    if difference > AGREEMENT_SD * sd:
        return "blind spot"
    if difference < -AGREEMENT_SD * sd:
        return "hidden strength"
    return "agree"


def _side(others: Mapping[str, float | None], side: str) -> float | None:
    values = [others[p] for p in practices_of(side)]
    present = [v for v in values if v is not None]
    return exact_mean(present) if len(present) == len(values) else None


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
    raters = rater_scores(answers, bank)
    others_raters = [r for r in raters if r.relation != "self"]
    self_scores = [r for r in raters if r.relation == "self"]
    z = cohort.z
    practices: dict[str, PracticeScore] = {}
    for p in bank.by_practice():
        groups, others = practice_groups(others_raters, p, viewer=viewer)
        own = [v for s in self_scores if (v := s.practices[p]) is not None]
        self_value = exact_mean(own) if own else None
        difference = None if self_value is None or others is None else self_value - others
        practices[p] = PracticeScore(
            practice=p,
            self=self_value,
            others=others,
            groups=groups,
            band=None if others is None else _band(others, cohort.practice_sem.get(p), z),
            difference=difference,
            agreement=_agreement(difference, cohort.practice_sd.get(p)),
        )
    others_map = {p: s.others for p, s in practices.items()}
    big_l, big_m = _side(others_map, "leader"), _side(others_map, "manager")
    side_l = None if big_l is None else SideScore(big_l, _band(big_l, cohort.sem_l, z))
    side_m = None if big_m is None else SideScore(big_m, _band(big_m, cohort.sem_m, z))
    leaning = difference_lm = threshold = None
    if big_l is not None and big_m is not None:
        difference_lm = big_l - big_m
        if cohort.se_d is not None:
            threshold = z * cohort.se_d
            if difference_lm > threshold:
                leaning = "leader-leaning"
            elif difference_lm < -threshold:
                leaning = "manager-leaning"
            else:
                leaning = "balanced"
    return ProfileScores(
        practices=practices,
        L=side_l,
        M=side_m,
        leaning=leaning,
        leaning_difference=difference_lm,
        leaning_threshold=threshold,
        blind_spots=tuple(p for p, s in practices.items() if s.agreement == "blind spot"),
        hidden_strengths=tuple(p for p, s in practices.items() if s.agreement == "hidden strength"),
    )
