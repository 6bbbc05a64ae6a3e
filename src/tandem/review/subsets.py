"""Planned missingness: each rater other than self answers a balanced subset of each practice.

A cycle created with ``items_per_practice`` = K asks every rater other than the ratee K of each
practice's scale items routed to their relation (all of them when the practice has K or fewer;
the overuse scale of bank v2 is always asked whole). The subsets rotate: rater number *i* gets K
consecutive items of the practice's circular item list starting at ``i · K + p`` (``p`` the
practice's position, so that one rater's subsets do not sit at the same positions in every
practice). Consecutive numbers take consecutive blocks: over *m* consecutive numbers every item
of a practice with *n* items is asked ⌊m·K/n⌋ or ⌈m·K/n⌉ times, so ⌈n/K⌉ raters cover it.

Raters are numbered **per ratee and relation** (:func:`rotation_index`): managers 0, 1, 2 …,
peers 1, 2, 3 … and reports −1, −2, −3 … (self is not numbered: self answers every item). So
every relation's group takes consecutive numbers and covers every item as soon as it has ⌈n/K⌉
raters — the group is shown or pooled on its own — and the small groups of a pool (a peer or two
with a report or two), counted up and down from the manager's 0, take neighbouring ones.

The number is **stored on the assignment** (``review_assignment.rotation``) when it is created:
the lowest free number of its ratee and relation (:func:`number_new`). A rater's asked items
therefore never change once assigned — not when raters are added later (an approved nomination)
nor when an assignment is removed (a person forgotten or merged); a rater added after a removal
takes the freed share, so the group keeps covering every item. Scoring treats the items a rater
was not asked as planned-missing: the 75 % rule counts against the items asked
(:func:`tandem.profile.answers.asked_total`), so a rater who answered every item of their share
is complete (docs/people-science.md, "Planned missingness").
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

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


def rotation_index(relation: str, slot: int) -> int:
    """The rotation number of the ``slot``-th rater (0, 1, …) of one relation of a ratee.

    Examples
    --------
    >>> [rotation_index(r, slot) for r in ("manager", "peer", "report") for slot in (0, 1, 2)]
    [0, 1, 2, 1, 2, 3, -1, -2, -3]
    """
    if relation == Relation.SELF:
        raise ValueError("self answers every item: no rotation number")
    if relation == Relation.REPORT:
        return -1 - slot
    return slot + (relation == Relation.PEER)


def next_rotation(relation: str, taken: Collection[int]) -> int:
    """The lowest rotation number of ``relation`` not ``taken`` by the ratee's raters of it.

    Examples
    --------
    >>> next_rotation("peer", {1, 2, 3}), next_rotation("peer", {1, 3}), next_rotation("report", ())
    (4, 2, -1)
    """
    slot = 0
    while (number := rotation_index(relation, slot)) in taken:
        slot += 1
    return number


def number_new(session: Session, cycle_id: int, created: Iterable[ReviewAssignment]) -> None:
    """Give each new assignment other than self its rotation number, in the given order: the
    lowest one free among the assignments of its ratee and relation already in the cycle."""
    new = [a for a in created if a.relation != Relation.SELF and a.rotation is None]
    ratees = {a.ratee_id for a in new}
    if not ratees:
        return
    taken: dict[tuple[int, str], set[int]] = {}
    with session.no_autoflush:
        rows = session.execute(
            select(
                ReviewAssignment.ratee_id, ReviewAssignment.relation, ReviewAssignment.rotation
            ).where(
                ReviewAssignment.cycle_id == cycle_id,
                ReviewAssignment.ratee_id.in_(ratees),
                ReviewAssignment.rotation.is_not(None),
            )
        )
        for ratee, relation, stored in rows:
            if stored is not None:  # filtered in the query; the column's type allows None
                taken.setdefault((ratee, relation), set()).add(stored)
    for a in new:
        held = taken.setdefault((a.ratee_id, a.relation), set())
        number = next_rotation(a.relation, held)
        a.rotation = number
        held.add(number)


def share_number(assignment: ReviewAssignment) -> int:
    """The stored rotation number of an assignment other than self."""
    if assignment.rotation is None:  # every path that creates one numbers it (number_new)
        raise ValueError(
            f"review assignment {assignment.id} (ratee {assignment.ratee_id}, rater "
            f"{assignment.rater_id}) has no rotation number"
        )
    return assignment.rotation


def asked_by_pair(
    session: Session, cycle: ReviewCycle, bank: ItemBank
) -> dict[tuple[int, int], tuple[Item, ...]]:
    """(ratee, rater) → the items asked, for every assignment of the cycle."""
    assignments = session.scalars(
        select(ReviewAssignment).where(ReviewAssignment.cycle_id == cycle.id)
    )
    k = cycle.items_per_practice
    cache: dict[tuple[str, int], tuple[Item, ...]] = {}
    out: dict[tuple[int, int], tuple[Item, ...]] = {}
    for a in assignments:
        number = 0 if k is None or a.relation == Relation.SELF else share_number(a)
        key = (a.relation, number)
        if key not in cache:
            cache[key] = asked_items(bank, a.relation, k, number)
        out[(a.ratee_id, a.rater_id)] = cache[key]
    return out


def asked_of(
    session: Session, cycle: ReviewCycle, assignment: ReviewAssignment, bank: ItemBank
) -> tuple[Item, ...]:
    """The items one assignment's rater is asked about its ratee."""
    if cycle.items_per_practice is None or assignment.relation == Relation.SELF:
        return bank.items_for(assignment.relation)
    return asked_items(
        bank, assignment.relation, cycle.items_per_practice, share_number(assignment)
    )
