"""Team coverage from the database: a team's view with names, and the directors' org view.

The service layer over the pure :mod:`tandem.profile.coverage`. It scores the cycle once
(:func:`tandem.profile.service.cycle_scores`) and gives every team member their OTHERS' practice
scores (``ProfileScores.others_by_practice()``; self ratings never enter). Privacy (DESIGN §7)
is kept here, not in templates:

* the **team view** (:func:`team_view`) names who covers each practice well: it is for the team's
  own leader and manager;
* the **org view** (:func:`org_view`) carries aggregates only, never names; a team with fewer
  than :data:`~tandem.profile.coverage.MIN_SHOWN` scored members leaves this layer as
  ``shown: false`` with ``"suppressed"`` in place of every number, not even its n.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from tandem.errors import NotFoundError
from tandem.people.models import Membership, Team
from tandem.profile import service as profile_service
from tandem.profile.coverage import (
    COVER_THRESHOLD,
    Member,
    PracticeAggregate,
    org_coverage,
    team_coverage,
)
from tandem.profile.service import CycleScores
from tandem.review import service as review_service
from tandem.review.items import PRACTICE_IDS

SuppressedLabel = Literal["suppressed"]
SUPPRESSED_LABEL: SuppressedLabel = "suppressed"


class TeamPracticeOut(BaseModel):
    """One practice in the team view: covered well by someone, by whom (best first), the best."""

    side: str
    covered: bool
    by: list[str]
    best: float | None
    scored: int


class TeamCoverageOut(BaseModel):
    """A team's coverage: per practice, the gaps, and the gaps nobody could score."""

    team: str
    cycle: str
    threshold: float
    members: int
    scored_members: int
    practices: dict[str, TeamPracticeOut]
    gaps: list[str]
    unscored: list[str]
    not_scored: list[str]  # members without any others' score in the cycle
    notes: list[str]


class OrgPracticeOut(BaseModel):
    """One practice of a shown team in the org view; ``"suppressed"`` under the minimum n."""

    covered: bool | SuppressedLabel
    covering: int | SuppressedLabel
    mean: float | SuppressedLabel
    scored: int | SuppressedLabel


class OrgTeamOut(BaseModel):
    """A team in the org view; a hidden team carries no numbers at all."""

    team: str
    shown: bool
    scored_members: int | SuppressedLabel
    practices: dict[str, OrgPracticeOut]
    gaps: list[str]


class OrgCoverageOut(BaseModel):
    """The directors' view: per-team aggregates, no names, small teams hidden."""

    cycle: str
    threshold: float
    min_shown: int
    teams: list[OrgTeamOut]
    notes: list[str]


def team_view(
    *, session: Session, team: str, cycle: str, threshold: float = COVER_THRESHOLD
) -> TeamCoverageOut:
    """Which practices some member of ``team`` covers well (others' score ≥ threshold), and gaps."""
    found_cycle = review_service.get_cycle(session=session, name=cycle)
    found = session.scalar(_teams_query().where(Team.name == team))
    if found is None:
        raise NotFoundError(f"no team {team!r}")
    scores = profile_service.cycle_scores(session=session, cycle=found_cycle)
    members = _members(found, scores)
    view = team_coverage(found.name, members, threshold=threshold)
    return TeamCoverageOut(
        team=view.team,
        cycle=found_cycle.name,
        threshold=view.threshold,
        members=view.members,
        scored_members=view.scored_members,
        practices={
            p.practice: TeamPracticeOut(
                side=p.side, covered=p.covered, by=list(p.by), best=p.best, scored=p.scored
            )
            for p in view.practices
        },
        gaps=list(view.gaps),
        unscored=list(view.unscored),
        not_scored=[m.name for m in members if not m.scored],
        notes=[
            f"a practice is covered when a member's others' score is at least {threshold:g} "
            "(raters see it 'often' or more); self ratings are never used",
            "names are for the team's own leader and manager; directors use --org",
        ],
    )


def org_view(*, session: Session, cycle: str, threshold: float = COVER_THRESHOLD) -> OrgCoverageOut:
    """Per-team aggregates for directors; teams with fewer than 5 scored members hidden."""
    found_cycle = review_service.get_cycle(session=session, name=cycle)
    scores = profile_service.cycle_scores(session=session, cycle=found_cycle)
    teams = {t.name: _members(t, scores) for t in session.scalars(_teams_query())}
    view = org_coverage(teams, threshold=threshold)
    out = [
        OrgTeamOut(
            team=t.team,
            shown=t.shown,
            scored_members=_label(t.scored_members),
            practices={a.practice: _aggregate(a) for a in t.practices},
            gaps=list(t.gaps),
        )
        for t in view.teams
    ]
    return OrgCoverageOut(
        cycle=found_cycle.name,
        threshold=view.threshold,
        min_shown=view.min_shown,
        teams=out,
        notes=[
            f"aggregates only, no names; a team with fewer than {view.min_shown} scored members "
            "is hidden, and a practice scored for fewer is suppressed (no numbers, not even n)",
            f"covered: some member's others' score is at least {threshold:g}; "
            "self ratings are never used",
        ],
    )


def _teams_query() -> Select[Team]:
    return (
        select(Team)
        .options(selectinload(Team.memberships).selectinload(Membership.person))
        .order_by(Team.name)
    )


def _members(team: Team, scores: CycleScores) -> list[Member]:
    """The team's members with others' scores (all unknown for someone not rated in the cycle)."""
    rated = set(scores.ratees)
    members = []
    for m in sorted(team.memberships, key=lambda m: m.person_id):
        practices = (
            scores.scores(m.person_id).others_by_practice()
            if m.person_id in rated
            else dict.fromkeys(PRACTICE_IDS)
        )
        members.append(Member(m.person_id, m.person.display_name, practices))
    return members


def _label(value: object) -> SuppressedLabel | int:
    return value if isinstance(value, int) else SUPPRESSED_LABEL


def _aggregate(a: PracticeAggregate) -> OrgPracticeOut:
    return OrgPracticeOut(
        covered=a.covered if isinstance(a.covered, bool) else SUPPRESSED_LABEL,
        covering=_label(a.covering),
        mean=a.mean if isinstance(a.mean, float) else SUPPRESSED_LABEL,
        scored=_label(a.scored),
    )
