"""Known truth: on SYNTHETIC data, how often is the leaning classified correctly?

Thresholds (see docs/people-science.md): across seeds 1–5 with 600 people the precision of the
non-balanced labels was 0.90–0.94 and the opposite-side rate 0; on seed 1 with 400 people it is
0.92. With ~240 labels the binomial SD of the precision is ≈ 0.018, so 0.85 sits ~4 SD below
what is expected; the opposite side should essentially never happen (≤ 1 %). When nobody truly
leans, a calibrated two-sided z = 1.96 test should call ≈ 5 % leaning; ≤ 10 % is > 4 SD away.
"""

from __future__ import annotations

from collections import Counter

from tandem.profile.scoring import cohort_stats, score_ratee
from tandem.profile.synthetic import generate_org
from tandem.review.items import load_item_bank

BANK = load_item_bank("1")
LEANS = ("leader-leaning", "manager-leaning")


def _classify(**overrides: float) -> Counter[tuple[str | None, str]]:
    org = generate_org(BANK, n_people=400, seed=1, **overrides)
    cohort = cohort_stats(org.answers, BANK)
    return Counter(
        (score_ratee(answers, BANK, cohort).leaning, org.truth[pid].leaning)
        for pid, answers in org.answers.items()
    )


def test_leaning_labels_agree_with_known_truth() -> None:
    outcome = _classify()
    labelled = sum(v for (said, _), v in outcome.items() if said in LEANS)
    right = sum(v for (said, truth), v in outcome.items() if said in LEANS and said == truth)
    opposite = sum(v for (said, truth), v in outcome.items() if {said, truth} == set(LEANS))
    scored = sum(v for (said, _), v in outcome.items() if said is not None)
    balanced = sum(v for (said, _), v in outcome.items() if said == "balanced")
    precision, opposite_rate = right / labelled, opposite / labelled
    print(
        f"\nknown truth: {labelled} labelled, precision {precision:.3f}, "
        f"opposite {opposite_rate:.3f}, balanced {balanced / scored:.3f}"
    )
    assert scored >= 390
    assert precision >= 0.85
    assert opposite_rate <= 0.01
    assert 0.2 <= balanced / scored <= 0.6  # the model says "balanced", and not for everyone


def test_nobody_leans_when_the_sides_are_identical() -> None:
    outcome = _classify(correlation=1.0, practice_sd=0.0)  # true L − M = 0 for everyone
    assert {truth for _, truth in outcome} == {"balanced"}
    scored = sum(v for (said, _), v in outcome.items() if said is not None)
    leaning = sum(v for (said, _), v in outcome.items() if said in LEANS)
    assert leaning / scored <= 0.10
