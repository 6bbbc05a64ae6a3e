"""Reliability against reference packages (pingouin for α, statsmodels for the factor fit)."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd
import pingouin
import pytest
from statsmodels.multivariate.factor import Factor

from tandem.profile.answers import item_matrix
from tandem.profile.reliability import (
    MIN_RELIABILITY_N,
    complete_rows,
    corrected_item_total,
    cronbach_alpha,
    fit_one_factor,
    mcdonald_omega,
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
    ("name", "data"), _datasets(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_omega_matches_statsmodels_principal_axis(name: str, data: np.ndarray) -> None:
    fit = fit_one_factor(data)
    assert fit.converged
    assert mcdonald_omega(data) == pytest.approx(_statsmodels_omega(data), abs=1e-9)


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
    assert mcdonald_omega(data) == pytest.approx(expected, abs=1e-9)


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
    assert np.isnan(mcdonald_omega([[1, 3], [2, 3], [3, 3], [4, 3]]))  # constant item
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
