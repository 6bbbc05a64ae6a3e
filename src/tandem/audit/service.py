"""Record and list audit events: written in the same transaction as the read or write audited.

Callers pass the session they are working in, so an event exists exactly when what it records
was committed. An event holds ids and small facts (a role name, a cycle id), never the sensitive
content (no scores, no answers, no names or emails): ``people.forget`` then has nothing to erase
here, and the log stays append-only.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from collections.abc import Iterable, Mapping

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from tandem.accounts.models import User
from tandem.audit.models import AuditEvent
from tandem.audit.schemas import ACTION_NAMES, AuditEventOut
from tandem.db.base import utcnow
from tandem.errors import InputError
from tandem.review.models import ReviewCycle

SYSTEM_ACTOR = "system"
MAX_DETAIL_CHARS = 2000
_SCALARS = (str, int, float, bool, type(None))


def user_actor(user_id: int) -> str:
    """The actor of a web request: ``user:<id>`` (its email is looked up when listed)."""
    return f"user:{user_id}"


def cli_actor() -> str:
    """The actor of a command-line run: ``cli:<operating-system user>``."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or the password database
        name = "unknown"
    return f"cli:{name}"


def _check_detail(detail: Mapping[str, object]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in detail.items():
        items = value if isinstance(value, list | tuple) else [value]
        if not all(isinstance(v, _SCALARS) for v in items):
            raise ValueError(f"audit detail {key!r} must be a scalar or a list of scalars")
        out[str(key)] = list(value) if isinstance(value, list | tuple) else value
    if len(json.dumps(out, default=str)) > MAX_DETAIL_CHARS:
        raise ValueError("audit detail is too large: record ids and small facts only")
    return out


def record(
    *,
    session: Session,
    actor: str,
    action: str,
    subject_person_id: int | None = None,
    detail: Mapping[str, object] | None = None,
    related_person_id: int | None = None,
    target: str | None = None,
) -> None:
    """Append one event to the log in ``session``'s transaction (unknown actions are refused)."""
    if action not in ACTION_NAMES:
        raise ValueError(f"{action!r} is not an audited action; add it to AuditAction")
    if not actor.strip():
        raise ValueError("an audit event needs an actor")
    session.add(
        AuditEvent(
            at=utcnow(),
            actor=actor[:200],
            action=action,
            subject_person_id=subject_person_id,
            related_person_id=related_person_id,
            target=target[:200] if target else None,
            detail=_check_detail(detail or {}),
        )
    )
    session.flush()


def record_report_read(
    *,
    session: Session,
    actor: str,
    viewer_person_id: int | None,
    person_id: int,
    cycle: str,
) -> bool:
    """Record that someone other than the ratee read a 360 report; whether it was recorded."""
    if viewer_person_id == person_id:
        return False
    cycle_id = session.scalar(select(ReviewCycle.id).where(ReviewCycle.name == cycle))
    record(
        session=session,
        actor=actor,
        action="report.read",
        subject_person_id=person_id,
        target=f"cycle:{cycle_id}",
        detail={"cycle_id": cycle_id},
    )
    return True


def erase_actor(*, session: Session, actors: Iterable[str], replacement: str) -> int:
    """Replace actors that name a forgotten person (an email given as ``--by``); how many.

    The one change the log allows: ``people.forget`` erases the person's name everywhere.
    """
    names = {a.lower() for a in actors if a}
    if not names:
        return 0
    result = session.execute(
        update(AuditEvent).where(func.lower(AuditEvent.actor).in_(names)).values(actor=replacement)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _actor_labels(session: Session, actors: set[str]) -> dict[str, str]:
    ids = {int(a[5:]) for a in actors if a.startswith("user:") and a[5:].isdigit()}
    emails: dict[int, str] = {}
    if ids:
        for user_id, email in session.execute(select(User.id, User.email).where(User.id.in_(ids))):
            emails[user_id] = email
    labels: dict[str, str] = {}
    for actor in actors:
        if actor.startswith("user:") and actor[5:].isdigit():
            labels[actor] = emails.get(int(actor[5:]), f"{actor} (removed)")
        else:
            labels[actor] = actor
    return labels


def events(
    *,
    session: Session,
    person_id: int | None = None,
    action: str | None = None,
    since: dt.datetime | None = None,
    limit: int | None = None,
) -> list[AuditEventOut]:
    """Audit events, newest first; about a person (as subject or related), of an action, since."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if person_id is not None:
        query = query.where(
            or_(
                AuditEvent.subject_person_id == person_id,
                AuditEvent.related_person_id == person_id,
            )
        )
    if action is not None:
        if action not in ACTION_NAMES:
            raise InputError(
                f"{action!r} is not an audited action; one of {', '.join(ACTION_NAMES)}",
                field="action",
            )
        query = query.where(AuditEvent.action == action)
    if since is not None:
        if since.tzinfo is None:
            raise InputError("since needs a time zone", field="since")
        query = query.where(AuditEvent.at >= since)
    if limit is not None:
        query = query.limit(limit)
    rows = list(session.scalars(query))
    labels = _actor_labels(session, {r.actor for r in rows})
    return [
        AuditEventOut(
            id=r.id,
            at=r.at,
            actor=r.actor,
            actor_label=labels[r.actor],
            action=r.action,
            subject_person_id=r.subject_person_id,
            related_person_id=r.related_person_id,
            target=r.target,
            detail=dict(r.detail or {}),
        )
        for r in rows
    ]


def parse_since(text: str) -> dt.datetime:
    """``YYYY-MM-DD`` (midnight UTC) or an ISO timestamp as an aware UTC datetime."""
    try:
        parsed = dt.datetime.fromisoformat(text)
        return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise InputError(f"{text!r} is not a date (YYYY-MM-DD)", field="since") from None
