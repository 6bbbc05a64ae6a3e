"""The day a toolkit answer is for: one rule for every surface's ``as_of`` (or ``today``).

A day comes from a query parameter, a command-line option or a test; whatever the surface
parsed, the service checks it here, so a far day (``0001-01-01``, ``9999-12-31``) is a clear
error naming the field instead of an overflow when a window is counted back or on from it.
"""

from __future__ import annotations

import datetime as dt

from tandem.db.base import utcnow
from tandem.flow.engine import parse_day

__all__ = ["day"]


def day(value: dt.date | None, field: str = "as_of") -> dt.date:
    """``value`` checked to lie between :data:`tandem.flow.engine.FIRST_DAY` and
    :data:`~tandem.flow.engine.LAST_DAY` (:class:`~tandem.errors.InputError` naming ``field``
    otherwise); none: today (UTC)."""
    checked = parse_day(value, field)
    return utcnow().date() if checked is None else checked
