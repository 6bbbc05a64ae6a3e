"""Calibration of the percentile band with known truth (SYNTHETIC people).

Every person is rated by 12 colleagues (``raters_per_person=(12, 12)``); the cycle is scored
again as if everyone had only their first k raters, k = 1, 3, 6, 12, with the cohort statistics
of the whole organisation. Roles are the generator's: a lead per team of 6 is a "leader", the
rest "member". For each person, practice and k, the *true* percentile is the mid-rank of their
true score among the true scores of the others in their norm group; the band (unrounded, and as
shown: widened to steps of 5) should cover it about 95 % of the time, and narrow as k grows.
``docs/people-science.md`` ("Internal norms") holds the measured table.
"""

from __future__ import annotations

import numpy as np
import pytest

from tandem.profile.answers import rater_scores_by_ratee
from tandem.profile.cohort import cohort_stats
from tandem.profile.norms import members_by_role, norm_percentile
from tandem.profile.scoring import ProfileScores, score_raters
from tandem.profile.synthetic import generate_org
from tandem.review.items import load_item_bank

pytestmark = pytest.mark.slow

BANK = load_item_bank("1")
FIGURES = ("vision", "process", "L")
COUNTS = (1, 3, 6, 12)


def _figure(pure: ProfileScores, figure: str) -> tuple[float | None, float | None]:
    if figure == "L":
        return (None, None) if pure.L is None else (pure.L.value, pure.L.se)
    score = pure.practices[figure]
    return score.others, score.se


def _coverage(seed: int, people: int) -> dict[int, tuple[int, float, float, float]]:
    """k → (percentiles, unrounded coverage, coverage as shown, mean band width)."""
    org = generate_org(BANK, n_people=people, seed=seed, raters_per_person=(12, 12))
    rated = rater_scores_by_ratee(org.answers, BANK)
    cohort = cohort_stats(org.answers, BANK, rated=rated)
    roles = {p.id: "leader" if p.role == "lead" else "member" for p in org.people}
    out = {}
    for k in COUNTS:
        pure = {}
        for person, raters in rated.items():
            others = [r for r in raters if r.relation != "self"]
            pure[person] = score_raters(others[:k], BANK, cohort)
        hits = shown_hits = total = 0
        widths = []
        for figure in FIGURES:
            values = {p: _figure(s, figure) for p, s in pure.items()}
            groups = members_by_role(values, roles)
            truth = {
                p: org.truth[p].L if figure == "L" else org.truth[p].practices[figure] for p in pure
            }
            for person, (score, se) in values.items():
                found = norm_percentile(person, score, se, roles[person], groups)
                if found is None or found.value is None or found.band is None:
                    continue
                assert found.group == roles[person]  # every role here has 10 others
                others = np.array([truth[m.person] for m in groups[roles[person]]])
                others = others[[m.person != person for m in groups[roles[person]]]]
                true = 100 * (
                    np.sum(others < truth[person]) + 0.5 * np.sum(others == truth[person])
                )
                true /= len(others)
                lo, hi = found.band
                hits += lo <= true <= hi
                shown_hits += 5 * np.floor(lo / 5 + 1e-9) <= true <= 5 * np.ceil(hi / 5 - 1e-9)
                widths.append(hi - lo)
                total += 1
        out[k] = (total, hits / total, shown_hits / total, float(np.mean(widths)))
    return out


def test_the_band_covers_the_true_percentile_and_narrows_with_raters() -> None:
    measured = _coverage(seed=3, people=180)
    for k, (total, covered, covered_shown, _) in measured.items():
        assert total >= 400, k
        # 95 % nominal; with ~500 people-figures per count its binomial SD is about 1 %
        assert 0.91 <= covered <= 0.99, (k, covered)
        assert covered_shown >= covered
    width = {k: measured[k][3] for k in COUNTS}
    # k = 1–3 leave the lone manager shown (a pool needs 3), so those two are alike
    assert min(width[1], width[3]) > width[6] > width[12] and width[1] > 2 * width[12]
