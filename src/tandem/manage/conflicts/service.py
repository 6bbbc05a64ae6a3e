"""Conflict cases: open, read, update (the facilitator's shared fields, each party's own),
follow-ups, the escalation reminder, a person's export and erasure.

Access is the case's people only — its parties and its facilitator — whatever the role:
no director, admin, team leader or manager reads a case they do not take part in, on any
surface (web, API, CLI ``--as``). For anyone else a case does not exist: the same "not found"
as for a missing id, so not even a case's existence leaks. Nobody else gets a count either
(a team's count of open relationship conflicts is derivable knowledge about few people).

No audit event is written for a case: the log is read by admins, and an event naming a person
on a case would tell them who is in a conflict. The erasure and the export of a person are
audited as always (by :mod:`tandem.people.privacy`), with no case detail.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tandem.accounts.errors import PermissionDeniedError
from tandem.db.base import utcnow
from tandem.errors import InputError, NotFoundError
from tandem.manage import days
from tandem.manage.conflicts import checklist, modes
from tandem.manage.conflicts.models import ConflictCase, ConflictFollowUp, ConflictParty
from tandem.manage.conflicts.schemas import (
    MAX_ISSUE,
    MAX_ITEM,
    MAX_ITEMS,
    MAX_PARTIES,
    MAX_TEXT,
    CaseIn,
    CaseList,
    CaseOut,
    CaseSummary,
    CaseUpdate,
    CheckStep,
    FollowUpIn,
    FollowUpOut,
    PartyOut,
    PartyUpdate,
    Satisfaction,
)
from tandem.people import service as people_service
from tandem.people.models import Person
from tandem.profile.visibility import Viewer

#: Relationship and process conflicts not agreed within this many days remind the facilitator.
ESCALATE_AFTER_DAYS = 14
ESCALATING_KINDS = ("relationship", "process")
UNSETTLED = ("open", "in_mediation")
SETTLED = ("agreed", "closed", "escalated")
#: The facilitator sees the parties' mean satisfaction only from this many answers on.
MIN_SATISFACTION_ANSWERS = 3

Role = Literal["facilitator", "party"]


def _today(today: dt.date | None) -> dt.date:
    return days.day(today, "today")


def _me(viewer: Viewer) -> int:
    if viewer.person_id is None:
        raise PermissionDeniedError(
            "conflict cases are read only by their parties and facilitator: act as one of them"
        )
    return viewer.person_id


def _text(value: str, field: str, limit: int, *, required: bool = False) -> str:
    cleaned = value.strip()
    if required and not cleaned:
        raise InputError(f"write the {field}", field=field)
    if len(cleaned) > limit:
        raise InputError(f"keep the {field} under {limit} characters", field=field)
    return cleaned


def _items(values: list[str], field: str) -> list[str]:
    if len(values) > MAX_ITEMS:
        raise InputError(f"list at most {MAX_ITEMS} {field}", field=field)
    out = [_text(v, field, MAX_ITEM) for v in values]
    return [v for v in out if v]


def _person(session: Session, ref: str, field: str) -> Person:
    try:
        person = people_service.find_person(session=session, ref=ref.strip())
    except NotFoundError as error:
        raise InputError(str(error), field=field) from None
    if person.is_bot:
        raise InputError(f"{person.display_name} is a bot, not a person", field=field)
    return person


def open_case(
    *, session: Session, viewer: Viewer, body: CaseIn, today: dt.date | None = None
) -> CaseOut:
    """Open a case: ≥ 2 distinct parties and a facilitator who is not one of them (default: the
    viewer); the viewer must be the facilitator or a party."""
    me = _me(viewer)
    issue = _text(body.issue, "issue", MAX_ISSUE, required=True)
    if len(body.parties) > MAX_PARTIES:
        raise InputError(f"name at most {MAX_PARTIES} parties", field="parties")
    parties: list[Person] = []
    for ref in body.parties:
        person = _person(session, ref, "parties")
        if person.id in {p.id for p in parties}:
            raise InputError(f"{person.display_name} is named twice", field="parties")
        parties.append(person)
    if len(parties) < 2:
        raise InputError("a conflict needs at least two parties", field="parties")
    party_ids = {p.id for p in parties}
    facilitator_id = (
        _person(session, body.facilitator, "facilitator").id
        if body.facilitator is not None
        else (me if me not in party_ids else None)
    )
    if facilitator_id is None:
        raise InputError("name a facilitator who is not a party", field="facilitator")
    if facilitator_id in party_ids:
        raise InputError("the facilitator cannot be a party of the case", field="facilitator")
    if me != facilitator_id and me not in party_ids:
        raise PermissionDeniedError("open a case only as its facilitator or one of its parties")
    case = ConflictCase(
        kind=body.kind,
        issue=issue,
        facilitator_id=facilitator_id,
        status="open",
        time_pressure=body.time_pressure,
        power_balance=body.power_balance,
        relationship_importance=body.relationship_importance,
        facts=[],
        options=[],
        checklist=[],
        opened_on=_today(today),
        updated_at=utcnow(),
    )
    case.parties = [ConflictParty(person_id=p.id) for p in parties]
    session.add(case)
    session.flush()
    return _out(session, case, viewer, _today(today))


def _load(session: Session, viewer: Viewer, case_id: int) -> tuple[ConflictCase, Role]:
    """The case and the viewer's role in it; "not found" for everyone outside it."""
    me = _me(viewer)
    case = session.get(ConflictCase, case_id)
    if case is not None:
        if case.facilitator_id == me:
            return case, "facilitator"
        if any(p.person_id == me for p in case.parties):
            return case, "party"
    raise NotFoundError(f"no conflict case {case_id} that you take part in")


def get_case(
    *, session: Session, viewer: Viewer, case_id: int, today: dt.date | None = None
) -> CaseOut:
    """One case, for its parties and facilitator only."""
    case, _ = _load(session, viewer, case_id)
    return _out(session, case, viewer, _today(today))


def _require_facilitator(role: Role) -> None:
    if role != "facilitator":
        raise PermissionDeniedError(
            "only the facilitator changes the case; parties write their own position, "
            "interests, stake and satisfaction"
        )


def update_case(
    *,
    session: Session,
    viewer: Viewer,
    case_id: int,
    body: CaseUpdate,
    today: dt.date | None = None,
) -> CaseOut:
    """The facilitator's changes; marking it agreed needs the agreement written."""
    case, role = _load(session, viewer, case_id)
    _require_facilitator(role)
    day = _today(today)
    if body.issue is not None:
        case.issue = _text(body.issue, "issue", MAX_ISSUE, required=True)
    if body.facts is not None:
        case.facts = _items(body.facts, "facts")
    if body.options is not None:
        case.options = _items(body.options, "options")
    if body.checklist is not None:
        case.checklist = checklist.check_ticks(body.checklist)
    if body.chosen_mode is not None:
        case.chosen_mode = body.chosen_mode
    if body.rationale is not None:
        case.rationale = _text(body.rationale, "rationale", MAX_TEXT)
    if body.agreement is not None:
        case.agreement = _text(body.agreement, "agreement", MAX_TEXT)
    if body.time_pressure is not None:
        case.time_pressure = body.time_pressure
    if body.power_balance is not None:
        case.power_balance = body.power_balance
    if body.relationship_importance is not None:
        case.relationship_importance = body.relationship_importance
    if body.status is not None and body.status != case.status:
        if body.status == "agreed":
            if not case.agreement:
                raise InputError("write the agreement before marking it agreed", field="status")
            if case.chosen_mode is None:
                raise InputError("choose a mode before marking it agreed", field="chosen_mode")
            case.agreed_on = day
        case.status = body.status
    case.updated_at = utcnow()
    session.flush()
    return _out(session, case, viewer, day)


def update_party(
    *,
    session: Session,
    viewer: Viewer,
    case_id: int,
    body: PartyUpdate,
    today: dt.date | None = None,
) -> CaseOut:
    """A party's own entries; satisfaction once the case is agreed, closed or escalated."""
    case, role = _load(session, viewer, case_id)
    if role != "party":
        raise PermissionDeniedError("only a party writes their own position and satisfaction")
    mine = next(p for p in case.parties if p.person_id == viewer.person_id)
    if body.position is not None:
        mine.position = _text(body.position, "position", MAX_TEXT)
    if body.interests is not None:
        mine.interests = _text(body.interests, "interests", MAX_TEXT)
    if body.importance is not None:
        mine.importance = body.importance
    if body.satisfaction is not None:
        if case.status not in SETTLED:
            raise InputError(
                "rate your satisfaction once the case is agreed, closed or escalated",
                field="satisfaction",
            )
        mine.satisfaction = body.satisfaction
    case.updated_at = utcnow()
    session.flush()
    return _out(session, case, viewer, _today(today))


def _case_person(session: Session, case: ConflictCase, ref: str) -> int:
    person = _person(session, ref, "owner")
    people = {case.facilitator_id, *(p.person_id for p in case.parties)}
    if person.id not in people:
        raise InputError("a follow-up's owner is one of the case's people", field="owner")
    return person.id


def add_follow_up(
    *,
    session: Session,
    viewer: Viewer,
    case_id: int,
    body: FollowUpIn,
    today: dt.date | None = None,
) -> CaseOut:
    """A follow-up of the case (the facilitator)."""
    case, role = _load(session, viewer, case_id)
    _require_facilitator(role)
    if len(case.follow_ups) >= MAX_ITEMS:
        raise InputError(f"a case has at most {MAX_ITEMS} follow-ups", field="text")
    owner = _case_person(session, case, body.owner) if body.owner else None
    case.follow_ups.append(
        ConflictFollowUp(
            text=_text(body.text, "text", MAX_ITEM, required=True),
            due_on=body.due_on,
            owner_id=owner,
            done=False,
        )
    )
    case.updated_at = utcnow()
    session.flush()
    return _out(session, case, viewer, _today(today))


def complete_follow_up(
    *,
    session: Session,
    viewer: Viewer,
    case_id: int,
    follow_up_id: int,
    today: dt.date | None = None,
) -> CaseOut:
    """Mark a follow-up done (the facilitator or its owner)."""
    case, role = _load(session, viewer, case_id)
    row = next((f for f in case.follow_ups if f.id == follow_up_id), None)
    if row is None:
        raise NotFoundError(f"case {case_id} has no follow-up {follow_up_id}")
    if role != "facilitator" and row.owner_id != viewer.person_id:
        raise PermissionDeniedError("the facilitator or the follow-up's owner marks it done")
    row.done = True
    session.flush()
    return _out(session, case, viewer, _today(today))


def reminder(case: ConflictCase, today: dt.date) -> str | None:
    """The escalation reminder of a relationship or process case not agreed in time."""
    days = (today - case.opened_on).days
    if case.kind not in ESCALATING_KINDS or case.status not in UNSETTLED:
        return None
    if days <= ESCALATE_AFTER_DAYS:
        return None
    return (
        f"case {case.id} ({case.kind}) has been open {days} days without agreement (over "
        f"{ESCALATE_AFTER_DAYS}): meet the parties this week, bring in a mediator, or escalate it"
    )


def list_cases(*, session: Session, viewer: Viewer, today: dt.date | None = None) -> CaseList:
    """The cases the viewer takes part in (newest first), with their reminders."""
    me = _me(viewer)
    day = _today(today)
    party_of = select(ConflictParty.case_id).where(ConflictParty.person_id == me)
    cases = session.scalars(
        select(ConflictCase)
        .where(or_(ConflictCase.facilitator_id == me, ConflictCase.id.in_(party_of)))
        .order_by(ConflictCase.opened_on.desc(), ConflictCase.id.desc())
    )
    rows: list[CaseSummary] = []
    for case in cases:
        role: Role = "facilitator" if case.facilitator_id == me else "party"
        rows.append(
            CaseSummary(
                id=case.id,
                kind=case.kind,
                status=case.status,
                issue=case.issue if len(case.issue) <= 120 else case.issue[:119] + "…",
                my_role=role,
                opened_on=case.opened_on,
                days_open=max(0, (day - case.opened_on).days),
                reminder=reminder(case, day) if role == "facilitator" else None,
            )
        )
    return CaseList(
        as_of=day, cases=rows, reminders=[r.reminder for r in rows if r.reminder is not None]
    )


def _satisfaction(case: ConflictCase) -> Satisfaction:
    given = [p.satisfaction for p in case.parties if p.satisfaction is not None]
    enough = len(given) >= MIN_SATISFACTION_ANSWERS
    return Satisfaction(
        answered=len(given),
        parties=len(case.parties),
        mean=round(sum(given) / len(given), 1) if enough else None,
        withheld=(
            None
            if enough
            else f"the mean is shown from {MIN_SATISFACTION_ANSWERS} answers on, so no "
            "party's answer can be worked out"
        ),
    )


def _out(session: Session, case: ConflictCase, viewer: Viewer, today: dt.date) -> CaseOut:
    me = viewer.person_id
    role: Role = "facilitator" if case.facilitator_id == me else "party"
    ticked = set(case.checklist)
    return CaseOut(
        id=case.id,
        kind=case.kind,
        issue=case.issue,
        status=case.status,
        my_role=role,
        facilitator=case.facilitator.display_name if case.facilitator else None,
        facilitator_id=case.facilitator_id,
        parties=[
            PartyOut(
                person_id=p.person_id,
                name=p.person.display_name,
                position=p.position,
                interests=p.interests,
                importance=p.importance,
                satisfaction=p.satisfaction if p.person_id == me else None,
                me=p.person_id == me,
            )
            for p in case.parties
        ],
        time_pressure=case.time_pressure,
        power_balance=case.power_balance,
        relationship_importance=case.relationship_importance,
        suggestion=modes.suggest(
            kind=case.kind,
            importance=[p.importance for p in case.parties] or [3],
            time_pressure=case.time_pressure,
            power_balance=case.power_balance,
            relationship_importance=case.relationship_importance,
        ),
        chosen_mode=case.chosen_mode,
        rationale=case.rationale,
        facts=list(case.facts),
        options=list(case.options),
        checklist=[
            CheckStep(key=key, step=step, ticked=key in ticked) for key, step in checklist.STEPS
        ],
        agreement=case.agreement,
        follow_ups=[
            FollowUpOut(
                id=f.id,
                text=f.text,
                due_on=f.due_on,
                owner=f.owner.display_name if f.owner else None,
                done=f.done,
                overdue=not f.done and f.due_on < today,
            )
            for f in case.follow_ups
        ],
        opened_on=case.opened_on,
        agreed_on=case.agreed_on,
        days_open=max(0, (today - case.opened_on).days),
        satisfaction=_satisfaction(case) if role == "facilitator" else None,
        reminder=reminder(case, today) if role == "facilitator" else None,
    )


def export_person(*, session: Session, person_id: int) -> list[dict[str, object]]:
    """A person's own part of their cases: the shared record, their own entries; never another
    party's position, interests, stake or satisfaction."""
    party_of = select(ConflictParty.case_id).where(ConflictParty.person_id == person_id)
    cases = session.scalars(
        select(ConflictCase)
        .where(or_(ConflictCase.facilitator_id == person_id, ConflictCase.id.in_(party_of)))
        .order_by(ConflictCase.id)
    )
    out: list[dict[str, object]] = []
    for case in cases:
        mine = next((p for p in case.parties if p.person_id == person_id), None)
        out.append(
            {
                "id": case.id,
                "role": "party" if mine is not None else "facilitator",
                "kind": case.kind,
                "issue": case.issue,
                "status": case.status,
                "opened_on": case.opened_on.isoformat(),
                "agreed_on": case.agreed_on.isoformat() if case.agreed_on else None,
                "facts": list(case.facts),
                "options": list(case.options),
                "chosen_mode": case.chosen_mode,
                "rationale": case.rationale,
                "agreement": case.agreement,
                "follow_ups": [
                    {"text": f.text, "due_on": f.due_on.isoformat(), "done": f.done}
                    for f in case.follow_ups
                ],
                "mine": (
                    {
                        "position": mine.position,
                        "interests": mine.interests,
                        "importance": mine.importance,
                        "satisfaction": mine.satisfaction,
                    }
                    if mine is not None
                    else None
                ),
            }
        )
    return out


def forget_person(*, session: Session, person_id: int) -> dict[str, int]:
    """Erase a person from conflict cases: their party entries go; as facilitator or owner of a
    follow-up their name is removed (the case stays for its other people)."""
    parties = list(
        session.scalars(select(ConflictParty).where(ConflictParty.person_id == person_id))
    )
    for party in parties:
        session.delete(party)
    facilitated = list(
        session.scalars(select(ConflictCase).where(ConflictCase.facilitator_id == person_id))
    )
    for case in facilitated:
        case.facilitator_id = None
    owned = list(
        session.scalars(select(ConflictFollowUp).where(ConflictFollowUp.owner_id == person_id))
    )
    for row in owned:
        row.owner_id = None
    session.flush()
    return {
        "conflict_parties_removed": len(parties),
        "conflict_cases_unfacilitated": len(facilitated),
    }
