"""Hand-computed tests for every scoring rule of DESIGN §6 (tandem.profile.scoring)."""

from __future__ import annotations

import pytest

from tandem.profile.answers import Answer, enough_answered, practice_score
from tandem.profile.scoring import (
    SUPPRESSED,
    CohortStats,
    GroupScore,
    score_ratee,
)
from tests.profile.bank import LEADER, MANAGER, make_bank, rate

BANK = make_bank()


def hand_cohort(
    *,
    se_d: float | None = None,
    practice_sd: float | None = None,
    practice_sem: float | None = None,
    sem_side: float | None = None,
    z: float = 1.96,
) -> CohortStats:
    """Cohort statistics set by hand, so each rule can be checked in isolation."""
    practices = LEADER + MANAGER
    return CohortStats(
        n_ratees=100,
        z=z,
        practice_sd=dict.fromkeys(practices, practice_sd),
        practice_reliability=dict.fromkeys(practices, None),
        practice_sem=dict.fromkeys(practices, practice_sem),
        n_lm=100,
        sd_l=None,
        sd_m=None,
        r_ll=None,
        r_mm=None,
        sem_l=sem_side,
        sem_m=sem_side,
        r_lm=None,
        sd_d=None,
        r_d=None,
        se_d=se_d,
        reliability={},
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
    # the shown merged group counts as one group: (manager 5 + others 3) / 2
    assert practice.others == pytest.approx(4.0)


def test_three_reports_shown_and_groups_weighted_equally() -> None:
    answers = rate(BANK, 1, "manager", 5) + [
        a for r in (2, 3, 4) for a in rate(BANK, r, "report", 2)
    ]
    practice = score_ratee(answers, BANK, UNKNOWN).practices["vision"]
    reports = practice.groups["report"]
    assert isinstance(reports, GroupScore) and (reports.mean, reports.n) == (2.0, 3)
    assert "others" not in practice.groups and "peer" not in practice.groups
    assert practice.others == pytest.approx((5 + 2) / 2)  # not (5 + 2·3) / 4 = 2.75


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
    cohort = hand_cohort(se_d=0.1, practice_sd=1.0, practice_sem=0.2, sem_side=0.1)
    without = score_ratee(others, BANK, cohort)
    with_self = score_ratee(others + rate(BANK, 9, "self", 1), BANK, cohort)
    assert with_self.others_by_practice() == without.others_by_practice()
    assert (with_self.L, with_self.M, with_self.leaning) == (without.L, without.M, without.leaning)
    assert with_self.leaning_difference == without.leaning_difference
    assert with_self.practices["vision"].self == 1.0
    assert without.practices["vision"].self is None


# --- L, M, bands and leaning -------------------------------------------------------------------


def _lm_answers(leader: int, manager: int) -> list[Answer]:
    return rate(
        BANK, 1, "manager", {**dict.fromkeys(LEADER, leader), **dict.fromkeys(MANAGER, manager)}
    )


def test_l_and_m_are_means_of_five_practices_with_bands() -> None:
    scores = dict(zip(LEADER + MANAGER, (5, 4, 4, 3, 3, 2, 2, 3, 2, 2), strict=True))
    profile = score_ratee(rate(BANK, 1, "manager", scores), BANK, hand_cohort(sem_side=0.1))
    assert profile.L is not None and profile.M is not None
    assert profile.L.value == pytest.approx(19 / 5)
    assert profile.M.value == pytest.approx(11 / 5)
    assert profile.L.band == pytest.approx((3.8 - 0.196, 3.8 + 0.196))


def test_l_is_unknown_when_a_practice_is_missing() -> None:
    scores = dict.fromkeys(LEADER[:4] + MANAGER, 4)
    profile = score_ratee(rate(BANK, 1, "manager", scores), BANK, hand_cohort(se_d=0.1))
    assert profile.L is None and profile.M is not None
    assert profile.leaning is None and profile.leaning_difference is None


def test_practice_band_is_score_plus_minus_z_sem_clipped_to_scale() -> None:
    profile = score_ratee(_lm_answers(3, 5), BANK, hand_cohort(practice_sem=0.25))
    assert profile.practices["vision"].band == pytest.approx((3 - 0.49, 3 + 0.49))
    assert profile.practices["process"].band == pytest.approx((5 - 0.49, 5.0))
    assert score_ratee(_lm_answers(3, 5), BANK, UNKNOWN).practices["vision"].band is None


def test_leaning_says_balanced_within_error_and_leans_beyond_it() -> None:
    cohort = hand_cohort(se_d=0.3)  # threshold = 1.96 · 0.3 = 0.588
    # L − M = 0.4 (leader 4,4,4,4,4 vs manager 4,4,4,3,3 → 3.6): within error
    scores = {**dict.fromkeys(LEADER, 4), **dict(zip(MANAGER, (4, 4, 4, 3, 3), strict=True))}
    balanced = score_ratee(rate(BANK, 1, "manager", scores), BANK, cohort)
    assert balanced.leaning == "balanced"
    assert balanced.leaning_difference == pytest.approx(0.4)
    assert balanced.leaning_threshold == pytest.approx(0.588)
    assert score_ratee(_lm_answers(4, 3), BANK, cohort).leaning == "leader-leaning"  # +1.0
    assert score_ratee(_lm_answers(3, 4), BANK, cohort).leaning == "manager-leaning"  # −1.0
    # the same +1.0 is "balanced" when the difference is less reliable (threshold 1.176)
    assert score_ratee(_lm_answers(4, 3), BANK, hand_cohort(se_d=0.6)).leaning == "balanced"


def test_leaning_unknown_without_cohort_error() -> None:
    profile = score_ratee(_lm_answers(5, 1), BANK, UNKNOWN)
    assert profile.leaning is None and profile.leaning_threshold is None
    assert profile.leaning_difference == pytest.approx(4.0)


# --- self–other agreement ----------------------------------------------------------------------


def test_blind_spots_and_hidden_strengths_at_half_an_sd() -> None:
    cohort = hand_cohort(practice_sd=0.8)  # threshold 0.4
    others = [a for r in (1, 2, 3) for a in rate(BANK, r, "report", 3)]
    own = {"vision": 4, "storytelling": 2, "empowerment": 3}  # d = +1, −1, 0
    profile = score_ratee(others + rate(BANK, 9, "self", own), BANK, cohort)
    assert profile.blind_spots == ("vision",)
    assert profile.hidden_strengths == ("storytelling",)
    assert profile.practices["empowerment"].agreement == "agree"
    assert profile.practices["change"].agreement is None  # no self score


def test_agreement_threshold_is_strict() -> None:
    # self 3.5 (items 4,3,4,3) vs others 3.0: d = +0.5 against 0.5·SD
    own = [Answer(9, "self", f"vision-{n}", v) for n, v in ((1, 4), (2, 3), (3, 4), (4, 3))]
    others = [a for r in (1, 2, 3) for a in rate(BANK, r, "report", {"vision": 3})]
    at = score_ratee(others + own, BANK, hand_cohort(practice_sd=1.0))
    assert at.practices["vision"].difference == pytest.approx(0.5)
    assert at.practices["vision"].agreement == "agree"
    above = score_ratee(others + own, BANK, hand_cohort(practice_sd=0.99))
    assert above.blind_spots == ("vision",)
    assert score_ratee(others + own, BANK, UNKNOWN).practices["vision"].agreement is None


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
