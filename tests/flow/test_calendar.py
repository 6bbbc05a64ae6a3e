"""The working-time clock equals a plain day-by-day walk, across time zones and holidays."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.flow.calendar import WorkCalendar


def walk(calendar: WorkCalendar, start: dt.datetime, end: dt.datetime) -> float:
    """The obvious definition: overlap of [start, end) with each local working day's hours."""
    if end <= start:
        return 0.0
    zone = ZoneInfo(calendar.timezone)
    day, last, total = start.astimezone(zone).date(), end.astimezone(zone).date(), 0
    while day <= last:
        if day.isoweekday() in calendar.weekdays and day not in calendar.holidays:
            open_at = dt.datetime.combine(day, calendar.day_start, tzinfo=zone)
            close_at = dt.datetime.combine(day, calendar.day_end, tzinfo=zone)
            overlap = min(end, close_at) - max(start, open_at)
            total += max(overlap // dt.timedelta(microseconds=1), 0)
        day += dt.timedelta(days=1)
    return total / 1_000_000  # summed in whole microseconds, so exact


CALENDARS = [
    WorkCalendar(),
    WorkCalendar(
        timezone="Europe/Amsterdam",
        holidays=frozenset({dt.date(2024, 3, 29), dt.date(2024, 4, 1), dt.date(1999, 12, 31)}),
    ),
    WorkCalendar(
        timezone="America/New_York",
        weekdays=frozenset({2, 3, 4, 6}),
        day_start=dt.time(7, 30),
        day_end=dt.time(15, 45),
    ),
]
instants = st.datetimes(
    min_value=dt.datetime(1998, 6, 1), max_value=dt.datetime(2026, 6, 1), timezones=st.just(dt.UTC)
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CALENDARS), instants, st.integers(0, 60 * 86_400))
def test_the_clock_equals_the_day_walk(
    calendar: WorkCalendar, start: dt.datetime, length: int
) -> None:
    end = start + dt.timedelta(seconds=length)
    assert calendar.seconds_between(start, end) == walk(calendar, start, end)


def test_hand_computed_week_with_an_easter_holiday() -> None:
    calendar = CALENDARS[1]  # Amsterdam, Good Friday 2024-03-29 off
    thursday_noon = dt.datetime(2024, 3, 28, 11, tzinfo=dt.UTC)  # 12:00 local (CET)
    tuesday_ten = dt.datetime(2024, 4, 2, 8, tzinfo=dt.UTC)  # 10:00 local (CEST after the change)
    # Thursday 12–17 (5 h), Friday holiday, weekend, Monday holiday, Tuesday 9–10 (1 h)
    assert calendar.seconds_between(thursday_noon, tuesday_ten) == 6 * 3600
    assert calendar.seconds_between(tuesday_ten, thursday_noon) == 0.0
