"""Cohort statistics: SDs, stratified α, r_LM, the reliability of the difference, fallbacks.

The rater covariance matrix Σ is checked against an independent recomputation in
tests/profile/test_reference.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tandem.profile.answers import Answer
from tandem.profile.cohort import MIN_COHORT_RATEES, cohort_stats
from tandem.profile.scoring import score_ratee
from tandem.profile.synthetic import generate_org
from tandem.review.items import load_item_bank
from tests.profile.bank import LEADER, MANAGER

BANK = load_item_bank("1")


def _mirror(answers: tuple[Answer, ...]) -> tuple[Answer, ...]:
    """The same answers with leader practice i and manager practice i swapped (items by number)."""
    swap = {**dict(zip(LEADER, MANAGER, strict=True)), **dict(zip(MANAGER, LEADER, strict=True))}
    ids = {i.id for i in BANK.items}
    mirrored = []
    for a in answers:
        practice, number = a.item_id.rsplit("-", 1)
        target = f"{swap[practice]}-{number}"
        if target in ids and BANK.item(target).reverse == BANK.item(a.item_id).reverse:
            mirrored.append(Answer(a.rater, a.relation, target, a.value))
    return tuple(mirrored)


def test_difference_reliability_matches_the_equal_variance_formula() -> None:
    org = generate_org(BANK, n_people=60, seed=5)
    # each ratee plus a mirrored twin: L and M then have exactly the same cohort SD
    cohort_answers = {**org.answers, **{1000 + k: _mirror(v) for k, v in org.answers.items()}}
    stats = cohort_stats(cohort_answers, BANK)
    assert stats.sd_l == pytest.approx(stats.sd_m, rel=1e-12)
    assert stats.r_ll is not None and stats.r_mm is not None and stats.r_lm is not None
    brief = (0.5 * (stats.r_ll + stats.r_mm) - stats.r_lm) / (1 - stats.r_lm)
    assert stats.r_d == pytest.approx(brief, rel=1e-9)
    assert stats.sd_d is not None and stats.se_d is not None
    assert stats.se_d == pytest.approx(stats.sd_d * math.sqrt(1 - stats.r_d), rel=1e-9)


def test_cohort_components_recomputed_from_profiles() -> None:
    org = generate_org(BANK, n_people=80, seed=6)
    stats = cohort_stats(org.answers, BANK)
    profiles = [score_ratee(a, BANK, stats) for a in org.answers.values()]
    vision = [p.practices["vision"].others for p in profiles]
    sd = float(np.std([v for v in vision if v is not None], ddof=1))
    assert stats.practice_sd["vision"] == pytest.approx(sd, rel=1e-12)
    alpha = stats.practice_reliability["vision"]
    assert alpha is not None
    assert stats.practice_sem["vision"] == pytest.approx(sd * math.sqrt(1 - alpha), rel=1e-12)
    both = [p for p in profiles if p.L is not None and p.M is not None]
    lv = np.array([p.L.value for p in both if p.L is not None])
    mv = np.array([p.M.value for p in both if p.M is not None])
    assert stats.n_lm == len(both)
    assert stats.r_lm == pytest.approx(float(np.corrcoef(lv, mv)[0, 1]), rel=1e-12)
    # stratified α of L: 1 − Σ σ²_p (1 − α_p) / (25 σ²_L), over ratees with all ten practices
    error = 0.0
    for practice in LEADER:
        scores = [p.practices[practice].others for p in both]
        a_p = stats.practice_reliability[practice]
        assert a_p is not None
        error += float(np.var(scores, ddof=1)) * (1 - a_p)
    r_ll = 1 - error / 25 / float(np.var(lv, ddof=1))
    assert stats.r_ll == pytest.approx(r_ll, rel=1e-12)
    assert stats.se_d is not None and stats.sem_l is not None and stats.sem_m is not None
    assert stats.se_d == pytest.approx(math.hypot(stats.sem_l, stats.sem_m), rel=1e-12)


def test_tiny_cohort_reports_unknown_instead_of_inventing_precision() -> None:
    org = generate_org(BANK, n_people=MIN_COHORT_RATEES - 1, seed=8)
    stats = cohort_stats(org.answers, BANK)
    assert stats.practice_sd["vision"] is None and stats.se_d is None and stats.sd_l is None
    assert stats.rater_cov["vision"]["vision"] is None and stats.rater_sd_d is None
    profile = score_ratee(org.answers[1], BANK, stats)
    assert profile.practices["vision"].others is not None  # scores still exist …
    assert profile.practices["vision"].band is None  # … but nothing built on cohort error
    assert profile.practices["vision"].se is None and profile.leaning_reason == "error unknown"
    assert profile.leaning is None and profile.blind_spots == () and profile.hidden_strengths == ()
    assert profile.practices["vision"].agreement is None
