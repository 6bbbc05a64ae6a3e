"""The 1:1 series as .ics: RFC 5545 shape (CRLF, folding, escaping), parsed back, stable UID."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar

from tandem.manage.one_on_ones import calendar

START = dt.datetime(2026, 3, 16, 9, 30, tzinfo=dt.UTC)
STAMP = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)
HARD = 'Åsa O\'Neil, Jr.; the \\ "long" name of someone with a very long display name indeed'


def ics(**extra: object) -> bytes:
    args: dict[str, object] = {
        "pair_id": 7, "manager": HARD, "report": "Bo", "start": START, "minutes": 45,
        "cadence_days": 14, "stamp": STAMP,
    }  # fmt: skip
    args.update(extra)
    return calendar.series(**args)  # type: ignore[arg-type]


def test_lines_end_in_crlf_and_fold_at_75_octets() -> None:
    raw = ics()
    assert raw.endswith(b"\r\n")
    lines = raw.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines)  # the long summary was folded


def test_escaping_and_parsing_back() -> None:
    raw = ics()
    unfolded = raw.replace(b"\r\n ", b"").decode()
    assert "Jr.\\; the \\\\" in unfolded and "O'Neil\\," in unfolded
    assert "every 14 days.\\nThe agenda" in unfolded
    event = Calendar.from_ical(raw).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == f"1:1 {HARD} & Bo"
    assert event.decoded("DTSTART") == START
    assert event.decoded("DTEND") == START + dt.timedelta(minutes=45)
    assert event.decoded("DTSTAMP") == STAMP
    assert "DTSTAMP:20260302T120000Z" in unfolded  # UTC, with the Z
    assert event["RRULE"].to_ical() == b"FREQ=WEEKLY;INTERVAL=2"
    assert str(event["UID"]) == "one-on-one-7@tandem.invalid"


def test_the_uid_is_the_pairs_whatever_the_time() -> None:
    later = ics(stamp=STAMP + dt.timedelta(days=30), start=START + dt.timedelta(days=28))
    uid = [line for line in ics().split(b"\r\n") if line.startswith(b"UID")]
    assert uid == [line for line in later.split(b"\r\n") if line.startswith(b"UID")]


def test_rrule_is_weekly_for_whole_weeks_else_daily() -> None:
    assert calendar.rrule(7) == {"FREQ": "WEEKLY", "INTERVAL": 1}
    assert calendar.rrule(10) == {"FREQ": "DAILY", "INTERVAL": 10}
    event = Calendar.from_ical(ics(cadence_days=10)).walk("VEVENT")[0]
    assert event["RRULE"].to_ical() == b"FREQ=DAILY;INTERVAL=10"


def test_next_start_moves_the_last_meeting_on_by_whole_cadences() -> None:
    now = START + dt.timedelta(days=20)
    assert calendar.next_start(planned=None, last=START, cadence_days=14, now=now) == (
        START + dt.timedelta(days=28)
    )
    assert calendar.next_start(planned=None, last=START, cadence_days=14, now=START) == START
    planned = START + dt.timedelta(days=3)
    assert calendar.next_start(planned=planned, last=START, cadence_days=14, now=now) == planned
