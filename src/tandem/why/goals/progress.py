"""The pure core of goal progress: how far a key result has come, and whether it is on track.

A key result moves from its ``baseline`` towards its ``target``; ``direction`` says whether
lower (``down``) or higher (``up``) is better.

- :func:`reached`: the value is at or beyond the target on the better side.
- :func:`progress`: the share of the way from baseline to target, clamped to 0–1; 1 when the
  target is reached; 0 when the baseline already lay beyond the target and the value has fallen
  back; null when the value or the baseline is unknown (never a made-up 0).
- :func:`elapsed_share`: the share of the goal's period gone by on ``as_of`` (0–1).
- :func:`track`: the on-track rule (docs/why.md, "Vision and goals"). The pace says where a
  key result should be if it moved evenly through the period: progress ≥ elapsed − 0.10 is
  ``on_track``, ≥ elapsed − 0.25 ``at_risk``, below that ``off_track``. A latest check-in with a
  confidence of :data:`LOW_CONFIDENCE` or less lowers that by one step (the people closest to
  the work see a risk the data does not show yet); a confidence never raises it. Without a
  known progress the confidence alone decides (≥ 7 on track, 4–6 at risk, ≤ 3 off track), and
  without either the status is ``unknown``. A reached key result is ``reached``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

Direction = Literal["down", "up"]
Track = Literal["reached", "on_track", "at_risk", "off_track", "unknown"]

ON_TRACK_SLACK = 0.10
AT_RISK_SLACK = 0.25
LOW_CONFIDENCE = 3
HIGH_CONFIDENCE = 7
#: From best to worst: a goal's status is its worst key result's.
TRACK_ORDER: tuple[Track, ...] = ("reached", "on_track", "at_risk", "off_track", "unknown")


def reached(*, value: float | None, target: float, direction: Direction) -> bool:
    """Whether ``value`` is at or beyond ``target`` on the better side."""
    if value is None:
        return False
    return value <= target if direction == "down" else value >= target


def progress(
    *, baseline: float | None, target: float, value: float | None, direction: Direction
) -> float | None:
    """The share (0–1) of the way from ``baseline`` to ``target``; null when unknown."""
    if value is None:
        return None
    if reached(value=value, target=target, direction=direction):
        return 1.0
    if baseline is None:
        return None
    span = target - baseline
    if span == 0 or (span > 0) != (direction == "up"):
        return 0.0  # the baseline lay at or beyond the target, and the value is not
    return min(1.0, max(0.0, (value - baseline) / span))


def elapsed_share(*, starts_on: dt.date, ends_on: dt.date, as_of: dt.date) -> float:
    """The share (0–1) of the period ``[starts_on, ends_on]`` gone by at the end of ``as_of``."""
    days = (ends_on - starts_on).days + 1
    gone = (as_of - starts_on).days + 1
    return min(1.0, max(0.0, gone / days))


def _worse(status: Track) -> Track:
    order: tuple[Track, ...] = ("on_track", "at_risk", "off_track")
    return order[min(order.index(status) + 1, len(order) - 1)] if status in order else status


def track(
    *, progress: float | None, elapsed: float, reached: bool, confidence: int | None
) -> Track:
    """The key result's status by the rule of the module docstring."""
    if reached:
        return "reached"
    if progress is None:
        if confidence is None:
            return "unknown"
        if confidence >= HIGH_CONFIDENCE:
            return "on_track"
        return "at_risk" if confidence > LOW_CONFIDENCE else "off_track"
    if progress >= elapsed - ON_TRACK_SLACK:
        status: Track = "on_track"
    elif progress >= elapsed - AT_RISK_SLACK:
        status = "at_risk"
    else:
        status = "off_track"
    if confidence is not None and confidence <= LOW_CONFIDENCE:
        status = _worse(status)
    return status


def worst(statuses: Iterable[Track]) -> Track:
    """A goal's status: its worst key result's (``unknown`` only when all are unknown)."""
    known = [s for s in statuses if s != "unknown"]
    if not known:
        return "unknown"
    return max(known, key=TRACK_ORDER.index)


def history_days(*, starts_on: dt.date, as_of: dt.date, max_points: int = 60) -> list[dt.date]:
    """The days of a key result's history: weekly from ``starts_on`` to ``as_of`` (both in),
    every few weeks when the period would give more than ``max_points`` points."""
    if as_of < starts_on:
        return [as_of]
    weeks = (as_of - starts_on).days // 7
    step = 7 * max(1, -(-(weeks + 1) // (max_points - 2)))
    span = (as_of - starts_on).days
    days = [starts_on + dt.timedelta(days=offset) for offset in range(0, span + 1, step)]
    if days[-1] != as_of:
        days.append(as_of)
    return days
