"""The CFA of the practice structure: it recovers known loadings and prefers the true model."""

from __future__ import annotations

import numpy as np
import pytest

from tandem.profile import cfa
from tandem.profile.synthetic import generate_org
from tandem.review.items import load_item_bank
from tandem.review.validity import validity_report


@pytest.fixture(scope="module")
def v1_report() -> cfa.CfaReport:
    bank = load_item_bank("1")
    return cfa.cfa_report(generate_org(bank, n_people=300, seed=1).answers, bank)


def test_the_true_structure_fits_and_items_straight_on_two_sides_do_not(
    v1_report: cfa.CfaReport,
) -> None:
    # the generator: items = practice truth + rater view + noise; practices driven by two sides
    assert v1_report.undefined is None and v1_report.n >= cfa.MIN_N
    ten = v1_report.fits["ten practices"]
    higher = v1_report.fits["two sides under ten practices"]
    two = v1_report.fits["two sides"]
    for fit in (ten, higher):
        assert fit.converged
        assert fit.cfi > 0.95 and fit.tli > 0.95 and fit.rmsea < 0.05 and fit.srmr < 0.05
    assert two.cfi < 0.9 and two.rmsea > ten.rmsea
    assert ten.chi2 < higher.chi2 < two.chi2  # nested: fewer constraints, lower χ²
    assert ten.df < higher.df < two.df
    # reverse items are keyed before the fit: every standardised loading is positive
    assert min(ten.loadings.values()) > 0.5
    assert set(higher.second_order) == set(load_item_bank("1").by_practice())
    assert 0.0 < higher.factor_correlations["leader~manager"] < 1.0


def test_known_loadings_are_recovered() -> None:
    """Answers drawn from a one-factor-per-practice model with known loadings (no rounding)."""
    bank = load_item_bank("1")
    rng = np.random.default_rng(5)
    items = [i for group in bank.by_practice().values() for i in group]
    loading = {i.id: 0.5 + 0.1 * (n % 4) for n, i in enumerate(items)}
    n = 4000
    sides = rng.multivariate_normal([0, 0], [[1, 0.4], [0.4, 1]], size=n)
    side_col = {"leader": 0, "manager": 1}
    practices = list(bank.by_practice())
    # practice factors: 0.8 · side + 0.6 · own part (unit variance), items: λ · factor + error
    factors = 0.8 * sides[:, [side_col[bank.by_practice()[p][0].side] for p in practices]]
    factors += 0.6 * rng.standard_normal((n, len(practices)))
    lam = np.array([loading[i.id] for i in items])
    data = factors[:, [practices.index(i.practice) for i in items]] * lam
    data += np.sqrt(1 - lam**2) * rng.standard_normal((n, len(items)))
    s = np.corrcoef(data, rowvar=False)
    ids = tuple(i.id for i in items)
    fit = cfa._fit(cfa._specs(ids, bank)[1], s, n, ids)
    assert fit.converged
    got = np.array([fit.loadings[i] for i in ids])
    want = np.array([loading[i] for i in ids])
    assert np.max(np.abs(got - want)) < 0.06
    assert fit.factor_correlations["leader~manager"] == pytest.approx(0.4, abs=0.06)
    assert all(v == pytest.approx(0.8, abs=0.08) for v in fit.second_order.values())
    assert fit.rmsea < 0.02 and fit.cfi > 0.99


def test_too_few_answers_give_no_fit_with_the_reason() -> None:
    bank = load_item_bank("1")
    small = generate_org(bank, n_people=6, seed=1).answers
    report = cfa.cfa_report(small, bank)
    assert report.fits == {}
    assert report.undefined is not None and "too few answers" in report.undefined


def test_the_validity_report_on_a_v2_bank_carries_the_overuse_scale() -> None:
    bank = load_item_bank("2")
    org = generate_org(bank, n_people=300, seed=3)
    report = validity_report("synthetic", org.answers, bank)
    assert report.item_bank_version == "2" and report.preferred in (
        "ten practices",
        "two sides under ten practices",
    )
    assert report.fits["ten practices"].cfi > 0.95
    # peers are routed no performance item: the items still fit through the other relations
    assert "performance-1" in report.fits["ten practices"].loadings
    assert set(report.overuse) == set(bank.by_practice())  # the synthetic org answers none
    assert all(s.n == 0 and s.alpha is None for s in report.overuse.values())
    v1 = load_item_bank("1")
    assert validity_report("v1", generate_org(v1, n_people=60, seed=3).answers, v1).overuse == {}
