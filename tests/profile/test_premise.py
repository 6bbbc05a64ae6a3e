"""The essay-premise report: split-rater L–M correlation corrected for attenuation, the
both-high test against independence with its verdict, the same-rater r for comparison, and
who leans one way reliably."""

from __future__ import annotations

import doctest
import functools
import hashlib
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.orm import Session

from tandem.profile import premise as premise_module
from tandem.profile import split_raters
from tandem.profile.answers import Answer, RaterScores, rater_scores, rater_scores_by_ratee
from tandem.profile.premise import (
    MIN_EXPECTED_BOTH_HIGH,
    MIN_PREMISE_N,
    RELIABILITY_FLOOR,
    VERDICT_TEXT,
    fisher_ci,
    lm_correlation,
    premise,
    premise_report,
    wilson_interval,
)
from tandem.profile.schemas import PremiseOut
from tandem.profile.scoring import cohort_stats, score_ratee
from tandem.profile.service import CycleScores, ResultsLockedError
from tandem.profile.synthetic import SyntheticOrg, generate_org
from tandem.review import service as review_service
from tandem.review.items import ItemBank, load_item_bank, practices_of
from tandem.review.models import ReviewCycle
from tests.helpers import V1
from tests.profile.test_service import setup_hand_org, write_synthetic

Z2 = 1.959963984540054**2


def test_fisher_ci_by_hand() -> None:
    # atanh(.5) = 0.5493061, SE = 1/√25 = 0.2, ±1.959964·0.2 = ±0.3919928
    lo, hi = fisher_ci(0.5, 28) or (0.0, 0.0)
    assert lo == pytest.approx(math.tanh(0.5493061443 - 0.3919927969), abs=1e-9)
    assert hi == pytest.approx(math.tanh(0.5493061443 + 0.3919927969), abs=1e-9)
    assert (round(lo, 4), round(hi, 4)) == (0.1560, 0.7358)
    assert fisher_ci(0.5, 3) is None
    assert fisher_ci(1.0, 20) == (1.0, 1.0)


def test_wilson_interval_by_hand() -> None:
    # p = .3, n = 10, z² = 3.8415: centre = (.3 + .19207)/1.38415 = .35550;
    # half = 1.95996·√(.021 + .0096037)/1.38415 = .24771
    lo, hi = wilson_interval(3, 10) or (0.0, 0.0)
    assert (round(lo, 4), round(hi, 4)) == (0.1078, 0.6032)
    assert wilson_interval(0, 0) is None
    assert wilson_interval(0, 5) == (0.0, pytest.approx(0.4345, abs=1e-4))
    # a fractional count (a share averaged over two assignments) uses the same formula
    lo, hi = wilson_interval(2.5, 10) or (0.0, 0.0)
    centre = (0.25 + Z2 / 20) / (1 + Z2 / 10)
    half = math.sqrt(Z2) * math.sqrt(0.25 * 0.75 / 10 + Z2 / 400) / (1 + Z2 / 10)
    assert (lo, hi) == (pytest.approx(centre - half), pytest.approx(centre + half))


def test_correlation_needs_ten_people() -> None:
    few = lm_correlation([1.0, 2.0, 3.0], [1.0, 3.0, 2.0])
    assert (few.n, few.r, few.ci95) == (3, None, None)
    ten = lm_correlation(list(range(10)), [2 * v for v in range(10)])
    assert ten.r == pytest.approx(1.0) and ten.n == MIN_PREMISE_N
    with pytest.raises(ValueError, match="paired"):
        lm_correlation([1.0], [])


def cycle_of(n_people: int, seed: int, **overrides: float) -> CycleScores:
    bank = load_item_bank(V1)
    org = generate_org(bank, n_people=n_people, seed=seed, **overrides)  # type: ignore[arg-type]
    return CycleScores(ReviewCycle(name=f"synthetic-{seed}"), bank, org.answers)


def test_premise_tracks_the_latent_correlation_on_synthetic_data() -> None:
    together = premise_report(cycle_of(240, 5, correlation=0.9))
    apart = premise_report(cycle_of(240, 5, correlation=0.0))
    assert together.enough_data and apart.enough_data
    assert together.correlation.r is not None and apart.correlation.r is not None
    assert together.correlation.r > apart.correlation.r + 0.3
    # when the sides go together, fewer people lean one way reliably
    assert together.leaning_reliably.share is not None
    assert apart.leaning_reliably.share is not None
    assert together.leaning_reliably.share < apart.leaning_reliably.share


def test_premise_from_the_database_equals_the_pure_computation(db_session: Session) -> None:
    org, ids = write_synthetic(db_session, cycle="synthetic", n_people=60, seed=4)
    bank = load_item_bank(V1)
    cohort = cohort_stats(org.answers, bank)
    pure = [score_ratee(answers, bank, cohort) for answers in org.answers.values()]
    both = [(p.L.value, p.M.value) for p in pure if p.L is not None and p.M is not None]
    r = float(np.corrcoef([b[0] for b in both], [b[1] for b in both])[0, 1])
    counts = {k: sum(1 for p in pure if (p.leaning or "unknown") == k) for k in ("balanced",)}

    report = premise(session=db_session, cycle="synthetic")
    assert report.n_ratees == 60 and report.n_with_l_and_m == len(both)
    assert report.correlation.r == pytest.approx(r)
    assert report.correlation.ci95 == pytest.approx(fisher_ci(r, len(both)))
    assert report.leaning_counts["balanced"] == counts["balanced"]
    assert sum(report.leaning_counts.values()) == 60
    leaning = report.leaning_counts["leader-leaning"] + report.leaning_counts["manager-leaning"]
    known = leaning + report.leaning_counts["balanced"]
    assert (report.leaning_reliably.count, report.leaning_reliably.of) == (leaning, known)
    assert report.leaning_reliably.share == pytest.approx(leaning / known)
    assert report.enough_data
    assert f"r = {r:.2f}" in report.summary and f"{leaning} of {known} people" in report.summary
    # split raters, recomputed apart from the service: raters sorted by relation, then by a hash
    # of what they answered, then by the database's rater id, dealt A, B, A, …; per half the
    # mean over raters of each practice
    halves = [reference_halves(answers, bank, ids) for answers in org.answers.values()]
    table = np.array([h for h in halves if h is not None])
    l_a, m_a, l_b, m_b = table.T
    r_split = (np.corrcoef(l_a, m_b)[0, 1] + np.corrcoef(l_b, m_a)[0, 1]) / 2
    rel_l, rel_m = np.corrcoef(l_a, l_b)[0, 1], np.corrcoef(m_a, m_b)[0, 1]
    split = report.split_rater
    assert split.n == len(table) and split.n_excluded == 60 - len(table)
    assert split.r_split == pytest.approx(r_split)
    assert (split.reliability_l, split.reliability_m) == (
        pytest.approx(rel_l),
        pytest.approx(rel_m),
    )
    assert split.r_corrected == pytest.approx(max(-1, min(1, r_split / math.sqrt(rel_l * rel_m))))
    top = [x >= np.quantile(x, 2 / 3) for x in (l_a, m_a, l_b, m_b)]
    observed = ((top[0] & top[3]).mean() + (top[2] & top[1]).mean()) / 2
    expected = (top[0].mean() * top[3].mean() + top[2].mean() * top[1].mean()) / 2
    assert report.both_high.observed == pytest.approx(observed)
    assert report.both_high.expected == pytest.approx(expected)


def reference_halves(
    answers: Sequence[Answer], bank: ItemBank, ids: dict[int, int]
) -> tuple[float, float, float, float] | None:
    """L_A, M_A, L_B, M_B of one ratee, written apart from :mod:`tandem.profile.split_raters`."""
    order = {"manager": 0, "peer": 1, "report": 2}

    def answered(r: RaterScores) -> str:  # sha-256 of the practice scores by practice name
        text = ",".join(
            "-" if (v := r.practices[p]) is None else repr(float(v)) for p in sorted(r.practices)
        )
        return hashlib.sha256(text.encode()).hexdigest()

    raters = sorted(
        (r for r in rater_scores(answers, bank) if r.relation != "self"),
        key=lambda r: (order[r.relation], answered(r), ids[r.rater]),
    )
    raters = [r for r in raters if any(v is not None for v in r.practices.values())]
    if len(raters) < 2:
        return None
    result: list[float] = []
    for half in (raters[0::2], raters[1::2]):
        for side in ("leader", "manager"):
            means = []
            for practice in practices_of(side):
                values = [r.practices[practice] for r in half]
                present = [v for v in values if v is not None]
                if not present:
                    return None
                means.append(sum(present) / len(present))
            result.append(sum(means) / 5)
    return (result[0], result[1], result[2], result[3])


def test_premise_says_plainly_when_there_are_too_few_people(
    db_session: Session, tmp_path: Path
) -> None:
    setup_hand_org(db_session, tmp_path)
    report = premise(session=db_session, cycle="2026-H1")
    assert not report.enough_data
    assert (report.n_ratees, report.n_with_l_and_m) == (1, 1)
    assert report.correlation.r is None and report.correlation.ci95 is None
    assert report.leaning_counts == {
        "leader-leaning": 0,
        "manager-leaning": 0,
        "balanced": 0,
        "unknown": 1,
    }
    assert report.leaning_reliably.share is None
    # Rae has six other raters, so two halves, but one person gives no correlation
    assert report.split_rater.n == 1 and report.split_rater.r_split is None
    assert report.split_rater.r_corrected is None and report.split_rater.r_corrected_ci95 is None
    assert report.both_high.verdict == report.verdict == "not enough data"
    assert report.both_high.ratio is None and report.both_high.observed is None
    assert report.summary.startswith(
        "Not enough data: 1 person with both L and M, 1 with them from two halves of their "
        "raters, 0 with"
    )
    assert "too few people" in report.notes[0]


def test_premise_defaults_to_the_latest_closed_cycle(db_session: Session, tmp_path: Path) -> None:
    setup_hand_org(db_session, tmp_path, close=False)  # opens and fills 2026-H1
    review_service.create_cycle(session=db_session, name="2026-H2", item_bank_version=V1)
    with pytest.raises(ResultsLockedError, match="'2026-H2' are locked"):
        premise(session=db_session)  # none closed: the latest, whose results are locked
    review_service.close_cycle(session=db_session, name="2026-H1")
    assert premise(session=db_session).cycle == "2026-H1"


def test_the_docstring_examples_hold() -> None:
    assert doctest.testmod(premise_module).failed == 0


# --- split raters -------------------------------------------------------------------------------


def scores_of(rater: int, relation: str, leader: float, manager: float) -> RaterScores:
    """A rater giving every leader practice ``leader`` and every manager practice ``manager``."""
    values = dict.fromkeys(practices_of("leader"), leader)
    values |= dict.fromkeys(practices_of("manager"), manager)
    return RaterScores(rater, relation, values)


def test_the_split_rule_deals_sorted_raters_alternately_and_never_uses_self() -> None:
    raters = [
        scores_of(30, "report", 3, 3),
        scores_of(5, "self", 5, 5),
        scores_of(12, "peer", 3, 3),
        scores_of(40, "manager", 3, 3),
        scores_of(11, "peer", 3, 3),
        scores_of(31, "report", 3, 3),
        scores_of(13, "peer", 3, 3),
        RaterScores(50, "peer", dict.fromkeys(practices_of("leader"), None)),  # nothing valid
    ]
    # sorted: manager 40 · peers 11, 12, 13 · reports 30, 31 → A = 40, 12, 30; B = 11, 13, 31
    halves = split_raters.split_raters(raters)
    assert halves is not None
    assert [[r.rater for r in half] for half in halves] == [[40, 12, 30], [11, 13, 31]]
    assert split_raters.split_raters([raters[0], raters[1]]) is None  # one other rater
    assert split_raters.split_raters(raters[:3]) is not None  # two others suffice


def test_half_sides_average_raters_per_practice_then_practices() -> None:
    first = scores_of(1, "peer", 2.0, 4.0)
    second_values = dict(scores_of(2, "peer", 4.0, 5.0).practices)
    second_values[practices_of("leader")[0]] = None  # this rater has no score there
    second = RaterScores(2, "peer", second_values)
    l_half, m_half = split_raters.half_sides([first, second])
    # leader: one practice 2.0 (first alone), four practices (2 + 4)/2 = 3.0 → (2 + 4·3)/5
    assert l_half == pytest.approx((2.0 + 4 * 3.0) / 5) and m_half == pytest.approx(4.5)
    only_second = split_raters.half_sides([second])
    assert only_second == (None, 5.0)  # a side needs all five practices


def test_split_statistics_by_hand() -> None:
    rng = np.random.default_rng(3)
    true_l, true_m = rng.normal(size=(2, 30))
    l_a, l_b = true_l + rng.normal(size=(2, 30))  # two halves' views of the same people
    m_a, m_b = true_m - 0.3 * true_l + rng.normal(size=(2, 30))
    stats = split_raters.premise_statistics(l_a[None], m_a[None], l_b[None], m_b[None])

    def r(x: np.ndarray, y: np.ndarray) -> float:
        return float(np.corrcoef(x, y)[0, 1])

    r_split = (r(l_a, m_b) + r(l_b, m_a)) / 2
    assert stats.r_split[0] == pytest.approx(r_split)
    assert stats.rel_l[0] == pytest.approx(r(l_a, l_b))
    assert stats.rel_m[0] == pytest.approx(r(m_a, m_b))
    assert r(l_a, l_b) > 0 and r(m_a, m_b) > 0
    corrected = r_split / math.sqrt(r(l_a, l_b) * r(m_a, m_b))
    assert abs(corrected) < 1 and stats.r_corrected[0] == pytest.approx(corrected)
    # a reliability ≤ 0 is no reliability: nothing is corrected, even when the product is > 0
    flipped = split_raters.premise_statistics(l_a[None], m_a[None], -l_b[None], -m_b[None])
    assert flipped.rel_l[0] * flipped.rel_m[0] > 0 and np.isnan(flipped.r_corrected[0])
    # top third of 30: the 10 largest of each (no ties in normal draws)
    high = {
        name: set(np.argsort(x)[-10:]) for name, x in zip("LMlm", (l_a, m_a, l_b, m_b), strict=True)
    }
    both_ab, both_ba = len(high["L"] & high["m"]), len(high["l"] & high["M"])
    assert stats.observed[0] == pytest.approx((both_ab + both_ba) / 60)
    assert stats.expected[0] == pytest.approx(1 / 9)
    assert stats.ratio[0] == pytest.approx((both_ab + both_ba) / 60 * 9)


def test_the_bootstrap_is_reproducible_and_resamples_people_whole() -> None:
    sides = split_raters.split_sides(
        rater_scores_by_ratee(
            generate_org(load_item_bank(V1), n_people=60, seed=2).answers, load_item_bank(V1)
        )
    )
    first = split_raters.bootstrap_statistics(sides, replicates=200)
    again = split_raters.bootstrap_statistics(sides, replicates=200)
    other = split_raters.bootstrap_statistics(sides, replicates=200, seed=11)
    assert np.array_equal(first.r_split, again.r_split)
    assert not np.array_equal(first.r_split, other.r_split)
    # chunking does not change a resample: the first 50 of 200 equal a run of 50
    assert np.array_equal(
        first.r_split[:50], split_raters.bootstrap_statistics(sides, replicates=50).r_split
    )


def test_a_halo_leaves_the_truth_and_the_other_draws_alone() -> None:
    bank = load_item_bank(V1)
    plain = generate_org(bank, n_people=48, seed=9)
    explicit = generate_org(bank, n_people=48, seed=9, halo_sd=0.0)
    halo = generate_org(bank, n_people=48, seed=9, halo_sd=0.5)
    assert explicit.answers == plain.answers and explicit.truth == plain.truth
    assert halo.truth == plain.truth
    for ratee, answers in plain.answers.items():
        with_halo = halo.answers[ratee]
        # same raters, items and missing answers: the main random stream did not move
        assert [(a.rater, a.item_id, a.value is None) for a in answers] == [
            (a.rater, a.item_id, a.value is None) for a in with_halo
        ]
    assert halo.answers != plain.answers


# --- validation on synthetic truth ------------------------------------------------------------

HALO_SD = 0.5  # a rater's impression of a person, shared by all ten practices
VALIDATION_N = 300


@functools.cache
def halo_org(correlation: float, seed: int) -> SyntheticOrg:
    return generate_org(
        load_item_bank(V1),
        n_people=VALIDATION_N,
        seed=seed,
        correlation=correlation,
        halo_sd=HALO_SD,
    )


def cycle_scores_of(org: SyntheticOrg) -> CycleScores:
    return CycleScores(ReviewCycle(name="synthetic"), load_item_bank(V1), org.answers)


def report_of(org: SyntheticOrg) -> PremiseOut:
    return premise_report(cycle_scores_of(org))


@functools.cache
def halo_scores(correlation: float, seed: int) -> CycleScores:
    """The loaded cycle of the :func:`halo_org` (several tests read the same organisations)."""
    return cycle_scores_of(halo_org(correlation, seed))


@functools.cache
def halo_report(correlation: float, seed: int) -> PremiseOut:
    return premise_report(halo_scores(correlation, seed))


def split_ratees(correlation: float, seed: int) -> tuple[int, ...]:
    """The people of the :func:`halo_org` with both halves' L and M."""
    return split_raters.split_sides(halo_scores(correlation, seed).rated).ratees


def true_correlation(org: SyntheticOrg, ratees: Sequence[int]) -> float:
    """Pearson's r of the KNOWN true L and M over ``ratees``."""
    true_l = [org.truth[p].L for p in ratees]
    true_m = [org.truth[p].M for p in ratees]
    return float(np.corrcoef(true_l, true_m)[0, 1])


@pytest.mark.parametrize("planted", [-0.1, 0.0, 0.4])
def test_the_corrected_split_rater_r_recovers_the_true_correlation(planted: float) -> None:
    org = halo_org(planted, 1)
    report = halo_report(planted, 1)
    split = report.split_rater
    ratees = split_ratees(planted, 1)
    truth = true_correlation(org, ratees)
    assert split.n == len(ratees) >= 0.95 * VALIDATION_N
    assert split.r_corrected is not None and split.r_corrected_ci95 is not None
    lo, hi = split.r_corrected_ci95
    assert lo <= truth <= hi
    assert lo <= split.r_corrected <= hi
    # the halves' reliabilities are what the correction divides by, and it was made
    assert split.not_corrected_because is None
    assert split.reliability_l is not None and split.reliability_l >= RELIABILITY_FLOOR
    # uncorrected, the split r is pulled towards 0 (by the reliabilities, nothing else)
    assert split.r_split is not None
    assert split.r_split == pytest.approx(
        split.r_corrected * math.sqrt(split.reliability_l * (split.reliability_m or 0.0))
    )


@pytest.mark.parametrize("planted", [-0.1, 0.0])
def test_the_same_rater_r_is_inflated_by_the_halo(planted: float) -> None:
    """Others' scores average every rater's halo, so one organisation's inflation can sit inside
    the sampling error of r; over five organisations it cannot: every same-rater r is above the
    truth and their mean inflation exceeds twice the standard error of a mean of five rs."""
    inflation = []
    for seed in range(1, 6):
        org = halo_org(planted, seed)
        report = halo_report(planted, seed)
        ratees = split_ratees(planted, seed)
        same = report.correlation
        assert same.r is not None
        inflation.append(same.r - true_correlation(org, ratees))
        if seed == 1:  # without the halo the same organisation's same-rater r is lower
            plain = report_of(
                generate_org(load_item_bank(V1), n_people=VALIDATION_N, seed=1, correlation=planted)
            )
            assert plain.correlation.r is not None and plain.correlation.r < same.r
    assert all(d > 0 for d in inflation), inflation
    standard_error = 1 / math.sqrt(VALIDATION_N - 3) / math.sqrt(len(inflation))  # Fisher's z
    assert sum(inflation) / len(inflation) > 2 * standard_error, inflation


@pytest.mark.parametrize(
    ("planted", "verdict"),
    [(-0.6, "premise holds"), (0.0, "neither"), (0.9, "sides go together")],
)
def test_the_verdict_follows_the_planted_correlation(planted: float, verdict: str) -> None:
    report = halo_report(planted, 2)
    both = report.both_high
    assert (report.verdict, both.verdict) == (verdict, verdict)
    assert both.verdict_text == VERDICT_TEXT[both.verdict]
    assert report.summary.startswith(VERDICT_TEXT[both.verdict])
    assert both.ratio is not None and both.ratio_ci95 is not None
    assert both.observed is not None and both.expected is not None
    assert both.ratio == pytest.approx(both.observed / both.expected)
    lo, hi = both.ratio_ci95
    assert (hi < 1.0) == (verdict == "premise holds")
    assert (lo > 1.0) == (verdict == "sides go together")
    assert both.expected_count is not None and both.expected_count >= MIN_EXPECTED_BOTH_HIGH
    # terciles: about a third of people are high on each side
    assert both.high_l_share == pytest.approx(1 / 3, abs=0.02)
    assert both.observed_ci95 == wilson_interval(both.observed * both.n, both.n)


def test_with_the_same_raters_the_both_high_test_would_see_sides_that_go_together() -> None:
    # why the both-high test takes L and M from different raters: with a strong halo and no
    # true relation, the profile's own L and M (same raters) put more people high on both than
    # chance predicts, by the same bootstrap; the split raters do not
    org = generate_org(
        load_item_bank(V1), n_people=VALIDATION_N, seed=2, correlation=0.0, halo_sd=2 * HALO_SD
    )
    scores = CycleScores(ReviewCycle(name="synthetic"), load_item_bank(V1), org.answers)
    profiles = {p: scores.scores(p) for p in scores.ratees}
    ratees = [
        p
        for p in split_raters.split_sides(scores.rated).ratees
        if profiles[p].L is not None and profiles[p].M is not None
    ]
    same_l = np.array([side.value for p in ratees if (side := profiles[p].L) is not None])
    same_m = np.array([side.value for p in ratees if (side := profiles[p].M) is not None])
    same = split_raters.SplitSides(tuple(ratees), same_l, same_m, same_l, same_m, 0)
    ratio_ci = split_raters.percentile_ci(split_raters.bootstrap_statistics(same).ratio)
    assert ratio_ci is not None and ratio_ci[0] > 1.0
    truth_ci = fisher_ci(true_correlation(org, ratees), len(ratees))
    assert truth_ci is not None and truth_ci[0] < 0.0 < truth_ci[1]  # truly unrelated here
    report = report_of(org)
    assert report.verdict == "neither"
    assert report.both_high.ratio_ci95 is not None and report.both_high.ratio_ci95[0] < 1.0


def test_the_correction_is_not_made_when_the_halves_agree_too_little() -> None:
    # people barely differ (small trait loading): the halves' L and M are mostly rater noise
    report = premise_report(cycle_of(240, 3, trait_loading=0.03, practice_sd=0.02, correlation=0.0))
    split = report.split_rater
    assert split.r_split is not None and split.r_split_ci95 is not None
    assert split.reliability_l is not None and split.reliability_m is not None
    assert min(split.reliability_l, split.reliability_m) < RELIABILITY_FLOOR
    assert split.r_corrected is None and split.r_corrected_ci95 is None
    assert split.not_corrected_because is not None
    assert "agree too little" in split.not_corrected_because
    assert any(n.startswith("not corrected for attenuation") for n in report.notes)
    assert "not corrected for attenuation" in report.summary
