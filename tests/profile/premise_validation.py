"""The premise test against known truth: the table in docs/people-science.md (not a test).

Run ``PYTHONPATH=src python -m tests.profile.premise_validation [SEEDS] [N_PEOPLE]`` (defaults
20 and 300; about 2 s per organisation). For each planted latent correlation and halo it
generates SYNTHETIC organisations (seeds 1…SEEDS) and prints, as a Markdown table, the mean of
the true L–M correlation (from :class:`~tandem.profile.synthetic.LatentTruth`), of the
same-rater r, of the split-rater r and of the corrected r; how often the corrected 95 % interval
holds the organisation's true correlation and the population value; its mean width; the
verdicts; and how often a both-high test on the same raters' L and M would have said "sides go
together".
"""

from __future__ import annotations

import sys
from collections import Counter

import numpy as np

from tandem.profile import split_raters
from tandem.profile.premise import premise_report
from tandem.profile.service import CycleScores
from tandem.profile.synthetic import SyntheticParams, generate_org
from tandem.review.items import load_item_bank
from tandem.review.models import ReviewCycle
from tests.helpers import V1

PLANTED = (-0.4, -0.1, 0.0, 0.4, 0.8)
HALOS = (0.0, 0.5)


def population_r(planted: float, params: SyntheticParams) -> float:
    """corr(true L, true M) in the population: ρ·a² / (a² + s²/5), a the loading, s the
    practice SD (true L is the mean of five practices, each a·L* + s·e)."""
    a2 = params.trait_loading**2
    return planted * a2 / (a2 + params.practice_sd**2 / 5)


def row(planted: float, halo: float, seeds: range, n_people: int) -> str:
    bank = load_item_bank(V1)
    truths, same, split, corrected, widths = [], [], [], [], []
    held = held_population = same_together = 0
    verdicts: Counter[str] = Counter()
    population = population_r(planted, SyntheticParams())
    for seed in seeds:
        org = generate_org(bank, n_people=n_people, seed=seed, correlation=planted, halo_sd=halo)
        scores = CycleScores(ReviewCycle(name="synthetic"), bank, org.answers)
        report = premise_report(scores)
        sides = split_raters.split_sides(scores.rated)
        true_l = [org.truth[p].L for p in sides.ratees]
        true_m = [org.truth[p].M for p in sides.ratees]
        truth = float(np.corrcoef(true_l, true_m)[0, 1])
        s = report.split_rater
        assert s.r_corrected is not None and s.r_corrected_ci95 is not None
        assert s.r_split is not None and report.correlation.r is not None
        lo, hi = s.r_corrected_ci95
        truths.append(truth)
        same.append(report.correlation.r)
        split.append(s.r_split)
        corrected.append(s.r_corrected)
        widths.append(hi - lo)
        held += lo <= truth <= hi
        held_population += lo <= population <= hi
        verdicts[report.verdict] += 1
        profiles = [scores.scores(p) for p in scores.ratees]
        l_same = np.array([p.L.value for p in profiles if p.L is not None and p.M is not None])
        m_same = np.array([p.M.value for p in profiles if p.L is not None and p.M is not None])
        same_sides = split_raters.SplitSides(
            tuple(range(len(l_same))), l_same, m_same, l_same, m_same, 0
        )
        ci = split_raters.percentile_ci(split_raters.bootstrap_statistics(same_sides).ratio)
        same_together += ci is not None and ci[0] > 1.0
    k = len(seeds)
    shown = ", ".join(f"{name} {count}" for name, count in sorted(verdicts.items()))
    return (
        f"| {planted:+.1f} | {halo:.1f} | {np.mean(truths):+.3f} | {np.mean(same):+.3f} | "
        f"{np.mean(split):+.3f} | {np.mean(corrected):+.3f} | {held}/{k} | "
        f"{held_population}/{k} | {np.mean(widths):.2f} | {shown} | {same_together}/{k} |"
    )


def main(seeds: int = 20, n_people: int = 300) -> None:
    print(
        "| planted ρ | halo SD | true r | same-rater r | split r | corrected r | CI holds "
        "true r | CI holds population r | CI width | verdicts | same-rater both-high: "
        "'go together' |"
    )
    print("|" + "---|" * 11)
    for halo in HALOS:
        for planted in PLANTED:
            print(row(planted, halo, range(1, seeds + 1), n_people), flush=True)


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
