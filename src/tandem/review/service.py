"""Review cycles: create and close them, assign raters, import answers, read answers for scoring.

A cycle is pinned to the item bank version current when it was created, so answers collected
later are always checked against, and scored with, the same items. Once closed, a cycle takes no
new assignments and no answers (:class:`~tandem.errors.ConflictError`).

Raters come from the organisation (:func:`assign_from_teams`: self, the line manager, same-team
peers, direct reports) or are named one by one (:func:`assign_rater`); both are idempotent.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session, selectinload

from tandem.db.base import utcnow
from tandem.errors import ConflictError, InputError, NotFoundError
from tandem.people import service as people_service
from tandem.people.lookup import PersonLookup
from tandem.people.models import Membership, Person, Team
from tandem.profile import frozen_roster
from tandem.profile.answers import Answer
from tandem.review import subsets
from tandem.review.items import load_item_bank
from tandem.review.models import (
    RELATIONS,
    CycleStatus,
    Relation,
    ReviewAssignment,
    ReviewCycle,
    ReviewResponse,
)
from tandem.review.responses_csv import parse_responses
from tandem.review.schemas import (
    AssignmentConflict,
    AssignmentOut,
    AssignReport,
    CycleOut,
    ItemBankOut,
    ItemOut,
    ResponsesReport,
)

# When one person stands to another in several ways, the closer tie names the relation.
_PRECEDENCE = {Relation.SELF: 0, Relation.MANAGER: 1, Relation.REPORT: 2, Relation.PEER: 3}


def item_bank(*, version: str | None = None) -> ItemBankOut:
    """The item bank (the latest published version unless ``version`` is given).

    The fields of bank v2 (status, routing, scale, the link to the previous version) are *set*
    only for a version that has a previous one, so ``model_dump(exclude_unset=True)`` gives
    version 1 the shape it always had.
    """
    bank = load_item_bank(version)
    linked = bank.previous_version is not None
    items = []
    for i in bank.items:
        extra: dict[str, Any] = {}
        if linked:
            extra = {
                "scale": i.scale,
                "raters": list(i.raters),
                "same_as": i.same_as,
                "split_from": i.split_from,
            }
        items.append(
            ItemOut(
                id=i.id, side=i.side, practice=i.practice, reverse=i.reverse, text=i.text, **extra
            )
        )
    if linked:
        return ItemBankOut(
            version=bank.version,
            status=bank.status,
            previous_version=bank.previous_version,
            items=items,
        )
    return ItemBankOut(version=bank.version, items=items)


def get_cycle(*, session: Session, name: str) -> ReviewCycle:
    """The cycle called ``name``; :class:`NotFoundError` otherwise."""
    cycle = session.scalar(select(ReviewCycle).where(ReviewCycle.name == name))
    if cycle is None:
        known = ", ".join(session.scalars(select(ReviewCycle.name).order_by(ReviewCycle.id)))
        raise NotFoundError(
            f"no review cycle {name!r}" + (f"; known: {known}" if known else "; create one first")
        )
    return cycle


def create_cycle(
    *,
    session: Session,
    name: str,
    item_bank_version: str | None = None,
    due_date: dt.date | None = None,
    items_per_practice: int | None = None,
) -> CycleOut:
    """Open a new cycle pinned to the item bank version given (the latest by default).

    ``due_date``: when raters should have answered by; ``items_per_practice``: planned
    missingness, each rater other than self is asked that many items of each practice
    (:mod:`tandem.review.subsets`; every item when ``None``).
    """
    name = name.strip()
    if not name:
        raise InputError("a cycle needs a name")
    if session.scalar(select(ReviewCycle.id).where(ReviewCycle.name == name)) is not None:
        raise ConflictError(f"a review cycle {name!r} already exists")
    bank = load_item_bank(item_bank_version)
    cycle = ReviewCycle(
        name=name,
        status=CycleStatus.OPEN.value,
        item_bank_version=bank.version,
        due_date=due_date,
        items_per_practice=subsets.check_items_per_practice(items_per_practice, bank),
    )
    session.add(cycle)
    session.flush()
    frozen_roster.freeze(session=session, cycle=cycle)
    return _cycle_out(session, cycle)


def set_due_date(*, session: Session, name: str, due_date: dt.date | None) -> CycleOut:
    """Set (or clear, with ``None``) the date an open cycle's raters should have answered by."""
    cycle = get_cycle(session=session, name=name)
    _require_open(cycle)
    cycle.due_date = due_date
    session.flush()
    return _cycle_out(session, cycle)


def close_cycle(*, session: Session, name: str) -> CycleOut:
    """Close a cycle: from now on it takes no assignments and no answers."""
    cycle = get_cycle(session=session, name=name)
    _require_open(cycle)
    cycle.status = CycleStatus.CLOSED.value
    cycle.closed_at = utcnow()
    session.flush()
    frozen_roster.freeze(session=session, cycle=cycle)  # the views of a closed cycle never move
    return _cycle_out(session, cycle)


def list_cycles(*, session: Session) -> list[CycleOut]:
    """Every cycle, oldest first, with its counts."""
    cycles = session.scalars(select(ReviewCycle).order_by(ReviewCycle.created_at, ReviewCycle.id))
    return [_cycle_out(session, c) for c in cycles]


def cycle_names(*, session: Session) -> list[tuple[str, str]]:
    """(name, status) of every cycle, oldest first, without :func:`list_cycles`' counts."""
    rows = session.execute(
        select(ReviewCycle.name, ReviewCycle.status).order_by(
            ReviewCycle.created_at, ReviewCycle.id
        )
    )
    return [(name, status) for name, status in rows]


def closed_cycle_names(*, session: Session) -> list[str]:
    """Names of the closed cycles, newest first: the ones whose results may be read."""
    return list(
        session.scalars(
            select(ReviewCycle.name)
            .where(ReviewCycle.status == CycleStatus.CLOSED.value)
            .order_by(ReviewCycle.closed_at.desc(), ReviewCycle.id.desc())
        )
    )


def rated_cycles(*, session: Session, person_id: int) -> list[str]:
    """Names of the cycles the person is rated in (assigned or answered about), newest first."""
    ids = set(
        session.scalars(
            select(ReviewAssignment.cycle_id).where(ReviewAssignment.ratee_id == person_id)
        )
    )
    ids |= set(
        session.scalars(select(ReviewResponse.cycle_id).where(ReviewResponse.ratee_id == person_id))
    )
    cycles = session.scalars(
        select(ReviewCycle.name)
        .where(ReviewCycle.id.in_(ids))
        .order_by(ReviewCycle.created_at.desc(), ReviewCycle.id.desc())
    )
    return list(cycles)


def _cycle_out(session: Session, cycle: ReviewCycle) -> CycleOut:
    assignments, ratees = session.execute(
        select(func.count(), func.count(func.distinct(ReviewAssignment.ratee_id))).where(
            ReviewAssignment.cycle_id == cycle.id
        )
    ).one()
    responses = session.scalar(
        select(func.count()).select_from(ReviewResponse).where(ReviewResponse.cycle_id == cycle.id)
    )
    return CycleOut(
        name=cycle.name,
        status=cycle.status,
        item_bank_version=cycle.item_bank_version,
        created_at=cycle.created_at,
        closed_at=cycle.closed_at,
        due_date=cycle.due_date,
        items_per_practice=cycle.items_per_practice,
        ratees=ratees,
        assignments=assignments,
        responses=responses or 0,
    )


def _require_open(cycle: ReviewCycle) -> None:
    if cycle.status != CycleStatus.OPEN:
        closed = f" on {cycle.closed_at:%Y-%m-%d}" if cycle.closed_at else ""
        raise ConflictError(
            f"review cycle {cycle.name!r} was closed{closed}; it takes no more assignments "
            "or answers (create a new cycle)"
        )


# -- assignments ----------------------------------------------------------------------------------


def assign_from_teams(
    *, session: Session, cycle: str, teams: Sequence[str] | None = None
) -> AssignReport:
    """Assign raters to every member of ``teams`` (all teams when ``None``) from the organisation.

    Each member rates themself; their line manager rates them; same-team members who are neither
    their manager nor their direct reports rate them as peers; their direct reports rate them.
    Pairs already assigned are left as they are (a different relation is listed as a conflict).
    """
    found = _open_cycle(session, cycle)
    wanted: dict[tuple[int, int], str] = {}
    for team in _teams(session, teams):
        members = [m.person for m in team.memberships]
        member_ids = {p.id for p in members}
        for ratee in members:
            _want(wanted, ratee.id, ratee.id, Relation.SELF)
            if ratee.manager_id is not None:
                _want(wanted, ratee.id, ratee.manager_id, Relation.MANAGER)
            reports = {r.id for r in ratee.reports}
            for report in reports:
                _want(wanted, ratee.id, report, Relation.REPORT)
            for peer in member_ids - reports - {ratee.id, ratee.manager_id}:
                _want(wanted, ratee.id, peer, Relation.PEER)
    return _assign(session, found, wanted)


def assign_rater(
    *, session: Session, cycle: str, ratee: str, rater: str, relation: str
) -> AssignReport:
    """Assign one rater to one ratee in ``relation``; people by id, email or identity key."""
    found = _open_cycle(session, cycle)
    if relation not in RELATIONS:
        raise InputError(f"relation {relation!r} is not one of {', '.join(RELATIONS)}")
    ratee_person = people_service.find_person(session=session, ref=ratee)
    rater_person = people_service.find_person(session=session, ref=rater)
    if (relation == Relation.SELF) != (ratee_person.id == rater_person.id):
        raise InputError(
            "relation self needs the rater to be the ratee"
            if relation == Relation.SELF
            else f"a rater rating themself is relation self, not {relation}"
        )
    report = _assign(session, found, {(ratee_person.id, rater_person.id): relation})
    if report.conflicts:
        conflict = report.conflicts[0]
        raise ConflictError(
            f"{rater_person.display_name} is already assigned to rate "
            f"{ratee_person.display_name} as {conflict.existing} in cycle {found.name!r}"
        )
    return report


def add_assignment(
    *, session: Session, cycle: ReviewCycle, ratee_id: int, rater_id: int, relation: str
) -> AssignReport:
    """Assign one pair by ids in an open cycle (an approved nomination); idempotent."""
    _require_open(cycle)
    return _assign(session, cycle, {(ratee_id, rater_id): relation})


def _open_cycle(session: Session, name: str) -> ReviewCycle:
    cycle = get_cycle(session=session, name=name)
    _require_open(cycle)
    return cycle


def _teams(session: Session, names: Sequence[str] | None) -> list[Team]:
    query = select(Team).options(
        selectinload(Team.memberships).selectinload(Membership.person).selectinload(Person.reports)
    )
    if names is None:
        return list(session.scalars(query.order_by(Team.name)))
    teams = {t.name: t for t in session.scalars(query.where(Team.name.in_(names)))}
    missing = [n for n in names if n not in teams]
    if missing:
        raise NotFoundError(f"no team {', '.join(map(repr, missing))}")
    return [teams[n] for n in dict.fromkeys(names)]


def _want(wanted: dict[tuple[int, int], str], ratee: int, rater: int, relation: str) -> None:
    pair = (ratee, rater)
    if pair not in wanted or _PRECEDENCE[Relation(relation)] < _PRECEDENCE[Relation(wanted[pair])]:
        wanted[pair] = str(relation)


def _assign(
    session: Session, cycle: ReviewCycle, wanted: dict[tuple[int, int], str]
) -> AssignReport:
    existing = {
        (a.ratee_id, a.rater_id): a.relation
        for a in session.scalars(
            select(ReviewAssignment).where(ReviewAssignment.cycle_id == cycle.id)
        )
    }
    created: list[ReviewAssignment] = []
    conflicts: list[AssignmentConflict] = []
    kept = 0
    for (ratee, rater), relation in sorted(wanted.items()):
        if (ratee, rater) not in existing:
            created.append(
                ReviewAssignment(
                    cycle_id=cycle.id, ratee_id=ratee, rater_id=rater, relation=relation
                )
            )
        elif existing[(ratee, rater)] == relation:
            kept += 1
        else:
            conflicts.append(
                AssignmentConflict(
                    ratee_id=ratee,
                    rater_id=rater,
                    existing=existing[(ratee, rater)],
                    derived=relation,
                )
            )
    subsets.number_new(session, cycle.id, created)
    session.add_all(created)
    session.flush()
    names = _names(session, {p for a in created for p in (a.ratee_id, a.rater_id)})
    return AssignReport(
        cycle=cycle.name,
        created=len(created),
        existing=kept,
        created_by_relation=dict(Counter(a.relation for a in created)),
        assignments=[
            AssignmentOut(
                ratee_id=a.ratee_id,
                ratee=names[a.ratee_id],
                rater_id=a.rater_id,
                rater=names[a.rater_id],
                relation=a.relation,
            )
            for a in created
        ],
        conflicts=conflicts,
    )


def _names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    ids = set(ids)
    if not ids:
        return {}
    query = select(Person.id, Person.display_name).where(Person.id.in_(ids))
    return {row[0]: row[1] for row in session.execute(query)}


# -- answers --------------------------------------------------------------------------------------


def import_responses(*, session: Session, cycle: str, path: Path) -> ResponsesReport:
    """Import a CSV of answers into an open cycle, all or nothing; re-imported answers replace."""
    found = _open_cycle(session, cycle)
    bank = load_item_bank(found.item_bank_version)
    assignments = {
        (a.ratee_id, a.rater_id): a
        for a in session.scalars(
            select(ReviewAssignment).where(ReviewAssignment.cycle_id == found.id)
        )
    }
    parsed = parse_responses(
        path,
        people=PersonLookup.load(session),
        bank=bank,
        assigned={pair: a.relation for pair, a in assignments.items()},
    )
    stored = {
        (r.ratee_id, r.rater_id, r.item_id): r
        for r in session.scalars(select(ReviewResponse).where(ReviewResponse.cycle_id == found.id))
    }
    inserted = replaced = unchanged = assignments_created = 0
    created: list[ReviewAssignment] = []
    new_rows: list[dict[str, object]] = []  # inserted in bulk: a cycle's file holds 10,000s
    now = utcnow()
    for answer in parsed:
        pair = (answer.ratee_id, answer.rater_id)
        if pair not in assignments:
            assignments[pair] = ReviewAssignment(
                cycle_id=found.id,
                ratee_id=answer.ratee_id,
                rater_id=answer.rater_id,
                relation=answer.relation,
            )
            session.add(assignments[pair])
            created.append(assignments[pair])
            assignments_created += 1
        previous = stored.get((*pair, answer.item_id))
        if previous is None:
            new_rows.append(
                {
                    "cycle_id": found.id,
                    "ratee_id": answer.ratee_id,
                    "rater_id": answer.rater_id,
                    "relation": answer.relation,
                    "item_id": answer.item_id,
                    "value": answer.value,
                    "created_at": now,
                }
            )
            inserted += 1
        elif (previous.value, previous.relation) == (answer.value, answer.relation):
            unchanged += 1
        else:
            previous.value = answer.value
            previous.relation = answer.relation
            previous.created_at = utcnow()
            replaced += 1
    subsets.number_new(session, found.id, created)  # in the file's order
    session.flush()  # the new assignments first: each answer refers to one
    if new_rows:
        session.execute(insert(cast(Table, ReviewResponse.__table__)), new_rows)
    return ResponsesReport(
        cycle=found.name,
        rows=len(parsed),
        inserted=inserted,
        replaced=replaced,
        unchanged=unchanged,
        assignments_created=assignments_created,
        ratees=len({a.ratee_id for a in parsed}),
    )


def answers_by_ratee(*, session: Session, cycle: str | ReviewCycle) -> dict[int, list[Answer]]:
    """Every answer of a cycle, grouped by ratee id (raters and items in a stable order)."""
    found = cycle if isinstance(cycle, ReviewCycle) else get_cycle(session=session, name=cycle)
    rows = session.execute(
        select(
            ReviewResponse.ratee_id,
            ReviewResponse.rater_id,
            ReviewResponse.relation,
            ReviewResponse.item_id,
            ReviewResponse.value,
        )
        .where(ReviewResponse.cycle_id == found.id)
        .order_by(ReviewResponse.ratee_id, ReviewResponse.rater_id, ReviewResponse.item_id)
    )
    grouped: dict[int, list[Answer]] = {}
    for ratee, rater, relation, item_id, value in rows:
        grouped.setdefault(ratee, []).append(
            Answer(rater=rater, relation=relation, item_id=item_id, value=value)
        )
    return grouped
