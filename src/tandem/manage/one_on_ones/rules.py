"""The 1:1 rules, no database: limits, the cadence alert and agenda carry-over.

**Cadence**: a pair meets every ``cadence_days`` (default 14, from 1 to 90). A pair is
**overdue** on ``as_of`` when its last meeting held (started on or before ``as_of``) is more
than ``cadence_days`` days before ``as_of``; a pair that never met is overdue once it is older
than its cadence. A planned meeting does not stop the alert: only a meeting held does.

**Carry-over**: an agenda item is one row, raised for one meeting. It shows on that meeting,
and as *carried* (with the day it was first raised) on every later meeting until the meeting
it was resolved at, included; an open item shows on every later meeting. Nothing is copied, so
resolving it once resolves it everywhere.
"""

from __future__ import annotations

import datetime as dt

from tandem.errors import InputError

DEFAULT_CADENCE_DAYS = 14
MIN_CADENCE = 1
MAX_CADENCE = 90
MAX_TEXT = 2_000
MAX_AGENDA_TEXT = 500
MIN_MINUTES = 5
MAX_MINUTES = 480
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)


def check_text(text: str, field: str, *, limit: int = MAX_TEXT) -> str:
    """Trimmed text; empty or longer than ``limit`` is an input error naming ``field``."""
    text = text.strip()
    if not text:
        raise InputError(f"write the {field.replace('_', ' ')}", field=field)
    if len(text) > limit:
        raise InputError(f"keep it under {limit} characters", field=field)
    return text


def check_cadence(days: int) -> int:
    """A cadence in days, 1 to 90."""
    if not MIN_CADENCE <= days <= MAX_CADENCE:
        raise InputError(
            f"give a cadence from {MIN_CADENCE} to {MAX_CADENCE} days", field="cadence_days"
        )
    return days


def check_minutes(minutes: int) -> int:
    """A meeting length, 5 minutes to 8 hours."""
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise InputError(f"give {MIN_MINUTES} to {MAX_MINUTES} minutes", field="minutes")
    return minutes


def check_start(at: dt.datetime) -> dt.datetime:
    """A meeting's start with a time zone, in UTC, within the calendar Tandem accepts."""
    if at.tzinfo is None:
        raise InputError("give the time with a time zone", field="starts_at")
    if not FIRST_DAY <= at.date() <= LAST_DAY:
        raise InputError(f"give a day between {FIRST_DAY} and {LAST_DAY}", field="starts_at")
    return at.astimezone(dt.UTC)


def check_due(day: dt.date | None) -> dt.date | None:
    """An action's due day within the calendar Tandem accepts (or none)."""
    if day is not None and not FIRST_DAY <= day <= LAST_DAY:
        raise InputError(f"give a day between {FIRST_DAY} and {LAST_DAY}", field="due_date")
    return day


def days_since(last: dt.datetime | None, as_of: dt.date) -> int | None:
    """Whole days from the last meeting's day to ``as_of`` (None: never met)."""
    return None if last is None else (as_of - last.astimezone(dt.UTC).date()).days


def overdue(
    *, last: dt.datetime | None, created: dt.datetime, cadence_days: int, as_of: dt.date
) -> bool:
    """Whether the pair's 1:1 is overdue on ``as_of`` (module docstring)."""
    since = days_since(last, as_of)
    if since is None:
        return (as_of - created.astimezone(dt.UTC).date()).days > cadence_days
    return since > cadence_days


def shown_on(
    *, raised: dt.datetime, resolved_at: dt.datetime | None, open_: bool, meeting: dt.datetime
) -> bool:
    """Whether an item raised for the meeting starting ``raised`` shows on ``meeting``."""
    if meeting < raised:
        return False
    if open_:
        return True
    return resolved_at is not None and meeting <= resolved_at
