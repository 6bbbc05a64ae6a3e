"""The brief's PEOPLE section: team coverage, duos and development plans, in aggregate only.

The figures are the services' answers for one viewer — the team's leader or manager, whoever
the brief is for — exactly as the coverage and duo pages compute them
(:func:`tandem.profile.team.team_view`, :func:`tandem.duos.teams.team_duos`), so the same
suppression applies (n ≥ 5 scored members, complementary suppression against what that viewer
knows, a rater group holding the viewer's own rating needs one rater more). A brief is a file
that travels, so it keeps **aggregates only** (DESIGN §7): it drops every name the pages show
to those a report was shared with (coverage's ``by`` and ``not_scored``), every pair's names
and numbers (the duos are counted), and plans are the counts of :mod:`tandem.plans.team`.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy.orm import Session

from tandem.brief.schemas import CoverageCell, CoverageFigures, DuoFigures, Part, PeopleSection
from tandem.duos import teams as duos_teams
from tandem.duos.schemas import TeamDuosOut
from tandem.errors import TandemError
from tandem.plans import team as plans_team
from tandem.profile import team as team_service
from tandem.profile.visibility import Viewer
from tandem.why.scope import TeamRef

NO_CYCLE = (
    "not set up yet: no review cycle is closed (coverage, duos and plans come from a closed "
    "360 cycle's ratings by others)"
)


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def coverage_figures(view: team_service.TeamCoverageOut) -> CoverageFigures:
    """The team view's aggregates, names dropped."""
    cells = [
        CoverageCell(
            practice=practice,
            side=cell.side,
            call=str(cell.call),
            chance=_number(cell.chance),
            covering=cell.covering if isinstance(cell.covering, int) else None,
            mean=_number(cell.mean),
            scored=cell.scored,
        )
        for practice, cell in view.practices.items()
    ]
    return CoverageFigures(
        cycle=view.cycle,
        members=view.members,
        scored_members=view.scored_members,
        min_shown=view.min_shown,
        cells=cells,
        gaps=view.gaps,
        uncertain=view.uncertain,
        suppressed=view.suppressed,
        notes=[note for note in view.notes if "names only" not in note]
        + [
            f"aggregates over at least {view.min_shown} people only; the brief names nobody "
            "(the coverage page names members who shared their report with you)"
        ],
    )


def duo_figures(duos: TeamDuosOut) -> DuoFigures:
    """The team's duo suggestions and confirmed duos, counted."""
    formal = duos.suggestions.formal[0] if duos.suggestions.formal else None
    return DuoFigures(
        cycle=duos.suggestions.cycle,
        suggested_pairs=len(duos.suggestions.pairs),
        unpaired=len(duos.suggestions.unpaired),
        confirmed=dict(Counter(d.status for d in duos.confirmed)),
        formal_proposed=formal.proposed if formal else None,
        formal_scored=formal.scored if formal else None,
    )


def people_section(*, session: Session, team: TeamRef, viewer: Viewer | None) -> PeopleSection:
    """Coverage, duos and plans of ``team`` in the latest closed cycle, as ``viewer`` may see
    them (``None``: the people figures are not for this reader, said in every part)."""
    cycle = duos_teams.latest_closed_cycle(session=session)
    if viewer is None:
        reason = (
            "withheld: coverage, duos and plans are for the team's leader and manager "
            "(directors see coverage across teams on the org view)"
        )
        return PeopleSection(
            cycle=None,
            coverage=Part[CoverageFigures].withheld(reason),
            duos=Part[DuoFigures].withheld(reason),
            plans=Part[plans_team.TeamPlansOut].withheld(reason),
        )
    if cycle is None:
        return PeopleSection(
            cycle=None,
            coverage=Part[CoverageFigures].not_set_up(NO_CYCLE),
            duos=Part[DuoFigures].not_set_up(NO_CYCLE),
            plans=Part[plans_team.TeamPlansOut].not_set_up(NO_CYCLE),
        )
    try:
        view = team_service.team_view(
            session=session, team=team.name, cycle=cycle.name, viewer=viewer
        )
        coverage = (
            Part[CoverageFigures].shown(coverage_figures(view))
            if len(view.suppressed) < len(view.practices)
            else Part[CoverageFigures].withheld(
                f"withheld: {view.scored_members} of the team's {view.members} members were "
                f"scored by others in review cycle {view.cycle!r}; team coverage is shown from "
                f"{view.min_shown} scored people on, so that it never describes one person"
            )
        )
    except TandemError as error:
        coverage = Part[CoverageFigures].withheld(error.message)
    try:
        duos = duos_teams.team_duos(
            session=session, team_id=team.id, cycle=cycle.name, viewer=viewer
        )
        duo_part = Part[DuoFigures].shown(duo_figures(duos))
    except TandemError as error:
        duo_part = Part[DuoFigures].withheld(error.message)
    plans = plans_team.team_plans(session=session, team=team.name, cycle=cycle)
    plan_part = (
        Part[plans_team.TeamPlansOut].withheld(plans.withheld)
        if plans.withheld
        else Part[plans_team.TeamPlansOut].shown(plans)
    )
    return PeopleSection(cycle=cycle.name, coverage=coverage, duos=duo_part, plans=plan_part)
