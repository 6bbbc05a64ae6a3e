"""Reliability against reference packages (pingouin for α, statsmodels for the factor fit).

ω is compared with statsmodels only on well-conditioned data (asserted), where every BLAS kernel
agrees far beyond the tolerance; singular, near-singular and Heywood data are built on purpose and
must say "ω undefined" with the reason, whatever the kernel (OPENBLAS_CORETYPE=Haswell, Zen,
SkylakeX, Prescott … all pass).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources

import numpy as np
import pandas as pd
import pingouin
import pytest
from statsmodels.multivariate.factor import Factor

from tandem.profile.answers import item_matrix
from tandem.profile.reliability import (
    MIN_RELIABILITY_N,
    SINGULAR_TOL,
    OmegaUndefined,
    complete_rows,
    corrected_item_total,
    cronbach_alpha,
    fit_one_factor,
    omega,
    omega_from_loadings,
    practice_reliability,
    scale_reliability,
)
from tandem.profile.synthetic import generate_org
from tandem.review.items import load_item_bank

BANK = load_item_bank("1")
ORG = generate_org(BANK, n_people=150, seed=21)


def _pingouin_csv(name: str) -> pd.DataFrame:
    path = resources.files("pingouin") / "datasets" / name
    with resources.as_file(path) as local:
        return pd.read_csv(local, encoding="utf-8-sig")


def _datasets() -> list[tuple[str, np.ndarray]]:
    long = _pingouin_csv("cronbach_alpha.csv")
    wide = long.pivot(index="Subj", columns="Items", values="Scores")
    sets = [
        ("pingouin cronbach_alpha", wide.to_numpy(dtype=float)),
        (
            "pingouin cronbach_wide_missing",
            _pingouin_csv("cronbach_wide_missing.csv").to_numpy(float),
        ),
    ]
    for practice in ("vision", "conflict"):
        matrix, _ = item_matrix(ORG.answers, BANK, practice)
        sets.append((f"synthetic {practice}", matrix))
    return sets


def _well_conditioned() -> list[tuple[str, np.ndarray]]:
    return [(name, data) for name, data in _datasets() if name != "pingouin cronbach_wide_missing"]


def _statsmodels_omega(data: np.ndarray) -> float:
    rows = complete_rows(data)
    model = Factor(rows, n_factor=1, method="pa", smc=True)
    loadings = model.fit(maxiter=100_000, tol=1e-14).loadings[:, 0]
    return omega_from_loadings(-loadings if loadings.sum() < 0 else loadings)


@pytest.mark.parametrize(
    ("name", "data"), _datasets(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_alpha_matches_pingouin_listwise(name: str, data: np.ndarray) -> None:
    reference, _ = pingouin.cronbach_alpha(data=pd.DataFrame(data), nan_policy="listwise")
    assert cronbach_alpha(data) == pytest.approx(reference, abs=1e-9)


@pytest.mark.parametrize(
    ("name", "data"), _well_conditioned(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_omega_matches_statsmodels_principal_axis(name: str, data: np.ndarray) -> None:
    rows = complete_rows(data)
    # the comparison means something only far from singularity: smallest eigenvalue ≥ 0.05
    assert np.linalg.eigvalsh(np.corrcoef(rows, rowvar=False))[0] > 0.05
    fit = fit_one_factor(data)
    assert fit.converged and not fit.heywood
    assert omega(data).value == pytest.approx(_statsmodels_omega(data), rel=1e-7)


def test_omega_is_undefined_with_fewer_answer_sets_than_items() -> None:
    # pingouin's cronbach_wide_missing: 9 complete rows for 11 items → rank ≤ 8 < 11
    data = _pingouin_csv("cronbach_wide_missing.csv").to_numpy(float)
    result = omega(data)
    assert result.value is None
    assert result.undefined == (
        "ω undefined: the items' correlation matrix is singular: 9 complete answer sets for "
        "11 items (needs at least 12)"
    )


def _factor_data(n: int = 200, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    factor = rng.standard_normal(n)
    return np.column_stack([w * factor + rng.standard_normal(n) for w in (1.2, 1.0, 0.8, 0.6)])


@pytest.mark.parametrize(
    ("case", "extra"),
    [
        ("duplicate item", lambda d: d[:, 0]),
        ("perfectly collinear item", lambda d: 2.0 * d[:, 0] - d[:, 1] + 3.0),
        ("near-singular item", lambda d: d[:, 0] + d[:, 1] + 1e-6 * d[:, 2]),
    ],
)
def test_omega_is_undefined_for_singular_and_near_singular_items(
    case: str, extra: Callable[[np.ndarray], np.ndarray]
) -> None:
    base = _factor_data()
    assert omega(base).value is not None  # the same data without the extra item has an ω
    data = np.column_stack([base, extra(base)])
    result = omega(data)
    assert result.value is None, case
    assert result.undefined == (
        "ω undefined: the items' correlation matrix is singular or near-singular (smallest "
        f"eigenvalue under {SINGULAR_TOL:.0e}): some item is (nearly) a linear combination of "
        "others"
    )
    with pytest.raises(OmegaUndefined):
        fit_one_factor(data)


def test_omega_is_undefined_for_a_constant_item_and_too_few_rows() -> None:
    constant = np.column_stack([_factor_data(), np.full(200, 3.0)])
    assert omega(constant).undefined == (
        "ω undefined: an item does not vary, so its correlations are undefined"
    )
    assert omega([[1, 2], [2, 3]]).undefined == (
        "ω undefined: a one-factor fit needs at least 3 complete answer sets and 2 items "
        "(has 2 and 2)"
    )


def _with_correlation(target: np.ndarray, n: int = 100, seed: int = 5) -> np.ndarray:
    """Data whose sample correlation matrix is exactly ``target`` (whitened, then coloured)."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, len(target)))
    z -= z.mean(axis=0)
    q, _ = np.linalg.qr(z)
    return np.asarray(q @ np.linalg.cholesky(target).T * np.sqrt(n - 1))


def test_omega_is_undefined_for_a_heywood_case() -> None:
    # three items, exactly identified: λ1² = r12·r13/r23 = .8·.8/.5 = 1.28 > 1
    target = np.array([[1.0, 0.8, 0.8], [0.8, 1.0, 0.5], [0.8, 0.5, 1.0]])
    data = _with_correlation(target)
    assert np.corrcoef(data, rowvar=False) == pytest.approx(target, abs=1e-9)
    assert fit_one_factor(data).heywood
    result = omega(data)
    assert result.value is None
    assert result.undefined == (
        "ω undefined: a Heywood case (an item's communality reached 1), so the one-factor "
        "solution is improper"
    )


def test_scale_report_says_why_omega_is_undefined() -> None:
    base = _factor_data(n=40)
    scale = scale_reliability("x", np.column_stack([base, base[:, 0]]), ("a", "b", "c", "d", "e"))
    assert scale.alpha is not None and scale.omega is None
    assert scale.omega_undefined is not None
    assert scale.omega_undefined.startswith("ω undefined: the items' correlation matrix is")
    fine = scale_reliability("y", base, ("a", "b", "c", "d"))
    assert fine.omega is not None and fine.omega_undefined is None


def test_omega_three_items_closed_form() -> None:
    # one factor, three items: exactly identified, λ1² = r12·r13/r23 etc.
    rng = np.random.default_rng(4)
    factor = rng.standard_normal(500)
    data = np.column_stack([w * factor + rng.standard_normal(500) for w in (1.5, 1.0, 0.7)])
    r = np.corrcoef(data, rowvar=False)
    lam = np.sqrt(
        [r[0, 1] * r[0, 2] / r[1, 2], r[0, 1] * r[1, 2] / r[0, 2], r[0, 2] * r[1, 2] / r[0, 1]]
    )
    expected = lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum())
    assert omega(data).value == pytest.approx(expected, rel=1e-7)


def test_alpha_and_item_total_by_hand() -> None:
    data = [[1, 2], [2, 3], [3, 3], [4, 5], [np.nan, 1]]  # last row dropped (listwise)
    # var 5/3 and 19/12; var(total) 25/4 → α = 2 · (1 − (39/12)/(25/4)) = 0.96
    assert cronbach_alpha(data) == pytest.approx(0.96, abs=1e-12)
    # item 1 vs rest (3, 5, 7, 10): r = 11.5 / √(5 · 26.75)
    rit = corrected_item_total([[1, 2, 1], [2, 2, 3], [3, 4, 3], [4, 5, 5]])
    assert rit[0] == pytest.approx(11.5 / np.sqrt(5 * 26.75), abs=1e-12)


def test_undefined_cases_are_nan_not_numbers() -> None:
    assert np.isnan(cronbach_alpha([[1, 2]]))
    assert np.isnan(cronbach_alpha([[3, 3], [3, 3], [3, 3]]))
    assert omega([[1, 3], [2, 3], [3, 3], [4, 3]]).value is None  # constant item
    assert np.isnan(corrected_item_total([[1, 3], [2, 3], [3, 3]])).all()


def test_scale_report_has_n_and_flags_under_070() -> None:
    rng = np.random.default_rng(9)
    good = rng.standard_normal((40, 1)) + 0.3 * rng.standard_normal((40, 4))
    weak = rng.standard_normal((40, 4))  # uncorrelated items: α near 0
    ids = ("a", "b", "c", "d")
    strong, poor = scale_reliability("x", good, ids), scale_reliability("y", weak, ids)
    assert strong.n == 40 and strong.alpha is not None and strong.alpha > 0.7
    assert not strong.flagged and poor.flagged
    few = scale_reliability("z", good[: MIN_RELIABILITY_N - 1], ids)
    assert few.alpha is None and few.omega is None and few.flagged
    assert few.n == MIN_RELIABILITY_N - 1


def test_practice_reliability_uses_complete_non_self_response_sets() -> None:
    report = practice_reliability(ORG.answers, BANK)
    matrix, ids = item_matrix(ORG.answers, BANK, "vision")
    with_self, _ = item_matrix(ORG.answers, BANK, "vision", include_self=True)
    assert len(with_self) > len(matrix)
    vision = report["vision"]
    assert vision.n == len(complete_rows(matrix)) < len(matrix)
    assert vision.alpha == pytest.approx(cronbach_alpha(matrix), abs=1e-12)
    assert tuple(vision.item_total) == ids
