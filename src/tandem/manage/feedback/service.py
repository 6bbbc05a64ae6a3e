"""The feedback service: give (after the lint), read (who may), the cadence, the counts.

**Who reads a piece of feedback** (DESIGN §7): its giver, its receiver and the receiver's line
manager today (``Person.manager_id``), nobody else — not a peer, not the giver's manager, not a
director or an admin, even one who is someone's manager in the roster (they see
:func:`counts` only). The rule is here, in the service: every read takes the viewer and a
piece the viewer may not read is "not found", so its existence is not revealed either.
A manager reading a report's feedback is audited (``feedback.read``, ids only).

**Cadence**: for a manager, the days since they last gave feedback to each direct report, with
an alert past :data:`ALERT_DAYS` (or never); a report sees their own row. Shown to nobody else.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from tandem.audit import service as audit
from tandem.db.base import utcnow
from tandem.errors import InputError, NotFoundError
from tandem.manage.acting import acting_person, person_ref
from tandem.manage.days import day
from tandem.manage.feedback.lint import lint
from tandem.manage.feedback.models import KINDS, Feedback
from tandem.manage.feedback.schemas import (
    Cadence,
    CadenceRow,
    FeedbackCounts,
    FeedbackList,
    FeedbackOut,
    LintOut,
)
from tandem.people.models import Person
from tandem.profile.visibility import Viewer
from tandem.review.items import PRACTICE_IDS

ALERT_DAYS = 30  # docs/people-science.md, "Feedback cadence"
MIN_PEOPLE = 5  # DESIGN §7: people-derived aggregates need n ≥ 5
MAX_TEXT = 2_000
MAX_LIST = 200
COUNT_DAYS = 90

__all__ = [
    "ALERT_DAYS",
    "cadence",
    "cadence_row",
    "counts",
    "get_feedback",
    "give_feedback",
    "list_feedback",
    "person_counts",
]


def _me(session: Session, viewer: Viewer) -> Person:
    refusal = "feedback is read by its giver, its receiver and their manager only"
    return acting_person(session, viewer, refusal=refusal)


def _text(value: str, field: str, *, required: bool) -> str:
    value = value.strip()
    if len(value) > MAX_TEXT:
        raise InputError(f"keep it under {MAX_TEXT} characters", field=field)
    if required and not value:
        raise InputError(f"describe the {field}", field=field)
    return value


def draft_lint(*, situation: str, behaviour: str, impact: str, intent: str = "") -> LintOut:
    """The lint of a draft (nothing stored); long parts are refused, naming the part."""
    return LintOut(
        findings=lint(
            situation=_text(situation, "situation", required=False),
            behaviour=_text(behaviour, "behaviour", required=False),
            impact=_text(impact, "impact", required=False),
            intent=_text(intent, "intent", required=False),
        )
    )


def give_feedback(
    *,
    session: Session,
    viewer: Viewer,
    receiver_id: int,
    kind: str,
    situation: str,
    behaviour: str,
    impact: str,
    intent: str = "",
    practice: str | None = None,
    lint_seen: bool = False,
    actor: str,
    at: dt.datetime | None = None,
) -> FeedbackOut:
    """Store feedback from the viewer. When the lint flags anything, the giver must have seen
    it (``lint_seen``), else nothing is stored and the error says what it found; the rules
    seen are stored with the feedback."""
    giver = _me(session, viewer)
    receiver = session.get(Person, receiver_id)
    if receiver is None or receiver.stand_in:
        raise InputError(f"no person with id {receiver_id}", field="receiver")
    if receiver.id == giver.id:
        raise InputError("feedback goes to someone else", field="receiver")
    if kind not in KINDS:
        raise InputError("give 'praise' or 'redirect'", field="kind")
    if practice is not None and practice.strip():
        practice = practice.strip()
        if practice not in PRACTICE_IDS:
            raise InputError(f"{practice!r} is not one of the ten practices", field="practice")
    else:
        practice = None
    parts = {
        "situation": _text(situation, "situation", required=True),
        "behaviour": _text(behaviour, "behaviour", required=True),
        "impact": _text(impact, "impact", required=False),
        "intent": _text(intent, "intent", required=False),
    }
    findings = lint(**parts)
    if findings and not lint_seen:
        rules = sorted({f.rule for f in findings})
        raise InputError(
            f"the lint flags {len(findings)} {'thing' if len(findings) == 1 else 'things'} "
            f"({', '.join(rules)}): read the suggestions, edit or give it as written "
            "(lint_seen)",
            field="lint_seen",
        )
    row = Feedback(
        giver_id=giver.id,
        receiver_id=receiver.id,
        kind=kind,
        practice=practice,
        lint_shown=bool(findings),
        lint_rules=sorted({f.rule for f in findings}),
        created_at=(at or utcnow()).astimezone(dt.UTC),
        **parts,
    )
    session.add(row)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="feedback.give",
        subject_person_id=receiver.id,
        related_person_id=giver.id,
        target=f"feedback:{row.id}",
        detail={"kind": kind, "lint_rules": row.lint_rules},
    )
    return _out(row, "giver")


def _relation(row: Feedback, me: int) -> str | None:
    if row.giver_id == me:
        return "giver"
    if row.receiver_id == me:
        return "receiver"
    if row.receiver.manager_id == me:
        return "manager"
    return None


def _out(row: Feedback, relation: str) -> FeedbackOut:
    return FeedbackOut(
        id=row.id, kind=row.kind,
        giver=person_ref(row.giver), receiver=person_ref(row.receiver), situation=row.situation,
        behaviour=row.behaviour, impact=row.impact, intent=row.intent, practice=row.practice,
        created_at=row.created_at, lint_shown=row.lint_shown, lint_rules=list(row.lint_rules),
        findings=lint(situation=row.situation, behaviour=row.behaviour, impact=row.impact,
                      intent=row.intent),
        relation=relation,
    )  # fmt: skip


def get_feedback(*, session: Session, viewer: Viewer, feedback_id: int, actor: str) -> FeedbackOut:
    """One piece of feedback the viewer may read; any other is not found."""
    me = _me(session, viewer)
    row = session.get(Feedback, feedback_id)
    relation = None if row is None else _relation(row, me.id)
    if row is None or relation is None:
        raise NotFoundError(f"no feedback {feedback_id} you may read")
    if relation == "manager":
        audit.record(
            session=session, actor=actor, action="feedback.read",
            subject_person_id=row.receiver_id, target=f"feedback:{row.id}",
        )  # fmt: skip
    return _out(row, relation)


def list_feedback(
    *,
    session: Session,
    viewer: Viewer,
    about: int | None = None,
    actor: str,
    limit: int = MAX_LIST,
) -> FeedbackList:
    """Feedback the viewer gave, received, or their direct reports received (``about``: only
    what concerns that person), newest first."""
    me = _me(session, viewer)
    if not 1 <= limit <= MAX_LIST:
        raise InputError(f"give a limit from 1 to {MAX_LIST}", field="limit")
    reports = select(Person.id).where(Person.manager_id == me.id)
    query = (
        select(Feedback)
        .where(
            or_(
                Feedback.giver_id == me.id,
                Feedback.receiver_id == me.id,
                Feedback.receiver_id.in_(reports),
            )
        )
        .options(selectinload(Feedback.giver), selectinload(Feedback.receiver))
        .order_by(Feedback.created_at.desc(), Feedback.id.desc())
        .limit(limit)
    )
    if about is not None:
        query = query.where(or_(Feedback.giver_id == about, Feedback.receiver_id == about))
    items = []
    for row in session.scalars(query):
        relation = _relation(row, me.id)
        if relation is None:  # pragma: no cover - the query admits readable rows only
            continue
        items.append(_out(row, relation))
    read = sorted({i.receiver.id for i in items if i.relation == "manager"})
    if read:
        audit.record(
            session=session, actor=actor, action="feedback.read",
            detail={"receivers": read[:50], "count": len(read)},
        )  # fmt: skip
    return FeedbackList(items=items, count=len(items))


def _window(as_of: dt.date) -> tuple[dt.date, dt.datetime, dt.datetime]:
    """The :data:`COUNT_DAYS` days up to ``as_of`` (included): first day, start, stop."""
    since = as_of - dt.timedelta(days=COUNT_DAYS - 1)
    start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
    stop = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return since, start, stop


def cadence_row(
    session: Session, manager: Person, report: Person, as_of: dt.date, alert_days: int = ALERT_DAYS
) -> CadenceRow:
    """Days since ``manager`` last gave ``report`` feedback (alert past ``alert_days`` or
    never): the one rule of :func:`cadence` and of the check-ins."""
    _since, _start, stop = _window(as_of)  # nothing given after as_of counts on as_of
    last = session.scalar(
        select(func.max(Feedback.created_at)).where(
            Feedback.giver_id == manager.id,
            Feedback.receiver_id == report.id,
            Feedback.created_at < stop,
        )
    )
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=dt.UTC)
    days = None if last is None else (as_of - last.astimezone(dt.UTC).date()).days
    return CadenceRow(
        report=person_ref(report),
        manager=person_ref(manager),
        last_given_at=last,
        days_since=days,
        alert=days is None or days > alert_days,
    )


def cadence(
    *, session: Session, viewer: Viewer, as_of: dt.date, alert_days: int = ALERT_DAYS
) -> Cadence:
    """Days since the viewer last gave feedback to each direct report, and since their own
    manager last gave them some (alert past ``alert_days`` or never)."""
    as_of = day(as_of)
    me = _me(session, viewer)
    reports = session.scalars(
        select(Person)
        .where(Person.manager_id == me.id, Person.stand_in.is_(False))
        .order_by(Person.display_name, Person.id)
    )
    rows = [cadence_row(session, me, r, as_of, alert_days) for r in reports]
    mine = None if me.manager is None else cadence_row(session, me.manager, me, as_of, alert_days)
    return Cadence(as_of=as_of, alert_days=alert_days, reports=rows, mine=mine)


def person_counts(*, session: Session, person_id: int, as_of: dt.date) -> tuple[int, int]:
    """How many pieces of feedback the person gave and received in the :data:`COUNT_DAYS`
    days up to ``as_of`` (for their own check-in and their manager's: they read all of it)."""
    _since, start, stop = _window(day(as_of))
    within = (Feedback.created_at >= start, Feedback.created_at < stop)
    given = session.scalar(
        select(func.count(Feedback.id)).where(Feedback.giver_id == person_id, *within)
    )
    received = session.scalar(
        select(func.count(Feedback.id)).where(Feedback.receiver_id == person_id, *within)
    )
    return int(given or 0), int(received or 0)


def counts(*, session: Session, as_of: dt.date, min_people: int = MIN_PEOPLE) -> FeedbackCounts:
    """How much feedback was given in the :data:`COUNT_DAYS` days up to ``as_of``: totals
    only, withheld when fewer than ``min_people`` people gave or received it."""
    since, start, stop = _window(day(as_of))
    rows = session.execute(
        select(Feedback.kind, Feedback.giver_id, Feedback.receiver_id).where(
            Feedback.created_at >= start, Feedback.created_at < stop
        )
    ).all()
    people = len({r.giver_id for r in rows} | {r.receiver_id for r in rows})
    if people < min_people:
        return FeedbackCounts(
            since=since, people=None, total=None, praise=None, redirect=None,
            withheld=(
                f"withheld: the feedback of these {COUNT_DAYS} days involves fewer than "
                f"{min_people} people; counts are shown from {min_people} people on"
            ),
        )  # fmt: skip
    return FeedbackCounts(
        since=since,
        people=people,
        total=len(rows),
        praise=sum(r.kind == "praise" for r in rows),
        redirect=sum(r.kind == "redirect" for r in rows),
        withheld=None,
    )


def export_rows(*, session: Session, person_id: int) -> list[dict[str, object]]:
    """The person's own feedback, given and received (for the person's data export)."""
    query = (
        select(Feedback)
        .where(or_(Feedback.giver_id == person_id, Feedback.receiver_id == person_id))
        .order_by(Feedback.created_at, Feedback.id)
    )
    return [
        _out(row, "giver" if row.giver_id == person_id else "receiver").model_dump(
            mode="json", exclude={"findings"}
        )
        for row in session.scalars(query)
    ]


def forget_rows(*, session: Session, person_id: int) -> int:
    """Delete the feedback the person gave or received; how many."""
    rows = list(
        session.scalars(
            select(Feedback).where(
                or_(Feedback.giver_id == person_id, Feedback.receiver_id == person_id)
            )
        )
    )
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)
