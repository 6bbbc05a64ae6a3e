"""Testing the essay's premise on an organisation's own data: do few people excel at both sides?

Two numbers answer it for one review cycle:

* the **correlation of L and M** across the people who have both (Pearson's r, others' ratings
  only), with a 95 % confidence interval by Fisher's z: z = atanh r, SE = 1/√(n − 3),
  CI = tanh(z ± 1.96·SE). A strong positive r means people rated well on one side tend to be
  rated well on the other — the premise would not hold;
* the **share who lean one way reliably** (the profile's leaning test: |L − M| beyond the
  measurement error), with counts and a 95 % Wilson interval. Many "balanced" people again means
  the sides go together here.

Nothing is estimated from fewer than :data:`MIN_PREMISE_N` people; the report then says so
plainly. Self ratings are never used.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np
from sqlalchemy.orm import Session

from tandem.profile.cohort import MIN_COHORT_RATEES
from tandem.profile.schemas import CorrelationOut, PremiseOut, ShareOut
from tandem.profile.service import CycleScores, cycle_scores, resolve_cycle

MIN_PREMISE_N = MIN_COHORT_RATEES  # the same floor as every cohort statistic (10)
Z95 = NormalDist().inv_cdf(0.975)  # 1.959964…
LEANINGS = ("leader-leaning", "manager-leaning", "balanced", "unknown")
_METHOD = "Pearson's r over people with both L and M; 95 % CI by Fisher's z"


def fisher_ci(r: float, n: int, *, z: float = Z95) -> tuple[float, float] | None:
    """Confidence interval of Pearson's r by Fisher's z; ``None`` when n ≤ 3.

    Examples
    --------
    >>> lo, hi = fisher_ci(0.5, 28)
    >>> round(lo, 3), round(hi, 3)
    (0.156, 0.736)
    """
    if n <= 3:
        return None
    if abs(r) >= 1.0:
        return (r, r)
    centre, se = math.atanh(r), 1.0 / math.sqrt(n - 3)
    return (math.tanh(centre - z * se), math.tanh(centre + z * se))


def wilson_interval(count: int, total: int, *, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval of the share ``count / total``; ``None`` when ``total`` is 0.

    Examples
    --------
    >>> lo, hi = wilson_interval(3, 10)
    >>> round(lo, 3), round(hi, 3)
    (0.108, 0.603)
    """
    if total <= 0:
        return None
    p = count / total
    denominator = 1.0 + z**2 / total
    centre = (p + z**2 / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z**2 / (4 * total**2)) / denominator
    low = 0.0 if count == 0 else max(0.0, centre - half)
    high = 1.0 if count == total else min(1.0, centre + half)
    return (low, high)


def lm_correlation(values_l: Sequence[float], values_m: Sequence[float]) -> CorrelationOut:
    """Pearson's r of paired L and M with its Fisher CI; r is ``None`` under ``MIN_PREMISE_N``.

    Examples
    --------
    >>> out = lm_correlation([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [2, 1, 4, 3, 6, 5, 8, 7, 10, 9])
    >>> round(out.r, 4), out.n
    (0.9394, 10)
    """
    n = len(values_l)
    if n != len(values_m):
        raise ValueError("L and M must be paired")
    r = None
    if n >= MIN_PREMISE_N:
        l_arr = np.asarray(values_l, dtype=np.float64)
        m_arr = np.asarray(values_m, dtype=np.float64)
        if l_arr.std() > 0 and m_arr.std() > 0:
            r = float(np.corrcoef(l_arr, m_arr)[0, 1])
    return CorrelationOut(n=n, r=r, ci95=None if r is None else fisher_ci(r, n), method=_METHOD)


def _share(count: int, total: int) -> ShareOut:
    return ShareOut(
        count=count,
        of=total,
        share=count / total if total else None,
        ci95=wilson_interval(count, total),
    )


def _strength(r: float) -> str:
    size = abs(r)
    word = (
        "negligible"
        if size < 0.1
        else "small"
        if size < 0.3
        else "moderate"
        if size < 0.5
        else "large"
    )
    return f"{word} {'positive' if r > 0 else 'negative'}" if word != "negligible" else word


def premise_report(scores: CycleScores) -> PremiseOut:
    """The premise report of an already loaded cycle (every ratee scored once)."""
    values_l: list[float] = []
    values_m: list[float] = []
    counts = dict.fromkeys(LEANINGS, 0)
    for person in scores.ratees:
        pure = scores.scores(person)
        if pure.L is not None and pure.M is not None:
            values_l.append(pure.L.value)
            values_m.append(pure.M.value)
        counts[pure.leaning or "unknown"] += 1
    correlation = lm_correlation(values_l, values_m)
    leaning = counts["leader-leaning"] + counts["manager-leaning"]
    known = leaning + counts["balanced"]
    enough = correlation.r is not None and known >= MIN_PREMISE_N
    notes = []
    if not enough:
        notes.append(
            f"too few people to test the premise: {correlation.n} of {len(scores.ratees)} "
            f"ratee(s) have both L and M and {known} a known leaning; at least "
            f"{MIN_PREMISE_N} are needed"
        )
    notes.append(
        "L and M are rated by the same people, whose general leniency raises both and so "
        "inflates their correlation; the leaning test is not affected (leniency cancels in L − M)"
    )
    return PremiseOut(
        cycle=scores.cycle.name,
        n_ratees=len(scores.ratees),
        n_with_l_and_m=correlation.n,
        min_n=MIN_PREMISE_N,
        enough_data=enough,
        correlation=correlation,
        leaning_counts=counts,
        leaning_reliably=_share(leaning, known),
        leader_leaning=_share(counts["leader-leaning"], known),
        manager_leaning=_share(counts["manager-leaning"], known),
        summary=_summary(correlation, counts, known, enough),
        notes=notes,
    )


def _summary(correlation: CorrelationOut, counts: dict[str, int], known: int, enough: bool) -> str:
    if not enough or correlation.r is None or correlation.ci95 is None:
        return (
            f"Not enough data: {_people(correlation.n)} with both L and M, {known} with a "
            f"known leaning (at least {MIN_PREMISE_N} of each are needed)."
        )
    r, (lo, hi) = correlation.r, correlation.ci95
    leaning = counts["leader-leaning"] + counts["manager-leaning"]
    sides = (
        "people rated well on one side tend to be rated well on the other"
        if lo > 0
        else "the sides are not clearly related here"
        if hi > 0
        else "people rated well on one side tend to be rated lower on the other"
    )
    return (
        f"L and M correlate r = {r:.2f} (95 % CI {lo:.2f} to {hi:.2f}, n = {correlation.n}), "
        f"a {_strength(r)} correlation: {sides}. {leaning} of {known} people "
        f"({leaning / known:.0%}) lean one way reliably ({counts['leader-leaning']} leader, "
        f"{counts['manager-leaning']} manager); {counts['balanced']} are balanced."
    )


def _people(n: int) -> str:
    return f"{n} person" if n == 1 else f"{n} people"


def premise(*, session: Session, cycle: str | None = None) -> PremiseOut:
    """The premise report for a cycle (default: the latest closed cycle, else the latest)."""
    found = resolve_cycle(session=session, name=cycle)
    return premise_report(cycle_scores(session=session, cycle=found))
