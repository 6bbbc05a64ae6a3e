"""Cohort statistics of one review cycle: the rater error model and the classical figures.

Computed once from the whole cycle's answers, before any ratee is scored (pure, no database).

**What scoring uses**: the rater covariance matrix Σ of :mod:`tandem.profile.error` (raters
nested in ratees, pooled within ratees over the cohort), from which every person's bands,
leaning and self–other tests get an error that depends on their own raters; and, for reports,
the single-rater error SDs of a practice, L, M and D = L − M (√(w′Σw)).

**Classical figures** (descriptive; kept for reports, no longer behind a band or label: they
treat every ratee as rated by the same number of raters):

* per practice: the SD across ratees of the others' score (``ddof = 1``), the scale's Cronbach α
  over rater-level response sets (see :func:`~tandem.profile.reliability.practice_reliability`)
  and the standard error of measurement SEM = SD·√(1 − α);
* for L and M: SD across ratees, the stratified α of the five-practice composite
  r_LL = 1 − Σ σ²_p(1 − α_p) / (25·σ²_L) (Cronbach, Schönemann & Gleser 1965), and SEM;
* r_LM (Pearson, across ratees), SD of D = L − M, the reliability of the difference r_D and
  SE_D = SD_D·√(1 − r_D) = √(SEM_L² + SEM_M²).

Fallbacks for tiny cohorts: nothing is guessed. An entry of Σ needs at least
:data:`MIN_COHORT_RATEES` ratees with two raters holding both practices, an SD or correlation as
many ratees with the score(s) involved, an α at least
:data:`~tandem.profile.reliability.MIN_RELIABILITY_N` complete response sets; otherwise the value
is ``None`` and everything that depends on it (bands, leaning, agreement) is ``None`` ("unknown").
A negative α is kept as reported but counts as 0 in an SEM (error cannot exceed total variance).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from tandem.profile.answers import Answer, RaterScores, rater_scores_by_ratee
from tandem.profile.error import Covariance, single_rater_sd, within_ratee_covariance
from tandem.profile.groups import practice_groups
from tandem.profile.reliability import ScaleReliability, practice_reliability
from tandem.review.items import ItemBank, practices_of

MIN_COHORT_RATEES = 10
DEFAULT_Z = 1.96  # two-sided 95 %


@dataclass(frozen=True)
class CohortStats:
    """What scoring needs from the whole cycle; ``None`` wherever it cannot be computed."""

    n_ratees: int
    z: float
    practice_sd: Mapping[str, float | None]
    practice_reliability: Mapping[str, float | None]  # Cronbach's α per practice
    practice_sem: Mapping[str, float | None]
    n_lm: int  # ratees with both L and M
    sd_l: float | None
    sd_m: float | None
    r_ll: float | None
    r_mm: float | None
    sem_l: float | None
    sem_m: float | None
    r_lm: float | None
    sd_d: float | None
    r_d: float | None
    se_d: float | None
    reliability: Mapping[str, ScaleReliability]
    # the rater error model (tandem.profile.error): Σ and single-rater error SDs
    rater_cov: Covariance = field(default_factory=dict)
    rater_sd: Mapping[str, float | None] = field(default_factory=dict)  # √Σ_pp per practice
    rater_sd_l: float | None = None
    rater_sd_m: float | None = None
    rater_sd_d: float | None = None


def _sd(values: Sequence[float]) -> float | None:
    if len(values) < MIN_COHORT_RATEES:
        return None
    return float(np.std(np.asarray(values, dtype=np.float64), ddof=1))


def _side_mean(scores: Mapping[str, float | None], practices: Sequence[str]) -> float:
    return math.fsum(scores[p] or 0.0 for p in practices) / len(practices)


def _error_share(alpha: float | None) -> float | None:
    return None if alpha is None else 1.0 - min(max(alpha, 0.0), 1.0)


def _side_error_variance(
    rows: Sequence[Mapping[str, float | None]], side: str, alpha: Mapping[str, float | None]
) -> float | None:
    """Error variance of the side's mean: Σ σ²_p (1 − α_p) / 25, or None when unknown."""
    practices = practices_of(side)
    total = 0.0
    for p in practices:
        share = _error_share(alpha.get(p))
        sd = _sd([v for r in rows if (v := r[p]) is not None])
        if share is None or sd is None:
            return None
        total += sd**2 * share
    return total / len(practices) ** 2


def cohort_stats(
    answers_by_ratee: Mapping[int, Sequence[Answer]],
    bank: ItemBank,
    *,
    z: float = DEFAULT_Z,
    rated: Mapping[int, Sequence[RaterScores]] | None = None,
) -> CohortStats:
    """SDs, reliabilities, r_LM and SE_D of one cycle, with ``None`` where too few data exist.

    ``rated``: the answers' :func:`~tandem.profile.answers.rater_scores_by_ratee` when the
    caller already has them (computed here otherwise).

    Examples
    --------
    >>> from tandem.review.items import load_item_bank
    >>> from tandem.profile.synthetic import generate_org
    >>> bank = load_item_bank("1")
    >>> stats = cohort_stats(generate_org(bank, n_people=60, seed=2).answers, bank)
    >>> stats.n_ratees, stats.se_d is not None
    (60, True)
    """
    reliability = practice_reliability(answers_by_ratee, bank)
    alpha = {p: r.alpha for p, r in reliability.items()}
    names = tuple(bank.by_practice())
    rater_rows = []
    others = []
    if rated is None:
        rated = rater_scores_by_ratee(answers_by_ratee, bank)
    for ratee in answers_by_ratee:
        raters = [r for r in rated[ratee] if r.relation != "self"]
        others.append({p: practice_groups(raters, p)[1] for p in names})
        rater_rows.append(
            np.array(
                [[np.nan if (v := r.practices[p]) is None else v for p in names] for r in raters],
                dtype=np.float64,
            ).reshape(len(raters), len(names))
        )
    rater_cov = within_ratee_covariance(rater_rows, names, min_ratees=MIN_COHORT_RATEES)
    practice_sd = {p: _sd([v for o in others if (v := o[p]) is not None]) for p in alpha}
    practice_sem: dict[str, float | None] = {}
    for p, sd in practice_sd.items():
        share = _error_share(alpha[p])
        practice_sem[p] = None if sd is None or share is None else sd * math.sqrt(share)

    leader, manager = practices_of("leader"), practices_of("manager")
    complete = [o for o in others if all(o[p] is not None for p in leader + manager)]
    values_l = [_side_mean(o, leader) for o in complete]
    values_m = [_side_mean(o, manager) for o in complete]
    sd_l, sd_m = _sd(values_l), _sd(values_m)
    err_l = _side_error_variance(complete, "leader", alpha)
    err_m = _side_error_variance(complete, "manager", alpha)
    r_ll = None if sd_l is None or err_l is None or sd_l == 0 else 1.0 - err_l / sd_l**2
    r_mm = None if sd_m is None or err_m is None or sd_m == 0 else 1.0 - err_m / sd_m**2
    r_lm = sd_d = r_d = se_d = None
    if sd_l and sd_m:
        r_lm = float(np.corrcoef(values_l, values_m)[0, 1])
        sd_d = _sd([a - b for a, b in zip(values_l, values_m, strict=True)])
    if err_l is not None and err_m is not None:
        se_d = math.sqrt(err_l + err_m)
        if sd_d:
            r_d = 1.0 - (err_l + err_m) / sd_d**2
    return CohortStats(
        n_ratees=len(answers_by_ratee),
        z=z,
        practice_sd=practice_sd,
        practice_reliability=alpha,
        practice_sem=practice_sem,
        n_lm=len(complete),
        sd_l=sd_l,
        sd_m=sd_m,
        r_ll=r_ll,
        r_mm=r_mm,
        sem_l=None if err_l is None else math.sqrt(err_l),
        sem_m=None if err_m is None else math.sqrt(err_m),
        r_lm=r_lm,
        sd_d=sd_d,
        r_d=r_d,
        se_d=se_d,
        reliability=reliability,
        rater_cov=rater_cov,
        rater_sd={p: _root(rater_cov[p][p]) for p in names},
        rater_sd_l=single_rater_sd(side_weights("leader"), rater_cov),
        rater_sd_m=single_rater_sd(side_weights("manager"), rater_cov),
        rater_sd_d=single_rater_sd(difference_weights(), rater_cov),
    )


def side_weights(side: str) -> dict[str, float]:
    """The weights of L (``"leader"``) or M (``"manager"``): 1/5 on each of the side's practices."""
    practices = practices_of(side)
    return dict.fromkeys(practices, 1.0 / len(practices))


def difference_weights() -> dict[str, float]:
    """The weights of D = L − M: +1/5 on leader practices, −1/5 on manager practices."""
    minus = {p: -w for p, w in side_weights("manager").items()}
    return {**side_weights("leader"), **minus}


def _root(variance: float | None) -> float | None:
    return None if variance is None or variance < 0 else math.sqrt(variance)
