"""Timestamps of incident exports: ISO 8601 with a zone, ``… UTC``, epoch seconds or milliseconds.

A value without a zone is refused unless the user names the zone the export was written in
(``timezone``): guessing UTC would shift every incident of a non-UTC export by hours, and time to
restore is measured in minutes.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tandem.errors import InputError

EPOCH_SECONDS = re.compile(r"^\d{9,10}(\.\d+)?$")
EPOCH_MILLISECONDS = re.compile(r"^\d{12,13}$")
UTC_WORD = re.compile(r"\s*(UTC|GMT|Z)$", re.IGNORECASE)
SLASHED_DATE = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})")
EXPECTED = "expected ISO 8601 such as 2024-05-01T13:45:00+02:00, '2024-05-01 11:45:00 UTC' or epoch"


class BadTimestamp(ValueError):
    """A value that is not a usable timestamp; the message says why."""


def zone(name: str | None) -> ZoneInfo | None:
    """The named time zone (``None`` when not given)."""
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            f"unknown time zone {name!r} (use an IANA name such as Europe/Berlin or UTC)",
            field="timezone",
        ) from None


def parse_timestamp(raw: str, *, timezone: ZoneInfo | None) -> dt.datetime:
    """``raw`` as an aware UTC datetime; a naive value is read in ``timezone`` (else refused)."""
    text = raw.strip()
    if EPOCH_MILLISECONDS.match(text):
        return dt.datetime.fromtimestamp(int(text) / 1000, tz=dt.UTC)
    if EPOCH_SECONDS.match(text):
        return dt.datetime.fromtimestamp(float(text), tz=dt.UTC)
    named_utc = UTC_WORD.search(text)
    if named_utc:
        text = text[: named_utc.start()] + "+00:00"
    text = SLASHED_DATE.sub(lambda m: f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}", text)
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise BadTimestamp(f"unparseable timestamp {raw!r} ({EXPECTED})") from None
    if value.tzinfo is None:
        if timezone is None:
            raise BadTimestamp(
                f"timestamp {raw!r} has no time zone; name the zone the export was written in "
                "(timezone, e.g. Europe/Berlin)"
            )
        value = value.replace(tzinfo=timezone)
    return value.astimezone(dt.UTC)
