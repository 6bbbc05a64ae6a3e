"""The rules of concerns and questions: limits, the anonymity threshold, the receipt, the
clock of an answer and the aging buckets of open items (documented in docs/manage.md)."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from collections.abc import Sequence

from tandem.errors import InputError

#: Anonymous items are offered only in a team of at least this many people (DESIGN §7, n ≥ 5).
ANONYMITY_MIN_MEMBERS = 5
#: Time to first answer is shown to a director only over at least this many answered items.
MIN_ANSWERED = 5
MAX_TEXT = 2000
MAX_ANSWER = 4000
#: The aging buckets of open items, by whole days since the day they were raised.
AGING = ((0, 2, "0–2 days"), (3, 7, "3–7 days"), (8, 14, "8–14 days"), (15, 30, "15–30 days"))
AGING_LAST = "over 30 days"


def check_text(text: str, *, field: str = "text", limit: int = MAX_TEXT) -> str:
    """The trimmed text, non-empty and at most ``limit`` characters."""
    cleaned = text.strip()
    if not cleaned:
        raise InputError(f"write the {field}", field=field)
    if len(cleaned) > limit:
        raise InputError(f"keep the {field} under {limit} characters", field=field)
    return cleaned


def check_kind(kind: str) -> str:
    """``concern`` or ``question``."""
    cleaned = kind.strip().lower()
    if cleaned not in ("concern", "question"):
        raise InputError("the kind is 'concern' or 'question'", field="kind")
    return cleaned


def new_receipt() -> tuple[str, str]:
    """A receipt to show its author once, and the SHA-256 kept in its place."""
    token = secrets.token_urlsafe(24)
    return token, receipt_hash(token)


def receipt_hash(token: str) -> str:
    """The stored form of a receipt."""
    return hashlib.sha256(token.strip().encode()).hexdigest()


def day_start(day: dt.date) -> dt.datetime:
    """Midnight UTC of ``day``: an item's clock starts there (its time of day is not kept)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def days_to_answer(raised_on: dt.date, first_answer_at: dt.datetime) -> float:
    """Days from the start of the day an item was raised to its first answer (≥ 0)."""
    seconds = (first_answer_at - day_start(raised_on)).total_seconds()
    return max(0.0, seconds / 86400)


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in 0–1) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    """The median (mean of the two middle values for an even count)."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def aging_bucket(age_days: int) -> str:
    """The bucket of an open item ``age_days`` old."""
    for low, high, label in AGING:
        if low <= age_days <= high:
            return label
    return AGING_LAST


def bucket_labels() -> list[str]:
    """Every bucket, youngest first."""
    return [label for _, _, label in AGING] + [AGING_LAST]
