"""360 answers and the rater-level practice score (reverse keys and the 75 % rule).

An :class:`Answer` is one rater's answer to one item about one ratee. This module validates a
ratee's answers against the item bank, applies reverse keys (x′ = 6 − x) and computes each rater's
practice score: the mean of the answered items, only when at least 75 % of the practice's items
routed to the rater's relation were answered (every item, in a bank without routing; of the items
the rater was asked, in a cycle with planned missingness). Items of the
overuse scale and answers to items not routed to the rater's relation are no part of a practice
score (:func:`overuse_scores` scores the overuse scale apart). It also builds the rater-level
item matrices that :mod:`tandem.profile.reliability` analyses. Pure: no database.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tandem.review.items import Item, ItemBank

RELATIONS = ("self", "manager", "peer", "report")
OTHER_RELATIONS = ("manager", "peer", "report")
SCALE_MIN, SCALE_MAX = 1, 5
MIN_ANSWERED_SHARE = 0.75  # documented; the check itself uses exact integers (4 · answered ≥ 3 · k)


@dataclass(frozen=True)
class Answer:
    """One rater's answer to one item; ``value`` is 1–5 or ``None`` for "can't observe"."""

    rater: int
    relation: str
    item_id: str
    value: int | None


@dataclass(frozen=True)
class RaterScores:
    """One rater's practice scores for one ratee (``None`` where the 75 % rule was not met)."""

    rater: int
    relation: str
    practices: Mapping[str, float | None]


def keyed(item: Item, value: int) -> int:
    """The answer with the item's key applied: ``6 − value`` for a reverse-keyed item."""
    return (SCALE_MIN + SCALE_MAX) - value if item.reverse else value


def enough_answered(answered: int, total: int) -> bool:
    """True when ``answered`` is at least 75 % of ``total`` (3 of 4 passes, 3 of 5 does not)."""
    return total > 0 and answered > 0 and 4 * answered >= 3 * total


def asked_total(routed: int, relation: str, items_per_practice: int | None) -> int:
    """How many of a practice's ``routed`` items a rater in ``relation`` is asked: the 75 % base.

    ``items_per_practice`` (planned missingness, :mod:`tandem.review.subsets`): raters other than
    self are asked that many items of each practice; the items they were not asked are
    planned-missing, not "can't observe", so they do not count against the rule.

    Examples
    --------
    >>> asked_total(5, "peer", 3), asked_total(5, "self", 3), asked_total(2, "peer", 3)
    (3, 5, 2)
    """
    if items_per_practice is None or relation == "self":
        return routed
    return min(items_per_practice, routed)


def practice_score(values: Sequence[int | None], total: int) -> float | None:
    """Mean of the answered (already keyed) values, or ``None`` when fewer than 75 % answered.

    ``total`` is the number of the practice's items routed to the rater's relation
    (:meth:`~tandem.review.items.ItemBank.routed_count`; every item in version 1); an item the
    rater never saw counts as unanswered, exactly like "can't observe". Exactly 75 % passes
    (``≥``): 3 of 4, 6 of 8; below it fails: 2 of 4, 3 of 5 (60 %), 4 of 6 (67 %).

    Examples
    --------
    >>> practice_score([4, 5, None, 3], 4)
    4.0
    >>> practice_score([4, None, None, 3], 4) is None
    True
    """
    answered = [v for v in values if v is not None]
    if not enough_answered(len(answered), total):
        return None
    return float(sum(answered)) / len(answered)


def _check(answer: Answer, bank: ItemBank) -> Item:
    if answer.relation not in RELATIONS:
        raise ValueError(f"unknown relation {answer.relation!r}; expected one of {RELATIONS}")
    try:
        item = bank.item(answer.item_id)
    except KeyError:
        raise ValueError(f"item {answer.item_id!r} is not in item bank {bank.version}") from None
    value = answer.value
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int) or not SCALE_MIN <= value <= SCALE_MAX
    ):
        raise ValueError(f"value {value!r} for item {answer.item_id!r} is not 1–5 or empty")
    return item


def rater_scores(
    answers: Sequence[Answer], bank: ItemBank, *, items_per_practice: int | None = None
) -> tuple[RaterScores, ...]:
    """Every rater's keyed practice scores for one ratee, in order of first appearance.

    ``items_per_practice``: the cycle's planned missingness (each rater other than self was
    asked that many items of each practice); the 75 % rule then counts against those
    (:func:`asked_total`), so a rater who answered their whole share is complete.

    Raises ``ValueError`` on an unknown relation or item, a value outside 1–5, a rater answering
    the same item twice, or one rater appearing under two relations for the same ratee. An answer
    to an overuse item, or to an item not routed to the rater's relation, is checked and then
    left out: the 75 % rule counts only the practice's items routed to that relation.
    """
    relation_of: dict[int, str] = {}
    values: dict[int, dict[str, dict[str, int | None]]] = {}
    for answer in answers:
        item = _check(answer, bank)
        known = relation_of.setdefault(answer.rater, answer.relation)
        if known != answer.relation:
            raise ValueError(
                f"rater {answer.rater} appears as both {known!r} and {answer.relation!r}"
            )
        by_item = values.setdefault(answer.rater, {}).setdefault(item.practice, {})
        if item.id in by_item:
            raise ValueError(f"rater {answer.rater} answered item {item.id!r} twice")
        by_item[item.id] = None if answer.value is None else keyed(item, answer.value)
    scored = {relation: bank.routed_ids(relation) for relation in RELATIONS}
    result = []
    for rater, per_practice in values.items():
        routed = scored[relation_of[rater]]
        total = {
            p: asked_total(len(ids), relation_of[rater], items_per_practice)
            for p, ids in routed.items()
        }
        scores = {
            p: practice_score([v for i, v in per_practice.get(p, {}).items() if i in ids], total[p])
            for p, ids in routed.items()
        }
        result.append(RaterScores(rater=rater, relation=relation_of[rater], practices=scores))
    return tuple(result)


def rater_scores_by_ratee(
    answers_by_ratee: Mapping[int, Sequence[Answer]],
    bank: ItemBank,
    *,
    items_per_practice: int | None = None,
) -> dict[int, tuple[RaterScores, ...]]:
    """:func:`rater_scores` of every ratee, computed once for a cycle's cohort statistics, its
    profiles and its premise split to share (same checks, same ``ValueError``)."""
    return {
        ratee: rater_scores(answers, bank, items_per_practice=items_per_practice)
        for ratee, answers in answers_by_ratee.items()
    }


def overuse_rater_scores(answers: Sequence[Answer], bank: ItemBank) -> tuple[RaterScores, ...]:
    """Every rater's overuse-scale score per practice (mean of answered routed overuse items,
    same 75 % rule; ``None`` when too few were answered), for the raters who answered the
    scale, as :class:`RaterScores`: the overuse scale then passes through the same rater-group
    rules as the practices. Empty for a bank without the scale."""
    routed = {relation: bank.routed_ids(relation, scale="overuse") for relation in RELATIONS}
    values: dict[int, dict[str, list[int | None]]] = {}
    relation_of: dict[int, str] = {}
    for answer in answers:
        item = _check(answer, bank)
        relation_of.setdefault(answer.rater, answer.relation)
        if item.scale == "overuse" and item.id in routed[answer.relation][item.practice]:
            values.setdefault(answer.rater, {}).setdefault(item.practice, []).append(answer.value)
    return tuple(
        RaterScores(
            rater=rater,
            relation=relation_of[rater],
            practices={
                p: practice_score(per.get(p, []), len(ids))
                for p, ids in routed[relation_of[rater]].items()
                if ids
            },
        )
        for rater, per in values.items()
    )


def overuse_scores(answers: Sequence[Answer], bank: ItemBank) -> dict[int, dict[str, float | None]]:
    """:func:`overuse_rater_scores` by rater id."""
    return {r.rater: dict(r.practices) for r in overuse_rater_scores(answers, bank)}


def item_matrices(
    answers_by_ratee: Mapping[int, Sequence[Answer]],
    bank: ItemBank,
    *,
    include_self: bool = False,
    scale: str = "practice",
) -> dict[str, tuple[npt.NDArray[np.float64], tuple[str, ...]]]:
    """Per practice, rater-level keyed answers to its items: one row per (ratee, rater), NaN = none.

    Rows are the response sets of raters who answered at least one of the practice's items;
    columns follow the bank's item order (practice-scale items only; an answer to an item not
    routed to the rater's relation is left out). Self ratings are left out unless
    ``include_self``. ``scale="overuse"``: the overuse scale's items instead (a practice without
    any gets a 0-column matrix). One pass over the answers for every practice (each answer checked
    once).
    """
    by_practice = bank.by_practice() if scale == "practice" else bank.overuse_by_practice()
    place = {  # item id → (practice, column)
        item.id: (practice, j)
        for practice, items in by_practice.items()
        for j, item in enumerate(items)
    }
    rows: dict[str, list[list[float]]] = {p: [] for p in by_practice}
    for ratee in sorted(answers_by_ratee):
        by_rater: dict[tuple[str, int], list[float]] = {}
        for answer in answers_by_ratee[ratee]:
            item = _check(answer, bank)
            where = place.get(item.id)
            if where is None or (answer.relation == "self" and not include_self):
                continue
            if not item.rated_by(answer.relation):
                continue
            practice, column = where
            row = by_rater.get((practice, answer.rater))
            if row is None:
                row = by_rater[(practice, answer.rater)] = [math.nan] * len(by_practice[practice])
            if answer.value is not None:
                row[column] = float(keyed(item, answer.value))
        for (practice, _), row in by_rater.items():
            if not all(math.isnan(v) for v in row):
                rows[practice].append(row)
    return {
        p: (
            np.array(rows[p], dtype=np.float64).reshape(len(rows[p]), len(items)),
            tuple(item.id for item in items),
        )
        for p, items in by_practice.items()
    }


def item_matrix(
    answers_by_ratee: Mapping[int, Sequence[Answer]],
    bank: ItemBank,
    practice: str,
    *,
    include_self: bool = False,
) -> tuple[npt.NDArray[np.float64], tuple[str, ...]]:
    """:func:`item_matrices` of one practice."""
    return item_matrices(answers_by_ratee, bank, include_self=include_self)[practice]
