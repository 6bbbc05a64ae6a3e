"""Rater nomination: the ratee puts raters forward, their line manager approves or rejects.

In an open cycle a ratee (someone with an assignment as ratee in it) nominates colleagues as
peers, reports or managers. Their line manager (``person.manager_id``) or an admin approves each
nomination, which creates the review assignment, or rejects it with an optional reason. The
manager (or an admin) may also add a rater directly: that nomination is approved at once.

The rules (docs/people-science.md, "Choosing raters"):

* a target of :data:`TARGET_MIN`–:data:`TARGET_MAX` raters other than self; below the minimum the
  ratee is warned (groups under 3 are suppressed), above it they may still nominate up to
  :data:`HARD_CAP` raters (assigned and waiting together); one more is refused;
* one nomination per pair and cycle; a rater already assigned is not nominated again;
* a decision is final: an approved or rejected nomination is not decided again.

Privacy: nominations carry names, relations and decisions, never answers or whether a rater has
answered; the ratee sees their own nominations, the manager those of their direct reports.
Every nomination and decision is audited (ids only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tandem.accounts.errors import PermissionDeniedError
from tandem.audit import service as audit
from tandem.audit.schemas import AuditAction
from tandem.db.base import utcnow
from tandem.db.unique import insert_if_absent
from tandem.errors import ConflictError, InputError, NotFoundError
from tandem.people import service as people_service
from tandem.people.models import Person
from tandem.review import service as review_service
from tandem.review.models import (
    CycleStatus,
    NominatedBy,
    NominationStatus,
    Relation,
    ReviewAssignment,
    ReviewCycle,
    ReviewNomination,
)

TARGET_MIN = 5
TARGET_MAX = 8
HARD_CAP = 12
NOMINATED_RELATIONS: tuple[str, ...] = (Relation.PEER, Relation.REPORT, Relation.MANAGER)
MAX_REASON = 500


@dataclass(frozen=True)
class Actor:
    """Who acts: their person (``None`` for an operator without one), admin or not, audit label."""

    person_id: int | None
    is_admin: bool
    label: str


class NominationOut(BaseModel):
    """One nomination: who was put forward for whom, by whom, and the decision."""

    id: int
    cycle: str
    ratee_id: int
    ratee: str
    rater_id: int
    rater: str
    relation: str
    status: str
    nominated_by: str
    reason: str | None
    created_at: dt.datetime
    decided_at: dt.datetime | None


class RaterChoiceOut(BaseModel):
    """A ratee's choice of raters in one open cycle: counts against the target, their
    nominations, and a warning below the target (never who has answered)."""

    cycle: str
    due_date: dt.date | None
    raters: int  # raters other than self assigned now
    waiting: int  # nominations waiting for a decision
    target_min: int = TARGET_MIN
    target_max: int = TARGET_MAX
    cap: int = HARD_CAP
    warning: str | None
    nominations: list[NominationOut]


class NominationsOut(BaseModel):
    """Nominations listed (``tandem review nominations``)."""

    cycle: str
    nominations: list[NominationOut]
    count: int


def _open(session: Session, cycle: str | ReviewCycle) -> ReviewCycle:
    found = (
        cycle
        if isinstance(cycle, ReviewCycle)
        else review_service.get_cycle(session=session, name=cycle)
    )
    if found.status != CycleStatus.OPEN:
        raise ConflictError(f"review cycle {found.name!r} is closed; raters are chosen while open")
    return found


def _assigned_others(session: Session, cycle: ReviewCycle, ratee_id: int) -> dict[int, str]:
    rows = session.execute(
        select(ReviewAssignment.rater_id, ReviewAssignment.relation).where(
            ReviewAssignment.cycle_id == cycle.id,
            ReviewAssignment.ratee_id == ratee_id,
            ReviewAssignment.relation != Relation.SELF.value,
        )
    )
    return {int(r): str(rel) for r, rel in rows}


def _waiting(session: Session, cycle: ReviewCycle, ratee_id: int) -> set[int]:
    return set(
        session.scalars(
            select(ReviewNomination.rater_id).where(
                ReviewNomination.cycle_id == cycle.id,
                ReviewNomination.ratee_id == ratee_id,
                ReviewNomination.status == NominationStatus.NOMINATED.value,
            )
        )
    )


def _is_ratee(session: Session, cycle: ReviewCycle, ratee_id: int) -> bool:
    hit = session.scalar(
        select(ReviewAssignment.id)
        .where(ReviewAssignment.cycle_id == cycle.id, ReviewAssignment.ratee_id == ratee_id)
        .limit(1)
    )
    return hit is not None


def is_line_manager(session: Session, *, manager_id: int | None, ratee_id: int) -> bool:
    """Whether ``manager_id`` is the ratee's line manager in the roster."""
    if manager_id is None:
        return False
    ratee = session.get(Person, ratee_id)
    return ratee is not None and ratee.manager_id == manager_id


def _role_of(session: Session, actor: Actor, ratee_id: int) -> NominatedBy:
    if actor.person_id is not None and is_line_manager(
        session, manager_id=actor.person_id, ratee_id=ratee_id
    ):
        return NominatedBy.MANAGER
    if actor.is_admin:
        return NominatedBy.ADMIN
    if actor.person_id == ratee_id:
        return NominatedBy.RATEE
    raise PermissionDeniedError(
        "only the ratee, their line manager or an admin may nominate raters for them"
    )


def nominate(
    *,
    session: Session,
    cycle: str | ReviewCycle,
    ratee_id: int,
    rater_id: int,
    relation: str,
    actor: Actor,
    approve: bool | None = None,
) -> NominationOut:
    """Put ``rater_id`` forward to rate ``ratee_id`` in ``relation``.

    By the ratee: waiting for their manager. By their line manager: approved at once (the
    assignment is created). By an admin: approved at once when ``approve``, else waiting.
    """
    found = _open(session, cycle)
    relation = relation.strip().lower()
    if relation not in NOMINATED_RELATIONS:
        raise InputError(
            f"relation {relation!r} is not one of {', '.join(NOMINATED_RELATIONS)}",
            field="relation",
        )
    by = _role_of(session, actor, ratee_id)
    ratee = people_service.get_person(session=session, person_id=ratee_id)
    rater = people_service.get_person(session=session, person_id=rater_id)
    if rater.id == ratee.id:
        raise InputError("you rate yourself in the self-assessment; nominate others", field="rater")
    if not _is_ratee(session, found, ratee.id):
        raise ConflictError(
            f"{ratee.display_name} is not rated in review cycle {found.name!r} (assign them first)"
        )
    assigned = _assigned_others(session, found, ratee.id)
    if rater.id in assigned:
        # the ratee learns that, never in which group: trying colleagues one by one must not
        # rebuild their rater groups (their panel shows counts only)
        group = "" if by is NominatedBy.RATEE else f" as {assigned[rater.id]}"
        raise ConflictError(
            f"{rater.display_name} already rates {ratee.display_name}{group} "
            f"in review cycle {found.name!r}"
        )
    earlier = session.scalar(
        select(ReviewNomination).where(
            ReviewNomination.cycle_id == found.id,
            ReviewNomination.ratee_id == ratee.id,
            ReviewNomination.rater_id == rater.id,
        )
    )
    if earlier is not None:
        raise ConflictError(
            f"{rater.display_name} was nominated already ({earlier.status}) in review cycle "
            f"{found.name!r}"
        )
    total = len(assigned.keys() | _waiting(session, found, ratee.id))
    if total + 1 > HARD_CAP:
        raise InputError(
            f"{ratee.display_name} has {total} raters assigned or waiting; at most {HARD_CAP} "
            f"(the target is {TARGET_MIN}–{TARGET_MAX})",
            field="rater",
        )
    at_once = by is NominatedBy.MANAGER or (by is NominatedBy.ADMIN and bool(approve))
    now = utcnow()
    key = {"cycle_id": found.id, "ratee_id": ratee.id, "rater_id": rater.id}
    values = {
        **key,
        "relation": relation,
        "status": (NominationStatus.APPROVED if at_once else NominationStatus.NOMINATED).value,
        "nominated_by": by.value,
        "created_at": now,
        "decided_at": now if at_once else None,
    }
    if not insert_if_absent(session, ReviewNomination, values, unique=list(key)):
        # a parallel request (a double click) nominated the same rater since we looked
        raise ConflictError(
            f"{rater.display_name} was nominated already in review cycle {found.name!r}"
        )
    nomination = session.scalars(
        select(ReviewNomination).filter_by(**key).execution_options(populate_existing=True)
    ).one()
    if at_once:
        review_service.add_assignment(
            session=session, cycle=found, ratee_id=ratee.id, rater_id=rater.id, relation=relation
        )
    audit.record(
        session=session,
        actor=actor.label,
        action=AuditAction.REVIEW_NOMINATE,
        subject_person_id=ratee.id,
        related_person_id=rater.id,
        target=f"cycle:{found.id}",
        detail={"nomination_id": nomination.id, "by": by.value, "status": nomination.status},
    )
    return _out(session, nomination)


def decide(
    *,
    session: Session,
    nomination_id: int,
    approve: bool,
    actor: Actor,
    reason: str | None = None,
) -> NominationOut:
    """Approve (creating the assignment) or reject a waiting nomination, with an optional reason.

    Only the ratee's line manager or an admin decides; a decided nomination is not decided again.
    """
    nomination = session.get(ReviewNomination, nomination_id)
    if nomination is None:
        raise NotFoundError(f"no nomination {nomination_id}")
    manager = is_line_manager(session, manager_id=actor.person_id, ratee_id=nomination.ratee_id)
    if not (manager or actor.is_admin):
        raise PermissionDeniedError(
            "only the ratee's line manager or an admin may approve or reject their raters"
        )
    cycle = _open(session, session.get_one(ReviewCycle, nomination.cycle_id))
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > MAX_REASON:
        raise InputError(f"a reason has at most {MAX_REASON} characters", field="reason")
    # one UPDATE that only a waiting nomination passes: of two decisions at once, one wins
    decided = session.execute(
        update(ReviewNomination)
        .where(
            ReviewNomination.id == nomination.id,
            ReviewNomination.status == NominationStatus.NOMINATED.value,
        )
        .values(
            status=(NominationStatus.APPROVED if approve else NominationStatus.REJECTED).value,
            reason=reason,
            decided_at=utcnow(),
        )
        .returning(ReviewNomination.id)
        .execution_options(synchronize_session=False)
    ).first()
    session.refresh(nomination)
    if decided is None:
        raise ConflictError(f"nomination {nomination.id} was {nomination.status} already")
    if approve:
        assigned = _assigned_others(session, cycle, nomination.ratee_id)
        if nomination.rater_id not in assigned:  # assigned meanwhile from the teams: keep that
            review_service.add_assignment(
                session=session,
                cycle=cycle,
                ratee_id=nomination.ratee_id,
                rater_id=nomination.rater_id,
                relation=nomination.relation,
            )
    session.flush()
    audit.record(
        session=session,
        actor=actor.label,
        action=AuditAction.REVIEW_DECIDE,
        subject_person_id=nomination.ratee_id,
        related_person_id=nomination.rater_id,
        target=f"cycle:{cycle.id}",
        detail={"nomination_id": nomination.id, "status": nomination.status},
    )
    return _out(session, nomination)


def find_nomination(*, session: Session, cycle: str, ratee: str, rater: str) -> ReviewNomination:
    """The nomination of ``rater`` for ``ratee`` in ``cycle``; people by id or email."""
    found = review_service.get_cycle(session=session, name=cycle)
    ratee_person = people_service.find_person(session=session, ref=ratee)
    rater_person = people_service.find_person(session=session, ref=rater)
    nomination = session.scalar(
        select(ReviewNomination).where(
            ReviewNomination.cycle_id == found.id,
            ReviewNomination.ratee_id == ratee_person.id,
            ReviewNomination.rater_id == rater_person.id,
        )
    )
    if nomination is None:
        raise NotFoundError(
            f"{rater_person.display_name} is not nominated for {ratee_person.display_name} "
            f"in review cycle {found.name!r}"
        )
    return nomination


def list_nominations(
    *, session: Session, cycle: str, ratee_id: int | None = None, status: str | None = None
) -> NominationsOut:
    """A cycle's nominations (of one ratee, in one status), oldest first."""
    found = review_service.get_cycle(session=session, name=cycle)
    if status is not None and status not in {s.value for s in NominationStatus}:
        known = ", ".join(s.value for s in NominationStatus)
        raise InputError(f"status {status!r} is not one of {known}", field="status")
    query = select(ReviewNomination).where(ReviewNomination.cycle_id == found.id)
    if ratee_id is not None:
        query = query.where(ReviewNomination.ratee_id == ratee_id)
    if status is not None:
        query = query.where(ReviewNomination.status == status)
    rows = session.scalars(query.order_by(ReviewNomination.id)).all()
    out = _outs(session, rows)
    return NominationsOut(cycle=found.name, nominations=out, count=len(out))


def rater_choices(*, session: Session, ratee_id: int) -> list[RaterChoiceOut]:
    """The ratee's choice of raters in every open cycle they are rated in, oldest cycle first."""
    cycles = session.scalars(
        select(ReviewCycle)
        .where(
            ReviewCycle.status == CycleStatus.OPEN.value,
            ReviewCycle.id.in_(
                select(ReviewAssignment.cycle_id).where(ReviewAssignment.ratee_id == ratee_id)
            ),
        )
        .order_by(ReviewCycle.created_at, ReviewCycle.id)
    ).all()
    out = []
    for cycle in cycles:
        raters = len(_assigned_others(session, cycle, ratee_id))
        waiting = len(_waiting(session, cycle, ratee_id))
        rows = session.scalars(
            select(ReviewNomination)
            .where(ReviewNomination.cycle_id == cycle.id, ReviewNomination.ratee_id == ratee_id)
            .order_by(ReviewNomination.id)
        ).all()
        out.append(
            RaterChoiceOut(
                cycle=cycle.name,
                due_date=cycle.due_date,
                raters=raters,
                waiting=waiting,
                warning=_warning(raters, waiting),
                nominations=_outs(session, rows),
            )
        )
    return out


def _warning(raters: int, waiting: int) -> str | None:
    if raters + waiting < TARGET_MIN:
        return (
            f"{raters} rater(s) assigned and {waiting} waiting: nominate at least "
            f"{TARGET_MIN - raters - waiting} more to reach the target of {TARGET_MIN}–"
            f"{TARGET_MAX} (a group of peers or reports under 3 is not shown)"
        )
    if raters + waiting > TARGET_MAX:
        return f"more than the target of {TARGET_MAX} raters: each one adds work for a colleague"
    return None


def to_decide(*, session: Session, actor: Actor) -> list[NominationOut]:
    """Nominations waiting in open cycles that ``actor`` decides: their direct reports' (all of
    them for an admin), oldest first."""
    query = (
        select(ReviewNomination)
        .join(ReviewCycle, ReviewCycle.id == ReviewNomination.cycle_id)
        .where(
            ReviewCycle.status == CycleStatus.OPEN.value,
            ReviewNomination.status == NominationStatus.NOMINATED.value,
        )
        .order_by(ReviewNomination.id)
    )
    if not actor.is_admin:
        if actor.person_id is None:
            return []
        reports = select(Person.id).where(Person.manager_id == actor.person_id)
        query = query.where(ReviewNomination.ratee_id.in_(reports))
    return _outs(session, session.scalars(query).all())


def reports_to_add(*, session: Session, manager_id: int) -> list[dict[str, object]]:
    """The manager's direct reports rated in open cycles: (cycle, ratee) they may add raters to."""
    rows = session.execute(
        select(ReviewCycle.name, Person.id, Person.display_name)
        .join(ReviewAssignment, ReviewAssignment.cycle_id == ReviewCycle.id)
        .join(Person, Person.id == ReviewAssignment.ratee_id)
        .where(ReviewCycle.status == CycleStatus.OPEN.value, Person.manager_id == manager_id)
        .distinct()
        .order_by(ReviewCycle.name, Person.display_name, Person.id)
    )
    return [{"cycle": c, "ratee_id": i, "ratee": n} for c, i, n in rows]


def _outs(session: Session, rows: Sequence[ReviewNomination]) -> list[NominationOut]:
    return [_out(session, n) for n in rows]


def _out(session: Session, nomination: ReviewNomination) -> NominationOut:
    cycle = session.get_one(ReviewCycle, nomination.cycle_id)
    ratee = session.get_one(Person, nomination.ratee_id)
    rater = session.get_one(Person, nomination.rater_id)
    return NominationOut(
        id=nomination.id,
        cycle=cycle.name,
        ratee_id=ratee.id,
        ratee=ratee.display_name,
        rater_id=rater.id,
        rater=rater.display_name,
        relation=nomination.relation,
        status=nomination.status,
        nominated_by=nomination.nominated_by,
        reason=nomination.reason,
        created_at=nomination.created_at,
        decided_at=nomination.decided_at,
    )
