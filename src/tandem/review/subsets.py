"""Planned missingness: each rater other than self answers a balanced subset of each practice.

A cycle created with ``items_per_practice`` = K asks every rater other than the ratee K of each
practice's scale items routed to their relation (all of them when the practice has K or fewer;
the overuse scale of bank v2 is always asked whole). The subsets rotate: the ratee's raters are
numbered by the order they were assigned (0, 1, 2 …; self is not numbered: self answers every
item), and rater *i* gets K consecutive items of the practice's circular item list starting at
``i · K + p`` (``p`` the practice's position, so that one rater's subsets do not sit at the same
positions in every practice). Consecutive raters therefore take consecutive blocks: over *m*
raters every item of a practice with *n* items is asked ⌊m·K/n⌋ or ⌈m·K/n⌉ times.

Numbering by assignment order keeps a rater's subset fixed when raters are added later (an
approved nomination). Scoring treats the items a rater was not asked as planned-missing: the
75 % rule counts against the items asked (:func:`tandem.profile.answers.asked_total`), so a
rater who answered every item of their share is complete (docs/people-science.md, "Planned
missingness").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.errors import InputError
from tandem.review.items import Item, ItemBank
from tandem.review.models import Relation, ReviewAssignment, ReviewCycle


def rotation(item_ids: Sequence[str], index: int, k: int, *, shift: int = 0) -> tuple[str, ...]:
    """The ``k`` items rater number ``index`` is asked of one practice, in bank order.

    Examples
    --------
    >>> rotation(["a", "b", "c", "d", "e"], 0, 3)
    ('a', 'b', 'c')
    >>> rotation(["a", "b", "c", "d", "e"], 1, 3)  # starts at 3, wraps around
    ('a', 'd', 'e')
    >>> rotation(["a", "b"], 4, 3)  # a practice with k or fewer items is asked whole
    ('a', 'b')
    """
    n = len(item_ids)
    if k >= n:
        return tuple(item_ids)
    start = (index * k + shift) % n
    chosen = {(start + j) % n for j in range(k)}
    return tuple(item_ids[j] for j in sorted(chosen))


def check_items_per_practice(value: int | None, bank: ItemBank) -> int | None:
    """``value`` when it is a valid K for ``bank`` (1 ≤ K < the largest practice), else an error."""
    if value is None:
        return None
    most = max(len(items) for items in bank.by_practice().values())
    if not 1 <= value < most:
        raise InputError(
            f"items per practice must be 1–{most - 1} (a practice of item bank "
            f"v{bank.version} has {most} items; leave it out to ask every item), not {value}",
            field="items_per_practice",
        )
    return value


def asked_items(bank: ItemBank, relation: str, k: int | None, index: int) -> tuple[Item, ...]:
    """Every item a rater in ``relation`` with rotation number ``index`` is asked, in bank order.

    ``k`` ``None`` or the self relation: every item routed to the relation (both scales).
    """
    routed = bank.items_for(relation)
    if k is None or relation == Relation.SELF:
        return routed
    kept: set[str] = set()
    for shift, items in enumerate(bank.by_practice().values()):
        ids = [i.id for i in items if i.rated_by(relation)]
        kept |= set(rotation(ids, index, k, shift=shift))
    return tuple(i for i in routed if i.scale != "practice" or i.id in kept)


def rotation_numbers(assignments: Iterable[ReviewAssignment]) -> dict[tuple[int, int], int]:
    """(ratee, rater) → rotation number: the rater's place among the ratee's raters other than
    self, in assignment order (self gets none)."""
    by_ratee: dict[int, list[ReviewAssignment]] = {}
    for a in assignments:
        if a.relation != Relation.SELF:
            by_ratee.setdefault(a.ratee_id, []).append(a)
    numbers: dict[tuple[int, int], int] = {}
    for ratee, found in by_ratee.items():
        for index, a in enumerate(sorted(found, key=lambda a: a.id)):
            numbers[(ratee, a.rater_id)] = index
    return numbers


def asked_by_pair(
    session: Session, cycle: ReviewCycle, bank: ItemBank
) -> dict[tuple[int, int], tuple[Item, ...]]:
    """(ratee, rater) → the items asked, for every assignment of the cycle."""
    assignments = list(
        session.scalars(select(ReviewAssignment).where(ReviewAssignment.cycle_id == cycle.id))
    )
    numbers = rotation_numbers(assignments)
    k = cycle.items_per_practice
    cache: dict[tuple[str, int], tuple[Item, ...]] = {}
    out: dict[tuple[int, int], tuple[Item, ...]] = {}
    for a in assignments:
        key = (a.relation, numbers.get((a.ratee_id, a.rater_id), 0))
        if key not in cache:
            cache[key] = asked_items(bank, a.relation, k, key[1])
        out[(a.ratee_id, a.rater_id)] = cache[key]
    return out


def asked_of(
    session: Session, cycle: ReviewCycle, assignment: ReviewAssignment, bank: ItemBank
) -> tuple[Item, ...]:
    """The items one assignment's rater is asked about its ratee."""
    if cycle.items_per_practice is None or assignment.relation == Relation.SELF:
        return bank.items_for(assignment.relation)
    earlier = session.scalars(
        select(ReviewAssignment.id).where(
            ReviewAssignment.cycle_id == cycle.id,
            ReviewAssignment.ratee_id == assignment.ratee_id,
            ReviewAssignment.relation != Relation.SELF.value,
            ReviewAssignment.id < assignment.id,
        )
    ).all()
    return asked_items(bank, assignment.relation, cycle.items_per_practice, len(earlier))
