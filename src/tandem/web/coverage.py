"""Team coverage pages and their ``/api`` twins: the team's view and the directors' org view.

The team view (:func:`tandem.profile.team.team_view`) is the team's aggregates plus the names of
members who shared their report with the viewer, for the team's own leader and manager only (the
``view_coverage`` rule; directors see aggregates only, on the org view). The org view
(:func:`tandem.profile.team.org_view`, ``view_org_coverage``) carries aggregates only; a team
with fewer than five scored members comes out of the service hidden, with no numbers. Both are
computed for the signed-in viewer (:func:`~tandem.web.permissions.viewer_of`).

The org page draws that one answer as a heatmap (teams × practices, :mod:`tandem.web.heatmap`);
the team page draws its own team's row of aggregates the same way — never members × practices,
which would show each member's scores.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from tandem.accounts.schemas import UserOut
from tandem.duos.schemas import TeamRef
from tandem.errors import NotFoundError
from tandem.profile import service as profile_service
from tandem.profile import team as team_service
from tandem.review import service as review_service
from tandem.web.deps import CurrentUser, DbSession
from tandem.web.duos import CycleName, TeamId, scoped_team, team_resource
from tandem.web.heatmap import COLUMNS, LEGEND, heat_band
from tandem.web.permissions import (
    VIEW_COVERAGE,
    VIEW_ORG_COVERAGE,
    requires,
    viewer_of,
)
from tandem.web.templating import render

HEATMAP = {"columns": COLUMNS, "legend": LEGEND, "heat_band": heat_band}

team = APIRouter(dependencies=[Depends(requires(VIEW_COVERAGE, team_resource))])
org = APIRouter(dependencies=[Depends(requires(VIEW_ORG_COVERAGE))])


def closed_cycles(db: Session) -> list[str]:
    """Names of the closed review cycles, newest first (an open cycle's results are locked)."""
    return review_service.closed_cycle_names(session=db)


def _named_team(db: Session, user: UserOut, team_id: int | None) -> TeamRef:
    found = scoped_team(db, user, team_id)
    if found is None:  # the rule admits team roles of their own team only
        raise NotFoundError("your account has no team; ask an admin to set it")
    return found


def _team_view(
    db: Session, user: UserOut, found: TeamRef, cycle: str | None
) -> team_service.TeamCoverageOut:
    resolved = profile_service.resolve_cycle(session=db, name=cycle)
    return team_service.team_view(
        session=db, team=found.name, cycle=resolved.name, viewer=viewer_of(user)
    )


def _org_view(db: Session, user: UserOut, cycle: str | None) -> team_service.OrgCoverageOut:
    resolved = profile_service.resolve_cycle(session=db, name=cycle)
    return team_service.org_view(session=db, cycle=resolved.name, viewer=viewer_of(user))


@team.get("/coverage", include_in_schema=False)
def team_page(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    team_id: TeamId = None,
    cycle: CycleName = None,
) -> Response:
    """The team's coverage: which practices someone covers well, by whom, and the gaps."""
    found = _named_team(db, user, team_id)
    context: dict[str, Any] = {"team": found, **HEATMAP}
    try:
        context["view"] = _team_view(db, user, found, cycle)
    except NotFoundError as exc:
        context["empty"] = exc.message
    return render(request, "coverage/team.html", context)


@team.get("/api/coverage")
def team_coverage(
    db: DbSession, user: CurrentUser, team_id: TeamId = None, cycle: CycleName = None
) -> team_service.TeamCoverageOut:
    """The team's coverage: aggregates, and names of who shared their report with you."""
    found = _named_team(db, user, team_id)
    return _team_view(db, user, found, cycle)


@org.get("/coverage/org", include_in_schema=False)
def org_page(
    request: Request, db: DbSession, user: CurrentUser, cycle: CycleName = None
) -> Response:
    """Every team's coverage as aggregates, drawn as a heatmap; small teams hidden."""
    context: dict[str, Any] = {**HEATMAP, "cycles": closed_cycles(db), "cycle": cycle}
    try:
        context["view"] = _org_view(db, user, cycle)
        context["cycle"] = context["view"].cycle
    except NotFoundError as exc:
        context["empty"] = exc.message
    return render(request, "coverage/org.html", context)


@org.get("/api/coverage/org")
def org_coverage(
    db: DbSession, user: CurrentUser, cycle: CycleName = None
) -> team_service.OrgCoverageOut:
    """Every team's coverage as aggregates (no names; teams under 5 scored members hidden)."""
    return _org_view(db, user, cycle)
