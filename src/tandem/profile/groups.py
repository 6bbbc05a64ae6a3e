"""Rater groups of one practice after anonymity suppression, and the others' score they give.

Groups per practice (n = raters with a valid score for that practice): ``manager`` shown with any
n ≥ 1, labelled; ``peer``/``report`` shown with n ≥ 3, else suppressed and merged into
``others``, itself shown only with n ≥ 3. Others' score = unweighted mean of the shown groups.
A suppressed group is :data:`SUPPRESSED` and carries no numbers. Pure, no database.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from tandem.profile.answers import OTHER_RELATIONS, Answer, RaterScores, rater_scores
from tandem.review.items import ItemBank

GROUPS = ("manager", "peer", "report", "others")
MIN_GROUP_N = 3


class Suppressed:
    """The marker of a group hidden for anonymity: it carries no mean and no n."""

    _instance: Suppressed | None = None

    def __new__(cls) -> Suppressed:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "SUPPRESSED"

    def __reduce__(self) -> str:
        return "SUPPRESSED"


SUPPRESSED: Final = Suppressed()


@dataclass(frozen=True)
class GroupScore:
    """A shown rater group: mean practice score, number of raters and an optional label."""

    mean: float
    n: int
    label: str | None = None


def exact_mean(values: Sequence[float]) -> float:
    """Arithmetic mean with exact summation (``math.fsum``)."""
    return math.fsum(values) / len(values)


def practice_groups(
    raters: Sequence[RaterScores], practice: str
) -> tuple[dict[str, GroupScore | Suppressed], float | None]:
    """Groups of one practice after suppression, and the others' score they give.

    Examples
    --------
    >>> from tandem.profile.answers import RaterScores
    >>> raters = [RaterScores(1, "manager", {"vision": 4.0})] + [
    ...     RaterScores(r, "peer", {"vision": 3.0}) for r in (2, 3)]
    >>> groups, others = practice_groups(raters, "vision")
    >>> groups["peer"], groups["others"], others
    (SUPPRESSED, SUPPRESSED, 4.0)
    """
    scores: dict[str, list[float]] = {relation: [] for relation in OTHER_RELATIONS}
    for rater in raters:
        value = rater.practices.get(practice)
        if rater.relation in scores and value is not None:
            scores[rater.relation].append(value)
    groups: dict[str, GroupScore | Suppressed] = {}
    merged: list[float] = []
    manager = scores["manager"]
    if manager:
        label = "manager" if len(manager) >= MIN_GROUP_N else "manager (shown alone, not anonymous)"
        groups["manager"] = GroupScore(mean=exact_mean(manager), n=len(manager), label=label)
    for relation in ("peer", "report"):
        values = scores[relation]
        if len(values) >= MIN_GROUP_N:
            groups[relation] = GroupScore(mean=exact_mean(values), n=len(values))
        elif values:
            groups[relation] = SUPPRESSED
            merged.extend(values)
    if len(merged) >= MIN_GROUP_N:
        groups["others"] = GroupScore(
            mean=exact_mean(merged), n=len(merged), label="peers and reports"
        )
    elif merged:
        groups["others"] = SUPPRESSED
    shown = [g.mean for g in groups.values() if isinstance(g, GroupScore)]
    return groups, (exact_mean(shown) if shown else None)


def others_scores(answers: Sequence[Answer], bank: ItemBank) -> dict[str, float | None]:
    """Others' score per practice for one ratee (no cohort needed; self answers ignored)."""
    raters = [r for r in rater_scores(answers, bank) if r.relation != "self"]
    return {p: practice_groups(raters, p)[1] for p in bank.by_practice()}
