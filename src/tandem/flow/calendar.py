"""Working time: a team calendar (weekdays, hours, time zone, holidays) as a clock.

Durations are calendar time by default; where a metric is asked for working time it measures
with :meth:`WorkCalendar.seconds_between`: a difference of one cumulative clock,
``working_microseconds(t)`` (exact integer working time from a fixed anchor up to ``t``),
computed in constant time per instant from counts of whole weeks, so a million state visits
cost a million clock reads, not a walk over every day they span. A working day counts the
wall-clock hours between its local ``day_start`` and ``day_end``; on a day when a
daylight-saving change falls inside those hours, the day still counts its nominal hours.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from tandem.settings import CalendarSettings

ANCHOR = dt.date(2000, 1, 3)  # a Monday; any date works, differences cancel it
MICROSECOND = dt.timedelta(microseconds=1)

Clock = Callable[[dt.datetime, dt.datetime], float]


@dataclass(frozen=True)
class WorkCalendar:
    """Working days and hours in one time zone, minus holidays."""

    timezone: str = "UTC"
    weekdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    day_start: dt.time = dt.time(9, 0)
    day_end: dt.time = dt.time(17, 0)
    holidays: frozenset[dt.date] = frozenset()

    @classmethod
    def from_settings(cls, settings: CalendarSettings) -> WorkCalendar:
        """The calendar ``[flow.calendar]`` describes."""
        return cls(
            timezone=settings.timezone,
            weekdays=frozenset(settings.weekdays),
            day_start=settings.day_start,
            day_end=settings.day_end,
            holidays=frozenset(settings.holidays),
        )

    @property
    def day_microseconds(self) -> int:
        """Working microseconds in one working day."""
        start = dt.datetime.combine(ANCHOR, self.day_start)
        return max((dt.datetime.combine(ANCHOR, self.day_end) - start) // MICROSECOND, 0)

    def is_working_day(self, day: dt.date) -> bool:
        """Whether ``day`` is a weekday of the calendar and not a holiday."""
        return day.isoweekday() in self.weekdays and day not in self.holidays

    def working_microseconds(self, instant: dt.datetime) -> int:
        """Working time from the anchor date up to ``instant``, in microseconds (signed, exact)."""
        zone = _zone(self.timezone)
        day = instant.astimezone(zone).date()
        total = _working_days_before(self, day) * self.day_microseconds
        if self.is_working_day(day):
            open_at = dt.datetime.combine(day, self.day_start, tzinfo=zone)
            total += min(max((instant - open_at) // MICROSECOND, 0), self.day_microseconds)
        return total

    def seconds_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Working seconds in ``[start, end)``: each local working day's hours that overlap it.

        Examples
        --------
        >>> cal = WorkCalendar()
        >>> friday_4pm = dt.datetime(2024, 3, 1, 16, tzinfo=dt.UTC)
        >>> cal.seconds_between(friday_4pm, friday_4pm + dt.timedelta(days=3)) / 3600
        8.0
        """
        if end <= start:
            return 0.0
        elapsed = self.working_microseconds(end) - self.working_microseconds(start)
        return max(elapsed, 0) / 1_000_000


def clock(calendar: WorkCalendar | None) -> Clock:
    """Calendar seconds, or working seconds by ``calendar``."""
    if calendar is None:
        return lambda start, end: (end - start).total_seconds()
    return calendar.seconds_between


@functools.cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@functools.cache
def _working_holidays(calendar: WorkCalendar) -> tuple[dt.date, ...]:
    return tuple(sorted(d for d in calendar.holidays if d.isoweekday() in calendar.weekdays))


@functools.lru_cache(maxsize=65_536)
def _working_days_before(calendar: WorkCalendar, day: dt.date) -> int:
    """Working days in ``[ANCHOR, day)``, negative when ``day`` is before the anchor."""
    weeks, rest = divmod((day - ANCHOR).days, 7)
    count = weeks * len(calendar.weekdays)
    count += sum(1 for i in range(rest) if (i % 7) + 1 in calendar.weekdays)  # ANCHOR is Monday
    holidays = _working_holidays(calendar)
    count -= bisect.bisect_left(holidays, day) - bisect.bisect_left(holidays, ANCHOR)
    return count
