"""Privacy of team delivery answers (DESIGN §7): each figure counts the people behind its own items.

A team answer is given only when at least ``min_people`` distinct people (``Filters.team_people``:
identity key → person) authored the items it rests on; the services raise
:class:`~tandem.flow.service.TooFewPeopleError` when the answer's whole list falls short. A
figure inside the answer often rests on a narrower list (the deploy stage on the pull requests
that reached production, a week's rework on that week's changes): :class:`Floor` counts the people
behind *that* list, and a figure below the minimum is **withheld alone** — its measures (the
percentiles, the rate, the share) become null and a ``withheld`` reason says why — while the rest
of the answer is shown. The figure keeps its ``n`` (how many items it has): the answer's own
counts and exclusion reasons give it by subtraction anyway; the measures are what would describe
how one person works.

Rows that add up to a total (weeks of rework, services of deployment frequency) are also
suppressed complementarily (:func:`complementary`): while the withheld rows together rest on fewer
than ``min_people`` people, the shown row with the fewest people is withheld too, so the total
minus the shown rows never gives a withheld row.

Differencing (two answers that differ by one person's items subtract to that person's values) is
reduced, not ruled out: team answers carry no mean (n × mean is a sum, and sums subtract exactly),
and a team window shorter than :data:`MIN_WINDOW_DAYS` days is refused (:func:`require_window`).
``docs/metrics.md`` (Privacy) states the risk that remains.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from tandem.errors import InputError
from tandem.flow.service import MIN_PEOPLE

MIN_WINDOW_DAYS = 7  # a team answer's window: at least a week

K = TypeVar("K")


@dataclass(frozen=True)
class Floor:
    """The people check of one team answer: who counts as whom, and the minimum."""

    whose: str  # "team Alpha" or "this selection", for the reasons
    team_people: Mapping[str, str]
    members: frozenset[str] | None = None  # only these identities count (None: every author)
    min_people: int = MIN_PEOPLE

    @classmethod
    def of(
        cls,
        *,
        teams: Collection[str],
        team_people: Mapping[str, str],
        members: Iterable[str] | None = None,
        min_people: int = MIN_PEOPLE,
    ) -> Floor:
        return cls(
            whose=f"team {', '.join(sorted(teams))}" if teams else "this selection",
            team_people=team_people,
            members=None if members is None else frozenset(members),
            min_people=min_people,
        )

    def persons(self, authors: Iterable[str | None]) -> frozenset[str]:
        """The distinct people behind identity keys (members only, when the floor names them)."""
        return frozenset(
            self.team_people.get(a, a)
            for a in authors
            if a is not None and (self.members is None or a in self.members)
        )

    def people(self, authors: Iterable[str | None]) -> int:
        return len(self.persons(authors))

    def text(self, what: str) -> str:
        """Why ``what`` is withheld when it rests on 1 to ``min_people`` − 1 people (no count: the
        reason must not tell how many)."""
        return (
            f"withheld: {what} of {self.whose} comes from fewer than {self.min_people} people; "
            f"team figures are shown from {self.min_people} people on, so that they never "
            "describe one person"
        )

    def complement_text(self, what: str) -> str:
        """Why ``what`` (itself behind enough people) is withheld with a smaller row."""
        return (
            f"withheld: {what} of {self.whose} would give a withheld row back by subtraction "
            "from the total"
        )

    def reason(self, what: str, authors: Iterable[str | None]) -> tuple[int | None, str | None]:
        """The people behind ``authors`` and, between 1 and ``min_people`` − 1 of them, null
        people and why ``what`` is withheld (a figure over no items has nothing to reveal: it is
        shown empty). A withheld figure tells no count, not even of its people."""
        found = self.people(authors)
        if found == 0 or found >= self.min_people:
            return found, None
        return None, self.text(what)


def complementary(
    cells: Mapping[K, frozenset[str]], floor: Floor, rank: Callable[[K], object] = str
) -> set[K]:
    """The rows to withhold of rows that add up to a shown total: each row with between 1 and
    ``min_people`` − 1 people, then — while the withheld rows together rest on fewer than
    ``min_people`` people — the shown row with the fewest people (ties: lowest ``rank``)."""
    out = {k for k, people in cells.items() if 0 < len(people) < floor.min_people}

    def union() -> frozenset[str]:
        return frozenset().union(*(cells[k] for k in out))

    while out and len(union()) < floor.min_people:
        shown = [k for k in cells if k not in out and cells[k]]
        if not shown:
            break
        out.add(min(shown, key=lambda k: (len(cells[k]), rank(k))))
    return out


def checked_measure(
    data: dict[str, Any], floor: Floor | None, what: str, authors: Iterable[str | None]
) -> dict[str, Any]:
    """A ``Distribution.to_dict()`` as a team answer gives it (:meth:`Floor.reason`): with the
    people behind ``authors``, no mean, and no percentiles below the minimum; without a team,
    as is with null ``people`` and ``withheld``."""
    if floor is None:
        return data | {"people": None, "withheld": None}
    found, reason = floor.reason(what, authors)
    data = data | {"mean_seconds": None, "people": found, "withheld": reason}
    if reason is not None:
        data |= {"p50_seconds": None, "p85_seconds": None, "p95_seconds": None}
    return data


def bounds(
    start: dt.datetime | None, end: dt.datetime | None, instants: Iterable[dt.datetime]
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The window an open ``[start, end)`` really spans: from the first of ``instants`` when
    there is no start, to midnight after the last when there is no end."""
    if start is not None and end is not None:
        return start, end
    chosen = sorted(instants)
    if not chosen:
        return start, end
    after_last = dt.datetime.combine(
        chosen[-1].date() + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC
    )
    return start or chosen[0], end or after_last


def require_window(
    start: dt.datetime | None,
    end: dt.datetime | None,
    *,
    floor: Floor | None,
    min_days: int = MIN_WINDOW_DAYS,
) -> None:
    """Refuse a team answer over a window shorter than ``min_days`` (nothing to check without a
    team, or without a bound: an open window runs over the whole history)."""
    if floor is None or start is None or end is None:
        return
    span = end - start
    if span >= dt.timedelta(days=min_days):
        return
    days = span.total_seconds() / 86400
    last = end - dt.timedelta(microseconds=1)
    raise InputError(
        f"the window {start.date().isoformat()} to {last.date().isoformat()} is {days:g} "
        f"{'day' if days == 1 else 'days'}; team delivery answers need a window of at least "
        f"{min_days} days, so that two answers a few days apart cannot be subtracted to give "
        "one person's work (widen the window)",
        field="window",
    )
