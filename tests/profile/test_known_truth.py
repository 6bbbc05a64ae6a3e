"""Known truth: on SYNTHETIC data (the org-chart generator), how often is the leaning right?

Each person's error comes from their own raters (docs/people-science.md, "The error model"), so
people with many raters are labelled at smaller differences than before and a lone manager gives
no label ("not enough raters"). Across seeds 1–5 with 600 people: of the leader/manager labels,
99.2–100 % point the way true L − M does and none the opposite of a true leaning; 0.87–0.91
match the truth rule (|true L − true M| > 0.25: a label for a real but smaller difference counts
as a miss there); 90–94 % of those who truly lean are found; 29–35 % are "balanced"; 3.5–9.7 %
have not enough raters. Seed 1 with 400 people: 258 labels, all the true way, 0.884 by the rule.

Thresholds: the true direction ≥ 0.97 (≈ 260 labels: a 0.99 rate has a binomial SD of 0.006),
the opposite side ≤ 1 %, found ≥ 0.85 (measured 0.90–0.94), "balanced" in 20–60 %. With identical
sides for everyone the share labelled leaning was 4.5–6.9 % (seed 1, 400 people: 5.5 %); ≤ 10 %
is required (calibration per rater count: tests/profile/test_calibration.py).
"""

from __future__ import annotations

from collections import Counter

from tandem.profile.scoring import MIN_LABEL_RATERS, cohort_stats, score_ratee
from tandem.profile.synthetic import generate_org
from tandem.review.items import load_item_bank

BANK = load_item_bank("1")
LEANS = ("leader-leaning", "manager-leaning")


def _classify(**overrides: float) -> Counter[tuple[str | None, str, bool]]:
    """(label or the reason there is none, true leaning, label on the true side of L − M)."""
    org = generate_org(BANK, n_people=400, seed=1, **overrides)
    cohort = cohort_stats(org.answers, BANK)
    outcome: Counter[tuple[str | None, str, bool]] = Counter()
    for pid, answers in org.answers.items():
        profile = score_ratee(answers, BANK, cohort)
        truth = org.truth[pid]
        if profile.leaning is None:
            assert profile.leaning_reason in ("not enough raters", "L or M unknown")
            if profile.leaning_reason == "not enough raters":
                assert profile.leaning_effective_raters is not None
                assert profile.leaning_effective_raters < MIN_LABEL_RATERS
        true_side = (profile.leaning == "leader-leaning") == (truth.L > truth.M)
        outcome[(profile.leaning or profile.leaning_reason, truth.leaning, true_side)] += 1
    return outcome


def test_leaning_labels_agree_with_known_truth() -> None:
    outcome = _classify()
    labelled = sum(v for (said, _, _), v in outcome.items() if said in LEANS)
    direction = sum(v for (said, _, side), v in outcome.items() if said in LEANS and side)
    rule = sum(v for (said, truth, _), v in outcome.items() if said in LEANS and said == truth)
    opposite = sum(v for (said, truth, _), v in outcome.items() if {said, truth} == set(LEANS))
    scored = sum(v for (said, _, _), v in outcome.items() if said in (*LEANS, "balanced"))
    balanced = sum(v for (said, _, _), v in outcome.items() if said == "balanced")
    truly = sum(
        v
        for (said, truth, _), v in outcome.items()
        if truth in LEANS and said in (*LEANS, "balanced")
    )
    found = sum(v for (said, truth, _), v in outcome.items() if truth in LEANS and said == truth)
    print(
        f"\nknown truth: {labelled} labelled, true side {direction / labelled:.3f}, by the rule "
        f"{rule / labelled:.3f}, opposite {opposite / labelled:.3f}, found {found / truly:.3f}, "
        f"balanced {balanced / scored:.3f}, scored {scored}"
    )
    assert scored >= 340  # a label for everyone but a lone manager's ratee or a missing side
    assert direction / labelled >= 0.97
    assert opposite / labelled <= 0.01
    assert found / truly >= 0.85
    assert 0.2 <= balanced / scored <= 0.6  # the model says "balanced", and not for everyone


def test_nobody_leans_when_the_sides_are_identical() -> None:
    outcome = _classify(correlation=1.0, practice_sd=0.0)  # true L − M = 0 for everyone
    assert {truth for _, truth, _ in outcome} == {"balanced"}
    scored = sum(v for (said, _, _), v in outcome.items() if said in (*LEANS, "balanced"))
    leaning = sum(v for (said, _, _), v in outcome.items() if said in LEANS)
    assert leaning / scored <= 0.10
