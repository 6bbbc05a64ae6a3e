"""WHY panel: the brief (``GET /why/brief?team=ID``), the same file ``tandem brief`` writes.

The brief is built for the signed-in reader (:func:`tandem.brief.build.build_brief`): the work
figures are the team's (n ≥ 5 people), the people figures those this reader may see of the
team's coverage and duos, in aggregate only, and only for readers the coverage rule admits (the
team's leader and manager); anyone else allowed the why (a member, a director) gets the brief
with the people part withheld and the reason.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from tandem.brief.build import build_brief
from tandem.brief.render import render_brief
from tandem.web.deps import CurrentUser, DbSession, Workspace
from tandem.web.permissions import (
    VIEW_COVERAGE,
    VIEW_WHY,
    TeamResource,
    allowed,
    requires,
    viewer_of,
)
from tandem.web.why.scope import request_team, why_resource

page = APIRouter(dependencies=[Depends(requires(VIEW_WHY, why_resource))], include_in_schema=False)


@page.get("/why/brief")
def brief_download(
    request: Request, db: DbSession, user: CurrentUser, workspace: Workspace
) -> Response:
    """The team's brief as one self-contained HTML file (a download)."""
    team = request_team(request, db, user)
    people_allowed = allowed(user, VIEW_COVERAGE, TeamResource(team.id))
    brief = build_brief(
        workspace=workspace,
        team=team.id,
        viewer=viewer_of(user) if people_allowed else None,
        people_allowed=people_allowed,
    )
    name = f"brief-team-{team.id}-{brief.header.end or 'no-data'}.html"
    return Response(
        render_brief(brief),
        media_type="text/html; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
