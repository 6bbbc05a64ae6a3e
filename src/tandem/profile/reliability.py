"""Scale reliability in numpy: Cronbach's α, McDonald's ω (one factor), corrected item–total r.

Every function takes an (N respondents × k items) array with NaN for a missing answer and uses
**listwise deletion**: only rows with every item answered count, so α, ω and the item–total
correlations of a scale rest on the same N, which is reported. Variances use ``ddof = 1``.

ω is McDonald's omega total for a one-factor model, ω = (Σλ)² / ((Σλ)² + Σψ), with standardised
loadings λ and uniquenesses ψ = 1 − λ² from an **iterated principal-axis** fit of one factor to
the inter-item correlation matrix (squared multiple correlations as starting communalities,
iterated until the communalities change by less than 1e-12). At convergence this is the
minimum-residual (ULS) solution, the default of R's ``psych::omega``; the tests check it against
``statsmodels`` (``Factor(method="pa")``) on well-conditioned data.

**ω undefined.** The fit needs an invertible correlation matrix, and its answer is only a
proper one-factor solution when every communality stays below 1. So ω is *undefined* — ``None``
with a reason, never ``inf`` or ``NaN`` dressed as a number — when an item does not vary, when
there are no more complete answer sets than items (the correlation matrix then has rank < k),
when the matrix is singular or near-singular (its smallest eigenvalue under
:data:`SINGULAR_TOL`; the eigenvalues of a k×k correlation matrix sum to k, so the tolerance
needs no scaling), when the fit ends in a Heywood case (a communality within
:data:`HEYWOOD_TOL` of 1 or above) or does not converge. Each test is made with tolerances many
orders above floating-point rounding, so the verdict does not depend on the BLAS kernel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tandem.profile.answers import Answer, item_matrices
from tandem.review.items import ItemBank

Matrix = npt.NDArray[np.float64]

FLAG_BELOW = 0.70  # scales with α under .70 are flagged
MIN_RELIABILITY_N = 10  # complete response sets needed before a scale's α/ω is reported
PAF_TOL = 1e-12
PAF_MAX_ITER = 10_000
SINGULAR_TOL = 1e-8  # smallest eigenvalue of the correlation matrix below this: (near-)singular
HEYWOOD_TOL = 1e-6  # a communality above 1 − this is a Heywood case


class OmegaUndefined(ValueError):
    """The one-factor model, and so ω, is undefined for these data; the message says why."""


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
    sets exist or the items do not vary; ``omega`` is also ``None`` when the one-factor model is
    undefined, and ``omega_undefined`` then says why. ``flagged`` is true when α is under .70 or
    unknown.
    """

    practice: str
    n: int
    k: int
    alpha: float | None
    omega: float | None
    item_total: Mapping[str, float | None]
    flagged: bool
    omega_undefined: str | None = None


@dataclass(frozen=True)
class Omega:
    """McDonald's ω, or ``None`` with the reason it is undefined (``"ω undefined: …"``)."""

    value: float | None
    undefined: str | None = None


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

    Raises :class:`OmegaUndefined` (a ``ValueError``) naming the reason when fewer than 3
    complete rows or 2 items remain, an item is constant, there are no more complete rows than
    items, or the correlation matrix is singular or near-singular. A Heywood case or a fit that
    does not converge is returned as such (``heywood``, ``converged``); :func:`omega` refuses it.

    Examples
    --------
    >>> try:
    ...     fit_one_factor([[1, 1], [2, 2], [3, 3], [4, 4]])
    ... except OmegaUndefined as undefined:
    ...     print(str(undefined)[:58])
    the items' correlation matrix is singular or near-singular
    """
    data = complete_rows(x)
    n, k = data.shape
    if n < 3 or k < 2:
        raise OmegaUndefined(
            f"a one-factor fit needs at least 3 complete answer sets and 2 items (has {n} and {k})"
        )
    if np.any(np.ptp(data, axis=0) == 0):
        raise OmegaUndefined("an item does not vary, so its correlations are undefined")
    if n <= k:  # rank of the correlation matrix ≤ n − 1 < k, whatever the rounding
        raise OmegaUndefined(
            f"the items' correlation matrix is singular: {n} complete answer sets for {k} items "
            f"(needs at least {k + 1})"
        )
    corr: Matrix = np.asarray(np.corrcoef(data, rowvar=False), dtype=np.float64)
    smallest = float(np.linalg.eigvalsh(corr)[0])
    if not smallest >= SINGULAR_TOL:
        raise OmegaUndefined(
            "the items' correlation matrix is singular or near-singular (smallest eigenvalue "
            f"under {SINGULAR_TOL:.0e}): some item is (nearly) a linear combination of others"
        )
    communality = 1.0 - 1.0 / np.diag(np.linalg.inv(corr))  # squared multiple correlations
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
        heywood=bool(np.any(loadings**2 > 1.0 - HEYWOOD_TOL)),
    )


def omega_from_loadings(loadings: Sequence[float]) -> float:
    """McDonald's ω = (Σλ)² / ((Σλ)² + Σ(1 − λ²)) for standardised loadings (ψ floored at 0)."""
    lam = np.asarray(loadings, dtype=np.float64)
    common = float(lam.sum()) ** 2
    unique = float(np.clip(1.0 - lam**2, 0.0, None).sum())
    return common / (common + unique)


def omega(x: npt.ArrayLike) -> Omega:
    """McDonald's ω (omega total, one factor, iterated principal axis), listwise, or the reason
    it is undefined (see the module docstring).

    Examples
    --------
    >>> data = [[1, 2, 1], [2, 2, 3], [3, 4, 3], [4, 5, 5], [5, 4, 4]]
    >>> 0 < omega(data).value < 1
    True
    >>> omega([[1, 2, 2], [2, 4, 1], [3, 6, 3], [4, 8, 5], [5, 10, 4]]).undefined[:42]
    "ω undefined: the items' correlation matrix"
    """
    try:
        fit = fit_one_factor(x)
    except OmegaUndefined as undefined:
        return Omega(value=None, undefined=f"ω undefined: {undefined}")
    except np.linalg.LinAlgError as failed:  # not expected past the checks above; never a crash
        return Omega(value=None, undefined=f"ω undefined: the factor fit failed ({failed})")
    if fit.heywood:
        return Omega(
            value=None,
            undefined="ω undefined: a Heywood case (an item's communality reached 1), "
            "so the one-factor solution is improper",
        )
    if not fit.converged:
        return Omega(
            value=None,
            undefined=f"ω undefined: the one-factor fit did not converge in {PAF_MAX_ITER} "
            "iterations",
        )
    return Omega(value=omega_from_loadings(fit.loadings))


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
    alpha = None
    fit = Omega(value=None)
    item_total: dict[str, float | None] = dict.fromkeys(item_ids)
    if n >= MIN_RELIABILITY_N:
        alpha = _known(cronbach_alpha(data))
        if alpha is not None:
            fit = omega(data)
        item_total = {
            i: _known(r) for i, r in zip(item_ids, corrected_item_total(data), strict=True)
        }
    return ScaleReliability(
        practice=practice,
        n=n,
        k=k,
        alpha=alpha,
        omega=fit.value,
        item_total=item_total,
        flagged=alpha is None or alpha < FLAG_BELOW,
        omega_undefined=fit.undefined,
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
    return {
        practice: scale_reliability(practice, matrix, item_ids)
        for practice, (matrix, item_ids) in item_matrices(answers_by_ratee, bank).items()
    }
