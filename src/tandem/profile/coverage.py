"""Team coverage: which practices some member covers well, by OTHERS' ratings, and the gaps.

Pure functions, no database (DESIGN §6 "team coverage", §7 privacy):

- A member **covers a practice well** when their TRUE score is at least :data:`COVER_THRESHOLD`
  = 4.0, i.e. raters would see the behaviour "often" or "almost always" on the 1–5 frequency
  scale (the scale point, not a cohort percentile, so teams and cycles compare). Self ratings
  never enter: members carry others' scores only (``ProfileScores.others_by_practice()``) and
  their standard errors.
- The true score is not known, the others' score is: each member's **chance** of covering is
  P(true ≥ 4) under the empirical-Bayes posterior (:mod:`tandem.profile.prior`): a 4.2 from one
  rater is a coin toss, a 4.2 from eleven nearly sure. The max of noisy scores is biased upward
  (a team truly covering one practice in ten shows most of them covered); chances are not.
- The **team's chance** is P(some scored member's true score ≥ 4) = 1 − Π(1 − chance) over
  the members with a score there, taken as independent: evidence only. The **call**:
  ``covered`` at a chance ≥ :data:`COVERED_CHANCE` (0.8); a ``gap`` when even the members
  without a score, counted at the prior's chance (what the cycle's people make likely; not at
  all when the practice has no prior), leave it ≤ :data:`GAP_CHANCE` (0.2); else ``uncertain``
  — the data cannot tell, said instead of a confident label. So unscored members can keep a gap
  open (not knowing is not "no") but never make a practice covered (not knowing is not "yes"
  either: a team of many unrated members would otherwise be covered on no evidence). A member
  "covers it" in ``by`` and ``covering`` when their own chance is ≥ :data:`LIKELY` (0.5).
  Without errors (a cohort too small to estimate them) every chance is 1 or 0: the score taken
  as given.
- A **gap** is a practice called ``gap``. A practice nobody has an others' score for is also
  listed in ``unscored``: the team cannot tell, which is itself worth knowing.
- The views over the database (:mod:`tandem.profile.team`): the **team view** names who covers
  what (among members who shared with the viewer); the **org view** (directors) shows per-team
  aggregates only, never names, and hides a team with fewer than :data:`MIN_SHOWN` = 5 scored
  members entirely (no numbers, not even n).
- :func:`suppressed_cells` is the **complementary suppression** rule both views apply on top:
  an aggregate over a set of people is withheld when fewer than :data:`MIN_SHOWN` of them are
  unknown to the viewer, or when it differs from another shown aggregate of the same practice by
  fewer than :data:`MIN_SHOWN` unknown people (subtracting one from the other would reveal them).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from tandem.profile.prior import Posterior, Prior, chance_at_least, posterior

__all__ = [
    "CHANCE_STEP",
    "COVERED_CHANCE",
    "COVER_THRESHOLD",
    "GAP_CHANCE",
    "LIKELY",
    "MIN_SHOWN",
    "Call",
    "CallKind",
    "Member",
    "practice_call",
    "suppressed_cells",
]

K = TypeVar("K", bound=Hashable)
COVER_THRESHOLD = 4.0  # "often" on the frequency scale
COVERED_CHANCE = 0.8  # the team's chance of covering at or above which it is called covered
GAP_CHANCE = 0.2  # … at or below which it is called a gap; between: uncertain
LIKELY = 0.5  # a member's own chance at or above which they are said to cover it
CHANCE_STEP = 0.05  # the team's chance is kept to the nearest 5 %: shown so, and called so
MIN_SHOWN = 5  # people-derived aggregates need n ≥ 5 (DESIGN §7)


CallKind = Literal["covered", "gap", "uncertain"]


@dataclass(frozen=True)
class Member:
    """A team member, their OTHERS' practice scores (1–5, None unknown; never self) and each
    score's standard error (``errors``; missing or None: unknown, the score taken as given)."""

    person: int
    name: str
    practices: Mapping[str, float | None]
    errors: Mapping[str, float | None] = field(default_factory=dict)

    @property
    def scored(self) -> bool:
        """Whether the member has an others' score on any practice."""
        return any(v is not None for v in self.practices.values())

    def chance(
        self, practice: str, prior: Prior | None, threshold: float = COVER_THRESHOLD
    ) -> float | None:
        """P(true score ≥ threshold) given the others' score and its error; None unscored."""
        value = self.practices.get(practice)
        if value is None:
            return None
        return chance_at_least(posterior(practice, value, self.errors.get(practice), prior),
                               threshold)  # fmt: skip


@dataclass(frozen=True)
class Call:
    """One practice of a set of members: the chance a scored member truly covers it, the call.

    ``chance`` is None when nobody is scored there (no evidence; the call is then a gap or, when
    the unscored members at the prior's chance could cover it, uncertain). ``likely`` are the
    scored members whose own chance is ≥ :data:`LIKELY`, surest first.
    """

    chance: float | None
    call: CallKind
    likely: tuple[Member, ...]
    scored: int


def practice_call(
    members: Sequence[Member],
    practice: str,
    prior: Prior | None,
    *,
    threshold: float = COVER_THRESHOLD,
) -> Call:
    """The chance that some scored member's true score on ``practice`` is ≥ ``threshold``,
    and the call (covered on that evidence alone; the unscored may keep a gap uncertain).

    Examples
    --------
    >>> prior = Prior({"vision": 3.3}, {"vision": 0.36}, 40)
    >>> one_rater = Member(1, "Ada", {"vision": 4.2}, {"vision": 0.5})
    >>> many = Member(2, "Bo", {"vision": 4.4}, {"vision": 0.12})
    >>> alone = practice_call([one_rater], "vision", prior)  # 4.2 from one rater: pulled to 3.83
    >>> alone.chance, alone.call  # 0.33, kept to the nearest 5 %
    (0.35, 'uncertain')
    >>> call = practice_call([one_rater, many], "vision", prior)
    >>> call.call, [m.name for m in call.likely]
    ('covered', ['Bo'])
    >>> practice_call([Member(3, "Cy", {"vision": 4.0})], "vision", None).call  # no error known
    'covered'
    >>> unrated = [Member(i, "?", {}) for i in range(20)]  # 20 people nobody rated
    >>> crowd = practice_call(unrated, "vision", prior)
    >>> crowd.chance, crowd.call  # at the prior's chance of 0.12 each they might; no evidence
    (None, 'uncertain')
    """
    chances = ((m.chance(practice, prior, threshold), m) for m in members)
    scored = [(own, m) for own, m in chances if own is not None]
    base = None  # the chance of someone the cycle's prior alone describes
    if prior is not None and practice in prior.mean:
        spread = Posterior(prior.mean[practice], math.sqrt(prior.variance[practice]))
        base = chance_at_least(spread, threshold)
    miss = math.prod(1.0 - own for own, _ in scored)
    # the call is made on the chances as shown, so a page never says "80 %" beside "uncertain"
    chance = _step(1.0 - miss) if scored else None
    # members without a score may cover it too (at the prior's chance): they keep a gap open,
    # but only the scored members' evidence can call it covered
    unknown = len(members) - len(scored)
    could = _step(1.0 - miss * (1.0 - base) ** unknown) if base is not None else chance
    kind: CallKind = (
        "covered"
        if chance is not None and chance >= COVERED_CHANCE
        else "gap"
        if could is None or could <= GAP_CHANCE
        else "uncertain"
    )
    likely = sorted(
        (om for om in scored if om[0] >= LIKELY),
        key=lambda om: (-om[0], -_value(om[1], practice), om[1].person),
    )
    return Call(chance, kind, tuple(m for _, m in likely), len(scored))


def _step(chance: float) -> float:
    """A chance kept to the nearest :data:`CHANCE_STEP` (no float noise: 0.8, not 0.8000001)."""
    return round(round(chance / CHANCE_STEP) * CHANCE_STEP, 2)


def _value(member: Member, practice: str) -> float:
    value = member.practices.get(practice)
    return 0.0 if value is None else value


def suppressed_cells(
    cells: Mapping[K, frozenset[int]],
    *,
    known: frozenset[int] = frozenset(),
    min_shown: int = MIN_SHOWN,
) -> set[K]:
    """Which aggregates to withhold: the people behind each, and those the viewer already knows.

    Primary rule: a cell is withheld when it has fewer than ``min_shown`` people (unless the
    viewer knows every one of them already), or when between 1 and ``min_shown`` − 1 of its
    people are unknown to the viewer (the viewer could subtract the known ones).
    Complementary rule: of two shown cells whose people differ by between 1 and
    ``min_shown`` − 1 unknown people (symmetric difference), the smaller is withheld too,
    repeatedly until no such pair is left; a team that gained or lost one person can then not
    be subtracted from the other to reveal them. Identical cells reveal nothing.

    Examples
    --------
    >>> big, plus_one = frozenset(range(6)), frozenset(range(7))
    >>> sorted(suppressed_cells({"a": big, "b": plus_one, "c": frozenset(range(10, 20))}))
    ['a']
    >>> sorted(suppressed_cells({"a": big}, known=frozenset({0, 1, 2})))
    ['a']
    """
    out = {
        key
        for key, people in cells.items()
        if (len(people) < min_shown and not people <= known) or 0 < len(people - known) < min_shown
    }
    changed = True
    while changed:
        changed = False
        shown = sorted((k for k in cells if k not in out), key=lambda k: (len(cells[k]), str(k)))
        for i, first in enumerate(shown):
            for second in shown[i + 1 :]:
                if 0 < len((cells[first] ^ cells[second]) - known) < min_shown:
                    out.add(first)  # the smaller one (ties: the first by name)
                    changed = True
                    break
            if changed:
                break
    return out
