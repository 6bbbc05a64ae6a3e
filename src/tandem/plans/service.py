"""Development plans in the database: make one from a person's profile, show it, record progress.

A plan is built by the pure :func:`tandem.plans.build.build_plan` from the person's profile in a
review cycle (others' scores, L, M, blind spots; self scores only word a blind spot's reason) and
stored as a :class:`DevelopmentPlan` with one :class:`PlanAction` per action. Asking again shows
the stored plan and creates nothing. The stored actions carry no reasons: the reasons are rebuilt
from the cycle's profile each time the plan is shown, and the plan is marked ``stale`` when the
cycle's ratings now choose differently (answers changed while the cycle was still open).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.db.base import utcnow
from tandem.errors import InputError, NotFoundError
from tandem.people import service as people_service
from tandem.people.models import Person
from tandem.plans.build import PlanDraft, build_plan
from tandem.plans.library import load_action_library
from tandem.plans.models import ActionStatus, DevelopmentPlan, PlanAction, PlanProgress
from tandem.plans.schemas import ActionOut, PlannedPracticeOut, PlanOut, ProgressOut
from tandem.profile import service as profile_service
from tandem.profile.schemas import PersonRef, ProfileOut
from tandem.review import service as review_service
from tandem.review.models import CycleStatus, ReviewCycle

PROGRESS_STATUSES = (ActionStatus.DOING.value, ActionStatus.DONE.value, ActionStatus.DROPPED.value)


def get_or_create_plan(
    *, session: Session, person: str, cycle: str, plan_date: dt.date | None = None
) -> PlanOut:
    """The person's plan for the cycle: the stored one, else a new one from their profile.

    ``plan_date`` (default: today, UTC) is used only when a plan is created. When the profile
    gives no plan (L or M unknown), nothing is stored and the reason is returned.
    """
    found_cycle = review_service.get_cycle(session=session, name=cycle)
    found_person = people_service.find_person(session=session, ref=person)
    profile = profile_service.person_profile(
        session=session, person=found_person, cycle=found_cycle
    )
    stored = _latest_plan(session, found_person.id, found_cycle.id)
    if stored is not None:
        return _plan_out(stored, profile, created=False)
    draft = _draft(profile, plan_date or utcnow().date())
    if not draft.has_plan or draft.side is None or draft.rerate_date is None:
        return PlanOut(
            person=_person_ref(found_person),
            cycle=found_cycle.name,
            has_plan=False,
            created=False,
            plan_id=None,
            plan_date=None,
            side=None,
            reason=draft.reason,
            rerate_date=None,
            practices=[],
            stale=False,
            notes=["nothing was stored; ask again when more ratings from others are in"],
        )
    new = DevelopmentPlan(
        person_id=found_person.id,
        cycle_id=found_cycle.id,
        plan_date=draft.plan_date,
        weaker_side=draft.side,
    )
    for planned in draft.practices:
        for action in planned.actions:
            new.actions.append(
                PlanAction(
                    practice=planned.practice,
                    action_id=action.id,
                    behaviour=action.behaviour,
                    cadence=action.cadence,
                    evidence=action.evidence,
                    rerate_date=draft.rerate_date,
                    status=ActionStatus.PLANNED.value,
                )
            )
    session.add(new)
    session.flush()
    return _plan_out(new, profile, created=True)


def record_own_progress(
    *, session: Session, person_id: int, action_id: int, status: str, note: str = ""
) -> ActionOut:
    """:func:`record_progress` on an action of one of ``person_id``'s own plans only.

    Someone else's action is reported as missing, like one that does not exist.
    """
    action = session.get(PlanAction, action_id)
    if action is None or action.plan.person_id != person_id:
        raise NotFoundError(f"you have no plan action {action_id}")
    return record_progress(session=session, action_id=action.id, status=status, note=note)


def record_progress(*, session: Session, action_id: int, status: str, note: str = "") -> ActionOut:
    """Record progress on a plan action: a dated note and the status it moves to."""
    if status not in PROGRESS_STATUSES:
        raise InputError(f"status {status!r} is not one of {', '.join(PROGRESS_STATUSES)}")
    action = session.get(PlanAction, action_id)
    if action is None:
        raise NotFoundError(
            f"no plan action {action_id}; a person's plan lists its actions with their ids"
        )
    action.progress.append(PlanProgress(note=note.strip(), status=status))
    action.status = status
    session.flush()
    return _action_out(action)


def _latest_plan(session: Session, person_id: int, cycle_id: int) -> DevelopmentPlan | None:
    return session.scalar(
        select(DevelopmentPlan)
        .where(DevelopmentPlan.person_id == person_id, DevelopmentPlan.cycle_id == cycle_id)
        .order_by(DevelopmentPlan.id.desc())
        .limit(1)
    )


def _draft(profile: ProfileOut, plan_date: dt.date) -> PlanDraft:
    """The pure builder's plan for this profile (self scores only word blind-spot reasons)."""
    return build_plan(
        others={p: s.others for p, s in profile.practices.items()},
        L=None if profile.L is None else profile.L.value,
        M=None if profile.M is None else profile.M.value,
        blind_spots=profile.blind_spots,
        plan_date=plan_date,
        self_scores={p: s.self_score for p, s in profile.practices.items()},
        relative={p: s.relative_difference for p, s in profile.practices.items()},
    )


def _person_ref(person: Person) -> PersonRef:
    return PersonRef(id=person.id, name=person.display_name, email=person.email)


def _action_out(action: PlanAction) -> ActionOut:
    library = load_action_library()
    try:
        title: str | None = library.action(action.action_id).title
    except KeyError:
        title = None
    return ActionOut(
        id=action.id,
        plan_id=action.plan_id,
        action_id=action.action_id,
        practice=action.practice,
        title=title,
        behaviour=action.behaviour,
        cadence=action.cadence,
        evidence=action.evidence,
        rerate_date=action.rerate_date,
        status=action.status,
        progress=[
            ProgressOut(id=p.id, recorded_at=p.recorded_at, status=p.status, note=p.note)
            for p in action.progress
        ],
    )


def _plan_out(stored: DevelopmentPlan, profile: ProfileOut, *, created: bool) -> PlanOut:
    """The stored plan with reasons rebuilt from the cycle's current profile."""
    draft = _draft(profile, stored.plan_date)
    reasons = {p.practice: p.reason for p in draft.practices}
    by_practice: dict[str, list[PlanAction]] = {}
    for action in stored.actions:
        by_practice.setdefault(action.practice, []).append(action)
    stale = draft.side != stored.weaker_side or list(by_practice) != [
        p.practice for p in draft.practices
    ]
    notes = []
    if stale:
        notes.append(
            "the cycle's ratings have changed since this plan was made and now suggest "
            + (
                f"{', '.join(p.practice for p in draft.practices)} on the {draft.side} side"
                if draft.has_plan
                else "no plan"
            )
            + "; reasons are shown where they still apply"
        )
    cycle: ReviewCycle = stored.cycle
    if cycle.status == CycleStatus.OPEN:
        notes.append(f"review cycle {cycle.name!r} is still open: its ratings may change")
    return PlanOut(
        person=profile.person,
        cycle=cycle.name,
        has_plan=True,
        created=created,
        plan_id=stored.id,
        plan_date=stored.plan_date,
        side=stored.weaker_side,
        reason=draft.reason if draft.side == stored.weaker_side else _stored_side(stored),
        rerate_date=min((a.rerate_date for a in stored.actions), default=None),
        practices=[
            PlannedPracticeOut(
                practice=practice,
                others=profile.practices[practice].others,
                blind_spot=practice in profile.blind_spots,
                reason=reasons.get(practice),
                actions=[_action_out(a) for a in actions],
            )
            for practice, actions in by_practice.items()
        ],
        stale=stale,
        notes=notes,
    )


def _stored_side(stored: DevelopmentPlan) -> str:
    return f"the {stored.weaker_side} side was the weaker side when the plan was made"
