"""Check-ins on a key result: a confidence, a note, and a manual key result's value."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from tandem.errors import InputError
from tandem.flow.engine import parse_day
from tandem.why.goals import fields, records
from tandem.why.goals.models import CheckIn
from tandem.why.goals.schemas import CheckInOut
from tandem.why.scope import find_team


def check_in(
    *,
    session: Session,
    team: int | str,
    key_result_id: int,
    confidence: int | str,
    note: str = "",
    value: float | str | None = None,
    author_id: int | None = None,
    checked_at: dt.datetime | None = None,
) -> CheckInOut:
    """Record a check-in: confidence 0–10, a note, and the value of a manual key result (a
    metric key result's value comes from the lake, so a value for it is refused)."""
    found = find_team(session, team)
    kr = records.key_result(session, found, key_result_id)
    sure = fields.confidence(confidence)
    text = fields.text(note, "note", fields.MAX_NOTE)
    number = fields.number(value, "value")
    if number is not None and kr.kind == "metric":
        raise InputError(
            "a metric key result's value comes from the lake; give only confidence and note",
            field="value",
        )
    when = checked_at or dt.datetime.now(dt.UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    parse_day(when.date(), "checked_at")
    checkin = CheckIn(
        key_result_id=kr.id,
        checked_at=when,
        value=number,
        confidence=sure,
        note=text,
        author_id=author_id,
    )
    session.add(checkin)
    session.flush()
    return records.checkin_out(checkin, session)
