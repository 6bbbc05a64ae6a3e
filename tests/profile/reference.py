"""An independent recomputation of 360 profiles, written apart from ``tandem.profile``.

Plain Python (``math``, ``statistics``, no numpy, nothing imported from the scoring code but the
``Answer`` record and the item bank), straight from ``docs/people-science.md``:

* a rater's practice score: reverse keys 6 − x, mean of the answered items, only with ≥ 75 %
  answered;
* groups: one manager shown alone, 2–3 suppressed and not pooled, ≥ 4 shown; peers/reports shown
  with ≥ 3, else pooled, the pool shown with ≥ 3;
* others' score: the mean over the raters behind the shown groups;
* Σ: pooled within-ratee covariances of rater practice scores, pairwise, over ratees with ≥ 2
  raters holding both practices, each entry needing ≥ 10 such ratees;
* a composite's error: Σ_pq w_p w_q Σ_pq (|R_p ∩ R_q| / (n_p n_q) [+ 1 with self]);
* labels: leaning, overall tendency and the shape test at z = 1.96; a blind spot needs ≥ 3 raters
  behind the practice, the leaning and the tendency ≥ 3 *effective* raters (w′Σw / V).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tandem.profile.answers import Answer
from tandem.review.items import PRACTICE_IDS, ItemBank

Z = 1.96
MIN_RATEES = 10
MIN_RATERS = 3
LEADER, MANAGER = PRACTICE_IDS[:5], PRACTICE_IDS[5:]


def rater_practice_scores(
    answers: Sequence[Answer], bank: ItemBank
) -> dict[int, tuple[str, dict[str, float]]]:
    """rater → (relation, practice → score) for the practices that pass the 75 % rule."""
    items = {item.id: item for item in bank.items}
    sizes: dict[str, int] = {}
    for item in bank.items:
        sizes[item.practice] = sizes.get(item.practice, 0) + 1
    values: dict[int, dict[str, list[int]]] = {}
    relation: dict[int, str] = {}
    for a in answers:
        relation[a.rater] = a.relation
        per = values.setdefault(a.rater, {})
        if a.value is None:
            continue
        item = items[a.item_id]
        per.setdefault(item.practice, []).append(6 - a.value if item.reverse else a.value)
    result = {}
    for rater, per in values.items():
        scores = {
            p: sum(v) / len(v) for p, v in per.items() if len(v) / sizes[p] >= 0.75 and len(v) > 0
        }
        result[rater] = (relation[rater], scores)
    return result


def behind_shown_groups(
    raters: Mapping[int, tuple[str, dict[str, float]]], practice: str
) -> list[int]:
    """The raters whose score of ``practice`` feeds a shown group."""
    by: dict[str, list[int]] = {"manager": [], "peer": [], "report": []}
    for rater, (relation, scores) in raters.items():
        if relation != "self" and practice in scores:
            by[relation].append(rater)
    shown = []
    if len(by["manager"]) == 1 or len(by["manager"]) >= 4:
        shown += by["manager"]
    pool = []
    for relation in ("peer", "report"):
        if len(by[relation]) >= 3:
            shown += by[relation]
        else:
            pool += by[relation]
    if len(pool) >= 3:
        shown += pool
    return shown


def rater_covariance(
    answers_by_ratee: Mapping[int, Sequence[Answer]], bank: ItemBank
) -> dict[tuple[str, str], float | None]:
    """Σ_pq pooled within ratees, pairwise, from every non-self rater."""
    cross: dict[tuple[str, str], float] = {}
    df: dict[tuple[str, str], int] = {}
    ratees: dict[tuple[str, str], int] = {}
    for answers in answers_by_ratee.values():
        raters = [s for rel, s in rater_practice_scores(answers, bank).values() if rel != "self"]
        for p in PRACTICE_IDS:
            for q in PRACTICE_IDS:
                both = [s for s in raters if p in s and q in s]
                if len(both) < 2:
                    continue
                mean_p = sum(s[p] for s in both) / len(both)
                mean_q = sum(s[q] for s in both) / len(both)
                key = (p, q)
                cross[key] = cross.get(key, 0.0) + sum(
                    (s[p] - mean_p) * (s[q] - mean_q) for s in both
                )
                df[key] = df.get(key, 0) + len(both) - 1
                ratees[key] = ratees.get(key, 0) + 1
    return {
        (p, q): cross[(p, q)] / df[(p, q)] if ratees.get((p, q), 0) >= MIN_RATEES else None
        for p in PRACTICE_IDS
        for q in PRACTICE_IDS
    }


def composite_se(
    weights: Mapping[str, float],
    sets: Mapping[str, set[int]],
    sigma: Mapping[tuple[str, str], float | None],
    *,
    with_self: bool = False,
) -> float | None:
    total = 0.0
    for p, wp in weights.items():
        for q, wq in weights.items():
            entry = sigma[(p, q)]
            if entry is None or not sets[p] or not sets[q]:
                return None
            share = len(sets[p] & sets[q]) / (len(sets[p]) * len(sets[q]))
            total += wp * wq * entry * (share + (1 if with_self else 0))
    return math.sqrt(max(total, 0.0))


def effective_raters(
    weights: Mapping[str, float],
    sets: Mapping[str, set[int]],
    sigma: Mapping[tuple[str, str], float | None],
) -> float | None:
    """w′Σw over the error variance of the others' composite."""
    se = composite_se(weights, sets, sigma)
    if se is None:
        return None
    one = sum(
        wp * wq * (sigma[(p, q)] or 0.0) for p, wp in weights.items() for q, wq in weights.items()
    )
    if se == 0:
        return float(min(len(sets[p]) for p in weights))
    return one / se**2


@dataclass
class Reference:
    """One profile as the reference computes it."""

    others: dict[str, float | None]
    n: dict[str, int]
    se: dict[str, float | None]
    L: float | None
    M: float | None
    se_l: float | None
    se_m: float | None
    leaning: str | None
    leaning_se: float | None
    sets_differ: bool
    tendency: float | None
    tendency_label: str | None
    agreement: dict[str, str | None]


def _label(value: float, se: float, names: tuple[str, str, str]) -> str:
    if value > Z * se:
        return names[0]
    if value < -Z * se:
        return names[1]
    return names[2]


def profile(
    answers: Sequence[Answer], bank: ItemBank, sigma: Mapping[tuple[str, str], float | None]
) -> Reference:
    raters = rater_practice_scores(answers, bank)
    sets = {p: set(behind_shown_groups(raters, p)) for p in PRACTICE_IDS}
    others: dict[str, float | None] = {
        p: math.fsum(raters[r][1][p] for r in sets[p]) / len(sets[p]) if sets[p] else None
        for p in PRACTICE_IDS
    }
    se = {p: composite_se({p: 1.0}, sets, sigma) if sets[p] else None for p in PRACTICE_IDS}
    side = {}
    for name, practices in (("L", LEADER), ("M", MANAGER)):
        values = [others[p] for p in practices]
        side[name] = None if None in values else sum(v for v in values if v is not None) / 5
    wl = dict.fromkeys(LEADER, 0.2)
    wm = dict.fromkeys(MANAGER, 0.2)
    se_l = composite_se(wl, sets, sigma) if side["L"] is not None else None
    se_m = composite_se(wm, sets, sigma) if side["M"] is not None else None
    leaning = leaning_se = None
    differ = False
    if side["L"] is not None and side["M"] is not None:
        leaning_se = composite_se({**wl, **dict.fromkeys(MANAGER, -0.2)}, sets, sigma)
        differ = len({frozenset(s) for s in sets.values()}) > 1
        dw = {**wl, **dict.fromkeys(MANAGER, -0.2)}
        effective = effective_raters(dw, sets, sigma)
        if leaning_se is not None and effective is not None and effective >= MIN_RATERS - 1e-9:
            names = ("leader-leaning", "manager-leaning", "balanced")
            leaning = _label(side["L"] - side["M"], leaning_se, names)
    selves = [s for rel, s in raters.values() if rel == "self"]
    own = {p: selves[0][p] for p in PRACTICE_IDS if selves and p in selves[0]}
    gaps = {p: own[p] - v for p in own if (v := others[p]) is not None}
    tendency = tendency_label = None
    agreement: dict[str, str | None] = dict.fromkeys(PRACTICE_IDS)
    if gaps:
        k = len(gaps)
        tendency = sum(gaps.values()) / k
        se_g = composite_se(dict.fromkeys(gaps, 1 / k), sets, sigma, with_self=True)
        effective = effective_raters(dict.fromkeys(gaps, 1 / k), sets, sigma)
        if se_g is not None and effective is not None and effective >= MIN_RATERS - 1e-9:
            tendency_label = _label(tendency, se_g, ("higher", "lower", "in line"))
        for p, gap in gaps.items():
            weights = {q: (1.0 if q == p else 0.0) - 1 / k for q in gaps}
            se_p = composite_se(weights, sets, sigma, with_self=True) if k >= 2 else None
            if se_p is not None and len(sets[p]) >= MIN_RATERS:
                names = ("blind spot", "hidden strength", "agree")
                agreement[p] = _label(gap - tendency, se_p, names)
    return Reference(
        others=others,
        n={p: len(s) for p, s in sets.items()},
        se=se,
        L=side["L"],
        M=side["M"],
        se_l=se_l,
        se_m=se_m,
        leaning=leaning,
        leaning_se=leaning_se,
        sets_differ=differ,
        tendency=tendency,
        tendency_label=tendency_label,
        agreement=agreement,
    )
