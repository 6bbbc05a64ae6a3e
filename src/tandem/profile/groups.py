"""Rater groups of one practice after anonymity suppression, and the others' score they give.

Groups per practice (n = raters with a valid score for that practice):

* ``manager``: a single manager is shown alone, labelled "not anonymous"; two or three managers
  are suppressed and **not** pooled; four or more are shown as a group. A report is shared with
  one person, normally a manager who rated it: subtracting their own answers from a group they
  belong to must still leave at least :data:`MIN_GROUP_N` other raters behind the mean, and a
  pooled manager would do the same to the pool (a group of 2 by subtraction).
* ``peer``/``report``: shown with n ≥ 3, else suppressed and merged into ``others``, itself
  shown only with n ≥ 3. The pool holds only the raters of suppressed peer/report groups, so the
  rater sets of the shown figures are disjoint: no shown figure is another shown figure minus a
  few raters.
* **A reader other than the ratee** (whom a report is shared with, who may have rated it) gets
  the ratee's groups, formed and pooled exactly as for the ratee, less every group holding the
  reader's own rating with fewer than :data:`MIN_VIEWER_GROUP_N` raters (a single manager
  reading keeps their own lone group). Nothing is pooled again for the reader, so what they see
  is always a part of what the ratee sees (as :mod:`tandem.profile.comments` does for comments).

Others' score = the mean over the **raters** behind the shown groups (a group mean weighted by
its n: one manager counts as one rater, not as much as ten reports); its n is the number of those
raters, the sum of the shown groups' n. Raters of a suppressed group feed nothing. A suppressed
group is :data:`SUPPRESSED` and carries no numbers. Pure, no database; numbers are unrounded (the
service rounds).
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
# A shown group the viewer may belong to (managers: the recipient of a shared report) needs
# MIN_GROUP_N raters left after the viewer subtracts their own answers.
MIN_MANAGER_GROUP_N = MIN_GROUP_N + 1
# Any group holding the reader's own rating is shown to that reader only with this many raters.
MIN_VIEWER_GROUP_N = MIN_GROUP_N + 1
SINGLE_MANAGER_LABEL = "manager (shown alone, not anonymous)"


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


@dataclass(frozen=True)
class PracticeFigures:
    """What one practice shows: the groups, the others' score and the raters behind it.

    ``raters`` are the ids of the raters whose scores feed a shown group (so the others' score);
    its size is the others' n, the sum of the shown groups' n.
    """

    groups: dict[str, GroupScore | Suppressed]
    others: float | None
    raters: frozenset[int]


def exact_mean(values: Sequence[float]) -> float:
    """Arithmetic mean with exact summation (``math.fsum``)."""
    return math.fsum(values) / len(values)


def practice_groups(
    raters: Sequence[RaterScores], practice: str, *, viewer: int | None = None
) -> tuple[dict[str, GroupScore | Suppressed], float | None]:
    """Groups of one practice after suppression, and the others' score they give.

    ``viewer`` is the person who will see the figures when that is not the ratee (whom a report
    is shared with): the groups are the ratee's, and a group holding the viewer's own rating is
    shown to them only with :data:`MIN_VIEWER_GROUP_N` raters (:func:`practice_figures`).

    Examples
    --------
    >>> from tandem.profile.answers import RaterScores
    >>> raters = [RaterScores(1, "manager", {"vision": 4.0})] + [
    ...     RaterScores(r, "peer", {"vision": 3.0}) for r in (2, 3)]
    >>> groups, others = practice_groups(raters, "vision")
    >>> groups["peer"], groups["others"], others
    (SUPPRESSED, SUPPRESSED, 4.0)
    >>> two_managers = [RaterScores(r, "manager", {"vision": 4.0}) for r in (1, 2)]
    >>> practice_groups(two_managers, "vision")
    ({'manager': SUPPRESSED}, None)
    """
    figures = practice_figures(raters, practice, viewer=viewer)
    return figures.groups, figures.others


def practice_figures(
    raters: Sequence[RaterScores], practice: str, *, viewer: int | None = None
) -> PracticeFigures:
    """:func:`practice_groups` with the ids of the raters behind the others' score.

    The others' score is the mean over those raters (shown groups weighted by their n). The
    groups and the pool are formed by the ratee's rule whoever reads, so a viewer's figures are
    always a part of the ratee's: the viewer only loses each group holding their own rating that
    would not hide :data:`MIN_GROUP_N` others from them (a single manager who reads keeps their
    own group: it holds nobody else). Nothing is pooled again for the viewer — a group pooled
    only for them would show them a mean the ratee never sees, and the two views side by side
    would give the difference.

    Examples
    --------
    >>> from tandem.profile.answers import RaterScores
    >>> raters = [RaterScores(1, "manager", {"vision": 5.0})] + [
    ...     RaterScores(r, "report", {"vision": 2.0}) for r in (2, 3, 4)]
    >>> figures = practice_figures(raters, "vision")
    >>> figures.others, sorted(figures.raters)  # (5 + 3 · 2) / 4, not (5 + 2) / 2
    (2.75, [1, 2, 3, 4])
    >>> seen = practice_figures(raters, "vision", viewer=2)  # report 2 would read 2 others
    >>> seen.groups["report"], seen.others, sorted(seen.raters)
    (SUPPRESSED, 5.0, [1])
    """
    scores: dict[str, list[tuple[int, float]]] = {relation: [] for relation in OTHER_RELATIONS}
    for rater in raters:
        value = rater.practices.get(practice)
        if rater.relation in scores and value is not None:
            scores[rater.relation].append((rater.rater, value))
    groups: dict[str, GroupScore | Suppressed] = {}
    shown: dict[str, list[tuple[int, float]]] = {}  # the ratee's shown groups and their raters
    merged: list[tuple[int, float]] = []
    manager = scores["manager"]
    if len(manager) == 1:
        groups["manager"] = GroupScore(mean=manager[0][1], n=1, label=SINGLE_MANAGER_LABEL)
        shown["manager"] = manager
    elif len(manager) >= MIN_MANAGER_GROUP_N:
        groups["manager"] = GroupScore(
            mean=exact_mean([v for _, v in manager]), n=len(manager), label="managers"
        )
        shown["manager"] = manager
    elif manager:
        groups["manager"] = SUPPRESSED  # 2–3 managers: neither shown nor pooled
    for relation in ("peer", "report"):
        rated = scores[relation]
        if len(rated) >= MIN_GROUP_N:
            groups[relation] = GroupScore(mean=exact_mean([v for _, v in rated]), n=len(rated))
            shown[relation] = rated
        elif rated:
            groups[relation] = SUPPRESSED
            merged.extend(rated)
    if len(merged) >= MIN_GROUP_N:
        groups["others"] = GroupScore(
            mean=exact_mean([v for _, v in merged]), n=len(merged), label="peers and reports"
        )
        shown["others"] = merged
    elif merged:
        groups["others"] = SUPPRESSED
    behind: list[tuple[int, float]] = []
    for group, found in shown.items():
        if _hides_others(found, viewer):
            behind += found
        else:
            groups[group] = SUPPRESSED  # the viewer would subtract themselves from it
    others = exact_mean([v for _, v in behind]) if behind else None
    return PracticeFigures(groups, others, frozenset(r for r, _ in behind))


def _hides_others(found: Sequence[tuple[int, float]], viewer: int | None) -> bool:
    """Whether a shown group may be shown to ``viewer``: it does not hold their rating, holds
    theirs alone, or has :data:`MIN_VIEWER_GROUP_N` raters (3 others behind it)."""
    ids = [r for r, _ in found]
    return viewer not in ids or len(ids) == 1 or len(ids) >= MIN_VIEWER_GROUP_N


def others_scores(answers: Sequence[Answer], bank: ItemBank) -> dict[str, float | None]:
    """Others' score per practice for one ratee (no cohort needed; self answers ignored)."""
    raters = [r for r in rater_scores(answers, bank) if r.relation != "self"]
    return {p: practice_groups(raters, p)[1] for p in bank.by_practice()}
