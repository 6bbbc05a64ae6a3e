"""The rater error model: generalizability theory with raters nested in ratees (r:p).

Pure numpy, no database; ``docs/people-science.md`` ("The error model") derives it.

**Model.** A rater r's practice score of ratee i is x_ir,p = μ_i,p + e_ir,p: μ_i,p is the
ratee's *universe score* (the mean over the raters who could have rated them) and e_ir,p the
rater's deviation from it — their leniency, their own view of the person and item noise, which a
design with different raters for every ratee cannot separate and which are all error for a
ratee's mean over raters. Raters are independent of each other; one rater's deviations on two
practices covary (a lenient rater lifts every practice): the rater covariance matrix Σ.

**Estimate.** Σ is pooled within ratees over the cohort, pairwise:

    Σ_pq = Σ_i Σ_r (x_ir,p − x̄_i,p)(x_ir,q − x̄_i,q) / Σ_i (n_i,pq − 1)

over the ratees with at least 2 raters holding a valid score on both p and q (the means are over
those raters). An entry needs :data:`~tandem.profile.cohort.MIN_COHORT_RATEES` such ratees, else
it is unknown (``None``). Self ratings are not raters here.

**A person's error.** A composite c = Σ_p w_p·others_p, others_p the mean over the rater set R_p
behind practice p, has the error variance

    V(c) = Σ_p Σ_q w_p w_q Σ_pq |R_p ∩ R_q| / (|R_p|·|R_q|),

which is w′Σw / n when one set of n raters stands behind every practice. With different rater
sets the overlap counts keep it exact: a rater's leniency cancels in L − M only when the same
rater scored both sides. Its *effective number of raters* is w′Σw / V(c): how many raters
scoring every practice would give the same error. Self ratings, when involved, count as one more
independent rater who scored every practice with a weight: + w′Σw.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float64]
Covariance = Mapping[str, Mapping[str, float | None]]


def within_ratee_covariance(
    ratees: Iterable[Matrix], practices: Sequence[str], *, min_ratees: int
) -> dict[str, dict[str, float | None]]:
    """The pooled within-ratee covariance Σ of rater practice scores, pairwise (see above).

    ``ratees`` are one (raters × practices) matrix per ratee, NaN where a rater has no valid
    score. An entry is ``None`` when fewer than ``min_ratees`` ratees have 2 raters with both
    practices.

    Examples
    --------
    >>> a = np.array([[3.0, 4.0], [5.0, 4.0]])  # deviations (−1, 0) and (+1, 0)
    >>> b = np.array([[2.0, 1.0], [2.0, 3.0], [np.nan, 5.0]])
    >>> cov = within_ratee_covariance([a, b], ("p", "q"), min_ratees=2)
    >>> cov["p"]["p"], cov["p"]["q"]  # p: (1 + 1 + 0 + 0) / 2 df; pq: every product is 0
    (1.0, 0.0)
    >>> round(cov["q"]["q"], 4)  # (0 + 0 + 4 + 0 + 4) / 3 df
    2.6667
    """
    k = len(practices)
    cross = np.zeros((k, k))
    df = np.zeros((k, k))
    contributing = np.zeros((k, k), dtype=np.int64)
    for matrix in ratees:
        x = np.asarray(matrix, dtype=np.float64).reshape(-1, k)
        if x.shape[0] < 2:
            continue
        valid = (~np.isnan(x)).astype(np.float64)
        x0 = np.where(valid > 0, x, 0.0)
        n = valid.T @ valid  # raters with both p and q
        sums = x0.T @ valid  # [p, q]: Σ x_p over raters with both
        with np.errstate(invalid="ignore", divide="ignore"):
            products = x0.T @ x0 - sums * sums.T / n
        usable = n >= 2
        cross += np.where(usable, products, 0.0)
        df += np.where(usable, n - 1, 0.0)
        contributing += usable
    result: dict[str, dict[str, float | None]] = {}
    for i, p in enumerate(practices):
        result[p] = {
            q: float(cross[i, j] / df[i, j]) if contributing[i, j] >= min_ratees else None
            for j, q in enumerate(practices)
        }
    return result


class PersonError:
    """The error of one person's figures: Σ with their rater sets' overlaps (module docstring).

    Built once per profile; :meth:`variance` of any weighted composite is then a small product.
    """

    def __init__(self, raters: Mapping[str, frozenset[int]], cov: Covariance) -> None:
        self.index = {p: i for i, p in enumerate(raters)}
        sets = list(raters.values())
        self.n = np.array([len(r) for r in sets], dtype=np.float64)
        self.sigma = np.array(
            [
                [np.nan if (v := cov.get(p, {}).get(q)) is None else v for q in raters]
                for p in raters
            ],
            dtype=np.float64,
        ).reshape(len(sets), len(sets))
        overlap = np.array(
            [[len(a & b) if a and b else 0 for b in sets] for a in sets], dtype=np.float64
        ).reshape(len(sets), len(sets))
        with np.errstate(invalid="ignore", divide="ignore"):
            self.share = overlap / np.outer(self.n, self.n)

    def variance(self, weights: Mapping[str, float], *, self_rater: bool = False) -> float | None:
        """V(Σ w_p·others_p); ``self_rater`` adds one more rater who scored every weighted
        practice (the self rating in a self − others gap).

        Unknown (``None``) when a weighted practice has no rater, an entry of Σ is unknown, or
        the estimated Σ gives a negative variance (pairwise estimates need not form a positive
        semi-definite matrix; with complete data they always do).
        """
        used = [(self.index[p], w) for p, w in weights.items() if w != 0.0]
        if not used:
            return 0.0
        extra = 1.0 if self_rater else 0.0
        if len(used) == 1:  # one practice (its error, a self − others gap): no matrix needed
            [(i, weight)] = used
            variance = float(self.sigma[i, i])
            if self.n[i] == 0 or math.isnan(variance):
                return None
            total = weight * (variance * (float(self.share[i, i]) + extra)) * weight
        else:
            at = np.array([i for i, _ in used])
            w = np.array([w for _, w in used])
            if np.any(self.n[at] == 0):
                return None
            sigma = self.sigma[at][:, at]
            if np.isnan(sigma).any():
                return None
            total = float(w @ (sigma * (self.share[at][:, at] + extra)) @ w)
        if total < 0.0:
            return 0.0 if total > -1e-12 else None
        return total

    def effective_raters(self, weights: Mapping[str, float]) -> float | None:
        """How many raters scoring every weighted practice would give the composite the same
        error: w′Σw / V. Exactly n when one set of n raters stands behind every practice; lower
        when some practice rests on fewer (``None`` when unknown). Without any error (Σ = 0) it
        is the smallest number of raters behind a weighted practice.
        """
        variance = self.variance(weights)
        used = [(self.index[p], w) for p, w in weights.items() if w != 0.0]
        if variance is None or not used:
            return None
        at = np.array([i for i, _ in used])
        if variance == 0.0:
            return float(self.n[at].min())
        w = np.array([w for _, w in used])
        return float(w @ self.sigma[at][:, at] @ w) / variance

    def sd(self, weights: Mapping[str, float], *, self_rater: bool = False) -> float | None:
        """The standard error: √ of :meth:`variance` (``None`` when unknown)."""
        variance = self.variance(weights, self_rater=self_rater)
        return None if variance is None else math.sqrt(variance)


def error_variance(
    weights: Mapping[str, float],
    raters: Mapping[str, frozenset[int]],
    cov: Covariance,
    *,
    self_rater: bool = False,
) -> float | None:
    """V(Σ w_p·others_p) for rater sets ``raters[p]`` (:meth:`PersonError.variance`).

    Examples
    --------
    >>> cov = {"p": {"p": 0.25, "q": 0.1}, "q": {"p": 0.1, "q": 0.25}}
    >>> same = {"p": frozenset({1, 2, 3, 4}), "q": frozenset({1, 2, 3, 4})}
    >>> round(error_variance({"p": 1.0, "q": -1.0}, same, cov), 6)  # (.25 + .25 − 2·.1) / 4
    0.075
    >>> apart = {"p": frozenset({1, 2}), "q": frozenset({3, 4})}  # nothing cancels
    >>> round(error_variance({"p": 1.0, "q": -1.0}, apart, cov), 6)  # .25/2 + .25/2
    0.25
    >>> round(error_variance({"p": 1.0, "q": -1.0}, same, cov, self_rater=True), 6)  # + .3
    0.375
    """
    return PersonError(raters, cov).variance(weights, self_rater=self_rater)


def single_rater_sd(weights: Mapping[str, float], cov: Covariance) -> float | None:
    """√(w′Σw): the error SD of the composite from one rater who scored every practice."""
    variance = error_variance(weights, dict.fromkeys(weights, frozenset({0})), cov)
    return None if variance is None else math.sqrt(variance)
