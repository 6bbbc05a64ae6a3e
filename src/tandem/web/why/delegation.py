"""WHY panel: delegation (pages and their JSON twins under ``/api/why/…``).

``/why/delegation`` shows the team's delegation board (areas × the seven levels, the current
level marked, review-due badges, each area's history), forms to edit it for the team's leader
and manager (``edit_why``), and the empowerment evidence: ownership concentration per area with
a bar chart of the top share (bus factor 1 highlighted), approval bottlenecks, and "your areas"
for the signed-in person. ``?scope=all`` (all work data) is for roles that may see all work
data (:func:`tandem.web.how.scope.may_see_all`). Every number comes from
:mod:`tandem.why.delegation`; nothing here names a person in the ownership figures.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from tandem.accounts.schemas import UserOut
from tandem.errors import InputError
from tandem.flow.engine import FlowEngine, parse_day
from tandem.web.deps import CurrentUser, DbSession, Id, Workspace
from tandem.web.how.charts import AUTOSIZE, VEGA_LITE_SCHEMA
from tandem.web.how.scope import ANY_TEAM, may_see_all
from tandem.web.permissions import (
    EDIT_WHY,
    VIEW_HOW,
    VIEW_WHY,
    TeamResource,
    allowed,
    ensure_allowed,
    requires,
)
from tandem.web.templating import render
from tandem.web.why.scope import request_team, why_resource
from tandem.why.delegation import service
from tandem.why.delegation.evidence import Evidence, empowerment_evidence
from tandem.why.delegation.schemas import AreaOut, Board, Ownership
from tandem.why.scope import TeamRef
from tandem.workspace import Workspace as TandemWorkspace

PATH = "/why/delegation"
FLAGGED = "#a4161a"
SHARED = "#1d4ed8"

page = APIRouter(dependencies=[Depends(requires(VIEW_WHY, why_resource))], include_in_schema=False)
api = APIRouter(
    prefix="/api/why", tags=["why"], dependencies=[Depends(requires(VIEW_WHY, why_resource))]
)
edit = APIRouter(dependencies=[Depends(requires(EDIT_WHY, why_resource))], include_in_schema=False)


@dataclass(frozen=True)
class EvidenceQuery:
    """The ownership form: whose commits (the team's or all), which repository, depth, window."""

    scope: str
    repo: str | None
    depth: int
    start: dt.date | None
    end: dt.date | None

    def form(self) -> dict[str, str]:
        return {
            "scope": self.scope,
            "repo": self.repo or "",
            "depth": str(self.depth),
            "from": self.start.isoformat() if self.start else "",
            "to": self.end.isoformat() if self.end else "",
        }


def evidence_query(
    scope: Annotated[str, Query(description="'team' (its members' commits) or 'all'.")] = "team",
    repo: Annotated[str | None, Query(max_length=500, description="One repository.")] = None,
    depth: Annotated[int, Query(ge=1, le=3, description="Path depth of an area (1–3).")] = 1,
    start: Annotated[str | None, Query(alias="from", description="First day (ISO).")] = None,
    end: Annotated[str | None, Query(alias="to", description="Last day, inclusive.")] = None,
) -> EvidenceQuery:
    """The ownership form's values from the query string."""
    if scope not in ("team", "all"):
        raise InputError("give 'team' or 'all'", field="scope")
    return EvidenceQuery(
        scope, (repo or "").strip() or None, depth, parse_day(start, "from"), parse_day(end, "to")
    )


EvidenceQueryDep = Annotated[EvidenceQuery, Depends(evidence_query)]


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _evidence(
    db: DbSession, user: UserOut, workspace: TandemWorkspace, team: TeamRef, query: EvidenceQuery
) -> Evidence:
    if query.scope == "all":
        ensure_allowed(user, VIEW_HOW, ANY_TEAM)  # all work data: the HOW panel's rule
    with FlowEngine(workspace.lake) as engine:
        return empowerment_evidence(
            session=db,
            engine=engine,
            team=None if query.scope == "all" else team.id,
            repo=query.repo,
            depth=query.depth,
            start=query.start,
            end=query.end,
            viewer_person_id=user.person_id,
        )


def ownership_chart(ownership: Ownership) -> dict[str, Any] | None:
    """Top share per area as bars, bus-factor-1 areas in red (no names: areas only); withheld
    areas (fewer than 5 authors) have no top share to draw."""
    shown = [a for a in ownership.areas if a.top_share is not None]
    if not shown:
        return None
    values = [
        {
            "area": a.area if len(ownership.repos) == 1 else f"{_repo(a.repo)}: {a.area}",
            "top_share": a.top_share,
            "bus_factor": a.bus_factor,
            "authors": a.authors,
            "flag": "bus factor 1" if a.flagged else "shared",
        }
        for a in shown
    ]
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": "Top author's share of changes per area",
        "width": "container",
        "autosize": AUTOSIZE,
        "height": max(120, 22 * len(values)),
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "area", "type": "nominal", "sort": None, "title": "area"},
            "x": {
                "field": "top_share",
                "type": "quantitative",
                "title": "top author's share of changes",
                "axis": {"format": ".0%"},
                "scale": {"domain": [0, 1]},
            },
            "color": {
                "field": "flag",
                "type": "nominal",
                "title": None,
                "scale": {"domain": ["bus factor 1", "shared"], "range": [FLAGGED, SHARED]},
            },
            "tooltip": [
                {"field": "area"},
                {"field": "top_share", "title": "top share", "format": ".0%"},
                {"field": "bus_factor", "title": "bus factor"},
                {"field": "authors"},
            ],
        },
    }


def _repo(repo: str) -> str:
    return repo.rstrip("/").rsplit("/", 1)[-1]


@page.get(PATH)
def delegation_page(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    workspace: Workspace,
    query: EvidenceQueryDep,
) -> Response:
    """The delegation board, ownership concentration and approval bottlenecks of a team."""
    team = request_team(request, db, user)
    board = service.get_board(session=db, team=team.id, as_of=_today())
    evidence = _evidence(db, user, workspace, team, query)
    chart = ownership_chart(evidence.ownership)
    return render(
        request,
        "why/delegation.html",
        {
            "team": team,
            "board": board,
            "evidence": evidence,
            "chart": json.dumps(chart) if chart else None,
            "form": query.form(),
            "can_edit": allowed(user, EDIT_WHY, TeamResource(team.id)),
            "can_see_all": may_see_all(user),
            "repo_name": _repo,
        },
    )


@api.get("/delegation", summary="Delegation board")
def api_board(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    as_of: Annotated[str | None, Query(description="The day reviews are due on (ISO).")] = None,
) -> Board:
    """The team's board: areas, current levels, review dates and the reminder of those due."""
    team = request_team(request, db, user)
    return service.get_board(session=db, team=team.id, as_of=parse_day(as_of, "as_of") or _today())


@api.get("/delegation/areas/{area_id}", summary="A decision area's history")
def api_area(request: Request, db: DbSession, user: CurrentUser, area_id: Id) -> AreaOut:
    """One area with its whole history: who set which level, when and why."""
    team = request_team(request, db, user)
    return service.area_history(session=db, team=team.id, area=area_id, as_of=_today())


@api.get("/delegation/ownership", summary="Ownership concentration and approval bottlenecks")
def api_ownership(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    workspace: Workspace,
    query: EvidenceQueryDep,
) -> Evidence:
    """Per area: commits, lines, authors, top share, Herfindahl, bus factor (no names); the
    approval bottlenecks; the viewer's own top areas (``ownership.mine``). Withheld below 5
    people, with no counts; an area with fewer than 5 authors keeps only its bus
    factor. The window spans at least 7 days (400 naming ``from`` otherwise)."""
    team = request_team(request, db, user)
    return _evidence(db, user, workspace, team, query)


def _back(team: TeamRef, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"{PATH}?team={team.id}{anchor}", status_code=303)


Note = Annotated[str, Form(max_length=2000)]


@edit.post(f"{PATH}/areas")
def add_area(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    name: Annotated[str, Form(max_length=200)],
    level: Annotated[str, Form(max_length=20)],
    note: Note = "",
    description: Annotated[str, Form(max_length=2000)] = "",
    duo_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Add a decision area (the team's, or a confirmed pair's) at its first level."""
    team = request_team(request, db, user)
    duo = duo_id.strip()
    if duo and not duo.isdigit():
        raise InputError(f"{duo!r} is not a duo id", field="duo_id")
    area = service.add_area(
        session=db, team=team.id, name=name, level=level, note=note, description=description,
        duo_id=int(duo) if duo else None, set_by=user.person_id,
    )  # fmt: skip
    return _back(team, f"#area-{area.id}")


@edit.post(f"{PATH}/areas/{{area_id}}/level")
def set_level(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    area_id: Id,
    level: Annotated[str, Form(max_length=20)],
    note: Note = "",
) -> Response:
    """Set an area's level (moving down needs a note)."""
    team = request_team(request, db, user)
    area = service.set_level(
        session=db, team=team.id, area=area_id, level=level, note=note, set_by=user.person_id
    )
    return _back(team, f"#area-{area.id}")


@edit.post(f"{PATH}/areas/{{area_id}}/confirm")
def confirm(
    request: Request, db: DbSession, user: CurrentUser, area_id: Id, note: Note = ""
) -> Response:
    """Review an area without changing its level."""
    team = request_team(request, db, user)
    area = service.confirm(session=db, team=team.id, area=area_id, note=note, set_by=user.person_id)
    return _back(team, f"#area-{area.id}")
