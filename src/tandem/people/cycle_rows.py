"""Where a person appears in review cycles, and moving those rows to another person.

Every row that ties a person to a review cycle is listed in :data:`CYCLE_ROWS` (a test checks
that no table with a person and a cycle is missing). ``tandem people merge`` and ``link`` use it
so that no cycle's rows are ever lost to a cascading delete: the frozen results of a closed
cycle must never change (DESIGN §7; ``forget`` keeps them under stand-ins instead).

The rule of :func:`move_rows` (``source`` merged into ``target``; docs/people-science.md):

* a row moves to ``target`` unless ``target`` already holds its counterpart: the same colleague
  rating them or rated by them, a self-assessment, a team in the cycle's frozen roster, a
  sharing choice or a duo of the cycle — then ``target``'s row wins and ``source``'s is dropped,
  the whole set with that colleague (assignment, answers, ranking block and comments) at once;
* a row between the two of them (one rating the other, a duo of the pair) is dropped, as a
  person rates themself only as "self".

Dropping happens only where both appear in one cycle, which ``merge`` allows in open cycles only
(nothing of an open cycle has been shown); a closed cycle holding both is refused before
anything moves, so its rows only ever move whole and its results do not change.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.orm import Session

from tandem.duos.models import Duo
from tandem.plans.models import DevelopmentPlan
from tandem.profile.frozen_roster import CycleMembership
from tandem.profile.sharing import ReportShare
from tandem.review.models import (
    CycleStatus,
    ForcedRanking,
    ReviewAssignment,
    ReviewComment,
    ReviewCycle,
    ReviewNomination,
    ReviewResponse,
)

RATINGS = (ReviewAssignment, ReviewResponse, ForcedRanking, ReviewComment, ReviewNomination)
# Each table that ties people to a review cycle, with its columns naming a person.
CYCLE_ROWS: tuple[tuple[Any, tuple[str, ...]], ...] = (
    (ReviewAssignment, ("ratee_id", "rater_id")),
    (ReviewResponse, ("ratee_id", "rater_id")),
    (ForcedRanking, ("ratee_id", "rater_id")),
    (ReviewComment, ("ratee_id", "rater_id")),
    (ReviewNomination, ("ratee_id", "rater_id")),
    (CycleMembership, ("person_id",)),
    (ReportShare, ("person_id", "shared_with_person_id")),
    (Duo, ("person_a_id", "person_b_id")),
    (DevelopmentPlan, ("person_id",)),
)


@dataclass(frozen=True)
class Moved:
    """How many cycle rows moved to the kept person and how many were dropped as duplicates."""

    moved: int = 0
    dropped: int = 0

    def __add__(self, other: Moved) -> Moved:
        return Moved(self.moved + other.moved, self.dropped + other.dropped)


def cycles_of(*, session: Session, person_id: int) -> set[int]:
    """The ids of the review cycles in which the person appears in any row."""
    found: set[int] = set()
    for model, columns in CYCLE_ROWS:
        found |= set(
            session.scalars(
                select(model.cycle_id)
                .where(or_(*(getattr(model, c) == person_id for c in columns)))
                .distinct()
            )
        )
    return found


def holds_cycle_rows(*, session: Session, person_id: int) -> bool:
    """Whether the person appears in any review cycle (so deleting them would lose its rows)."""
    return bool(cycles_of(session=session, person_id=person_id))


def closed_cycles(*, session: Session, cycle_ids: Iterable[int]) -> dict[int, str]:
    """Those of the cycles that are closed: id → name."""
    wanted = set(cycle_ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(ReviewCycle.id, ReviewCycle.name).where(
            ReviewCycle.id.in_(wanted), ReviewCycle.status == CycleStatus.CLOSED.value
        )
    )
    return {int(i): str(name) for i, name in rows}


def move_rows(*, session: Session, source: int, target: int) -> Moved:
    """Give ``target`` every cycle row of ``source`` by the module's rule; counts."""
    if source == target:
        raise ValueError("a person's rows cannot move to themself")
    total = _move_ratings(session, source, target)
    total += _move_keyed(
        session, CycleMembership, "person_id", source, target,
        key=lambda row: (row.cycle_id, row.team_name),
    )  # fmt: skip
    total += _move_keyed(
        session, ReportShare, "person_id", source, target, key=lambda row: (row.cycle_id,)
    )
    session.execute(
        update(ReportShare)
        .where(ReportShare.shared_with_person_id == source)
        .values(shared_with_person_id=target)
    )
    plans = session.execute(
        update(DevelopmentPlan).where(DevelopmentPlan.person_id == source).values(person_id=target)
    )
    total += Moved(moved=int(getattr(plans, "rowcount", 0) or 0))
    total += _move_duos(session, source, target)
    session.flush()
    return total


def _move_ratings(session: Session, source: int, target: int) -> Moved:
    """Assignments, answers, ranking blocks and nominations; a clash is decided per (cycle, ratee,
    rater)."""
    held: set[tuple[int, int, int]] = set()
    for model in RATINGS:
        held |= {
            (int(c), int(e), int(r))
            for c, e, r in session.execute(
                select(model.cycle_id, model.ratee_id, model.rater_id).where(
                    or_(model.ratee_id == target, model.rater_id == target)
                )
            )
        }

    def swap(person: int) -> int:
        return target if person == source else person

    moved = dropped = 0
    for model in RATINGS:
        rows = session.execute(
            select(model.id, model.cycle_id, model.ratee_id, model.rater_id).where(
                or_(model.ratee_id == source, model.rater_id == source)
            )
        ).all()
        keep: list[int] = []
        drop: list[int] = []
        for row_id, cycle_id, ratee, rater in rows:
            new = (int(cycle_id), swap(ratee), swap(rater))
            between = (ratee == rater) != (new[1] == new[2])  # one of them rated the other
            (drop if between or new in held else keep).append(row_id)
        if drop:
            session.execute(delete(model).where(model.id.in_(drop)))
        if keep:
            session.execute(
                update(model)
                .where(model.id.in_(keep))
                .values(
                    ratee_id=case((model.ratee_id == source, target), else_=model.ratee_id),
                    rater_id=case((model.rater_id == source, target), else_=model.rater_id),
                )
            )
        moved, dropped = moved + len(keep), dropped + len(drop)
    return Moved(moved, dropped)


def _move_keyed(
    session: Session, model: Any, column: str, source: int, target: int, *, key: Any
) -> Moved:
    """Rows unique per (key, person): ``target``'s row wins a clash."""
    held = {
        key(row) for row in session.scalars(select(model).where(getattr(model, column) == target))
    }
    moved = dropped = 0
    for row in session.scalars(select(model).where(getattr(model, column) == source)).all():
        if key(row) in held:
            session.delete(row)
            dropped += 1
        else:
            setattr(row, column, target)
            moved += 1
    session.flush()
    return Moved(moved, dropped)


def _move_duos(session: Session, source: int, target: int) -> Moved:
    """A duo moves with its partner order (``a < b``), consents and stored explanation kept."""
    taken = {
        int(c)
        for c in session.scalars(
            select(Duo.cycle_id).where(or_(Duo.person_a_id == target, Duo.person_b_id == target))
        )
    }
    moved = dropped = 0
    duos = session.scalars(
        select(Duo)
        .where(or_(Duo.person_a_id == source, Duo.person_b_id == source))
        .order_by(Duo.id)
    ).all()
    for duo in duos:
        partner = duo.person_b_id if duo.person_a_id == source else duo.person_a_id
        if partner == target or duo.cycle_id in taken:  # a pair of one, or a second duo
            session.delete(duo)
            dropped += 1
            continue
        a_consent = (duo.a_consent, duo.a_consent_at)
        b_consent = (duo.b_consent, duo.b_consent_at)
        if duo.person_a_id == source:
            first, second, first_consent, second_consent = target, partner, a_consent, b_consent
        else:
            first, second, first_consent, second_consent = partner, target, a_consent, b_consent
        if first > second:
            first, second = second, first
            first_consent, second_consent = second_consent, first_consent
        duo.person_a_id, duo.person_b_id = first, second
        duo.a_consent, duo.a_consent_at = first_consent
        duo.b_consent, duo.b_consent_at = second_consent
        duo.explanation = _rekeyed(duo.explanation, source, target)
        moved += 1
    session.flush()
    return Moved(moved, dropped)


def _rekeyed(explanation: Mapping[str, Any], source: int, target: int) -> dict[str, Any]:
    """A stored duo explanation with ``source``'s id replaced by ``target``'s."""
    data = copy.deepcopy(dict(explanation))
    leanings = data.get("leanings")
    if isinstance(leanings, dict) and str(source) in leanings:
        leanings[str(target)] = leanings.pop(str(source))
    coverage = data.get("coverage")
    practices = coverage.get("practices") if isinstance(coverage, dict) else None
    for cell in practices.values() if isinstance(practices, dict) else ():
        if isinstance(cell, dict) and isinstance(cell.get("by"), list):
            cell["by"] = sorted(target if p == source else p for p in cell["by"])
    return data
