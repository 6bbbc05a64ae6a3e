"""Split-rater L and M: each side from a different half of a person's raters, with a bootstrap.

Why. When L and M come from the same raters, each rater's general impression of the person (halo)
and general leniency enter both sides, so their correlation across people is inflated: it
measures the raters as much as the people. Taking L from one half of a person's raters and M from
the other leaves only what the two halves share, the person.

**The split rule** (deterministic; :func:`split_raters`). Self is never used. The raters are the
others who gave the person at least one valid practice score. Sort them by relation (manager,
peer, report) then by a hash of what they answered (their practice scores; the rater id breaks a
tie between identical answers, which changes nothing), and deal them alternately: positions 0, 2,
4, … form half A, positions 1, 3, 5, … half B. Ids are not the order because a forget or a merge
changes them (a stand-in takes the person's rows) and a closed cycle's answer must not move.
Dealing across the sorted list balances every relation between the
halves (their counts differ by at most one) and the halves' sizes differ by at most one. A person
needs at least :data:`MIN_SPLIT_RATERS` such raters.

**Half scores** (:func:`half_sides`). In a half, a practice's score is the mean of the half's
raters' practice scores (each rater weighs the same; groups are not formed, as nothing about one
person is shown: these numbers feed cohort statistics only). L and M of a half need all five
practices of the side, as in the profile. A person enters the analysis only with L and M in both
halves (L_A, M_A, L_B, M_B).

**Statistics** (:func:`premise_statistics`, over people; vectorised over bootstrap resamples):

* r_AB = r(L_A, M_B) and r_BA = r(L_B, M_A); r_split = (r_AB + r_BA) / 2. Both use every person
  once per side, so they are not independent samples to pool; averaging makes the estimate
  symmetric in the halves' labels, and when one half is systematically larger (odd rater counts
  put the extra rater in A) the size effects on the two correlations are reciprocal and cancel to
  first order.
* rel_L = r(L_A, L_B) and rel_M = r(M_A, M_B): the reliabilities of a *half's* L and M (not
  stepped up by Spearman–Brown, since each side of r_split is measured from one half).
* r_corrected = r_split / √(rel_L · rel_M) (Spearman's correction for attenuation).
* both-high: a side is "high" at or above the cohort's 2/3 quantile of that side (the top third,
  scale-free); observed = mean over the two assignments of the share high on L (from one half)
  and on M (from the other); expected = mean of the products of the marginal shares.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tandem.profile.answers import OTHER_RELATIONS, RaterScores
from tandem.review.items import practices_of

MIN_SPLIT_RATERS = 2
HIGH_QUANTILE = 2 / 3  # "high" = the top third of the cohort on a side
BOOTSTRAP_REPLICATES = 2000
BOOTSTRAP_SEED = 10  # issue 10; any fixed seed makes the report reproducible
_CELLS_PER_CHUNK = 2_000_000  # resamples are computed in chunks of about this many numbers

Floats = npt.NDArray[np.float64]


def split_raters(
    raters: Sequence[RaterScores],
) -> tuple[tuple[RaterScores, ...], tuple[RaterScores, ...]] | None:
    """Half A and half B of a ratee's other raters by the module's rule; ``None`` under 2.

    Examples
    --------
    >>> rs = [RaterScores(i, rel, {"vision": 3.0}) for i, rel in
    ...       [(9, "peer"), (4, "report"), (7, "manager"), (2, "peer"), (1, "self")]]
    >>> a, b = split_raters(rs) or ((), ())
    >>> [r.rater for r in a], [r.rater for r in b]
    ([7, 9], [2, 4])
    """
    others = sorted(
        (
            r
            for r in raters
            if r.relation != "self" and any(v is not None for v in r.practices.values())
        ),
        key=lambda r: (OTHER_RELATIONS.index(r.relation), _content(r), r.rater),
    )
    if len(others) < MIN_SPLIT_RATERS:
        return None
    return tuple(others[0::2]), tuple(others[1::2])


def _content(rater: RaterScores) -> str:
    """A rater's place within their relation: a hash of what they answered (their practice
    scores). Ids change when a person is forgotten or merged (a stand-in takes their rows),
    answers do not, so a closed cycle's premise answer never moves; a hash, not the scores
    themselves, so the halves do not depend on how high a rater scored (sorting by score and
    dealing alternately would put systematically lower raters in one half). Raters who
    answered alike are interchangeable, so the id that breaks their tie changes nothing."""
    scores = ",".join(
        "-" if v is None else repr(float(v)) for _, v in sorted(rater.practices.items())
    )
    return hashlib.sha256(scores.encode()).hexdigest()


def half_sides(half: Sequence[RaterScores]) -> tuple[float | None, float | None]:
    """L and M of one half of the raters: per practice the raters' mean, then the side's mean."""

    def side(name: str) -> float | None:
        means = []
        for practice in practices_of(name):
            values = [v for r in half if (v := r.practices.get(practice)) is not None]
            if not values:
                return None
            means.append(math.fsum(values) / len(values))
        return math.fsum(means) / len(means)

    return side("leader"), side("manager")


@dataclass(frozen=True)
class SplitSides:
    """Per person L and M from half A and from half B of their raters; people in the order of
    those four numbers (ids break ties only), so nothing depends on ids."""

    ratees: tuple[int, ...]
    l_a: Floats
    m_a: Floats
    l_b: Floats
    m_b: Floats
    n_excluded: int


def split_sides(rated: Mapping[int, Sequence[RaterScores]]) -> SplitSides:
    """Every ratee's split-half L and M from their raters' practice scores
    (:func:`~tandem.profile.answers.rater_scores_by_ratee`); people without all four are
    counted as excluded."""
    ratees: list[int] = []
    rows: list[tuple[float, float, float, float]] = []
    for ratee in sorted(rated):
        halves = split_raters(rated[ratee])
        if halves is None:
            continue
        (l_a, m_a), (l_b, m_b) = half_sides(halves[0]), half_sides(halves[1])
        if l_a is None or m_a is None or l_b is None or m_b is None:
            continue
        ratees.append(ratee)
        rows.append((l_a, m_a, l_b, m_b))
    # people in the order of their four numbers, not their ids (which a forget or merge
    # changes): the bootstrap draws positions, so its answer depends on the numbers only
    order = sorted(range(len(rows)), key=lambda i: (rows[i], ratees[i]))
    ratees, rows = [ratees[i] for i in order], [rows[i] for i in order]
    table = np.array(rows, dtype=np.float64).reshape(len(rows), 4)
    return SplitSides(
        ratees=tuple(ratees),
        l_a=table[:, 0].copy(),
        m_a=table[:, 1].copy(),
        l_b=table[:, 2].copy(),
        m_b=table[:, 3].copy(),
        n_excluded=len(rated) - len(ratees),
    )


@dataclass(frozen=True)
class Statistics:
    """The premise statistics, one value per row (row 0 of a bootstrap: nothing resampled)."""

    r_ab: Floats
    r_ba: Floats
    rel_l: Floats
    rel_m: Floats
    high_l: Floats  # share high on L (mean over the two halves)
    high_m: Floats
    observed: Floats  # share high on both (mean over the two assignments)
    expected: Floats  # independence: mean over the assignments of the product of the marginals
    both_ab: Floats  # share high on L_A and on M_B
    both_ba: Floats

    @property
    def r_split(self) -> Floats:
        """(r_AB + r_BA) / 2."""
        return (self.r_ab + self.r_ba) / 2.0

    @property
    def r_corrected(self) -> Floats:
        """r_split / √(rel_L · rel_M), NaN where a reliability is ≤ 0, clipped to [−1, 1]."""
        product = self.rel_l * self.rel_m
        usable = (self.rel_l > 0) & (self.rel_m > 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            raw = self.r_split / np.sqrt(np.where(usable, product, np.nan))
        return np.clip(raw, -1.0, 1.0)

    @property
    def ratio(self) -> Floats:
        """Observed both-high share / what independence predicts."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.expected > 0, self.observed / self.expected, np.nan)

    @property
    def difference(self) -> Floats:
        """Observed both-high share − what independence predicts."""
        return self.observed - self.expected


def _rowwise_r(x: Floats, y: Floats) -> Floats:
    """Pearson's r of each row of x with the same row of y; NaN where a row does not vary."""
    xc = x - x.mean(axis=1, keepdims=True)
    yc = y - y.mean(axis=1, keepdims=True)
    denominator = np.sqrt((xc * xc).sum(axis=1) * (yc * yc).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, (xc * yc).sum(axis=1) / denominator, np.nan)


def _high(x: Floats) -> npt.NDArray[np.bool_]:
    return x >= np.quantile(x, HIGH_QUANTILE, axis=1, keepdims=True)


def premise_statistics(l_a: Floats, m_a: Floats, l_b: Floats, m_b: Floats) -> Statistics:
    """The statistics of rows of people (shape ``(k, n)``: k samples of n people each).

    With the same array for both halves (``l_a is l_b``) the split statistics become the
    same-rater ones, which is how the tests show what a shared rater does.
    """
    hl_a, hl_b, hm_a, hm_b = _high(l_a), _high(l_b), _high(m_a), _high(m_b)
    both_ab = (hl_a & hm_b).mean(axis=1)
    both_ba = (hl_b & hm_a).mean(axis=1)
    pl_a, pl_b, pm_a, pm_b = (h.mean(axis=1) for h in (hl_a, hl_b, hm_a, hm_b))
    return Statistics(
        r_ab=_rowwise_r(l_a, m_b),
        r_ba=_rowwise_r(l_b, m_a),
        rel_l=_rowwise_r(l_a, l_b),
        rel_m=_rowwise_r(m_a, m_b),
        high_l=(pl_a + pl_b) / 2.0,
        high_m=(pm_a + pm_b) / 2.0,
        observed=(both_ab + both_ba) / 2.0,
        expected=(pl_a * pm_b + pl_b * pm_a) / 2.0,
        both_ab=both_ab,
        both_ba=both_ba,
    )


def point_statistics(sides: SplitSides) -> Statistics:
    """The statistics of the people as they are (one row)."""
    return premise_statistics(
        sides.l_a[None, :], sides.m_a[None, :], sides.l_b[None, :], sides.m_b[None, :]
    )


def bootstrap_statistics(
    sides: SplitSides, *, replicates: int = BOOTSTRAP_REPLICATES, seed: int = BOOTSTRAP_SEED
) -> Statistics:
    """The statistics of ``replicates`` resamples of people (with replacement), fixed seed.

    A person is resampled whole (their four half scores together), so each resample keeps what
    ties one person's L and M. ``numpy.random.default_rng(seed)`` makes it reproducible.
    """
    n = len(sides.ratees)
    rng = np.random.default_rng(seed)
    index = rng.integers(0, n, size=(replicates, n))
    chunk = max(1, _CELLS_PER_CHUNK // max(n, 1))
    parts = [
        premise_statistics(sides.l_a[rows], sides.m_a[rows], sides.l_b[rows], sides.m_b[rows])
        for rows in (index[start : start + chunk] for start in range(0, replicates, chunk))
    ]
    fields = Statistics.__dataclass_fields__
    return Statistics(**{f: np.concatenate([getattr(p, f) for p in parts]) for f in fields})


def percentile_ci(values: Floats, *, max_undefined: float = 0.025) -> tuple[float, float] | None:
    """The 2.5th and 97.5th percentiles of the defined values; ``None`` when more than
    ``max_undefined`` of them are undefined (NaN: the interval's tail would be undefined)."""
    defined = values[~np.isnan(values)]
    if defined.size == 0 or (values.size - defined.size) > max_undefined * values.size:
        return None
    low, high = np.percentile(defined, [2.5, 97.5])
    return (float(low), float(high))
