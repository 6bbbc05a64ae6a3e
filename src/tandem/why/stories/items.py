"""The items a story tells of: the team's work aligned to the goal and done in the period.

They come from the alignment's :func:`tandem.why.alignment.service.aligned_items` (rules and
people's decisions, one answer for the balance and the stories); :func:`story_items` keeps the
goal's items done inside the period and turns each item's identity keys into the team's people
behind it (identities of people outside the team are not contributors).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Protocol

from tandem.why.stories.core import ItemFacts


class AlignedLike(Protocol):
    """What a story reads of an aligned item (``tandem.why.alignment.service.AlignedItem``)."""

    @property
    def object_id(self) -> str: ...
    @property
    def external_key(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def item_type(self) -> str | None: ...
    @property
    def source(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def created_at(self) -> dt.datetime: ...
    @property
    def done_at(self) -> dt.datetime | None: ...
    @property
    def goal_ids(self) -> tuple[int, ...]: ...
    @property
    def resources(self) -> tuple[str, ...]: ...
    @property
    def effort_days(self) -> float | None: ...


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """``[start, end + 1 day)`` in UTC: the period's days, both included."""
    first = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC)
    return first, dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


def story_items(
    aligned: Iterable[AlignedLike],
    *,
    goal_id: int,
    start: dt.date,
    end: dt.date,
    team_people: Mapping[str, str],
) -> tuple[ItemFacts, ...]:
    """The items aligned to ``goal_id`` and done in ``[start, end]``, by done time then key."""
    first, after = period_bounds(start, end)
    found = []
    for item in aligned:
        done = item.done_at
        if goal_id not in item.goal_ids or item.status != "done" or done is None:
            continue
        if not first <= done < after:
            continue
        people = frozenset(int(team_people[k]) for k in item.resources if k in team_people)
        found.append(
            ItemFacts(
                object_id=item.object_id,
                external_key=item.external_key or item.object_id,
                title=item.title,
                item_type=item.item_type,
                source=item.source,
                created_at=item.created_at,
                done_at=done,
                goal_ids=tuple(item.goal_ids),
                effort_days=item.effort_days,
                people=people,
            )
        )
    return tuple(sorted(found, key=lambda i: (i.done_at, i.external_key)))
