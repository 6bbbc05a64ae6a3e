"""Testing the essay's premise on an organisation's own data: do few people excel at both sides?

For one review cycle (others' ratings only; self ratings are never used):

* the **split-rater correlation** of L and M (:mod:`tandem.profile.split_raters`): L from one half
  of each person's raters, M from the other, averaged over the two assignments, then corrected
  for attenuation by the halves' reliabilities, r_split / √(rel_L · rel_M), clipped to [−1, 1],
  with a 95 % bootstrap interval over people (fixed seed). When a half's reliability is below
  :data:`RELIABILITY_FLOOR`, or undefined (≤ 0) in more than 2.5 % of the resamples, the
  correction is not made and the report says why;
* the **direct test**: the share of people in the top third of the cohort on both sides (split
  raters again) against the product of the marginal shares (independence), with a Wilson
  interval for the share and bootstrap intervals for the ratio and the difference. The verdict
  says "premise holds" when the ratio's interval lies below 1, "sides go together" when it lies
  above 1, "neither" otherwise; none is given while independence predicts fewer than
  :data:`MIN_EXPECTED_BOTH_HIGH` people high on both;
* the **same-rater correlation** (the profile's L and M, Pearson's r with a Fisher-z interval:
  z = atanh r, SE = 1/√(n − 3), CI = tanh(z ± 1.96·SE)), kept for comparison and labelled as
  inflated: the same raters' general impression of a person moves both sides together;
* the **share who lean one way reliably** (the profile's leaning test), with counts and a Wilson
  interval.

Nothing is estimated from fewer than :data:`MIN_PREMISE_N` people; the report then says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np
from sqlalchemy.orm import Session

from tandem.profile import split_raters
from tandem.profile.cohort import MIN_COHORT_RATEES
from tandem.profile.schemas import (
    BootstrapOut,
    BothHighOut,
    CorrelationOut,
    PremiseOut,
    ShareOut,
    SplitRaterOut,
    Verdict,
)
from tandem.profile.service import CycleScores, cycle_scores, resolve_cycle

MIN_PREMISE_N = MIN_COHORT_RATEES  # the same floor as every cohort statistic (10)
Z95 = NormalDist().inv_cdf(0.975)  # 1.959964…
LEANINGS = ("leader-leaning", "manager-leaning", "balanced", "unknown")
RELIABILITY_FLOOR = 0.3  # below it, 1/√(rel_L·rel_M) would more than triple r: not corrected
MIN_EXPECTED_BOTH_HIGH = 5.0  # people independence predicts high on both, before any verdict
_METHOD = (
    "Pearson's r of the profile's L and M over people with both; 95 % CI by Fisher's z. L and M "
    "come from the same raters, whose general impression of a person raises or lowers both: "
    "inflated by shared raters, shown for comparison"
)
_SPLIT_RULE = (
    "others with a valid score, sorted by relation (manager, peer, report) then rater id, dealt "
    "alternately to half A and half B; self never used"
)
_SPLIT_METHOD = (
    "r_split = mean of r(L_A, M_B) and r(L_B, M_A); rel_L = r(L_A, L_B), rel_M = r(M_A, M_B) "
    "(a half's reliability); r_corrected = r_split / sqrt(rel_L * rel_M), clipped to [-1, 1]; "
    "95 % CI: bootstrap percentiles over people"
)
_HIGH_DEFINITION = (
    "top third of the cohort on a side (at or above its 2/3 quantile), L and M from different "
    "halves of each person's raters, averaged over the two assignments"
)
VERDICT_TEXT: dict[Verdict, str] = {
    "premise holds": (
        "Fewer people are high on both sides than chance predicts: the essay's premise holds here."
    ),
    "neither": (
        "About as many people are high on both sides as chance predicts: the data neither "
        "support nor refute the essay's premise here."
    ),
    "sides go together": (
        "More people are high on both sides than chance predicts: the sides go together here, "
        "and the essay's premise does not hold."
    ),
    "not enough data": "Not enough data to test the essay's premise.",
}


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


def wilson_interval(count: float, total: int, *, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval of the share ``count / total``; ``None`` when ``total`` is 0.

    ``count`` may be fractional (a share averaged over two assignments, times ``total``).

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


def _value(values: split_raters.Floats) -> float | None:
    value = float(values[0])
    return None if math.isnan(value) else value


def _split_rater(sides: split_raters.SplitSides) -> tuple[SplitRaterOut, BothHighOut]:
    """The split-rater correlation and the both-high test of people with four half scores."""
    n = len(sides.ratees)
    if n < MIN_PREMISE_N:
        reason = f"too few people with L and M in both halves of their raters ({n})"
        return _split_out(n, sides.n_excluded, None, None, reason), _both_high_out(n, None, None)
    point = split_raters.point_statistics(sides)
    boot = split_raters.bootstrap_statistics(sides)
    return _split_out(n, sides.n_excluded, point, boot, None), _both_high_out(n, point, boot)


def _split_out(
    n: int,
    excluded: int,
    point: split_raters.Statistics | None,
    boot: split_raters.Statistics | None,
    reason: str | None,
) -> SplitRaterOut:
    r_split = rel_l = rel_m = corrected = None
    r_ab = r_ba = None
    split_ci = corrected_ci = None
    clipped = False
    if point is not None and boot is not None:
        r_split, r_ab, r_ba = _value(point.r_split), _value(point.r_ab), _value(point.r_ba)
        rel_l, rel_m = _value(point.rel_l), _value(point.rel_m)
        split_ci = split_raters.percentile_ci(boot.r_split)
        reason = _why_not_corrected(rel_l, rel_m, boot)
        if reason is None and r_split is not None and rel_l is not None and rel_m is not None:
            raw = r_split / math.sqrt(rel_l * rel_m)
            clipped = abs(raw) > 1.0
            corrected = max(-1.0, min(1.0, raw))
            corrected_ci = split_raters.percentile_ci(boot.r_corrected)
    return SplitRaterOut(
        n=n,
        n_excluded=excluded,
        min_raters=split_raters.MIN_SPLIT_RATERS,
        split_rule=_SPLIT_RULE,
        r_split=r_split,
        r_split_ci95=split_ci,
        r_ab=r_ab,
        r_ba=r_ba,
        reliability_l=rel_l,
        reliability_m=rel_m,
        reliability_floor=RELIABILITY_FLOOR,
        r_corrected=corrected,
        r_corrected_ci95=corrected_ci,
        clipped=clipped,
        not_corrected_because=reason,
        method=_SPLIT_METHOD,
    )


def _why_not_corrected(
    rel_l: float | None, rel_m: float | None, boot: split_raters.Statistics
) -> str | None:
    """Why the correction for attenuation is not made, or ``None`` when it is."""
    for side, rel in (("L", rel_l), ("M", rel_m)):
        if rel is None:
            return f"the two halves' {side} does not vary, so its reliability is undefined"
        if rel < RELIABILITY_FLOOR:
            return (
                f"the two halves of the raters agree too little on {side} (r = {rel:.2f}, below "
                f"{RELIABILITY_FLOOR:.2f}): dividing by so small a reliability would magnify "
                "noise, so only the uncorrected split-rater r is shown (it is nearer 0 than "
                "the true correlation)"
            )
    undefined = float(np.isnan(boot.r_corrected).mean())
    if undefined > 0.025:
        return (
            f"a half's reliability is too uncertain: it was 0 or below in {undefined:.1%} of "
            "the bootstrap resamples, so the corrected interval is undefined; only the "
            "uncorrected split-rater r is shown"
        )
    return None


def _both_high_out(
    n: int, point: split_raters.Statistics | None, boot: split_raters.Statistics | None
) -> BothHighOut:
    if point is None or boot is None:
        return BothHighOut(
            n=n,
            definition=_HIGH_DEFINITION,
            high_l_share=None,
            high_m_share=None,
            both_high_counts=(0, 0),
            observed=None,
            observed_ci95=None,
            expected=None,
            expected_count=None,
            min_expected_count=MIN_EXPECTED_BOTH_HIGH,
            ratio=None,
            ratio_ci95=None,
            difference=None,
            difference_ci95=None,
            verdict="not enough data",
            verdict_text=VERDICT_TEXT["not enough data"],
        )
    observed, expected = float(point.observed[0]), float(point.expected[0])
    ratio_ci = split_raters.percentile_ci(boot.ratio)
    verdict: Verdict
    if n * expected < MIN_EXPECTED_BOTH_HIGH or ratio_ci is None:
        verdict = "not enough data"
    elif ratio_ci[1] < 1.0:
        verdict = "premise holds"
    elif ratio_ci[0] > 1.0:
        verdict = "sides go together"
    else:
        verdict = "neither"
    text = VERDICT_TEXT[verdict]
    if verdict == "not enough data":
        text = (
            f"Not enough data for the both-high test: independence predicts "
            f"{n * expected:.1f} of {n} people high on both sides, and at least "
            f"{MIN_EXPECTED_BOTH_HIGH:.0f} are needed."
        )
    return BothHighOut(
        n=n,
        definition=_HIGH_DEFINITION,
        high_l_share=float(point.high_l[0]),
        high_m_share=float(point.high_m[0]),
        both_high_counts=(round(point.both_ab[0] * n), round(point.both_ba[0] * n)),
        observed=observed,
        observed_ci95=wilson_interval(observed * n, n),
        expected=expected,
        expected_count=n * expected,
        min_expected_count=MIN_EXPECTED_BOTH_HIGH,
        ratio=_value(point.ratio),
        ratio_ci95=ratio_ci,
        difference=observed - expected,
        difference_ci95=split_raters.percentile_ci(boot.difference),
        verdict=verdict,
        verdict_text=text,
    )


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
    split, both_high = _split_rater(split_raters.split_sides(scores.rated))
    leaning = counts["leader-leaning"] + counts["manager-leaning"]
    known = leaning + counts["balanced"]
    enough = correlation.r is not None and split.r_split is not None and known >= MIN_PREMISE_N
    notes = []
    if not enough:
        notes.append(
            f"too few people to test the premise: {correlation.n} of {len(scores.ratees)} "
            f"ratee(s) have both L and M, {split.n} have them from two halves of at least "
            f"{split_raters.MIN_SPLIT_RATERS} raters and {known} a known leaning; at least "
            f"{MIN_PREMISE_N} of each are needed"
        )
    notes.append(
        "the same-rater r is inflated: L and M are rated by the same people, whose general "
        "impression of a person (halo) and leniency raise or lower both; the split-rater r "
        "takes them from different raters. The leaning test is not affected (a rater's "
        "general impression cancels in L − M)"
    )
    if split.not_corrected_because is not None and split.r_split is not None:
        notes.append(f"not corrected for attenuation: {split.not_corrected_because}")
    if split.clipped:
        notes.append("the corrected r fell outside −1 to 1 (sampling error) and was clipped")
    return PremiseOut(
        cycle=scores.cycle.name,
        n_ratees=len(scores.ratees),
        n_with_l_and_m=correlation.n,
        min_n=MIN_PREMISE_N,
        enough_data=enough,
        verdict=both_high.verdict,
        correlation=correlation,
        split_rater=split,
        both_high=both_high,
        bootstrap=BootstrapOut(
            replicates=split_raters.BOOTSTRAP_REPLICATES,
            seed=split_raters.BOOTSTRAP_SEED,
            method=(
                "people resampled with replacement (each with their four half scores), "
                "numpy default_rng(seed); 2.5th and 97.5th percentiles"
            ),
        ),
        leaning_counts=counts,
        leaning_reliably=_share(leaning, known),
        leader_leaning=_share(counts["leader-leaning"], known),
        manager_leaning=_share(counts["manager-leaning"], known),
        summary=_summary(correlation, split, both_high, counts, known, enough),
        notes=notes,
    )


def _interval(ci: tuple[float, float] | None) -> str:
    return "" if ci is None else f" (95 % CI {ci[0]:.2f} to {ci[1]:.2f})"


def _share_interval(ci: tuple[float, float] | None) -> str:
    return "" if ci is None else f" (95 % CI {ci[0]:.0%} to {ci[1]:.0%})"


def _summary(
    correlation: CorrelationOut,
    split: SplitRaterOut,
    both_high: BothHighOut,
    counts: dict[str, int],
    known: int,
    enough: bool,
) -> str:
    if not enough or correlation.r is None or split.r_split is None:
        return (
            f"Not enough data: {_people(correlation.n)} with both L and M, {split.n} with them "
            f"from two halves of their raters, {known} with a known leaning (at least "
            f"{MIN_PREMISE_N} of each are needed)."
        )
    parts = [both_high.verdict_text]
    if both_high.observed is not None and both_high.expected is not None:
        parts.append(
            f"{both_high.observed:.0%} of {both_high.n} people are in the top third on both "
            f"sides{_share_interval(both_high.observed_ci95)}, against "
            f"{both_high.expected:.0%} if the sides were independent"
            + (
                ""
                if both_high.ratio is None
                else f"; ratio {both_high.ratio:.2f}{_interval(both_high.ratio_ci95)}"
            )
            + "."
        )
    if split.r_corrected is not None:
        parts.append(
            f"With L and M from different raters, corrected for attenuation, they correlate "
            f"r = {split.r_corrected:.2f}{_interval(split.r_corrected_ci95)}, a "
            f"{_strength(split.r_corrected)} correlation (uncorrected split-rater "
            f"r = {split.r_split:.2f}, n = {split.n})."
        )
    else:
        parts.append(
            f"With L and M from different raters they correlate r = {split.r_split:.2f}"
            f"{_interval(split.r_split_ci95)}, n = {split.n}, not corrected for attenuation."
        )
    parts.append(
        f"From the same raters r = {correlation.r:.2f}{_interval(correlation.ci95)}, "
        "a figure inflated by the shared raters' general impression of each person."
    )
    leaning = counts["leader-leaning"] + counts["manager-leaning"]
    parts.append(
        f"{leaning} of {known} people ({leaning / known:.0%}) lean one way reliably "
        f"({counts['leader-leaning']} leader, {counts['manager-leaning']} manager); "
        f"{counts['balanced']} are balanced."
    )
    return " ".join(parts)


def _people(n: int) -> str:
    return f"{n} person" if n == 1 else f"{n} people"


def premise(*, session: Session, cycle: str | None = None) -> PremiseOut:
    """The premise report for a cycle (default: the latest closed cycle, else the latest)."""
    found = resolve_cycle(session=session, name=cycle)
    return premise_report(cycle_scores(session=session, cycle=found))
