"""The pair's 1:1 series as an iCalendar file (RFC 5545), written with the ``icalendar`` library.

One VEVENT: the next planned meeting (or, when none is planned, the last meeting moved on by the
cadence until it is not in the past) repeating with the cadence (``RRULE``: weekly with an
interval when the cadence is whole weeks, else daily). The ``UID`` is the pair's, so a calendar
that imports the file again updates the same series; ``DTSTAMP`` is the export's time in UTC.
The library writes CRLF line ends, folds lines at 75 octets and escapes ``,``, ``;``, ``\\``
and newlines.

Only the partners' names and the cadence go in: never an agenda item, an action or a note —
calendar servers and invitations travel far beyond the pair (DESIGN §7).
"""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Event

PRODID = "-//Tandem//1:1s//EN"
UID_DOMAIN = "tandem.invalid"


def rrule(cadence_days: int) -> dict[str, object]:
    """The recurrence of a cadence: ``FREQ=WEEKLY;INTERVAL=2`` for 14 days."""
    if cadence_days % 7 == 0:
        return {"FREQ": "WEEKLY", "INTERVAL": cadence_days // 7}
    return {"FREQ": "DAILY", "INTERVAL": cadence_days}


def next_start(
    *, planned: dt.datetime | None, last: dt.datetime, cadence_days: int, now: dt.datetime
) -> dt.datetime:
    """The planned meeting, else the last one moved on by whole cadences to ``now`` or later."""
    if planned is not None:
        return planned
    start = last
    step = dt.timedelta(days=cadence_days)
    if start < now:
        start += step * -(-(now - start) // step)  # ceil: the first occurrence not in the past
    return start


def series(
    *,
    pair_id: int,
    manager: str,
    report: str,
    start: dt.datetime,
    minutes: int,
    cadence_days: int,
    stamp: dt.datetime,
) -> bytes:
    """The iCalendar file of the pair's series (UTF-8, CRLF)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    event = Event()
    event.add("uid", f"one-on-one-{pair_id}@{UID_DOMAIN}")
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("dtstart", start.astimezone(dt.UTC))
    event.add("dtend", start.astimezone(dt.UTC) + dt.timedelta(minutes=minutes))
    event.add("summary", f"1:1 {manager} & {report}")
    event.add(
        "description",
        f"1:1 of {manager} and {report}, every {cadence_days} days.\n"
        "The agenda, actions and notes are in Tandem.",
    )
    event.add("rrule", rrule(cadence_days))
    calendar.add_component(event)
    return bytes(calendar.to_ical())
