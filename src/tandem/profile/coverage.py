"""Team coverage: which practices some member covers well, by OTHERS' ratings, and the gaps.

Pure functions, no database (DESIGN §6 "team coverage", §7 privacy):

- A member **covers a practice well** when their others' score is at least
  :data:`COVER_THRESHOLD` = 4.0, i.e. raters see the behaviour "often" or "almost always" on the
  1–5 frequency scale (the scale point, not a cohort percentile, so teams and cycles compare).
  Self ratings never enter: members carry others' scores only
  (``ProfileScores.others_by_practice()``).
- A **gap** is a practice no member covers well. A gap nobody has an others' score for is also
  listed in ``unscored``: the team cannot tell, which is itself worth knowing.
- The **team view** names who covers what (for the team's own leader and manager).
- The **org view** (directors) shows per-team aggregates only, never names, and hides a team
  with fewer than :data:`MIN_SHOWN` = 5 scored members entirely (no numbers, not even n); a
  practice scored for fewer than 5 members of a shown team is :data:`SUPPRESSED` as well.
- :func:`suppressed_cells` is the **complementary suppression** rule both views apply on top:
  an aggregate over a set of people is withheld when fewer than :data:`MIN_SHOWN` of them are
  unknown to the viewer, or when it differs from another shown aggregate of the same practice by
  fewer than :data:`MIN_SHOWN` unknown people (subtracting one from the other would reveal them).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from tandem.profile.groups import SUPPRESSED, Suppressed
from tandem.review.items import PRACTICE_IDS, practices_of

__all__ = [
    "COVER_THRESHOLD",
    "MIN_SHOWN",
    "Member",
    "OrgCoverage",
    "PracticeAggregate",
    "PracticeCoverage",
    "TeamAggregate",
    "TeamCoverage",
    "org_coverage",
    "suppressed_cells",
    "team_coverage",
]

K = TypeVar("K", bound=Hashable)
COVER_THRESHOLD = 4.0  # "often" on the frequency scale
MIN_SHOWN = 5  # people-derived aggregates need n ≥ 5 (DESIGN §7)
_LEADER = practices_of("leader")


@dataclass(frozen=True)
class Member:
    """A team member and their OTHERS' practice scores (1–5, None unknown); never self."""

    person: int
    name: str
    practices: Mapping[str, float | None]

    @property
    def scored(self) -> bool:
        """Whether the member has an others' score on any practice."""
        return any(v is not None for v in self.practices.values())


@dataclass(frozen=True)
class PracticeCoverage:
    """One practice in the team view: covered, by whom (names, best first), the best score."""

    practice: str
    side: str
    covered: bool
    by: tuple[str, ...]
    best: float | None
    scored: int  # members with an others' score on this practice


@dataclass(frozen=True)
class TeamCoverage:
    """The team view: per practice coverage, the gaps and those gaps nobody could score."""

    team: str
    members: int
    scored_members: int
    threshold: float
    practices: tuple[PracticeCoverage, ...]
    gaps: tuple[str, ...]
    unscored: tuple[str, ...]


@dataclass(frozen=True)
class PracticeAggregate:
    """One practice in the org view: numbers only when ≥ MIN_SHOWN members have a score."""

    practice: str
    covered: bool | Suppressed
    covering: int | Suppressed  # members covering it well
    mean: float | Suppressed  # mean others' score of the scored members
    scored: int | Suppressed


@dataclass(frozen=True)
class TeamAggregate:
    """One team in the org view; a hidden team carries no numbers at all."""

    team: str
    shown: bool
    scored_members: int | Suppressed
    practices: tuple[PracticeAggregate, ...]  # empty when hidden
    gaps: tuple[str, ...]  # practices shown and not covered; empty when hidden


@dataclass(frozen=True)
class OrgCoverage:
    """The director's view: per-team aggregates, teams under MIN_SHOWN hidden."""

    threshold: float
    min_shown: int
    teams: tuple[TeamAggregate, ...]


def team_coverage(
    team: str, members: Sequence[Member], *, threshold: float = COVER_THRESHOLD
) -> TeamCoverage:
    """Per practice: does some member cover it well (others' score ≥ threshold), and who.

    Examples
    --------
    >>> ada = Member(1, "Ada", {"vision": 4.5, "process": 3.0})
    >>> bo = Member(2, "Bo", {"vision": 4.0, "process": 3.5})
    >>> view = team_coverage("core", [ada, bo])
    >>> view.practices[0].by, "process" in view.gaps, "conflict" in view.unscored
    (('Ada', 'Bo'), True, True)
    """
    practices = []
    for practice in PRACTICE_IDS:
        scores = [(m.practices.get(practice), m) for m in members]
        known = [(v, m) for v, m in scores if v is not None]
        strong = sorted((m for v, m in known if v >= threshold), key=lambda m: m.person)
        strong.sort(key=lambda m: -_value(m, practice))
        practices.append(
            PracticeCoverage(
                practice=practice,
                side="leader" if practice in _LEADER else "manager",
                covered=bool(strong),
                by=tuple(m.name for m in strong),
                best=max((v for v, _ in known), default=None),
                scored=len(known),
            )
        )
    return TeamCoverage(
        team=team,
        members=len(members),
        scored_members=sum(m.scored for m in members),
        threshold=threshold,
        practices=tuple(practices),
        gaps=tuple(p.practice for p in practices if not p.covered),
        unscored=tuple(p.practice for p in practices if p.scored == 0),
    )


def _value(member: Member, practice: str) -> float:
    value = member.practices.get(practice)
    return 0.0 if value is None else value


def org_coverage(
    teams: Mapping[str, Sequence[Member]],
    *,
    threshold: float = COVER_THRESHOLD,
    min_shown: int = MIN_SHOWN,
) -> OrgCoverage:
    """Per-team aggregates for directors: no names, groups under ``min_shown`` hidden.

    Examples
    --------
    >>> full = [Member(i, f"p{i}", {"vision": 4.0 + i / 10}) for i in range(5)]
    >>> small = [Member(9, "solo", {"vision": 5.0})]
    >>> view = org_coverage({"big": full, "small": small})
    >>> [(t.team, t.shown) for t in view.teams], view.teams[1].scored_members
    ([('big', True), ('small', False)], SUPPRESSED)
    >>> view.teams[0].practices[0].mean, view.teams[0].practices[1].mean
    (4.2, SUPPRESSED)
    """
    out = []
    for name in sorted(teams):
        scored = [m for m in teams[name] if m.scored]
        if len(scored) < min_shown:
            out.append(TeamAggregate(name, False, SUPPRESSED, (), ()))
            continue
        aggregates = [_aggregate(p, scored, threshold, min_shown) for p in PRACTICE_IDS]
        gaps = tuple(a.practice for a in aggregates if a.covered is False)
        out.append(TeamAggregate(name, True, len(scored), tuple(aggregates), gaps))
    return OrgCoverage(threshold=threshold, min_shown=min_shown, teams=tuple(out))


def _aggregate(
    practice: str, scored: Sequence[Member], threshold: float, min_shown: int
) -> PracticeAggregate:
    values = [v for m in scored if (v := m.practices.get(practice)) is not None]
    if len(values) < min_shown:
        return PracticeAggregate(practice, SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED)
    covering = sum(v >= threshold for v in values)
    return PracticeAggregate(
        practice=practice,
        covered=covering > 0,
        covering=covering,
        mean=round(sum(values) / len(values), 3),
        scored=len(values),
    )


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
