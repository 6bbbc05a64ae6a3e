"""The goals' input checks: text, numbers, direction, status and confidence, each an
:class:`~tandem.errors.InputError` naming the field (days: :func:`tandem.flow.engine.parse_day`)."""

from __future__ import annotations

import math
from typing import Literal

from tandem.errors import InputError
from tandem.why.goals.models import GOAL_STATUSES

MAX_TITLE = 200
MAX_TEXT = 4000
MAX_STATEMENT = 2000
MAX_NOTE = 2000
MAX_UNIT = 40
GoalStatus = Literal["active", "achieved", "dropped"]


def text(value: str | None, field: str, limit: int, *, required: bool = False) -> str:
    """``value`` stripped, at most ``limit`` characters (and not empty when ``required``)."""
    stripped = (value or "").strip()
    if required and not stripped:
        raise InputError("must not be empty", field=field)
    if len(stripped) > limit:
        raise InputError(f"is {len(stripped)} characters long; at most {limit}", field=field)
    return stripped


def number(value: float | str | None, field: str) -> float | None:
    """A finite number, or None when not given."""
    if value is None or value == "":
        return None
    try:
        parsed = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{value!r} is not a number", field=field) from None
    if not math.isfinite(parsed):
        raise InputError("must be a finite number", field=field)
    return parsed


def direction(value: str | None) -> Literal["down", "up"] | None:
    """``down`` (lower is better) or ``up``, or None when not given."""
    if value is None or value == "":
        return None
    if value == "down":
        return "down"
    if value == "up":
        return "up"
    raise InputError(f"{value!r} is not one of down (lower is better), up", field="direction")


def status(value: str) -> GoalStatus:
    """One of the goal statuses."""
    if value == "active":
        return "active"
    if value == "achieved":
        return "achieved"
    if value == "dropped":
        return "dropped"
    raise InputError(f"{value!r} is not one of {', '.join(GOAL_STATUSES)}", field="status")


def confidence(value: int | str) -> int:
    """A whole number from 0 to 10."""
    try:
        parsed = int(str(value).strip())
    except ValueError:
        raise InputError(
            f"{value!r} is not a whole number from 0 to 10", field="confidence"
        ) from None
    if not 0 <= parsed <= 10:
        raise InputError(f"{parsed} is not between 0 and 10", field="confidence")
    return parsed
