"""The cycle's empirical-Bayes prior of true practice scores, and each score's posterior.

Pure (numpy), no database; shared by team coverage (:mod:`tandem.profile.coverage`) and duo
matching (:mod:`tandem.duos.matching`), so both read one person's others' score the same way.

A person's others' score ``x`` on a practice is their true (universe) score plus rater error
with the standard error ``se`` their own raters give it (:mod:`tandem.profile.error`). Over the
cycle's ratees the true scores spread around a mean ``m`` with variance ``τ²``; both are
estimated by the method of moments from the people with a score and its error there:

    m = mean(x),   τ² = max(var(x) − mean(se²), TAU2_FLOOR)

(the observed variance is the true variance plus the average error variance). With a normal
prior N(m, τ²) and a normal error, the true score given ``x`` is normal with

    mean  m + λ(x − m),   variance  λ·se²,   λ = τ² / (τ² + se²)

— a 5.0 from one rater is pulled toward the mean more than a 5.0 from eleven, and is less
certain. A practice with fewer than :data:`PRIOR_MIN_PEOPLE` such people gets no prior: a mean
over a handful of people would pull everyone toward a few named scores. Without a prior the
posterior is N(x, se²) (a flat prior); without an error it is the score itself, certain.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tandem.review.items import PRACTICE_IDS

__all__ = [
    "PRIOR_MIN_PEOPLE",
    "TAU2_FLOOR",
    "Posterior",
    "Prior",
    "chance_at_least",
    "estimate_prior",
    "moments",
    "posterior",
    "shrink",
]

PRIOR_MIN_PEOPLE = 10  # a practice's prior needs this many people with a score and its error
TAU2_FLOOR = 1e-6  # true-score variance never estimated below this (everyone ≈ the mean)

Vector = npt.NDArray[np.float64]
Observation = tuple[Mapping[str, float | None], Mapping[str, float | None]]  # scores, errors


@dataclass(frozen=True)
class Prior:
    """Per practice, the cycle's mean others' score and the variance of TRUE scores around it.

    Estimated by :func:`estimate_prior`. A practice missing here is not shrunk.
    """

    mean: Mapping[str, float]
    variance: Mapping[str, float]
    people: int  # how many people it was estimated from (the fewest over its practices)


@dataclass(frozen=True)
class Posterior:
    """What is known of one true score: its expected value and standard deviation (0: as given)."""

    mean: float
    sd: float


def estimate_prior(
    observations: Iterable[Observation], *, min_people: int = PRIOR_MIN_PEOPLE
) -> Prior | None:
    """The prior per practice from each person's (scores, errors); None when no practice has
    ``min_people`` people with both a score and its error.

    Examples
    --------
    >>> people = [({"vision": 2.0 + i / 4}, {"vision": 0.3}) for i in range(12)]
    >>> prior = estimate_prior(people)
    >>> round(prior.mean["vision"], 3), round(prior.variance["vision"], 3), prior.people
    (3.375, 0.723, 12)
    >>> estimate_prior(people[:9]) is None
    True
    """
    pairs: dict[str, list[tuple[float, float]]] = {p: [] for p in PRACTICE_IDS}
    for scores, ses in observations:
        for practice, values in pairs.items():
            x, se = scores.get(practice), ses.get(practice)
            if x is not None and se is not None:
                values.append((x, se))
    mean: dict[str, float] = {}
    variance: dict[str, float] = {}
    counts = []
    for practice, values in pairs.items():
        if len(values) < max(min_people, 2):
            continue
        mean[practice], variance[practice] = moments(
            np.array([x for x, _ in values]), np.array([se for _, se in values])
        )
        counts.append(len(values))
    if not mean:
        return None
    return Prior(mean=mean, variance=variance, people=min(counts))


def moments(xs: Vector, ses: Vector) -> tuple[float, float]:
    """The prior's mean m and true-score variance τ² = max(var(x) − mean(se²), TAU2_FLOOR) of
    scores ``xs`` with errors ``ses`` (the sample variance; 0 for one score)."""
    observed = float(xs.var(ddof=1)) if len(xs) > 1 else 0.0
    return float(xs.mean()), max(observed - float(np.mean(ses**2)), TAU2_FLOOR)


def shrink(xs: Vector, ses: Vector, mean: float, tau2: float) -> tuple[Vector, Vector]:
    """:func:`posterior` for many scores at once: each true score's mean m + λ(x − m) and
    variance λ·se², λ = τ² / (τ² + se²) (1 where a score has no error)."""
    weight = np.where(ses > 0, tau2 / (tau2 + ses**2), 1.0)
    return mean + weight * (xs - mean), weight * ses**2


def posterior(practice: str, x: float, se: float | None, prior: Prior | None) -> Posterior:
    """The true score's normal posterior given the others' score ``x`` and its error ``se``.

    Examples
    --------
    >>> prior = Prior({"vision": 3.0}, {"vision": 0.36}, 40)
    >>> post = posterior("vision", 5.0, 0.6, prior)  # λ = 0.36 / (0.36 + 0.36) = 0.5
    >>> round(post.mean, 6), round(post.sd, 4)
    (4.0, 0.4243)
    >>> posterior("vision", 5.0, 0.6, None), posterior("vision", 5.0, None, prior)
    (Posterior(mean=5.0, sd=0.6), Posterior(mean=5.0, sd=0.0))
    """
    if se is None:
        return Posterior(x, 0.0)
    if prior is None or practice not in prior.mean:
        return Posterior(x, se)
    m, tau2 = prior.mean[practice], prior.variance[practice]
    total = tau2 + se * se
    weight = tau2 / total if total > 0 else 1.0
    return Posterior(m + weight * (x - m), math.sqrt(weight) * se)


def chance_at_least(post: Posterior, threshold: float) -> float:
    """P(true score ≥ ``threshold``) under the posterior (1 or 0 when the score is certain).

    Examples
    --------
    >>> chance_at_least(Posterior(4.0, 0.5), 4.0), chance_at_least(Posterior(4.2, 0.0), 4.0)
    (0.5, 1.0)
    >>> round(chance_at_least(Posterior(3.0, 0.5), 4.0), 4)  # 2 SD below
    0.0228
    """
    if post.sd <= 0.0:
        return 1.0 if post.mean >= threshold else 0.0
    return 0.5 * math.erfc((threshold - post.mean) / (post.sd * math.sqrt(2.0)))
