"""The delegation board's rules: the seven levels, what each means, and when an area is reviewed.

Pure functions, no database: :mod:`.service` stores what they decide.

**Levels** (Appelo's delegation poker): how much of a decision the leader keeps (1) or hands
to the team (7). Every area carries its current level and the history of every setting.

**Review rule**: an area is reviewed quarterly. Its ``review_on`` is set at creation to the
first level's day + :data:`REVIEW_DAYS`, and moved to the review's day + :data:`REVIEW_DAYS`
each time the area is reviewed: a level is set (changed or not) or confirmed unchanged. An area
is **review due** when ``review_on <= as_of``.

**Moving down needs a note**: a level set lower than the current one takes decision power back
from the team; the board asks why (``note`` required), so the history explains it. Moving up,
confirming and the first level may carry a note.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from tandem.errors import InputError
from tandem.why.delegation.models import LEVELS

REVIEW_DAYS = 91  # a quarter
MAX_NAME = 200
MAX_NOTE = 2_000
MAX_DESCRIPTION = 2_000

#: One line per level (index 0 = level 1): who decides, and how.
MEANINGS: tuple[str, ...] = (
    "Tell: the leader decides and announces the decision.",
    "Sell: the leader decides and explains why, to win the team over.",
    "Consult: the leader asks the team for input first, then decides.",
    "Agree: the leader and the team decide together, by consensus.",
    "Advise: the team decides; the leader offers advice the team may ignore.",
    "Inquire: the team decides, then tells the leader what and why.",
    "Delegate: the team decides; the leader need not even be told.",
)

Change = Literal["first", "up", "down", "confirmed"]


def level_name(level: int) -> str:
    """``"consult"`` for 3."""
    return LEVELS[level - 1]


def parse_level(value: int | str, *, field: str = "level") -> int:
    """A level from its number (1–7) or name (``tell`` … ``delegate``); an error names ``field``."""
    text = str(value).strip().lower()
    if text.isdigit() and 1 <= int(text) <= len(LEVELS):
        return int(text)
    if text in LEVELS:
        return LEVELS.index(text) + 1
    raise InputError(
        f"{value!r} is not a level: give 1–7 or one of {', '.join(LEVELS)}", field=field
    )


def change_of(previous: int | None, level: int) -> Change:
    """How a setting moved the area: its first level, up, down, or confirmed unchanged."""
    if previous is None:
        return "first"
    if level == previous:
        return "confirmed"
    return "up" if level > previous else "down"


def check_note(previous: int | None, level: int, note: str) -> str:
    """The note, trimmed; moving down without one is an input error naming ``note``."""
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise InputError(f"keep the note under {MAX_NOTE} characters", field="note")
    if change_of(previous, level) == "down" and not note:
        raise InputError(
            f"moving down from {level_name(previous or level)} to {level_name(level)} takes "
            "decision power back from the team: say why",
            field="note",
        )
    return note


def check_name(name: str) -> str:
    """An area name, trimmed; empty or too long is an input error naming ``name``."""
    name = " ".join(name.split())
    if not name:
        raise InputError("give the decision area a name", field="name")
    if len(name) > MAX_NAME:
        raise InputError(f"keep the name under {MAX_NAME} characters", field="name")
    return name


def next_review(day: dt.date) -> dt.date:
    """The review date after a review (or the first level) on ``day``."""
    return day + dt.timedelta(days=REVIEW_DAYS)


def review_due(review_on: dt.date, as_of: dt.date) -> bool:
    """Whether an area's quarterly review is due on ``as_of``."""
    return review_on <= as_of
