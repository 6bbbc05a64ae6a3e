"""The SYNTHETIC generator: seeded, known truth, the configured structure."""

from __future__ import annotations

import numpy as np
import pytest

import tandem.profile.synthetic as synthetic
from tandem.profile.synthetic import generate_org, true_leaning
from tandem.review.items import load_item_bank

BANK = load_item_bank("1")


def test_same_seed_same_org_other_seed_other_org() -> None:
    a, b = generate_org(BANK, n_people=30, seed=3), generate_org(BANK, n_people=30, seed=3)
    assert a.answers == b.answers and a.truth == b.truth
    assert generate_org(BANK, n_people=30, seed=4).answers != a.answers


def test_latent_correlation_missing_rate_and_relations() -> None:
    org = generate_org(BANK, n_people=600, seed=2, correlation=0.6, missing_rate=0.1)
    lat = np.array([(t.latent_l, t.latent_m) for t in org.truth.values()])
    assert np.corrcoef(lat, rowvar=False)[0, 1] == pytest.approx(0.6, abs=0.08)
    values = [a.value for answers in org.answers.values() for a in answers]
    assert sum(v is None for v in values) / len(values) == pytest.approx(0.1, abs=0.01)
    assert {a.relation for a in org.answers[6]} == {"self", "manager", "peer", "report"}
    head = org.people[0]
    assert head.manager_id is None and org.people[7].manager_id == 6


def test_true_leaning_rule() -> None:
    assert true_leaning(3.5, 3.0, 0.25) == "leader-leaning"
    assert true_leaning(3.0, 3.5, 0.25) == "manager-leaning"
    assert true_leaning(3.2, 3.0, 0.25) == "balanced"
    org = generate_org(BANK, n_people=50, seed=5)
    for truth in org.truth.values():
        assert truth.leaning == true_leaning(truth.L, truth.M, org.params.leaning_margin)


def test_labelled_synthetic_everywhere() -> None:
    assert synthetic.__doc__ is not None and "SYNTHETIC" in synthetic.__doc__
    for obj in (
        synthetic.generate_org,
        synthetic.SyntheticOrg,
        synthetic.SyntheticPerson,
        synthetic.LatentTruth,
        synthetic.SyntheticParams,
    ):
        assert obj.__doc__ is not None and "SYNTHETIC" in obj.__doc__
