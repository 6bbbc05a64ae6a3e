"""What planned missingness costs, measured on a SYNTHETIC organisation with known truth.

Fewer items per rater leave more item noise in each rater's practice score: the within-ratee
rater SD (the error model's Σ, :mod:`tandem.profile.error`) grows as the share shrinks, and the
others' score follows the truth a little less closely. docs/people-science.md reports the
numbers of a 300-person organisation; this test checks their direction on a smaller one.
"""

from __future__ import annotations

import math

import numpy as np

from tandem.profile.answers import rater_scores_by_ratee
from tandem.profile.error import within_ratee_covariance
from tandem.profile.groups import practice_groups
from tandem.profile.synthetic import generate_org, planned_share
from tandem.review.items import load_item_bank

BANK = load_item_bank("1")
NAMES = tuple(BANK.by_practice())


def measure(answers, k: int | None, truth) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Mean within-ratee rater SD over the practices, and mean corr(others' score, truth)."""
    rated = rater_scores_by_ratee(answers, BANK, items_per_practice=k)
    matrices, others, true = [], {p: [] for p in NAMES}, {p: [] for p in NAMES}  # type: ignore[var-annotated]
    for ratee, raters in rated.items():
        rs = [r for r in raters if r.relation != "self"]
        rows = [[math.nan if (v := r.practices[p]) is None else v for p in NAMES] for r in rs]
        matrices.append(np.array(rows, dtype=np.float64).reshape(len(rs), len(NAMES)))
        for p in NAMES:
            score = practice_groups(rs, p)[1]
            if score is not None:
                others[p].append(score)
                true[p].append(truth[ratee].practices[p])
    cov = within_ratee_covariance(matrices, NAMES, min_ratees=10)
    sd = float(np.mean([math.sqrt(cov[p][p] or math.nan) for p in NAMES]))
    r = float(np.mean([np.corrcoef(others[p], true[p])[0, 1] for p in NAMES]))
    return sd, r


def test_a_smaller_share_adds_item_noise_and_loses_a_little_accuracy() -> None:
    org = generate_org(BANK, n_people=120, seed=11, missing_rate=0.0)
    full = measure(org.answers, None, org.truth)
    four = measure(planned_share(org.answers, BANK, 4), 4, org.truth)
    three = measure(planned_share(org.answers, BANK, 3), 3, org.truth)
    assert full[0] < four[0] < three[0]  # rater SD: more item noise with fewer items
    assert full[1] > three[1]  # others' score vs truth
    assert three[1] > 0.85  # still close to the truth with 3 of 5 items


def test_the_share_keeps_self_whole_and_gives_others_their_items() -> None:
    org = generate_org(BANK, n_people=12, seed=3, missing_rate=0.0)
    shared = planned_share(org.answers, BANK, 3)
    for ratee, rows in shared.items():
        by_rater: dict[tuple[int, str], int] = {}
        for a in rows:
            by_rater[(a.rater, a.relation)] = by_rater.get((a.rater, a.relation), 0) + 1
        for (_, relation), n in by_rater.items():
            assert n == (50 if relation == "self" else 30), ratee
