"""The radar's pure core: quarters, the current set and a ring per dependency from events.

A dependency is one name in one ecosystem (``python:typer``); it is **present** while at least
one scanned manifest declares it. Replaying the events in time order gives, per dependency,
when its current presence began (``since``) and when it was last dropped.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

from tandem.why.change.schemas import DependencyEvent, QuarterCount, Ring, RingEntry

NEW_DAYS = 90
ESTABLISHED_DAYS = 365
RING_RULE = (
    f"new: present, adopted within the last {NEW_DAYS} days; established: present and kept "
    f"for at least {ESTABLISHED_DAYS} days; adopted: present, in between; dropped: declared "
    "before, in no manifest now. Days count back from the last commit day scanned."
)


def quarter_of(day: dt.date) -> str:
    """``2025-Q3``."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def ring_for(since: dt.date, as_of: dt.date, present: bool) -> Ring:
    """The ring of a dependency present since ``since`` (or dropped) on ``as_of``."""
    if not present:
        return "dropped"
    age = (as_of - since).days
    if age < NEW_DAYS:
        return "new"
    if age >= ESTABLISHED_DAYS:
        return "established"
    return "adopted"


def radar_tables(
    events: Iterable[DependencyEvent], as_of: dt.date, since: dt.date | None
) -> tuple[list[QuarterCount], list[RingEntry], dict[str, list[str]]]:
    """Quarter counts (from ``since``), rings and the current set per ecosystem, from
    ``events`` given in time order (per manifest, in first-parent order)."""
    holders: dict[tuple[str, str], set[tuple[str, str]]] = {}
    began: dict[tuple[str, str], dt.date] = {}
    dropped: dict[tuple[str, str], dt.date] = {}
    counts: dict[str, Counter[str]] = {}
    for event in events:
        dep = (event.ecosystem, event.dependency)
        where = holders.setdefault(dep, set())
        was = bool(where)
        if event.change == "added":
            where.add((event.repo, event.manifest))
        else:
            where.discard((event.repo, event.manifest))
        counted = since is None or event.day >= since
        tally = counts.setdefault(quarter_of(event.day), Counter()) if counted else Counter()
        tally[event.change] += 1
        if where and not was:
            began[dep] = event.day
            dropped.pop(dep, None)
            tally["adopted"] += 1
        elif was and not where:
            dropped[dep] = event.day
            tally["dropped"] += 1
    quarters = [
        QuarterCount(
            quarter=q,
            added=c["added"],
            removed=c["removed"],
            adopted=c["adopted"],
            dropped=c["dropped"],
        )
        for q, c in sorted(counts.items())
    ]
    rings = []
    current: dict[str, list[str]] = {}
    for dep in sorted(holders):
        where = holders[dep]
        if dep not in began:
            continue  # only ever removed: its adoption lies before the scanned history
        rings.append(
            RingEntry(
                ecosystem=dep[0],
                dependency=dep[1],
                ring=ring_for(began[dep], as_of, bool(where)),
                since=began[dep],
                dropped_on=None if where else dropped.get(dep),
                manifests=len(where),
                repos=sorted({repo for repo, _ in where}),
            )
        )
        if where:
            current.setdefault(dep[0], []).append(dep[1])
    return quarters, rings, current
