"""The interest-based relational checklist, in Tandem's own words: the steps a facilitator
ticks as the case goes (after the interest-based relational approach, Fisher & Ury 1981)."""

from __future__ import annotations

from tandem.errors import InputError

#: (key, step) in the order they usually happen.
STEPS: tuple[tuple[str, str], ...] = (
    ("relationship_first", "Keep the relationship first: treat each other with courtesy"),
    ("people_not_problem", "Separate the people from the problem"),
    ("listen_first", "Listen first: each party tells their side before anyone answers"),
    ("interests", "Ask why: name each side's interests, not only their positions"),
    ("facts_first", "Facts first: agree what happened before deciding what it means"),
    ("options_together", "Explore options together before choosing one"),
    ("criteria", "Agree the criteria a fair option must meet"),
    ("agreement_written", "Write the agreement down, with who does what by when"),
    ("follow_up", "Set a day to check the agreement held"),
)
KEYS = tuple(key for key, _ in STEPS)


def check_ticks(ticks: list[str]) -> list[str]:
    """The ticked steps, known and once each, in the checklist's order."""
    unknown = [t for t in ticks if t not in KEYS]
    if unknown:
        raise InputError(
            f"unknown checklist step {unknown[0]!r}; the steps are {', '.join(KEYS)}",
            field="checklist",
        )
    return [key for key in KEYS if key in set(ticks)]
