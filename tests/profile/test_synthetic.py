"""The SYNTHETIC generator: seeded, known truth, the configured structure."""

from __future__ import annotations

import numpy as np
import pytest

import tandem.profile.synthetic as synthetic
from tandem.profile.cohort import cohort_stats
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


def test_raters_per_person_draws_colleagues_and_keeps_the_truth() -> None:
    org = generate_org(BANK, n_people=200, seed=3, raters_per_person=(1, 12))
    counts = []
    for person in org.people:
        raters: dict[int, str] = {}
        for a in org.answers[person.id]:
            raters.setdefault(a.rater, a.relation)
        others = [(r, rel) for r, rel in raters.items() if rel != "self"]
        counts.append(len(others))
        assert raters[person.id] == "self"
        if person.manager_id is not None:
            assert others[0] == (person.manager_id, "manager")
        assert {rel for _, rel in others[1:]} <= {"peer", "report"}
    assert min(counts) == 1 and max(counts) == 12
    # the truth and the leniencies come first from the main stream: the same as the org chart's
    chart = generate_org(BANK, n_people=200, seed=3)
    assert org.truth == chart.truth and org.leniency == chart.leniency
    with pytest.raises(ValueError, match="raters_per_person"):
        generate_org(BANK, n_people=20, seed=3, raters_per_person=(0, 3))


def test_drawn_raters_follow_the_same_rating_model() -> None:
    """The vectorised path of ``raters_per_person`` has the org chart's rater spread."""
    chart = cohort_stats(generate_org(BANK, n_people=300, seed=4).answers, BANK)
    drawn = cohort_stats(
        generate_org(BANK, n_people=300, seed=4, raters_per_person=(4, 8)).answers, BANK
    )
    for practice, sd in chart.rater_sd.items():
        assert sd is not None and drawn.rater_sd[practice] == pytest.approx(sd, rel=0.1)


def test_a_planted_self_bias_moves_only_that_practice_of_self_ratings() -> None:
    plain = generate_org(BANK, n_people=40, seed=6)
    planted = generate_org(BANK, n_people=40, seed=6, self_bias_practices=(("vision", 2.0),))
    moved = kept = 0
    for person, answers in plain.answers.items():
        for a, b in zip(answers, planted.answers[person], strict=True):
            on_target = a.relation == "self" and a.item_id.startswith("vision-")
            if not on_target:
                assert a == b  # no other answer changes: the random stream is the same
                kept += 1
            elif a.value is not None and a.value != b.value:
                moved += 1
    assert moved > 40 and kept > 1000
