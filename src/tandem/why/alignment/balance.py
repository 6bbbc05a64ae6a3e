"""The investment balance: the team's effort per goal against each goal's target share.

Effort models (``docs/metrics.md``, "Investment balance"):

- ``active_days`` (default): each item of the window contributes its days in ``active`` flow
  states inside the window (:data:`tandem.why.alignment.lake.EFFORT_MODEL`). Effort is where the
  team's hands were, not how many tickets moved: one item worked for ten days weighs ten times
  one touched for a day, and waiting time (blocked, queued) is nobody's investment.
- ``items``: each item of the window counts 1. For sources whose statuses have no active state
  (an issue tracker with only open/closed), where active days are all zero.

An item aligned to ``k`` goals gives each ``1/k`` of its effort; an item aligned to none is
*unaligned*, its own row. Shares are effort over the total, so they sum to 1; the percentages
shown are rounded to tenths by the largest-remainder method, so they sum to exactly 100.0.

A goal is *flagged* when it has a target and its actual share is below half of it
(``actual < FLAG_RATIO × target``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

EffortModel = Literal["active_days", "items"]
EFFORT_MODELS: tuple[EffortModel, ...] = ("active_days", "items")
FLAG_RATIO = 0.5
TENTHS = 1000  # 100.0 % in tenths of a percent


@dataclass(frozen=True)
class GoalTarget:
    """A goal as the balance needs it."""

    id: int
    title: str
    target_share: float | None


@dataclass(frozen=True)
class Effort:
    """One item's effort and goals."""

    object_id: str
    effort: float
    goal_ids: tuple[int, ...]


@dataclass(frozen=True)
class BalanceRow:
    """One goal's (or the unaligned work's, ``goal_id=None``) effort and share."""

    goal_id: int | None
    title: str
    items: int  # items contributing (an item aligned to k goals counts in each)
    effort: float
    share: float | None  # effort / total (null when the total is 0)
    percent: float | None  # share in %, rounded to tenths; the rows sum to exactly 100.0
    target_share: float | None
    flagged: bool


def largest_remainder(values: Sequence[float], total: int = TENTHS) -> list[int]:
    """Non-negative ``values`` (summing to > 0) as integers summing to exactly ``total``.

    Each gets the floor of its exact quota; the units left go to the largest remainders
    (ties: the earlier row).

    Examples
    --------
    >>> largest_remainder([1, 1, 1], 1000)
    [334, 333, 333]
    """
    whole = math.fsum(values)
    quotas = [value / whole * total for value in values]
    floors = [math.floor(q) for q in quotas]
    left = total - sum(floors)
    order = sorted(range(len(values)), key=lambda i: (-(quotas[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return floors


def balance_rows(
    items: Sequence[Effort], goals: Sequence[GoalTarget], *, flag_ratio: float = FLAG_RATIO
) -> list[BalanceRow]:
    """One row per goal (in the order given) and a last ``unaligned`` row."""
    known = {goal.id for goal in goals}
    effort: dict[int | None, float] = {goal.id: 0.0 for goal in goals} | {None: 0.0}
    parts: dict[int | None, list[float]] = {key: [] for key in effort}
    counts: dict[int | None, int] = dict.fromkeys(effort, 0)
    for item in items:
        served: list[int | None] = [g for g in item.goal_ids if g in known] or [None]
        for goal_id in served:
            parts[goal_id].append(item.effort / len(served))
            counts[goal_id] += 1
    for key, values in parts.items():
        effort[key] = math.fsum(values)
    keys: list[int | None] = [goal.id for goal in goals] + [None]
    total = math.fsum(effort.values())
    tenths = largest_remainder([effort[k] for k in keys]) if total > 0 else None
    targets = {goal.id: goal.target_share for goal in goals}
    titles = {goal.id: goal.title for goal in goals}
    rows = []
    for index, key in enumerate(keys):
        share = effort[key] / total if total > 0 else None
        target = targets.get(key) if key is not None else None
        flagged = share is not None and target is not None and share < flag_ratio * target
        rows.append(
            BalanceRow(
                goal_id=key,
                title=titles[key] if key is not None else "unaligned",
                items=counts[key],
                effort=effort[key],
                share=share,
                percent=tenths[index] / 10 if tenths is not None else None,
                target_share=target,
                flagged=flagged,
            )
        )
    return rows
