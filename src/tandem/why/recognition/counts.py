"""Kudos counts: how many kudos a team gave per week and per goal or practice, nobody named.

This is what a reader outside the team (a director) gets instead of the wall (DESIGN §7:
aggregates only). A count is of kudos, never of people: no giver, no recipient, no text, no
kudos id, so no count can be resolved to a person on another surface (``docs/why.md``,
"Kudos").
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.errors import InputError
from tandem.why.goals.models import Goal
from tandem.why.recognition.models import Kudos
from tandem.why.recognition.service import PRACTICE_NAMES, today_utc
from tandem.why.scope import TeamRef, team_ref

#: The default span of the counts (weeks, Monday to Sunday, ending with the week of today).
COUNT_WEEKS = 12
MAX_WEEKS = 104


class WeekCount(BaseModel):
    """The kudos given in one week (``week``: its Monday)."""

    model_config = ConfigDict(frozen=True)

    week: dt.date
    count: int


class LinkCount(BaseModel):
    """The kudos linked to one goal or one practice over the span."""

    model_config = ConfigDict(frozen=True)

    kind: str  # goal | practice
    key: str  # the goal's id or the practice's key
    name: str
    count: int


class KudosCounts(BaseModel):
    """A team's kudos as counts only: per week and per goal or practice."""

    model_config = ConfigDict(frozen=True)

    team: TeamRef
    first: dt.date  # the first week's Monday
    last: dt.date  # the span's last day (today)
    weeks: int
    total: int
    per_week: list[WeekCount]
    per_link: list[LinkCount]


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def kudos_counts(
    *, session: Session, team: int | str, weeks: int = COUNT_WEEKS, today: dt.date | None = None
) -> KudosCounts:
    """The team's kudos of the ``weeks`` weeks ending with the week of ``today``, as counts."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise InputError(f"give 1 to {MAX_WEEKS} weeks", field="weeks")
    ref = team_ref(session, team)
    last = today or today_utc()
    first = _monday(last) - dt.timedelta(weeks=weeks - 1)
    start = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    rows = session.execute(
        select(Kudos.given_at, Kudos.goal_id, Goal.title, Kudos.practice)
        .outerjoin(Goal, Goal.id == Kudos.goal_id)
        .where(Kudos.team_id == ref.id, Kudos.given_at >= start, Kudos.given_at < end)
    ).all()
    per_week: Counter[dt.date] = Counter()
    per_link: Counter[tuple[str, str, str]] = Counter()
    for given_at, goal_id, title, practice in rows:
        per_week[_monday(_day(given_at))] += 1
        if goal_id is not None:
            per_link[("goal", str(goal_id), str(title))] += 1
        elif practice:
            per_link[("practice", practice, PRACTICE_NAMES.get(practice, practice))] += 1
        else:  # the goal was deleted since
            per_link[("none", "", "no goal or practice any more")] += 1
    return KudosCounts(
        team=ref,
        first=first,
        last=last,
        weeks=weeks,
        total=len(rows),
        per_week=[
            WeekCount(
                week=first + dt.timedelta(weeks=i), count=per_week[first + dt.timedelta(weeks=i)]
            )
            for i in range(weeks)
        ],
        per_link=[
            LinkCount(kind=kind, key=key, name=name, count=count)
            for (kind, key, name), count in sorted(
                per_link.items(), key=lambda entry: (-entry[1], entry[0])
            )
        ],
    )


def _day(instant: dt.datetime) -> dt.date:
    """The UTC day of an instant (SQLite hands back naive UTC datetimes)."""
    aware = instant if instant.tzinfo is not None else instant.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).date()
