"""Team coverage from the database: a team's view and the directors' org view, per viewer.

The service layer over the pure :mod:`tandem.profile.coverage`. It scores the cycle once
(:func:`tandem.profile.service.cycle_scores`) and gives every team member their OTHERS' practice
scores (``ProfileScores.others_by_practice()``; self ratings never enter). Privacy (DESIGN §7)
is kept here, not in templates:

* teams are the cycle's **frozen roster** (:mod:`tandem.profile.frozen_roster`), so a roster
  change after the cycle changes neither view (no before/after differencing);
* every number is a **team aggregate** — covered or not, how many cover it well, the mean
  rounded to one decimal — over at least :data:`~tandem.profile.coverage.MIN_SHOWN` people, with
  complementary suppression (:func:`~tandem.profile.coverage.suppressed_cells`) across teams and
  against what the viewer already knows (themself, reports shared with them);
* the **team view** (:func:`team_view`) names who covers a practice well only for members who
  shared their report with the viewer (:mod:`tandem.profile.visibility`); the others stay in the
  counts only;
* the **org view** (:func:`org_view`) carries aggregates only, never names; a team with fewer
  than 5 scored members leaves this layer as ``shown: false`` with ``"suppressed"`` in place of
  every number, not even its n;
* both views compute every figure from each member's others' scores **as the viewer may see
  them** (``CycleScores.scores(person, viewer=...)``, as the profile does): a rater group holding
  the viewer's own rating counts only with a rater more. The complementary suppression treats
  the members the viewer can see as known, so the values it assumes known must be the ones the
  viewer is shown; and ``by`` must agree with the profile;
* the cover threshold is fixed (:data:`~tandem.profile.coverage.COVER_THRESHOLD`): counts of
  who reaches it, read at several thresholds, would step at each member's exact score;
* each practice is a **call** — covered, gap or uncertain — from the team's chance that some
  scored member's TRUE score is ≥ 4 (:func:`~tandem.profile.coverage.practice_call`), each
  member's score taken with its error and the cycle's prior (:meth:`CycleScores.prior`, one
  for every viewer); members without a score keep a gap uncertain but never make a practice
  covered; the chance is shown rounded to 5 %, an aggregate under the same suppression.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.errors import NotFoundError
from tandem.people.models import Team
from tandem.profile import frozen_roster
from tandem.profile import service as profile_service
from tandem.profile.coverage import (
    COVER_THRESHOLD,
    COVERED_CHANCE,
    GAP_CHANCE,
    MIN_SHOWN,
    Call,
    CallKind,
    Member,
    practice_call,
    suppressed_cells,
)
from tandem.profile.prior import Prior
from tandem.profile.service import CycleScores
from tandem.profile.visibility import Viewer, visible_people
from tandem.review import service as review_service
from tandem.review.items import PRACTICE_IDS, practices_of
from tandem.review.models import ReviewCycle

SuppressedLabel = Literal["suppressed"]
SUPPRESSED_LABEL: SuppressedLabel = "suppressed"
MEAN_DECIMALS = 1  # team aggregates are coarse (DESIGN §7)
_LEADER = set(practices_of("leader"))


class TeamPracticeOut(BaseModel):
    """One practice in the team view: aggregates (or ``"suppressed"``) and who shared it.

    ``call`` is covered, gap or uncertain by the team's ``chance`` that some member truly covers
    it; ``covered`` is ``call == "covered"``. ``covering`` counts the members more likely than
    not to cover it; ``by`` names only those whose results the viewer may see (surest first).
    """

    side: str
    covered: bool | SuppressedLabel
    call: CallKind | SuppressedLabel
    chance: float | SuppressedLabel | None  # of the scored members; None: nobody scored
    covering: int | SuppressedLabel
    mean: float | SuppressedLabel
    scored: int
    by: list[str]


class TeamCoverageOut(BaseModel):
    """A team's coverage in a cycle, as the viewer may see it."""

    team: str
    cycle: str
    threshold: float
    min_shown: int
    members: int
    scored_members: int
    practices: dict[str, TeamPracticeOut]
    gaps: list[str]
    uncertain: list[str]  # practices the data cannot call covered or a gap
    unscored: list[str]
    suppressed: list[str]  # practices whose aggregates are withheld
    not_scored: list[str]  # members without any others' score in the cycle
    notes: list[str]


class OrgPracticeOut(BaseModel):
    """One practice of a shown team in the org view; ``"suppressed"`` under the minimum n."""

    covered: bool | SuppressedLabel
    call: CallKind | SuppressedLabel
    chance: float | SuppressedLabel | None
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
    uncertain: list[str] = []


class OrgCoverageOut(BaseModel):
    """The directors' view: per-team aggregates, no names, small teams hidden."""

    cycle: str
    threshold: float
    min_shown: int
    teams: list[OrgTeamOut]
    notes: list[str]


def team_view(*, session: Session, team: str, cycle: str, viewer: Viewer) -> TeamCoverageOut:
    """Which practices ``team`` covers well (aggregates), and who — among those shared with you.

    The threshold is always :data:`~tandem.profile.coverage.COVER_THRESHOLD`: read at several
    thresholds, ``covering`` would step at each member's exact score.
    """
    threshold = COVER_THRESHOLD
    found_cycle = review_service.get_cycle(session=session, name=cycle)
    scores = profile_service.cycle_scores(session=session, cycle=found_cycle)
    teams = _cycle_teams(session, found_cycle, scores, viewer)
    if team not in teams:
        if session.scalar(select(Team.id).where(Team.name == team)) is None:
            raise NotFoundError(f"no team {team!r}")
        teams[team] = []  # created after the cycle was frozen: nobody in it for this cycle
    members = teams[team]
    known = visible_people(
        session=session, cycle=found_cycle, people=[m.person for m in members], viewer=viewer
    )
    withheld = _withheld(teams, known)
    prior = scores.prior()
    practices: dict[str, TeamPracticeOut] = {}
    for practice in PRACTICE_IDS:
        call = practice_call(members, practice, prior, threshold=threshold)
        aggregate = _cell(call, members, practice, hidden=(team, practice) in withheld)
        practices[practice] = TeamPracticeOut(
            side="leader" if practice in _LEADER else "manager",
            **aggregate.model_dump(),
            scored=call.scored,
            by=[m.name for m in call.likely if m.person in known],
        )
    return TeamCoverageOut(
        team=team,
        cycle=found_cycle.name,
        threshold=threshold,
        min_shown=MIN_SHOWN,
        members=len(members),
        scored_members=sum(m.scored for m in members),
        practices=practices,
        gaps=[p for p, out in practices.items() if out.call == "gap"],
        uncertain=[p for p, out in practices.items() if out.call == "uncertain"],
        unscored=[p for p, out in practices.items() if out.scored == 0],
        suppressed=[p for p, out in practices.items() if out.covered == SUPPRESSED_LABEL],
        not_scored=[m.name for m in members if not m.scored],
        notes=[
            _call_note(threshold, prior),
            f"numbers are team aggregates over at least {MIN_SHOWN} people you cannot otherwise "
            "see (mean rounded to one decimal); names only for members who shared their report "
            "with you",
            f"members as frozen for review cycle {found_cycle.name!r}; later roster changes do "
            "not change this view",
        ],
    )


def org_view(*, session: Session, cycle: str, viewer: Viewer) -> OrgCoverageOut:
    """Per-team aggregates for directors; teams with fewer than 5 scored members hidden.

    The threshold is always :data:`~tandem.profile.coverage.COVER_THRESHOLD` (see
    :func:`team_view`).
    """
    threshold = COVER_THRESHOLD
    found_cycle = review_service.get_cycle(session=session, name=cycle)
    scores = profile_service.cycle_scores(session=session, cycle=found_cycle)
    teams = _cycle_teams(session, found_cycle, scores, viewer)
    everyone = {m.person for members in teams.values() for m in members}
    known = visible_people(session=session, cycle=found_cycle, people=everyone, viewer=viewer)
    withheld = _withheld(teams, known)
    prior = scores.prior()
    out = []
    for name, members in sorted(teams.items()):
        scored = [m for m in members if m.scored]
        if len(scored) < MIN_SHOWN:
            out.append(OrgTeamOut(team=name, shown=False, scored_members=SUPPRESSED_LABEL,
                                  practices={}, gaps=[]))  # fmt: skip
            continue
        practices = {}
        for practice in PRACTICE_IDS:
            call = practice_call(members, practice, prior, threshold=threshold)
            cell = _cell(call, members, practice, hidden=(name, practice) in withheld)
            count = sum(m.practices.get(practice) is not None for m in members)
            practices[practice] = OrgPracticeOut(
                **cell.model_dump(),
                scored=SUPPRESSED_LABEL if cell.covered == SUPPRESSED_LABEL else count,
            )
        out.append(
            OrgTeamOut(
                team=name,
                shown=True,
                scored_members=len(scored),
                practices=practices,
                gaps=[p for p, a in practices.items() if a.call == "gap"],
                uncertain=[p for p, a in practices.items() if a.call == "uncertain"],
            )
        )
    return OrgCoverageOut(
        cycle=found_cycle.name,
        threshold=threshold,
        min_shown=MIN_SHOWN,
        teams=out,
        notes=[
            f"aggregates only, no names; a team with fewer than {MIN_SHOWN} scored members "
            "is hidden, and a practice scored for fewer is suppressed (no numbers, not even n)",
            "a practice is also suppressed where another team's figure differs by fewer than "
            f"{MIN_SHOWN} people (complementary suppression: no person by subtraction)",
            _call_note(threshold, prior),
            "means rounded to one decimal, chances to the nearest 5 %",
            f"teams as frozen for review cycle {found_cycle.name!r}",
        ],
    )


def _cycle_teams(
    session: Session, cycle: ReviewCycle, scores: CycleScores, viewer: Viewer
) -> dict[str, list[Member]]:
    """Each team of the cycle's frozen roster, its members with their others' scores as the
    viewer may see them (a group holding the viewer's own rating needs one rater more)."""
    rated = set(scores.ratees)
    unknown: dict[str, float | None] = dict.fromkeys(PRACTICE_IDS)
    return {
        team: [
            Member(
                m.person_id,
                m.name,
                (view := scores.scores(m.person_id, viewer=viewer.person_id)).others_by_practice()
                if m.person_id in rated
                else unknown,
                view.errors_by_practice() if m.person_id in rated else {},
            )
            for m in members
        ]
        for team, members in frozen_roster.teams(session=session, cycle=cycle).items()
    }


def _withheld(teams: Mapping[str, Sequence[Member]], known: frozenset[int]) -> set[tuple[str, str]]:
    """(team, practice) aggregates to withhold: primary and complementary suppression.

    A team with fewer than 5 scored members shows no aggregate at all, unless the viewer knows
    every one of them already (then nothing is revealed).
    """
    out: set[tuple[str, str]] = set()
    shown = {name for name, members in teams.items() if _shown(members, known)}
    for practice in PRACTICE_IDS:
        cells = {
            name: frozenset(m.person for m in teams[name] if m.practices.get(practice) is not None)
            for name in shown
        }
        out |= {(name, practice) for name in suppressed_cells(cells, known=known)}
    out |= {(name, p) for name in teams if name not in shown for p in PRACTICE_IDS}
    return out


def _shown(members: Sequence[Member], known: frozenset[int]) -> bool:
    scored = {m.person for m in members if m.scored}
    return len(scored) >= MIN_SHOWN or scored <= known


class _Cell(BaseModel):
    covered: bool | SuppressedLabel
    call: CallKind | SuppressedLabel
    chance: float | SuppressedLabel | None
    covering: int | SuppressedLabel
    mean: float | SuppressedLabel


def _cell(call: Call, members: Sequence[Member], practice: str, *, hidden: bool) -> _Cell:
    """One (team, practice) aggregate from its call: the call, its chance (5 % steps), how many
    likely cover it, the members' mean."""
    values = [v for m in members if (v := m.practices.get(practice)) is not None]
    if hidden or not values:
        return _Cell(covered=SUPPRESSED_LABEL, call=SUPPRESSED_LABEL, chance=SUPPRESSED_LABEL,
                     covering=SUPPRESSED_LABEL, mean=SUPPRESSED_LABEL)  # fmt: skip
    return _Cell(
        covered=call.call == "covered",
        call=call.call,
        chance=call.chance,
        covering=len(call.likely),
        mean=round(sum(values) / len(values), MEAN_DECIMALS),
    )


def _call_note(threshold: float, prior: Prior | None) -> str:
    """How the calls were made, in a sentence: with errors and the prior, or scores as given."""
    rule = (
        f"covered when the chance that some scored member's true score is at least "
        f"{threshold:g} ('often' or more) is {COVERED_CHANCE * 100:.0f} % or more, a gap at "
        f"{GAP_CHANCE * 100:.0f} % or less, uncertain between; each member's others' score "
        "counts with its error; members nobody scored may keep a gap uncertain, never make a "
        "practice covered"
    )
    if prior is None:
        rule += (
            " (no prior for this cycle: fewer than 10 people scored with an error; a score "
            "counts with its error alone, or as given when that is unknown)"
        )
    return rule + "; self ratings are never used"
