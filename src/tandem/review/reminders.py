"""Reminders: the raters of an open cycle with unfinished forms, recorded once a day each.

Tandem sends no email: :func:`remind` lists each rater who has not submitted every form they were
given (their own self-assessment included), with the cycle's due date, for the operator to pass
on, and records one ``review.remind`` audit event per rater and day (ids and counts only). Run
again on the same day it lists the same raters and records nothing new.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.audit import service as audit
from tandem.audit.models import AuditEvent
from tandem.audit.schemas import AuditAction
from tandem.errors import ConflictError
from tandem.people.models import Person
from tandem.review import service as review_service
from tandem.review.completion import pair_progress
from tandem.review.models import CycleStatus


class RaterReminder(BaseModel):
    """One rater to remind: how many forms they have not finished."""

    rater_id: int
    rater: str
    email: str | None
    unfinished: int
    not_started: int
    recorded_today: bool  # an earlier run today recorded this reminder already


class RemindReport(BaseModel):
    """The raters reminded in one cycle on one day."""

    cycle: str
    date: dt.date
    due_date: dt.date | None
    overdue: bool
    raters: list[RaterReminder]
    recorded: int  # reminders recorded by this run (0 on a second run the same day)


def reminded_on(*, session: Session, cycle_id: int, date: dt.date) -> set[int]:
    """The raters whose reminder in the cycle was recorded for ``date``."""
    events = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == AuditAction.REVIEW_REMIND.value,
            AuditEvent.target == f"cycle:{cycle_id}",
        )
    )
    return {
        int(e.subject_person_id)
        for e in events
        if e.subject_person_id is not None and e.detail.get("date") == date.isoformat()
    }


def remind(*, session: Session, cycle: str, actor: str, today: dt.date) -> RemindReport:
    """List the raters with unfinished forms and record today's reminder of each, once."""
    found = review_service.get_cycle(session=session, name=cycle)
    if found.status != CycleStatus.OPEN:
        raise ConflictError(f"review cycle {found.name!r} is closed; nobody is waiting to answer")
    unfinished: dict[int, list[bool]] = {}  # rater → started, per unfinished form
    for (_, rater), progress in pair_progress(session=session, cycle=found).items():
        if not progress.submitted:
            unfinished.setdefault(rater, []).append(progress.started)
    people = {
        p.id: p for p in session.scalars(select(Person).where(Person.id.in_(unfinished.keys())))
    }
    already = reminded_on(session=session, cycle_id=found.id, date=today)
    raters = []
    for rater in sorted(unfinished, key=lambda r: (people[r].display_name, r)):
        forms = unfinished[rater]
        raters.append(
            RaterReminder(
                rater_id=rater,
                rater=people[rater].display_name,
                email=people[rater].email,
                unfinished=len(forms),
                not_started=forms.count(False),
                recorded_today=rater in already,
            )
        )
        if rater not in already:
            audit.record(
                session=session,
                actor=actor,
                action=AuditAction.REVIEW_REMIND,
                subject_person_id=rater,
                target=f"cycle:{found.id}",
                detail={"date": today.isoformat(), "unfinished": len(forms)},
            )
    return RemindReport(
        cycle=found.name,
        date=today,
        due_date=found.due_date,
        overdue=is_overdue(found.due_date, today),
        raters=raters,
        recorded=sum(1 for r in raters if not r.recorded_today),
    )


def is_overdue(due_date: dt.date | None, today: dt.date) -> bool:
    """Past the due date (the due day itself is not overdue)."""
    return due_date is not None and today > due_date
