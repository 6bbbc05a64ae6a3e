"""Confirmatory factor analysis of the practice structure: maximum likelihood, numpy + scipy.

Three models of the others' item answers (keyed practice items of the cycle's bank; self ratings
and the overuse scale left out), each fitted by maximum likelihood to the items' correlation
matrix, factor variances fixed at 1:

* ``ten practices``: every item loads on its practice's factor; the ten factors correlate freely.
* ``two sides under ten practices`` (second order): the ten practice factors load on a leader and
  a manager factor (five each), which correlate.
* ``two sides``: every item loads straight on its side's factor; the two correlate.

F_ML = log|Σ| + tr(SΣ⁻¹) − log|S| − p, minimised with L-BFGS-B and the analytic gradient;
χ² = (N − 1)·F_ML, df = p(p + 1)/2 − free parameters. Fit indices: CFI and TLI against the
independence model, RMSEA and SRMR; standardised loadings. The correlation matrix is
**pairwise-complete** (a rater's "can't observe" and items not routed to their relation leave only
those cells out) and N is the smallest pairwise count, the conservative choice; full-information
ML would use every answer, and is not implemented. A pairwise matrix that is not positive definite
gives no fit (``None`` with the reason).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tandem.profile.answers import Answer, keyed
from tandem.review.items import PRACTICE_IDS, SIDES, ItemBank, practices_of

Matrix = npt.NDArray[np.float64]

MIN_N = 50  # smallest pairwise count before a CFA is attempted
MODELS = ("ten practices", "two sides under ten practices", "two sides")


@dataclass(frozen=True)
class ModelFit:
    """One model's fit: χ², df, CFI, TLI, RMSEA, SRMR and the standardised loadings."""

    model: str
    chi2: float
    df: int
    cfi: float
    tli: float
    rmsea: float
    srmr: float
    loadings: Mapping[str, float]  # item id → standardised loading on its first-order factor
    second_order: Mapping[str, float]  # practice → standardised loading on its side (2nd order)
    factor_correlations: Mapping[str, float]  # "a~b" → correlation (sides, or practices)
    converged: bool


@dataclass(frozen=True)
class CfaReport:
    """The three models on one data set (``None`` fits with ``undefined`` saying why)."""

    n: int
    items: tuple[str, ...]
    fits: Mapping[str, ModelFit]
    undefined: str | None


def others_matrix(
    answers_by_ratee: Mapping[int, Sequence[Answer]], bank: ItemBank
) -> tuple[Matrix, tuple[str, ...]]:
    """Keyed answers of others to every practice item: a row per (ratee, rater), NaN = none."""
    items = [i for group in bank.by_practice().values() for i in group]
    column = {item.id: j for j, item in enumerate(items)}
    rows: list[list[float]] = []
    for ratee in sorted(answers_by_ratee):
        by_rater: dict[int, list[float]] = {}
        for answer in answers_by_ratee[ratee]:
            if answer.relation == "self" or answer.item_id not in column:
                continue
            item = bank.item(answer.item_id)
            if not item.rated_by(answer.relation):
                continue
            row = by_rater.setdefault(answer.rater, [float("nan")] * len(items))
            if answer.value is not None:
                row[column[item.id]] = float(keyed(item, answer.value))
        rows.extend(by_rater.values())
    matrix = np.array(rows, dtype=np.float64).reshape(len(rows), len(items))
    return matrix, tuple(item.id for item in items)


def pairwise_correlation(data: Matrix) -> tuple[Matrix, int]:
    """Pairwise-complete correlation matrix and the smallest pairwise N."""
    present = ~np.isnan(data)
    k = data.shape[1]
    corr = np.eye(k)
    smallest = data.shape[0]
    for a in range(k):
        for b in range(a + 1, k):
            both = present[:, a] & present[:, b]
            n = int(both.sum())
            smallest = min(smallest, n)
            if n < 3:
                return corr, n
            x, y = data[both, a], data[both, b]
            sx, sy = x.std(), y.std()
            r = (
                0.0
                if sx == 0 or sy == 0
                else float(((x - x.mean()) * (y - y.mean())).mean() / (sx * sy))
            )
            corr[a, b] = corr[b, a] = r
    return corr, smallest


@dataclass(frozen=True)
class _Spec:
    """Which loadings are free: ``pattern`` (items × factors) and the factor structure."""

    name: str
    pattern: npt.NDArray[np.bool_]
    factors: tuple[str, ...]
    second_order: npt.NDArray[np.bool_] | None  # factors × 2 sides, for the higher-order model


def _specs(item_ids: Sequence[str], bank: ItemBank) -> list[_Spec]:
    practice_of = [bank.item(i).practice for i in item_ids]
    side_of = [bank.item(i).side for i in item_ids]
    ten = np.array([[p == q for q in PRACTICE_IDS] for p in practice_of])
    two = np.array([[s == t for t in SIDES] for s in side_of])
    higher = np.array([[p in practices_of(t) for t in SIDES] for p in PRACTICE_IDS])
    return [
        _Spec(MODELS[0], ten, PRACTICE_IDS, None),
        _Spec(MODELS[1], ten, PRACTICE_IDS, higher),
        _Spec(MODELS[2], two, SIDES, None),
    ]


class _Model:
    """Σ(θ) and the gradient of F_ML for one specification."""

    def __init__(self, spec: _Spec, s: Matrix) -> None:
        self.spec, self.s = spec, s
        self.p, self.m = spec.pattern.shape
        self.n_lambda = int(spec.pattern.sum())
        self.tri = np.triu_indices(self.m, 1)
        self.n_phi = 1 if spec.second_order is not None else len(self.tri[0])
        self.n_gamma = 0 if spec.second_order is None else int(spec.second_order.sum())
        _, self.logdet_s = np.linalg.slogdet(s)

    def start(self) -> Matrix:
        return np.concatenate(
            [
                np.full(self.n_lambda, 0.6),
                np.full(self.n_gamma, 0.8),
                np.full(self.n_phi, 0.3),
                np.full(self.p, np.log(0.6)),
            ]
        )

    def unpack(self, theta: Matrix) -> tuple[Matrix, Matrix, Matrix, Matrix | None, float]:
        i = 0
        lam = np.zeros((self.p, self.m))
        lam[self.spec.pattern] = theta[i : i + self.n_lambda]
        i += self.n_lambda
        gamma: Matrix | None = None
        rho = 0.0
        if self.spec.second_order is not None:
            gamma = np.zeros((self.m, 2))
            gamma[self.spec.second_order] = theta[i : i + self.n_gamma]
            i += self.n_gamma
            rho = float(theta[i])
            psi = np.array([[1.0, rho], [rho, 1.0]])
            common = gamma @ psi @ gamma.T
            phi = common + np.diag(1.0 - np.diag(common))
        else:
            phi = np.eye(self.m)
            phi[self.tri] = theta[i : i + self.n_phi]
            phi[(self.tri[1], self.tri[0])] = theta[i : i + self.n_phi]
        i += self.n_phi
        theta_diag = np.exp(theta[i : i + self.p])
        return lam, phi, theta_diag, gamma, rho

    def value_and_grad(self, theta: Matrix) -> tuple[float, Matrix]:
        lam, phi, uniq, gamma, rho = self.unpack(theta)
        sigma = lam @ phi @ lam.T + np.diag(uniq)
        sign, logdet = np.linalg.slogdet(sigma)
        if sign <= 0:
            return 1e10, np.zeros_like(theta)
        inv = np.linalg.inv(sigma)
        f = float(logdet + np.trace(self.s @ inv) - self.logdet_s - self.p)
        g = inv @ (sigma - self.s) @ inv
        grads = [(2 * g @ lam @ phi)[self.spec.pattern]]
        big_m = lam.T @ g @ lam
        if gamma is not None and self.spec.second_order is not None:
            off = big_m - np.diag(np.diag(big_m))
            psi = np.array([[1.0, rho], [rho, 1.0]])
            grads.append((2 * off @ gamma @ psi)[self.spec.second_order])
            grads.append(np.array([2 * (gamma.T @ off @ gamma)[0, 1]]))
        else:
            grads.append(2 * big_m[self.tri])
        grads.append(np.diag(g) * uniq)
        return f, np.concatenate(grads)


def _fit(spec: _Spec, s: Matrix, n: int, item_ids: Sequence[str]) -> ModelFit:
    from scipy.optimize import minimize

    model = _Model(spec, s)
    result = minimize(
        model.value_and_grad,
        model.start(),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": 5000, "maxfun": 20000, "gtol": 1e-8},
    )
    lam, phi, uniq, gamma, rho = model.unpack(result.x)
    sigma = lam @ phi @ lam.T + np.diag(uniq)
    p = s.shape[0]
    f = float(result.fun)
    q = len(result.x)
    chi2 = (n - 1) * f
    df = p * (p + 1) // 2 - q
    chi2_b = (n - 1) * float(np.sum(np.log(np.diag(s))) - model.logdet_s)
    df_b = p * (p - 1) // 2
    excess, excess_b = max(chi2 - df, 0.0), max(chi2_b - df_b, 0.0)
    cfi = 1.0 - excess / max(excess_b, excess, 1e-12)
    tli = ((chi2_b / df_b) - (chi2 / df)) / ((chi2_b / df_b) - 1.0)
    rmsea = float(np.sqrt(excess / (df * (n - 1))))
    scale = np.sqrt(np.outer(np.diag(s), np.diag(s)))
    low = np.tril_indices(p)
    srmr = float(np.sqrt(np.mean(((s - sigma) / scale)[low] ** 2)))
    sd = np.sqrt(np.diag(sigma))
    std = lam / sd[:, None]
    loadings = {item: float(std[j][spec.pattern[j]][0]) for j, item in enumerate(item_ids)}
    second: dict[str, float] = {}
    correlations: dict[str, float] = {}
    if gamma is not None and spec.second_order is not None:
        second = {f: float(gamma[k][spec.second_order[k]][0]) for k, f in enumerate(spec.factors)}
        correlations = {f"{SIDES[0]}~{SIDES[1]}": rho}
    else:
        correlations = {
            f"{spec.factors[a]}~{spec.factors[b]}": float(phi[a, b])
            for a, b in zip(*model.tri, strict=True)
        }
    return ModelFit(
        model=spec.name,
        chi2=chi2,
        df=df,
        cfi=cfi,
        tli=tli,
        rmsea=rmsea,
        srmr=srmr,
        loadings=loadings,
        second_order=second,
        factor_correlations=correlations,
        converged=bool(result.success),
    )


def cfa_report(answers_by_ratee: Mapping[int, Sequence[Answer]], bank: ItemBank) -> CfaReport:
    """Fit the three models to the others' answers of a cycle (see the module docstring)."""
    data, item_ids = others_matrix(answers_by_ratee, bank)
    s, n = pairwise_correlation(data)
    undefined = None
    if n < MIN_N:
        undefined = f"too few answers: the smallest pairwise N is {n} (at least {MIN_N} needed)"
    elif np.linalg.eigvalsh(s).min() <= 1e-8:
        undefined = "the pairwise correlation matrix is not positive definite"
    if undefined is not None:
        return CfaReport(n=n, items=item_ids, fits={}, undefined=undefined)
    fits = {spec.name: _fit(spec, s, n, item_ids) for spec in _specs(item_ids, bank)}
    return CfaReport(n=n, items=item_ids, fits=fits, undefined=None)
