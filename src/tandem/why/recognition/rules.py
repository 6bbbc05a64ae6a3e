"""The pure rules of recognition (``docs/why.md``, "Recognition"): no database, no lake.

- :func:`reached`: a key result's value is at or beyond its target on the better side (the
  goals' own rule, :func:`tandem.why.goals.progress.reached`, so a goal and an achievement never
  disagree on it).
- :func:`removed_bottlenecks`: a stage (activity) or edge among the previous period's
  :data:`TOP_BOTTLENECKS` by total wait whose total wait in this period is at most
  :data:`REMOVED_SHARE` of what it was (fell by at least half; absent = no wait left).
- :func:`days_back`: the ``days`` days ending on a day (both ends included), as UTC instants.
- :func:`tellable`: a kudos may leave the wall (digest, brief, story) only when every one of its
  recipients agreed to be named (:mod:`~.naming`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from tandem.why.goals.progress import reached as reached

#: A member with no kudos in this many days (the day asked included) gets a nudge.
NUDGE_DAYS = 14
#: The previous period's bottlenecks a removal is looked for among.
TOP_BOTTLENECKS = 5
#: A bottleneck is removed when its total wait is at most this share of the previous period's.
REMOVED_SHARE = 0.5
#: The default period of team achievements (days, ending on the lake's last event day).
ACHIEVEMENT_DAYS = 30
#: The default period of the wins digest (days).
DIGEST_DAYS = 7

Direction = Literal["down", "up"]
StageKind = Literal["edge", "activity"]


@dataclass(frozen=True)
class Wait:
    """The total wait of one stage or edge over one period."""

    kind: StageKind
    name: str
    total_wait_seconds: float


@dataclass(frozen=True)
class Removed:
    """A bottleneck of the previous period whose total wait fell by at least half."""

    kind: StageKind
    name: str
    rank: int  # its rank among the previous period's top bottlenecks (1 = most wait)
    before_seconds: float
    after_seconds: float

    @property
    def fall(self) -> float:
        """The share of the wait that went away (0–1)."""
        return 1.0 - self.after_seconds / self.before_seconds


def top_waits(waits: Iterable[Wait], limit: int = TOP_BOTTLENECKS) -> list[Wait]:
    """The ``limit`` stages and edges with most total wait (ties by kind, then name)."""
    ranked = sorted(
        (w for w in waits if w.total_wait_seconds > 0),
        key=lambda w: (-w.total_wait_seconds, w.kind, w.name),
    )
    return ranked[:limit]


def removed_bottlenecks(
    previous: Iterable[Wait],
    current: Mapping[tuple[StageKind, str], float],
    *,
    limit: int = TOP_BOTTLENECKS,
    share: float = REMOVED_SHARE,
) -> list[Removed]:
    """The previous period's top bottlenecks whose total wait now is ≤ ``share`` of before."""
    found: list[Removed] = []
    for rank, wait in enumerate(top_waits(previous, limit), start=1):
        after = current.get((wait.kind, wait.name), 0.0)
        if after <= share * wait.total_wait_seconds:
            found.append(Removed(wait.kind, wait.name, rank, wait.total_wait_seconds, after))
    return found


def days_back(last: dt.date, days: int) -> tuple[dt.date, dt.datetime, dt.datetime]:
    """The first day of the ``days`` ending on ``last`` and the period's ``[start, end)`` in UTC."""
    first = last - dt.timedelta(days=days - 1)
    start = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return first, start, end


def tellable(recipients: Sequence[int], named: Mapping[int, str]) -> bool:
    """Whether a kudos to ``recipients`` may be told: it has some, and all agreed to be named."""
    return bool(recipients) and all(p in named for p in recipients)
