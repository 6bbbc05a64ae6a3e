"""Internal norms: where a person's others' score stands among the cycle's people of their role.

Pure numpy, no database; ``docs/people-science.md`` ("Internal norms") explains the choices.

**Norm group.** For a practice (or L, M): the other ratees of the cycle whose role in the
cycle's frozen roster is the person's (:func:`norm_role`), with an others' score — the person
aside. It needs :data:`MIN_NORM_GROUP` people: a percentile in a group of n moves by 100/n per
person, and in a small named set it tells a rank. Fewer, and the norm falls back to every other
ratee of the cycle (labelled "all rated"); fewer still, no norm. When the cycle cannot estimate
its rater error, no standard error is known and there is no percentile ("error unknown").

**Estimate** (:func:`percentile_in_group`). What the person wants is where their *true* score
stands among their colleagues' *true* scores, and every score carries its error. Under a normal
model (empirical Bayes): true scores in the group ~ N(μ, τ²), μ the group's mean and τ² its
variance less the mean error variance; each score x with standard error s then gives its true
score the posterior N(μ + λ(x − μ), λs²), λ = τ²/(τ² + s²). The person's percentile
P = 100·#{j : T_j < T_i}/n is a random variable; the profile shows its mean

    E[P] = 100/n · Σ_j Φ((m_i − m_j) / √(v_i + v_j))        (exact)

and the band between its 2.5 % and 97.5 % quantiles (the person's posterior integrated on
:data:`NODES` quantile nodes; given the person's true score, the count below is a sum of
independent Bernoulli draws, taken as normal). Without any error it is the mid-rank percentile
100·(#below + ½·#tied)/n. The person's own score enters only as (x, s): computed from the
score the viewer sees, nothing withheld from them comes back through the percentile.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tandem.people.models import Role
from tandem.profile.cohort import DEFAULT_Z
from tandem.profile.prior import moments, shrink

MIN_NORM_GROUP = 10  # people besides the person; a percentile in n moves by 100/n per person
NODES = 200  # quantile nodes of the person's posterior (the band's tails hold ~5 of them)
ALL_RATED = "all rated"  # the fallback group: every other ratee of the cycle
ERROR_UNKNOWN = "error unknown"
_ROLE_ORDER = tuple(r.value for r in Role)  # leader, manager, member
_PRECISION = 1e-4  # of the band's ends, in percentile points (shown in steps of 5)

Vector = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Member:
    """One person of a norm group: their others' score and its standard error (``None`` when
    the cycle cannot estimate it)."""

    person: int
    score: float
    se: float | None


@dataclass(frozen=True)
class Percentile:
    """A person's percentile among a norm group, unrounded, with its 95 % band.

    ``group`` is the role compared with or :data:`ALL_RATED`; ``value`` and ``band`` are
    ``None`` with a ``reason`` when there is no norm.
    """

    value: float | None
    band: tuple[float, float] | None
    group: str | None
    reason: str | None = None
    note: str | None = None  # why a fallback group was used


def norm_role(roles: Iterable[str]) -> str | None:
    """A person's role for norms from their frozen memberships: the first of leader, manager,
    member they hold in any team (who leads a team is compared with those who lead one)."""
    held = set(roles)
    return next((r for r in _ROLE_ORDER if r in held), None)


def _above(diff: Vector, var: Vector) -> Vector:
    """P(A > B) for A − B ~ N(diff, var); a step (½ at a tie) where there is no error."""
    from scipy.special import ndtr

    diff, var = np.broadcast_arrays(diff, var)
    noisy = var > 0
    if noisy.all():  # the usual case: everyone's score carries an error
        return np.asarray(ndtr(diff / np.sqrt(var)), dtype=np.float64)
    out = np.where(diff > 0, 1.0, np.where(diff < 0, 0.0, 0.5))
    out[noisy] = ndtr(diff[noisy] / np.sqrt(var[noisy]))
    return out


def percentile_in_group(
    score: float, se: float, group: Sequence[tuple[float, float]], *, z: float = DEFAULT_Z
) -> tuple[float, tuple[float, float]]:
    """The expected percentile (0–100) of a score with standard error ``se`` among ``group``
    ((score, se) pairs, the person aside), and its band (central 95 % with the default ``z``).

    Examples
    --------
    >>> group = [(s, 0.0) for s in (1.0, 2.0, 3.0, 3.0, 4.0)]
    >>> percentile_in_group(3.0, 0.0, group)  # no error: (2 below + ½·2 tied) / 5
    (60.0, (60.0, 60.0))
    """
    if not group:
        raise ValueError("a norm group needs at least one member")
    y = np.array([g[0] for g in group], dtype=np.float64)
    s = np.array([g[1] for g in group], dtype=np.float64)
    # the spread of true scores: the group's variance less the part its errors explain (the
    # cycle prior's method of moments, over the norm group)
    mu, tau2 = moments(y, s)
    m, v = shrink(y, s, mu, tau2)
    [mi], [vi] = shrink(np.array([score]), np.array([se]), mu, tau2)
    value = 100.0 * float(np.sum(_above(mi - m, vi + v))) / len(m)
    return value, _band(float(mi), float(vi), m, v, z)


def _band(mi: float, vi: float, m: Vector, v: Vector, z: float) -> tuple[float, float]:
    """The central quantiles of P: the person's posterior on quantile nodes, given each node
    the count below as normal (its mean and its Bernoulli variance), the mixture's quantiles
    found by bisection."""
    from scipy.special import ndtr, ndtri

    tail = float(ndtr(-z))
    if vi > 0:
        nodes = mi + math.sqrt(vi) * ndtri((np.arange(NODES) + 0.5) / NODES)
    else:
        nodes = np.array([mi])
    chance = _above(nodes[:, None] - m[None, :], v[None, :])
    n = len(m)
    mean = np.round(100.0 * chance.sum(axis=1) / n, 9)  # a tie with a step stays a tie
    # a comparison with someone without error is settled (a tie counts ½), not a draw
    spread = np.where(v[None, :] > 0, chance * (1.0 - chance), 0.0)
    sd = 100.0 * np.sqrt(spread.sum(axis=1)) / n
    steps = sd == 0

    def cdf(q: float) -> float:  # P(P ≤ q); a node without spread counts its value in full
        at = np.where(steps, (q >= mean).astype(np.float64), 0.0)
        at[~steps] = ndtr((q - mean[~steps]) / sd[~steps])
        return float(at.mean())

    def quantile(level: float) -> float:
        lo, hi = 0.0, 100.0
        if cdf(lo) >= level:
            return lo
        while hi - lo > _PRECISION:
            mid = (lo + hi) / 2
            lo, hi = (lo, mid) if cdf(mid) >= level else (mid, hi)
        return round(hi, 3)

    return quantile(tail), quantile(1.0 - tail)


def choose_group(
    person: int,
    role: str | None,
    members: Mapping[str | None, Sequence[Member]],
    *,
    min_group: int = MIN_NORM_GROUP,
) -> tuple[str | None, list[Member], str | None]:
    """The norm group of ``person``: (its name, its members but the person, a reason or note).

    ``members`` holds everyone scored, by role (``None``: no role in the roster). The role's
    group when it has ``min_group`` people besides the person, else every other ratee
    (:data:`ALL_RATED`, with a note saying why), else no group (name ``None``, with the reason).
    """
    if role is not None:
        own = [m for m in members.get(role, ()) if m.person != person]
        if len(own) >= min_group:
            return role, own, None
    everyone = [m for group in members.values() for m in group if m.person != person]
    if len(everyone) >= min_group:
        why = (
            "no role in the cycle's roster"
            if role is None
            else f"fewer than {min_group} other {role}s rated"
        )
        return ALL_RATED, everyone, f"compared with all rated: {why}"
    return None, [], f"no norm: fewer than {min_group} other people rated"


def norm_percentile(
    person: int,
    score: float | None,
    se: float | None,
    role: str | None,
    members: Mapping[str | None, Sequence[Member]],
    *,
    min_group: int = MIN_NORM_GROUP,
    z: float = DEFAULT_Z,
) -> Percentile | None:
    """The person's percentile for one figure (``None`` when they have no score on it)."""
    if score is None:
        return None
    name, group, why = choose_group(person, role, members, min_group=min_group)
    if name is None:
        return Percentile(None, None, None, reason=why)
    known = [(m.score, m.se) for m in group if m.se is not None]
    if se is None or len(known) < len(group):
        return Percentile(None, None, name, reason=ERROR_UNKNOWN)
    value, band = percentile_in_group(score, se, known, z=z)
    return Percentile(value, band, name, note=why)


def members_by_role(
    figures: Mapping[int, tuple[float | None, float | None]], roles: Mapping[int, str | None]
) -> dict[str | None, list[Member]]:
    """Everyone with a score on one figure, grouped by norm role."""
    out: dict[str | None, list[Member]] = {}
    for person, (score, se) in figures.items():
        if score is not None:
            out.setdefault(roles.get(person), []).append(Member(person, score, se))
    return out
