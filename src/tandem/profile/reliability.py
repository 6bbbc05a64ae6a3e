"""Scale reliability in numpy: Cronbach's α, McDonald's ω (one factor), corrected item–total r.

Every function takes an (N respondents × k items) array with NaN for a missing answer and uses
**listwise deletion**: only rows with every item answered count, so α, ω and the item–total
correlations of a scale rest on the same N, which is reported. Variances use ``ddof = 1``.

ω is McDonald's omega total for a one-factor model, ω = (Σλ)² / ((Σλ)² + Σψ), with standardised
loadings λ and uniquenesses ψ = 1 − λ² from an **iterated principal-axis** fit of one factor to
the inter-item correlation matrix (squared multiple correlations as starting communalities,
iterated until the communalities change by less than 1e-12). At convergence this is the
minimum-residual (ULS) solution, the default of R's ``psych::omega``; the tests check it against
``statsmodels`` (``Factor(method="pa")``) to 1e-9.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tandem.profile.answers import Answer, item_matrix
from tandem.review.items import ItemBank

Matrix = npt.NDArray[np.float64]

FLAG_BELOW = 0.70  # scales with α under .70 are flagged
MIN_RELIABILITY_N = 10  # complete response sets needed before a scale's α/ω is reported
PAF_TOL = 1e-12
PAF_MAX_ITER = 10_000


@dataclass(frozen=True)
class OneFactor:
    """A one-factor solution: standardised loadings, uniquenesses and how the fit ended."""

    loadings: tuple[float, ...]
    uniquenesses: tuple[float, ...]
    iterations: int
    converged: bool
    heywood: bool  # some communality reached or passed 1 (a Heywood case)


@dataclass(frozen=True)
class ScaleReliability:
    """Reliability of one practice's scale: α, ω, corrected item–total r, N and a flag.

    ``alpha``/``omega`` are ``None`` when fewer than :data:`MIN_RELIABILITY_N` complete response
    sets exist or the items do not vary; ``flagged`` is true when α is under .70 or unknown.
    """

    practice: str
    n: int
    k: int
    alpha: float | None
    omega: float | None
    item_total: Mapping[str, float | None]
    flagged: bool


def complete_rows(x: npt.ArrayLike) -> Matrix:
    """The rows of ``x`` with no missing value (listwise deletion), as a float array."""
    data = np.asarray(x, dtype=np.float64)
    if data.ndim != 2:
        raise ValueError("expected a 2-D array: respondents × items")
    return data[~np.isnan(data).any(axis=1)]


def cronbach_alpha(x: npt.ArrayLike) -> float:
    """Cronbach's α = k/(k − 1) · (1 − Σ var(item) / var(total)), listwise.

    Returns NaN when fewer than 2 complete rows or 2 items remain, or the total does not vary.

    Examples
    --------
    >>> round(cronbach_alpha([[1, 2], [2, 3], [3, 3], [4, 5]]), 6)
    0.96
    """
    data = complete_rows(x)
    n, k = data.shape
    if n < 2 or k < 2:
        return float("nan")
    cov = np.cov(data, rowvar=False, ddof=1)
    total = float(cov.sum())
    if total <= 0:
        return float("nan")
    return float(k / (k - 1) * (1.0 - float(np.trace(cov)) / total))


def fit_one_factor(x: npt.ArrayLike) -> OneFactor:
    """Iterated principal-axis fit of one factor to the items' correlation matrix, listwise.

    Raises ``ValueError`` when fewer than 3 complete rows or 2 items remain, or an item is
    constant (its correlations are undefined).
    """
    data = complete_rows(x)
    n, k = data.shape
    if n < 3 or k < 2:
        raise ValueError("one-factor fit needs at least 3 complete rows and 2 items")
    if np.any(data.std(axis=0) == 0):
        raise ValueError("an item does not vary; its correlations are undefined")
    corr: Matrix = np.asarray(np.corrcoef(data, rowvar=False), dtype=np.float64)
    try:
        communality = 1.0 - 1.0 / np.diag(np.linalg.inv(corr))
    except np.linalg.LinAlgError:  # singular: fall back to unit communalities (principal comp.)
        communality = np.ones(k)
    reduced = corr.copy()
    loadings = np.zeros(k)
    converged = False
    iterations = 0
    for iterations in range(1, PAF_MAX_ITER + 1):  # noqa: B007 - the count is reported
        np.fill_diagonal(reduced, communality)
        values, vectors = np.linalg.eigh(reduced)
        top = int(np.argmax(values))
        loadings = vectors[:, top] * np.sqrt(max(float(values[top]), 0.0))
        previous, communality = communality, loadings**2
        if float(np.linalg.norm(previous - communality)) < PAF_TOL:
            converged = True
            break
    if loadings.sum() < 0:  # the sign of a factor is arbitrary; point it with the items
        loadings = -loadings
    return OneFactor(
        loadings=tuple(float(v) for v in loadings),
        uniquenesses=tuple(float(v) for v in 1.0 - loadings**2),
        iterations=iterations,
        converged=converged,
        heywood=bool(np.any(loadings**2 >= 1.0)),
    )


def omega_from_loadings(loadings: Sequence[float]) -> float:
    """McDonald's ω = (Σλ)² / ((Σλ)² + Σ(1 − λ²)) for standardised loadings (ψ floored at 0)."""
    lam = np.asarray(loadings, dtype=np.float64)
    common = float(lam.sum()) ** 2
    unique = float(np.clip(1.0 - lam**2, 0.0, None).sum())
    return common / (common + unique)


def mcdonald_omega(x: npt.ArrayLike) -> float:
    """McDonald's ω (omega total, one factor, iterated principal axis), listwise.

    Returns NaN when the one-factor model cannot be fitted (see :func:`fit_one_factor`).

    Examples
    --------
    >>> data = [[1, 2, 1], [2, 2, 3], [3, 4, 3], [4, 5, 5], [5, 4, 4]]
    >>> 0 < mcdonald_omega(data) < 1
    True
    """
    try:
        fit = fit_one_factor(x)
    except ValueError:
        return float("nan")
    return omega_from_loadings(fit.loadings)


def corrected_item_total(x: npt.ArrayLike) -> Matrix:
    """Each item's Pearson r with the sum of the *other* items, listwise (NaN if undefined).

    Examples
    --------
    >>> corrected_item_total([[1, 2, 1], [2, 2, 3], [3, 4, 3], [4, 5, 5]]).round(3).tolist()
    [0.994, 0.885, 0.889]
    """
    data = complete_rows(x)
    n, k = data.shape
    result = np.full(k, np.nan)
    if n < 2 or k < 2:
        return result
    total = data.sum(axis=1)
    for j in range(k):
        item, rest = data[:, j], total - data[:, j]
        if item.std() > 0 and rest.std() > 0:
            result[j] = float(np.corrcoef(item, rest)[0, 1])
    return result


def _known(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def scale_reliability(practice: str, x: npt.ArrayLike, item_ids: Sequence[str]) -> ScaleReliability:
    """α, ω and corrected item–total r of one scale with its listwise N and the < .70 flag."""
    data = complete_rows(x)
    n, k = data.shape
    alpha = omega = None
    item_total: dict[str, float | None] = dict.fromkeys(item_ids)
    if n >= MIN_RELIABILITY_N:
        alpha = _known(cronbach_alpha(data))
        omega = _known(mcdonald_omega(data)) if alpha is not None else None
        item_total = {
            i: _known(r) for i, r in zip(item_ids, corrected_item_total(data), strict=True)
        }
    return ScaleReliability(
        practice=practice,
        n=n,
        k=k,
        alpha=alpha,
        omega=omega,
        item_total=item_total,
        flagged=alpha is None or alpha < FLAG_BELOW,
    )


def practice_reliability(
    answers_by_ratee: Mapping[int, Sequence[Answer]], bank: ItemBank
) -> dict[str, ScaleReliability]:
    """Per practice: α, ω, item–total r and N over the cycle's non-self response sets.

    A row is one rater's keyed answers about one ratee; self ratings are left out because only
    others' ratings feed scores, L, M and leaning. Rows with any "can't observe" are dropped.

    Examples
    --------
    >>> from tandem.review.items import load_item_bank
    >>> from tandem.profile.synthetic import generate_org
    >>> bank = load_item_bank("1")
    >>> report = practice_reliability(generate_org(bank, n_people=60, seed=1).answers, bank)
    >>> report["vision"].n > 0
    True
    """
    result = {}
    for practice in bank.by_practice():
        matrix, item_ids = item_matrix(answers_by_ratee, bank, practice)
        result[practice] = scale_reliability(practice, matrix, item_ids)
    return result
