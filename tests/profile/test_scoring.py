"""Hand-computed tests for every scoring rule of DESIGN §6 (tandem.profile.scoring)."""

from __future__ import annotations

import pytest

from tandem.profile.answers import Answer, enough_answered, practice_score
from tandem.profile.scoring import (
    MIN_LABEL_RATERS,
    SUPPRESSED,
    CohortStats,
    GroupScore,
    score_ratee,
)
from tests.profile.bank import LEADER, MANAGER, make_bank, rate

BANK = make_bank()


def hand_cohort(
    *, rater_var: float | None = None, rater_cov: float = 0.0, z: float = 1.96
) -> CohortStats:
    """Cohort statistics set by hand, so each rule can be checked in isolation: the rater
    covariance matrix Σ has ``rater_var`` on the diagonal and ``rater_cov`` elsewhere (all
    unknown when ``rater_var`` is None); the classical figures are left unknown."""
    practices = LEADER + MANAGER
    sigma = {
        p: {q: None if rater_var is None else rater_var if p == q else rater_cov for q in practices}
        for p in practices
    }
    return CohortStats(
        n_ratees=100,
        z=z,
        practice_sd=dict.fromkeys(practices),
        practice_reliability=dict.fromkeys(practices),
        practice_sem=dict.fromkeys(practices),
        n_lm=100,
        sd_l=None,
        sd_m=None,
        r_ll=None,
        r_mm=None,
        sem_l=None,
        sem_m=None,
        r_lm=None,
        sd_d=None,
        r_d=None,
        se_d=None,
        reliability={},
        rater_cov=sigma,
    )


UNKNOWN = hand_cohort()


# --- reverse keys and the 75 % rule -------------------------------------------------------------


def test_reverse_key_is_six_minus_x() -> None:
    answers = [
        Answer(1, "manager", "vision-1", 5),
        Answer(1, "manager", "vision-2", 4),
        Answer(1, "manager", "vision-3", 3),
        Answer(1, "manager", "vision-4", 2),  # reverse-keyed: counts as 6 − 2 = 4
    ]
    profile = score_ratee(answers, BANK, UNKNOWN)
    assert profile.practices["vision"].others == pytest.approx((5 + 4 + 3 + 4) / 4)


def test_75_percent_rule_exactly_at_and_below_threshold() -> None:
    assert enough_answered(3, 4)  # 75 % of 4 = 3 answered passes (≥)
    assert not enough_answered(2, 4)
    assert enough_answered(4, 5)  # 80 %
    assert not enough_answered(3, 5)  # 60 %
    assert enough_answered(5, 6) and not enough_answered(4, 6)  # 83 % / 67 %
    assert not enough_answered(0, 4)
    assert practice_score([5, None, 4, 3], 4) == pytest.approx(4.0)
    assert practice_score([5, None, None, 3], 4) is None


def test_75_percent_rule_through_the_profile() -> None:
    three = [Answer(1, "manager", f"vision-{n}", v) for n, v in ((1, 5), (2, 4), (3, None))]
    three.append(Answer(1, "manager", "vision-4", 1))  # reverse → 5
    two = [Answer(1, "manager", f"storytelling-{n}", 4) for n in (1, 2)]  # 2 of 4, one missing
    two += [Answer(1, "manager", "storytelling-3", None)]
    profile = score_ratee(three + two, BANK, UNKNOWN)
    assert profile.practices["vision"].others == pytest.approx((5 + 4 + 5) / 3)
    assert profile.practices["storytelling"].others is None
    assert profile.practices["storytelling"].groups == {}


def test_75_percent_rule_with_five_items() -> None:
    bank = make_bank({"vision": 5})
    four = [Answer(1, "manager", f"vision-{n}", 4) for n in (1, 2, 3, 4)]  # 4 of 5 = 80 %
    assert score_ratee(four, bank, UNKNOWN).practices["vision"].others == pytest.approx(4.0)
    three = [Answer(1, "manager", f"vision-{n}", 4) for n in (1, 2, 3)]  # 3 of 5 = 60 %
    assert score_ratee(three, bank, UNKNOWN).practices["vision"].others is None


# --- groups and suppression --------------------------------------------------------------------


def test_manager_shown_alone_and_labelled() -> None:
    profile = score_ratee(rate(BANK, 1, "manager", 4), BANK, UNKNOWN)
    group = profile.practices["vision"].groups["manager"]
    assert isinstance(group, GroupScore)
    assert (group.mean, group.n) == (4.0, 1)
    assert group.label is not None and "manager" in group.label and "not anonymous" in group.label
    assert profile.practices["vision"].others == 4.0


def test_two_peers_are_suppressed_and_merged_others_under_three_is_hidden() -> None:
    answers = rate(BANK, 1, "manager", 4) + rate(BANK, 2, "peer", 2) + rate(BANK, 3, "peer", 1)
    practice = score_ratee(answers, BANK, UNKNOWN).practices["vision"]
    assert practice.groups["peer"] is SUPPRESSED
    assert practice.groups["others"] is SUPPRESSED  # merged n = 2 < 3
    assert not hasattr(SUPPRESSED, "mean") and not hasattr(SUPPRESSED, "n")
    assert practice.others == 4.0  # only the manager passes; the peers change nothing
    changed = rate(BANK, 1, "manager", 4) + rate(BANK, 2, "peer", 5) + rate(BANK, 3, "peer", 5)
    assert score_ratee(changed, BANK, UNKNOWN).practices["vision"].others == 4.0


def test_two_peers_and_one_report_merge_into_a_shown_others_group() -> None:
    answers = (
        rate(BANK, 1, "manager", 5)
        + rate(BANK, 2, "peer", 2)
        + rate(BANK, 3, "peer", 3)
        + rate(BANK, 4, "report", 4)
    )
    practice = score_ratee(answers, BANK, UNKNOWN).practices["vision"]
    assert practice.groups["peer"] is SUPPRESSED
    assert practice.groups["report"] is SUPPRESSED
    merged = practice.groups["others"]
    assert isinstance(merged, GroupScore)
    assert (merged.mean, merged.n) == (pytest.approx(3.0), 3)
    # raters, not groups, are weighted: (manager 5 + pooled 2 + 3 + 4) / 4
    assert practice.others == pytest.approx(3.5)
    assert practice.n_raters == 4


def test_three_reports_shown_and_raters_weighted_equally() -> None:
    answers = rate(BANK, 1, "manager", 5) + [
        a for r in (2, 3, 4) for a in rate(BANK, r, "report", 2)
    ]
    practice = score_ratee(answers, BANK, UNKNOWN).practices["vision"]
    reports = practice.groups["report"]
    assert isinstance(reports, GroupScore) and (reports.mean, reports.n) == (2.0, 3)
    assert "others" not in practice.groups and "peer" not in practice.groups
    # one manager counts as one rater, not as much as the three reports together
    assert practice.others == pytest.approx((5 + 2 * 3) / 4)  # not (5 + 2) / 2 = 3.5
    assert practice.n_raters == 4


def test_suppressed_raters_feed_neither_the_score_nor_its_n() -> None:
    # two managers (suppressed, not pooled) and three reports: only the reports count
    answers = rate(BANK, 1, "manager", 5) + rate(BANK, 2, "manager", 5)
    answers += [a for r in (3, 4, 5) for a in rate(BANK, r, "report", 2)]
    practice = score_ratee(answers, BANK, hand_cohort(rater_var=0.25)).practices["vision"]
    assert practice.groups["manager"] is SUPPRESSED
    assert (practice.others, practice.n_raters) == (2.0, 3)
    assert practice.se == pytest.approx(0.5 / 3**0.5)


def test_n_is_counted_per_practice() -> None:
    peers = [a for r in (2, 3) for a in rate(BANK, r, "peer", 3)]
    # the third peer answers vision fully but only 2 of 4 storytelling items
    peers += rate(BANK, 4, "peer", {"vision": 3})
    peers += [Answer(4, "peer", f"storytelling-{n}", 3) for n in (1, 2)]
    practices = score_ratee(peers, BANK, UNKNOWN).practices
    vision = practices["vision"].groups["peer"]
    assert isinstance(vision, GroupScore) and vision.n == 3
    assert practices["storytelling"].groups["peer"] is SUPPRESSED
    assert practices["storytelling"].others is None  # merged others n = 2: hidden too


def test_self_never_changes_others_l_m_or_leaning() -> None:
    others = rate(BANK, 1, "manager", {**dict.fromkeys(LEADER, 5), **dict.fromkeys(MANAGER, 2)})
    others += [a for r in (2, 3, 4) for a in rate(BANK, r, "peer", 4)]
    cohort = hand_cohort(rater_var=0.3, rater_cov=0.1)
    without = score_ratee(others, BANK, cohort)
    with_self = score_ratee(others + rate(BANK, 9, "self", 1), BANK, cohort)
    assert with_self.others_by_practice() == without.others_by_practice()
    assert (with_self.L, with_self.M, with_self.leaning) == (without.L, without.M, without.leaning)
    assert with_self.leaning_difference == without.leaning_difference
    assert with_self.practices["vision"].self == 1.0
    assert without.practices["vision"].self is None


# --- L, M, their error and leaning ------------------------------------------------------------


def _lm_answers(leader: int, manager: int, raters: tuple[int, ...] = (1,)) -> list[Answer]:
    """The first rater is the manager, the rest peers; all give the same scores."""
    scores = {**dict.fromkeys(LEADER, leader), **dict.fromkeys(MANAGER, manager)}
    return [
        a for r in raters for a in rate(BANK, r, "manager" if r == raters[0] else "peer", scores)
    ]


FOUR = (1, 2, 3, 4)  # a manager and three peers: four raters behind every practice


def test_l_and_m_are_means_of_five_practices_with_bands() -> None:
    scores = dict(zip(LEADER + MANAGER, (5, 4, 4, 3, 3, 2, 2, 3, 2, 2), strict=True))
    cohort = hand_cohort(rater_var=0.25, rater_cov=0.1)
    profile = score_ratee(rate(BANK, 1, "manager", scores), BANK, cohort)
    assert profile.L is not None and profile.M is not None
    assert profile.L.value == pytest.approx(19 / 5)
    assert profile.M.value == pytest.approx(11 / 5)
    # one rater: V(L) = w′Σw = (5·0.25 + 20·0.1) / 25 = 0.13
    assert profile.L.se == pytest.approx(0.13**0.5)
    assert profile.L.n_raters == 1
    assert profile.L.band == pytest.approx((3.8 - 1.96 * 0.13**0.5, 3.8 + 1.96 * 0.13**0.5))


def test_l_is_unknown_when_a_practice_is_missing() -> None:
    scores = dict.fromkeys(LEADER[:4] + MANAGER, 4)
    profile = score_ratee(rate(BANK, 1, "manager", scores), BANK, hand_cohort(rater_var=0.1))
    assert profile.L is None and profile.M is not None
    assert profile.leaning is None and profile.leaning_difference is None
    assert profile.leaning_reason == "L or M unknown"


def test_practice_band_is_score_plus_minus_z_se_and_shrinks_with_raters() -> None:
    cohort = hand_cohort(rater_var=0.25)  # one rater's SD 0.5
    one = score_ratee(_lm_answers(3, 5), BANK, cohort)
    assert one.practices["vision"].se == pytest.approx(0.5)
    assert one.practices["vision"].band == pytest.approx((3 - 0.98, 3 + 0.98))
    assert one.practices["process"].band == pytest.approx((5 - 0.98, 5.0))  # clipped to 5
    four = score_ratee(_lm_answers(3, 5, FOUR), BANK, cohort)
    assert four.practices["vision"].n_raters == 4
    assert four.practices["vision"].se == pytest.approx(0.5 / 2)  # s/√n
    assert four.practices["vision"].band == pytest.approx((3 - 0.49, 3 + 0.49))
    assert score_ratee(_lm_answers(3, 5), BANK, UNKNOWN).practices["vision"].band is None


def test_leaning_says_balanced_within_error_and_leans_beyond_it() -> None:
    # Σ: 0.5 on the diagonal, 0.05 elsewhere. D's weights ±1/5: w′Σw = 0.4·(0.5 − 0.05) = 0.18;
    # four raters behind every practice: SE_D = √(0.18 / 4), threshold 1.96·SE_D = 0.4158
    cohort = hand_cohort(rater_var=0.5, rater_cov=0.05)
    se_d = (0.18 / 4) ** 0.5
    scores = {**dict.fromkeys(LEADER, 4), **dict(zip(MANAGER, (4, 4, 4, 3, 3), strict=True))}
    balanced = score_ratee(
        [a for r in FOUR for a in rate(BANK, r, "manager" if r == 1 else "peer", scores)],
        BANK,
        cohort,
    )
    assert balanced.leaning == "balanced"
    assert balanced.leaning_difference == pytest.approx(0.4)
    assert balanced.leaning_se == pytest.approx(se_d)
    assert balanced.leaning_threshold == pytest.approx(1.96 * se_d)
    assert balanced.leaning_n_raters == 4 and not balanced.rater_sets_differ
    assert score_ratee(_lm_answers(4, 3, FOUR), BANK, cohort).leaning == "leader-leaning"
    assert score_ratee(_lm_answers(3, 4, FOUR), BANK, cohort).leaning == "manager-leaning"
    # the same +1.0 is "balanced" when one rater's D varies more (threshold 1.96·√(0.4·9/4))
    noisy = hand_cohort(rater_var=9.05, rater_cov=0.05)
    assert score_ratee(_lm_answers(4, 3, FOUR), BANK, noisy).leaning == "balanced"


def test_one_rater_is_not_enough_for_a_leaning_label() -> None:
    profile = score_ratee(_lm_answers(5, 1), BANK, hand_cohort(rater_var=0.5, rater_cov=0.05))
    assert profile.leaning is None and profile.leaning_reason == "not enough raters"
    assert profile.leaning_n_raters == 1 < MIN_LABEL_RATERS
    assert profile.leaning_difference == pytest.approx(4.0)  # the numbers are still shown
    assert profile.leaning_se == pytest.approx(0.18**0.5)


def test_leaning_unknown_without_cohort_error() -> None:
    profile = score_ratee(_lm_answers(5, 1, FOUR), BANK, UNKNOWN)
    assert profile.leaning is None and profile.leaning_threshold is None
    assert profile.leaning_reason == "error unknown"
    assert profile.leaning_difference == pytest.approx(4.0)


def test_different_rater_sets_are_flagged_and_widen_the_error() -> None:
    """Raters 1–4 score only the leader practices, raters 5–8 only the manager practices: L − M
    compares two different rater mixes, and a rater's leniency no longer cancels in it."""
    cohort = hand_cohort(rater_var=0.5, rater_cov=0.05)
    leaders = [
        a
        for r in FOUR
        for a in rate(BANK, r, "peer" if r > 1 else "manager", dict.fromkeys(LEADER, 4))
    ]
    managers = [a for r in (5, 6, 7) for a in rate(BANK, r, "report", dict.fromkeys(MANAGER, 3))]
    apart = score_ratee(leaders + managers, BANK, cohort)
    assert apart.rater_sets_differ
    assert apart.leaning_n_raters == 3
    # V(D) = V(L) + V(M): w′Σw of one side is (5·0.5 + 20·0.05)/25 = 0.14, over 4 and 3 raters
    assert apart.leaning_se == pytest.approx((0.14 / 4 + 0.14 / 3) ** 0.5)
    # … which carries the information of 2.2 raters scoring everything (w′Σw = 0.18): no label
    assert apart.leaning_effective_raters == pytest.approx(0.18 / (0.14 / 4 + 0.14 / 3))
    assert apart.leaning is None and apart.leaning_reason == "not enough raters"
    together = score_ratee(_lm_answers(4, 3, FOUR), BANK, cohort)
    assert not together.rater_sets_differ
    assert together.leaning_effective_raters == pytest.approx(4.0)
    assert together.leaning_se is not None and apart.leaning_se > together.leaning_se


# --- self–other agreement ----------------------------------------------------------------------

REPORTS = [a for r in (1, 2, 3) for a in rate(BANK, r, "report", 3)]  # three raters, all 3s


def test_blind_spots_are_judged_on_the_profile_shape_against_their_error() -> None:
    # Σ: 0.2 / 0.05. Self counts as one more rater: the shape contrast c = e_p − 1/10 has
    # c′Σc = 0.9·(0.2 − 0.05) = 0.135, times (1 + 1/3): SE = √0.18, threshold 1.96·√0.18 ≈ 0.83
    cohort = hand_cohort(rater_var=0.2, rater_cov=0.05)
    own = {**dict.fromkeys(LEADER + MANAGER, 3), "vision": 4, "storytelling": 2}
    profile = score_ratee(REPORTS + rate(BANK, 9, "self", own), BANK, cohort)
    assert profile.blind_spots == ("vision",)
    assert profile.hidden_strengths == ("storytelling",)
    vision = profile.practices["vision"]
    assert vision.difference == pytest.approx(1.0) and vision.relative_difference == 1.0
    assert vision.relative_threshold == pytest.approx(1.96 * 0.18**0.5)
    assert profile.practices["empowerment"].agreement == "agree"
    assert profile.self_tendency is not None and profile.self_tendency.value == 0.0
    assert profile.self_tendency.label == "in line"


def test_rating_oneself_higher_everywhere_is_a_tendency_not_blind_spots() -> None:
    cohort = hand_cohort(rater_var=0.2, rater_cov=0.05)
    profile = score_ratee(REPORTS + rate(BANK, 9, "self", 5), BANK, cohort)
    assert profile.blind_spots == () and profile.hidden_strengths == ()
    tendency = profile.self_tendency
    assert tendency is not None and tendency.value == pytest.approx(2.0)
    # V(g) = 1′Σ1/100 · (1 + 1/3) = (10·0.2 + 90·0.05)/100 · 4/3
    assert tendency.se == pytest.approx((6.5 / 100 * 4 / 3) ** 0.5)
    assert tendency.label == "higher" and tendency.practices == 10
    lower = score_ratee(REPORTS + rate(BANK, 9, "self", 1), BANK, cohort).self_tendency
    assert lower is not None and lower.label == "lower"


def test_agreement_needs_raters_and_a_known_error() -> None:
    own = {**dict.fromkeys(LEADER + MANAGER, 3), "vision": 5}
    alone = rate(BANK, 1, "manager", 3) + rate(BANK, 9, "self", own)  # one rater behind others
    profile = score_ratee(alone, BANK, hand_cohort(rater_var=0.2, rater_cov=0.05))
    assert profile.practices["vision"].agreement is None and profile.blind_spots == ()
    assert profile.practices["vision"].agreement_reason == "not enough raters"
    assert profile.practices["vision"].difference == pytest.approx(2.0)  # still shown
    unknown = score_ratee(REPORTS + rate(BANK, 9, "self", own), BANK, UNKNOWN)
    assert unknown.practices["vision"].agreement is None
    assert unknown.practices["vision"].agreement_reason == "error unknown"
    assert unknown.self_tendency is not None and unknown.self_tendency.label is None
    no_self = score_ratee(REPORTS, BANK, hand_cohort(rater_var=0.2))
    assert no_self.practices["vision"].agreement is None
    assert no_self.practices["vision"].agreement_reason is None and no_self.self_tendency is None


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([Answer(1, "peer", "vision-1", 6)], "not 1–5"),
        ([Answer(1, "peer", "vision-1", 0)], "not 1–5"),
        ([Answer(1, "peer", "vision-1", True)], "not 1–5"),  # type: ignore[arg-type]
        ([Answer(1, "boss", "vision-1", 3)], "unknown relation"),
        ([Answer(1, "peer", "vision-9", 3)], "not in item bank"),
        ([Answer(1, "peer", "vision-1", 3), Answer(1, "peer", "vision-1", 4)], "twice"),
        ([Answer(1, "peer", "vision-1", 3), Answer(1, "report", "vision-2", 4)], "both"),
    ],
)
def test_bad_answers_are_rejected(answers: list[Answer], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        score_ratee(answers, BANK, UNKNOWN)
