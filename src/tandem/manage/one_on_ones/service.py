"""The 1:1 service: pairs, meetings, agenda, actions, notes, the cadence and the .ics.

**Who reads what** (DESIGN §7), enforced here for every surface:

* a pair — its meetings, agenda, actions and shared notes — is read and written by its two
  partners only; to anyone else (a peer, the manager's manager, a director, an admin, the CLI
  operator) it is "not found", so its existence is not revealed;
* a **private note** is read by its author alone: not the other partner, not anyone above them,
  not an admin, not the other partner's data export, not the audit log (which records ids
  only), not the calendar file. Every query of notes filters on the viewer.

A pair is a line manager and a direct report of the roster (``Person.manager_id``), started by
either of them; it stays the two people's after a reorganisation. Rules (cadence, carry-over,
limits) are :mod:`.rules`; the calendar file :mod:`.calendar`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tandem.audit import service as audit
from tandem.db.base import utcnow
from tandem.errors import InputError, NotFoundError
from tandem.manage import days
from tandem.manage.acting import acting_person, person_ref
from tandem.manage.bands import band
from tandem.manage.one_on_ones import calendar, rules
from tandem.manage.one_on_ones.models import (
    ActionItem,
    AgendaItem,
    MeetingNote,
    OneOnOneMeeting,
    OneOnOnePair,
)
from tandem.manage.one_on_ones.schemas import (
    ActionOut,
    AgendaItemOut,
    MeetingOut,
    NoteOut,
    PairCounts,
    PairDetail,
    PairList,
    PairOut,
)
from tandem.people.models import Person
from tandem.profile.visibility import Viewer

MIN_PAIRS = 5  # DESIGN §7: aggregates of people need n ≥ 5
MAX_MEETINGS_SHOWN = 50

NOT_FOUND = "no 1:1 pair {} of yours"


def _me(session: Session, viewer: Viewer) -> Person:
    return acting_person(session, viewer, refusal="1:1s are read by their two partners only")


def _pair(session: Session, me: Person, pair_id: int) -> OneOnOnePair:
    pair = session.get(OneOnOnePair, pair_id)
    if pair is None or me.id not in (pair.manager_id, pair.report_id):
        raise NotFoundError(NOT_FOUND.format(pair_id))
    return pair


def _meeting(session: Session, me: Person, meeting_id: int) -> OneOnOneMeeting:
    meeting = session.get(OneOnOneMeeting, meeting_id)
    if meeting is None or me.id not in (meeting.pair.manager_id, meeting.pair.report_id):
        raise NotFoundError(f"no 1:1 meeting {meeting_id} of yours")
    return meeting


def _now(as_of: dt.date | None) -> dt.datetime:
    if as_of is None:
        return utcnow()
    return dt.datetime.combine(as_of, dt.time.max, tzinfo=dt.UTC)


def _pair_out(session: Session, pair: OneOnOnePair, me: Person, as_of: dt.date) -> PairOut:
    now = _now(as_of)
    held = [m.starts_at for m in pair.meetings if m.starts_at <= now]
    planned = [m.starts_at for m in pair.meetings if m.starts_at > now]
    last = max(held) if held else None
    late = rules.overdue(
        last=last, created=pair.created_at, cadence_days=pair.cadence_days, as_of=as_of
    )
    since = rules.days_since(last, as_of)
    alert = None
    if late:
        alert = (
            f"no 1:1 for {since} days (cadence: every {pair.cadence_days} days)"
            if since is not None
            else f"no 1:1 yet (cadence: every {pair.cadence_days} days)"
        )
    partner = pair.report if pair.manager_id == me.id else pair.manager
    return PairOut(
        id=pair.id,
        manager=person_ref(pair.manager),
        report=person_ref(pair.report),
        partner=person_ref(partner),
        cadence_days=pair.cadence_days,
        last_meeting_at=last,
        next_meeting_at=min(planned) if planned else None,
        days_since=since,
        overdue=late,
        alert=alert,
    )


def start_pair(
    *,
    session: Session,
    viewer: Viewer,
    other: int,
    cadence_days: int = rules.DEFAULT_CADENCE_DAYS,
    actor: str,
    as_of: dt.date | None = None,
) -> PairOut:
    """Start the 1:1 pair of the viewer and their direct report or line manager (the existing
    pair when there is one)."""
    me = _me(session, viewer)
    partner = session.get(Person, other)
    if partner is None or partner.stand_in or partner.id == me.id:
        raise InputError(f"no other person with id {other}", field="other")
    if partner.manager_id == me.id:
        manager, report = me, partner
    elif me.manager_id == partner.id:
        manager, report = partner, me
    else:
        raise InputError(
            f"{partner.display_name} is neither your direct report nor your line manager",
            field="other",
        )
    rules.check_cadence(cadence_days)
    day = days.day(as_of)
    pair = session.scalar(
        select(OneOnOnePair).where(
            OneOnOnePair.manager_id == manager.id, OneOnOnePair.report_id == report.id
        )
    )
    if pair is None:
        pair = OneOnOnePair(manager_id=manager.id, report_id=report.id, cadence_days=cadence_days)
        if as_of is not None:
            pair.created_at = dt.datetime.combine(as_of, dt.time(), tzinfo=dt.UTC)
        session.add(pair)
        session.flush()
        audit.record(
            session=session, actor=actor, action="one_on_one.pair", subject_person_id=report.id,
            related_person_id=manager.id, target=f"one_on_one_pair:{pair.id}",
            detail={"cadence_days": cadence_days, "started": True},
        )  # fmt: skip
    return _pair_out(session, pair, me, day)


def set_cadence(
    *, session: Session, viewer: Viewer, pair_id: int, cadence_days: int, actor: str
) -> PairOut:
    """Change how often the pair meets (1 to 90 days)."""
    me = _me(session, viewer)
    pair = _pair(session, me, pair_id)
    pair.cadence_days = rules.check_cadence(cadence_days)
    session.flush()
    audit.record(
        session=session, actor=actor, action="one_on_one.pair", subject_person_id=pair.report_id,
        related_person_id=pair.manager_id, target=f"one_on_one_pair:{pair.id}",
        detail={"cadence_days": cadence_days},
    )  # fmt: skip
    return _pair_out(session, pair, me, utcnow().date())


def list_pairs(*, session: Session, viewer: Viewer, as_of: dt.date) -> PairList:
    """The viewer's pairs (overdue first) and the roster links that have none yet."""
    as_of = days.day(as_of)
    me = _me(session, viewer)
    pairs = list(
        session.scalars(
            select(OneOnOnePair)
            .where(or_(OneOnOnePair.manager_id == me.id, OneOnOnePair.report_id == me.id))
            .order_by(OneOnOnePair.id)
        )
    )
    shown = sorted(
        (_pair_out(session, p, me, as_of) for p in pairs),
        key=lambda p: (not p.overdue, p.partner.name, p.id),
    )
    paired = {p.manager_id for p in pairs} | {p.report_id for p in pairs}
    roster = list(
        session.scalars(
            select(Person)
            .where(Person.manager_id == me.id, Person.stand_in.is_(False))
            .order_by(Person.display_name)
        )
    )
    if me.manager is not None:
        roster.append(me.manager)
    candidates = [person_ref(p) for p in roster if p.id not in paired]
    return PairList(as_of=as_of, pairs=shown, candidates=candidates)


def add_meeting(
    *,
    session: Session,
    viewer: Viewer,
    pair_id: int,
    starts_at: dt.datetime,
    minutes: int = 30,
) -> MeetingOut:
    """Plan (or record) a meeting of the pair."""
    me = _me(session, viewer)
    pair = _pair(session, me, pair_id)
    meeting = OneOnOneMeeting(
        pair_id=pair.id,
        starts_at=rules.check_start(starts_at),
        minutes=rules.check_minutes(minutes),
    )
    session.add(meeting)
    session.flush()
    session.refresh(pair)
    return meeting_view(session=session, viewer=viewer, meeting_id=meeting.id)


def _latest_meeting(session: Session, me: Person, pair_id: int) -> OneOnOneMeeting:
    pair = _pair(session, me, pair_id)
    if not pair.meetings:
        raise InputError(
            "plan a meeting first: agenda items and actions belong to one", field="meeting_id"
        )
    now = utcnow()
    upcoming = [m for m in pair.meetings if m.starts_at >= now - dt.timedelta(hours=12)]
    return upcoming[0] if upcoming else pair.meetings[-1]


def _target_meeting(
    session: Session, me: Person, pair_id: int, meeting_id: int | None
) -> OneOnOneMeeting:
    if meeting_id is None:
        return _latest_meeting(session, me, pair_id)
    meeting = _meeting(session, me, meeting_id)
    if meeting.pair_id != pair_id:
        raise InputError(f"meeting {meeting_id} is not one of pair {pair_id}", field="meeting_id")
    return meeting


def add_agenda_item(
    *,
    session: Session,
    viewer: Viewer,
    pair_id: int,
    text: str,
    meeting_id: int | None = None,
) -> AgendaItemOut:
    """Put a point on a meeting's agenda (default: the next meeting, else the latest)."""
    me = _me(session, viewer)
    meeting = _target_meeting(session, me, pair_id, meeting_id)
    item = AgendaItem(
        pair_id=pair_id,
        meeting_id=meeting.id,
        author_id=me.id,
        text=rules.check_text(text, "text", limit=rules.MAX_AGENDA_TEXT),
    )
    session.add(item)
    session.flush()
    return _item_out(item, meeting)


def resolve_item(
    *,
    session: Session,
    viewer: Viewer,
    item_id: int,
    meeting_id: int | None = None,
    reopen: bool = False,
) -> AgendaItemOut:
    """Mark an agenda item resolved at a meeting (default: the pair's current one) or reopen it."""
    me = _me(session, viewer)
    item = session.get(AgendaItem, item_id)
    if item is None:
        raise NotFoundError(f"no agenda item {item_id} of yours")
    _pair(session, me, item.pair_id)  # not a partner: not found
    if reopen:
        item.status, item.resolved_meeting_id = "open", None
    else:
        at = _target_meeting(session, me, item.pair_id, meeting_id)
        if at.starts_at < item.meeting.starts_at:
            at = item.meeting
        item.status, item.resolved_meeting_id = "resolved", at.id
    session.flush()
    return _item_out(item, item.meeting)


def add_action(
    *,
    session: Session,
    viewer: Viewer,
    pair_id: int,
    owner: int,
    text: str,
    due_date: dt.date | None = None,
    meeting_id: int | None = None,
) -> ActionOut:
    """An action item owned by one of the pair, with an optional due date."""
    me = _me(session, viewer)
    pair = _pair(session, me, pair_id)
    if owner not in (pair.manager_id, pair.report_id):
        raise InputError("the owner is one of the pair", field="owner")
    meeting = _target_meeting(session, me, pair_id, meeting_id)
    action = ActionItem(
        pair_id=pair.id,
        meeting_id=meeting.id,
        owner_id=owner,
        author_id=me.id,
        text=rules.check_text(text, "text", limit=rules.MAX_AGENDA_TEXT),
        due_date=rules.check_due(due_date),
    )
    session.add(action)
    session.flush()
    return _action_out(action, utcnow().date())


def set_action_done(
    *, session: Session, viewer: Viewer, action_id: int, done: bool = True
) -> ActionOut:
    """Tick an action item done (or not done again)."""
    me = _me(session, viewer)
    action = session.get(ActionItem, action_id)
    if action is None:
        raise NotFoundError(f"no action item {action_id} of yours")
    _pair(session, me, action.pair_id)
    action.done = done
    action.done_at = utcnow() if done else None
    session.flush()
    return _action_out(action, utcnow().date())


def add_note(
    *,
    session: Session,
    viewer: Viewer,
    meeting_id: int,
    text: str,
    private: bool,
) -> NoteOut:
    """A note on a meeting: shared with the partner, or private to the viewer alone."""
    me = _me(session, viewer)
    meeting = _meeting(session, me, meeting_id)
    note = MeetingNote(
        meeting_id=meeting.id, author_id=me.id, private=private, text=rules.check_text(text, "text")
    )
    session.add(note)
    session.flush()
    return _note_out(note, me)


def _item_out(item: AgendaItem, shown_at: OneOnOneMeeting) -> AgendaItemOut:
    return AgendaItemOut(
        id=item.id,
        text=item.text,
        author=person_ref(item.author) if item.author is not None else None,
        status=item.status,
        first_raised_on=item.meeting.starts_at.date(),
        carried=item.meeting_id != shown_at.id,
    )


def _action_out(action: ActionItem, today: dt.date) -> ActionOut:
    return ActionOut(
        id=action.id,
        text=action.text,
        owner=person_ref(action.owner),
        due_date=action.due_date,
        done=action.done,
        overdue=not action.done and action.due_date is not None and action.due_date < today,
        meeting_id=action.meeting_id,
    )


def _note_out(note: MeetingNote, author: Person) -> NoteOut:
    return NoteOut(
        id=note.id, text=note.text, private=note.private, author=person_ref(author),
        created_at=note.created_at,
    )  # fmt: skip


def _visible_notes(session: Session, me: Person, meeting_ids: list[int]) -> list[MeetingNote]:
    """Shared notes and the viewer's own private notes: the one query every surface uses."""
    if not meeting_ids:
        return []
    return list(
        session.scalars(
            select(MeetingNote)
            .where(
                MeetingNote.meeting_id.in_(meeting_ids),
                or_(MeetingNote.private.is_(False), MeetingNote.author_id == me.id),
            )
            .order_by(MeetingNote.created_at, MeetingNote.id)
        )
    )


def _meeting_out(
    session: Session,
    me: Person,
    meeting: OneOnOneMeeting,
    items: list[AgendaItem],
    notes: list[MeetingNote],
    today: dt.date,
) -> MeetingOut:
    resolved_at = {m.id: m.starts_at for m in meeting.pair.meetings}
    agenda = [
        _item_out(item, meeting)
        for item in items
        if rules.shown_on(
            raised=item.meeting.starts_at,
            resolved_at=resolved_at.get(item.resolved_meeting_id or -1),
            open_=item.status == "open",
            meeting=meeting.starts_at,
        )
    ]
    agenda.sort(key=lambda a: (not a.carried, a.first_raised_on, a.id))
    actions = session.scalars(
        select(ActionItem).where(ActionItem.meeting_id == meeting.id).order_by(ActionItem.id)
    )
    people = {
        meeting.pair.manager_id: meeting.pair.manager,
        meeting.pair.report_id: meeting.pair.report,
    }
    return MeetingOut(
        id=meeting.id,
        pair_id=meeting.pair_id,
        starts_at=meeting.starts_at,
        minutes=meeting.minutes,
        agenda=agenda,
        actions=[_action_out(a, today) for a in actions],
        notes=[
            _note_out(n, people.get(n.author_id) or me) for n in notes if n.meeting_id == meeting.id
        ],
    )


def meeting_view(*, session: Session, viewer: Viewer, meeting_id: int) -> MeetingOut:
    """One meeting: its agenda with carried items, its actions, the notes the viewer may read."""
    me = _me(session, viewer)
    meeting = _meeting(session, me, meeting_id)
    items = list(
        session.scalars(
            select(AgendaItem).where(AgendaItem.pair_id == meeting.pair_id).order_by(AgendaItem.id)
        )
    )
    notes = _visible_notes(session, me, [meeting.id])
    return _meeting_out(session, me, meeting, items, notes, utcnow().date())


def pair_detail(*, session: Session, viewer: Viewer, pair_id: int, as_of: dt.date) -> PairDetail:
    """The pair, its meetings (newest first, at most 50) and its open action items."""
    as_of = days.day(as_of)
    me = _me(session, viewer)
    pair = _pair(session, me, pair_id)
    meetings = sorted(pair.meetings, key=lambda m: m.starts_at, reverse=True)[:MAX_MEETINGS_SHOWN]
    items = list(
        session.scalars(
            select(AgendaItem).where(AgendaItem.pair_id == pair.id).order_by(AgendaItem.id)
        )
    )
    notes = _visible_notes(session, me, [m.id for m in meetings])
    open_actions = session.scalars(
        select(ActionItem)
        .where(ActionItem.pair_id == pair.id, ActionItem.done.is_(False))
        .order_by(ActionItem.due_date.is_(None), ActionItem.due_date, ActionItem.id)
    )
    return PairDetail(
        pair=_pair_out(session, pair, me, as_of),
        meetings=[_meeting_out(session, me, m, items, notes, as_of) for m in meetings],
        open_actions=[_action_out(a, as_of) for a in open_actions],
    )


def pair_calendar(*, session: Session, viewer: Viewer, pair_id: int) -> bytes:
    """The pair's 1:1 series as an .ics file (names and cadence only, see :mod:`.calendar`)."""
    me = _me(session, viewer)
    pair = _pair(session, me, pair_id)
    if not pair.meetings:
        raise InputError("plan a first meeting: the series starts from it", field="pair_id")
    now = utcnow()
    planned = [m for m in pair.meetings if m.starts_at >= now]
    anchor = planned[0] if planned else pair.meetings[-1]
    start = calendar.next_start(
        planned=planned[0].starts_at if planned else None,
        last=pair.meetings[-1].starts_at,
        cadence_days=pair.cadence_days,
        now=now,
    )
    return calendar.series(
        pair_id=pair.id,
        manager=pair.manager.display_name,
        report=pair.report.display_name,
        start=start,
        minutes=anchor.minutes,
        cadence_days=pair.cadence_days,
        stamp=now,
    )


def roster_pair(
    *, session: Session, manager: Person, report: Person, as_of: dt.date
) -> tuple[PairOut, int, int] | None:
    """The pair of a line manager and their report as seen by the manager, with its open and
    overdue action items on ``as_of`` (None: they have no pair): the check-ins' 1:1 cadence."""
    pair = session.scalar(
        select(OneOnOnePair).where(
            OneOnOnePair.manager_id == manager.id, OneOnOnePair.report_id == report.id
        )
    )
    if pair is None:
        return None
    open_actions = [
        _action_out(a, as_of)
        for a in session.scalars(
            select(ActionItem).where(ActionItem.pair_id == pair.id, ActionItem.done.is_(False))
        )
    ]
    overdue = sum(a.overdue for a in open_actions)
    return _pair_out(session, pair, manager, as_of), len(open_actions), overdue


def counts(*, session: Session, as_of: dt.date, min_pairs: int = MIN_PAIRS) -> PairCounts:
    """How many pairs there are and the share within their cadence as a quartile band
    (directors and admins); withheld below ``min_pairs`` pairs."""
    as_of = days.day(as_of)
    pairs = list(session.scalars(select(OneOnOnePair)))
    if len(pairs) < min_pairs:
        return PairCounts(
            as_of=as_of, pairs=None, within_cadence=None,
            withheld=f"withheld: fewer than {min_pairs} pairs; counts show from {min_pairs} on",
        )  # fmt: skip
    now = _now(as_of)
    within = 0
    for pair in pairs:
        held = [m.starts_at for m in pair.meetings if m.starts_at <= now]
        late = rules.overdue(
            last=max(held) if held else None, created=pair.created_at,
            cadence_days=pair.cadence_days, as_of=as_of,
        )  # fmt: skip
        within += not late
    return PairCounts(
        as_of=as_of, pairs=len(pairs), within_cadence=band(within, len(pairs)), withheld=None
    )


def export_rows(*, session: Session, person_id: int) -> list[dict[str, object]]:
    """The person's pairs as they see them (their own private notes only), for their export."""
    viewer = Viewer(person_id=person_id, role="member")
    pair_ids = session.scalars(
        select(OneOnOnePair.id)
        .where(or_(OneOnOnePair.manager_id == person_id, OneOnOnePair.report_id == person_id))
        .order_by(OneOnOnePair.id)
    )
    today = utcnow().date()
    return [
        pair_detail(session=session, viewer=viewer, pair_id=pair_id, as_of=today).model_dump(
            mode="json"
        )
        for pair_id in list(pair_ids)
    ]


def forget_rows(*, session: Session, person_id: int) -> int:
    """Delete the person's pairs with everything in them (both partners' notes); how many."""
    pairs = list(
        session.scalars(
            select(OneOnOnePair).where(
                or_(OneOnOnePair.manager_id == person_id, OneOnOnePair.report_id == person_id)
            )
        )
    )
    for pair in pairs:
        meeting_ids = [m.id for m in pair.meetings]
        for model in (AgendaItem, ActionItem):
            for row in session.scalars(select(model).where(model.pair_id == pair.id)):
                session.delete(row)
        if meeting_ids:
            for note in session.scalars(
                select(MeetingNote).where(MeetingNote.meeting_id.in_(meeting_ids))
            ):
                session.delete(note)
        session.flush()
        session.delete(pair)
    session.flush()
    return len(pairs)
