"""WHY panel: recognition — kudos, achievements, nudges and the wins digest.

``GET /why/recognition`` shows the give-kudos form (to those who may give), the kudos wall,
the team's achievements, the viewer's own personal achievements ("only you see this"), the
nudges (the team's leader and manager only) and the wins digest; the JSON twins live under
``/api/why/recognition…``. Guards: reading is ``view_why``, giving kudos ``give_kudos``, the
nudges ``edit_why`` (a member or a director gets 403 there, and the page leaves the box out).

The wall (who recognised whom, what for) is the team's own: ``read_kudos`` (its leader, manager
and members). A director reads the team's kudos as counts only (per week, per goal or practice:
``/api/why/recognition/counts``, and on the page in place of the wall). One person's received
kudos are theirs and their team's leader's and manager's (the pair that recognises and nudges):
another member gets 403 (``docs/why.md``, "Kudos").

Personal achievements are the signed-in person's own (DESIGN §7): no route takes another
person's id for them, and a viewer outside the team gets none on its page.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from tandem.accounts.schemas import UserOut
from tandem.errors import InputError
from tandem.web.deps import CurrentUser, DbSession, Id, Workspace, parse_id
from tandem.web.permissions import (
    EDIT_WHY,
    GIVE_KUDOS,
    READ_KUDOS,
    VIEW_WHY,
    TeamResource,
    allowed,
    ensure_allowed,
    linked_person_id,
    requires,
)
from tandem.web.templating import render
from tandem.web.why.scope import request_team, why_resource
from tandem.why.recognition import achievements as achievements_service
from tandem.why.recognition import counts as counts_service
from tandem.why.recognition import digest as digest_service
from tandem.why.recognition import service
from tandem.why.recognition.counts import COUNT_WEEKS, MAX_WEEKS, KudosCounts
from tandem.why.recognition.rules import ACHIEVEMENT_DAYS, DIGEST_DAYS
from tandem.why.recognition.schemas import (
    PER_PAGE,
    Digest,
    KudosIn,
    KudosOut,
    KudosPage,
    Nudges,
    PersonalAchievements,
    TeamAchievements,
)
from tandem.why.scope import TeamRef
from tandem.workspace import Workspace as TandemWorkspace

page = APIRouter(dependencies=[Depends(requires(VIEW_WHY, why_resource))], include_in_schema=False)
api = APIRouter(
    prefix="/api/why", tags=["why"], dependencies=[Depends(requires(VIEW_WHY, why_resource))]
)
give_page = APIRouter(
    dependencies=[Depends(requires(GIVE_KUDOS, why_resource))], include_in_schema=False
)
give_api = APIRouter(
    prefix="/api/why", tags=["why"], dependencies=[Depends(requires(GIVE_KUDOS, why_resource))]
)
wall_api = APIRouter(
    prefix="/api/why", tags=["why"], dependencies=[Depends(requires(READ_KUDOS, why_resource))]
)
lead_api = APIRouter(
    prefix="/api/why", tags=["why"], dependencies=[Depends(requires(EDIT_WHY, why_resource))]
)
#: The routers beyond ``page`` and ``api``: giving kudos, the team's wall, and the leader's and
#: manager's nudges.
MORE_ROUTERS = (give_page, give_api, wall_api, lead_api)

PageNumber = Annotated[int, Query(ge=1, le=100_000, description="Page, from 1.")]
PerPage = Annotated[int, Query(ge=1, le=100, description="Kudos per page.")]
AsOf = Annotated[
    dt.date | None,
    Query(description="The achievements period's last day (default: the lake's last event day)."),
]
# the range (7 to 366 days) is the service's check: a narrower team period is a 400 naming days
Days = Annotated[int, Query(description="The period's length in days (7 to 366).")]


class AchievementsOut(BaseModel):
    """The team's achievements and, for a member of the team, their own (only theirs)."""

    model_config = ConfigDict(frozen=True)

    team: TeamAchievements
    mine: PersonalAchievements | None


def _mine(
    db: Session, workspace: TandemWorkspace, user: UserOut, team: TeamRef
) -> PersonalAchievements | None:
    """The viewer's own achievements, on their own team's page only."""
    if user.team_id != team.id or user.person_id is None:
        return None
    if not service.is_member(session=db, team=team.id, person_id=user.person_id):
        return None
    return achievements_service.personal_achievements(
        session=db, workspace=workspace, person_id=user.person_id
    )


@page.get("/why/recognition")
def recognition_page(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    workspace: Workspace,
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
    as_of: AsOf = None,
    days: Days = ACHIEVEMENT_DAYS,
) -> Response:
    """Kudos, achievements, nudges (leader and manager) and the wins digest of one team."""
    team = request_team(request, db, user)
    resource = TeamResource(team.id)
    can_give = allowed(user, GIVE_KUDOS, resource)
    can_read = allowed(user, READ_KUDOS, resource)
    context: dict[str, Any] = {
        "team": team,
        "wall": (
            service.list_kudos(session=db, team=team.id, page=page_number) if can_read else None
        ),
        "counts": None if can_read else counts_service.kudos_counts(session=db, team=team.id),
        "achievements": achievements_service.team_achievements(
            session=db, workspace=workspace, team=team.id, as_of=as_of, days=days
        ),
        "mine": _mine(db, workspace, user, team),
        "nudges": (
            service.nudges(session=db, team=team.id) if allowed(user, EDIT_WHY, resource) else None
        ),
        "digest": digest_service.wins_digest(
            session=db, workspace=workspace, team=team.id, days=DIGEST_DAYS
        ),
        "can_give": can_give,
        "members": service.team_members(session=db, team=team.id) if can_give else [],
        "goals": service.goal_choices(session=db, team=team.id) if can_give else [],
        "practices": service.practice_choices(),
        "me": user.person_id,
    }
    return render(request, "why/recognition.html", context)


def _link(value: str) -> tuple[int | None, str | None]:
    """The form's ``link``: ``goal:ID`` or ``practice:KEY``."""
    kind, _, rest = value.partition(":")
    if kind == "goal" and rest.isdigit() and len(rest) <= 10:
        return int(rest), None
    if kind == "practice" and rest:
        return None, rest
    raise InputError("choose one of the team's goals or a practice", field="goal")


def _give(db: Session, user: UserOut, team: TeamRef, body: KudosIn) -> KudosOut:
    return service.give_kudos(
        session=db,
        team=team.id,
        giver_id=linked_person_id(user, GIVE_KUDOS),
        recipients=body.recipients,
        what=body.what,
        impact=body.impact,
        goal_id=body.goal_id,
        practice=body.practice,
    )


@give_page.post("/why/recognition/kudos")
def give_kudos_form(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    what: Annotated[str, Form(max_length=4000)] = "",
    impact: Annotated[str, Form(max_length=4000)] = "",
    link: Annotated[str, Form(max_length=60)] = "",
    recipients: Annotated[list[Id] | None, Form(max_length=50)] = None,
) -> Response:
    """Give kudos from the form, then back to the wall."""
    team = request_team(request, db, user)
    goal_id, practice = _link(link)
    chosen = recipients or []
    if not chosen:
        raise InputError("name at least one colleague to recognise", field="recipients")
    body = KudosIn.model_construct(
        recipients=chosen, what=what, impact=impact, goal_id=goal_id, practice=practice
    )
    done = _give(db, user, team, body)
    return RedirectResponse(f"/why/recognition?team={team.id}#kudos-{done.id}", status_code=303)


@give_api.post("/recognition/kudos", status_code=201, summary="Give kudos")
def give_kudos(request: Request, db: DbSession, user: CurrentUser, body: KudosIn) -> KudosOut:
    """Kudos from the signed-in person to colleagues of the team: what they did and its impact,
    linked to a goal of the team or a practice."""
    return _give(db, user, request_team(request, db, user), body)


@wall_api.get("/recognition/kudos", summary="The team's kudos")
def team_kudos(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
    per_page: PerPage = PER_PAGE,
) -> KudosPage:
    """The team's kudos, newest first, paged."""
    team = request_team(request, db, user)
    return service.list_kudos(session=db, team=team.id, page=page_number, per_page=per_page)


@wall_api.get("/recognition/people/{person_id}/kudos", summary="A member's received kudos")
def received_kudos(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    person_id: str,
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
    per_page: PerPage = PER_PAGE,
) -> KudosPage:
    """The kudos a member of the team received, newest first: for that member and for the
    team's leader and manager (another member gets 403)."""
    team = request_team(request, db, user)
    wanted = parse_id(person_id, "person")
    if wanted != user.person_id:
        ensure_allowed(user, EDIT_WHY, TeamResource(team.id))
    return service.received_kudos(
        session=db,
        team=team.id,
        person_id=wanted,
        page=page_number,
        per_page=per_page,
    )


@api.get("/recognition/counts", summary="The team's kudos as counts")
def kudos_counts(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    weeks: Annotated[
        int, Query(ge=1, le=MAX_WEEKS, description="Weeks, ending with this week.")
    ] = COUNT_WEEKS,
) -> KudosCounts:
    """How many kudos the team gave per week and per goal or practice: no names, no texts."""
    team = request_team(request, db, user)
    return counts_service.kudos_counts(session=db, team=team.id, weeks=weeks)


@api.get("/recognition/achievements", summary="Achievements")
def achievements(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    workspace: Workspace,
    as_of: AsOf = None,
    days: Days = ACHIEVEMENT_DAYS,
) -> AchievementsOut:
    """The team's achievements over the period; ``mine``: the viewer's own, for their eyes."""
    team = request_team(request, db, user)
    return AchievementsOut(
        team=achievements_service.team_achievements(
            session=db, workspace=workspace, team=team.id, as_of=as_of, days=days
        ),
        mine=_mine(db, workspace, user, team),
    )


def _digest(
    request: Request,
    db: Session,
    user: UserOut,
    workspace: TandemWorkspace,
    days: int,
    last: dt.date | None,
) -> Digest:
    team = request_team(request, db, user)
    return digest_service.wins_digest(
        session=db, workspace=workspace, team=team.id, days=days, last=last
    )


LAST_HELP = (
    "The period's last day (default: today for kudos, the lake's last event day for achievements)."
)
Last = Annotated[dt.date | None, Query(description=LAST_HELP)]


@api.get("/recognition/digest", summary="Wins digest")
def digest(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    workspace: Workspace,
    days: Days = DIGEST_DAYS,
    last: Last = None,
) -> Digest:
    """The team's kudos and team achievements over the period, each with its ids."""
    return _digest(request, db, user, workspace, days, last)


@api.get(
    "/recognition/digest.md",
    summary="Wins digest as Markdown",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/markdown": {}}}},
)
def digest_markdown(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    workspace: Workspace,
    days: Days = DIGEST_DAYS,
    last: Last = None,
) -> Response:
    """The wins digest as a Markdown file to download."""
    found = _digest(request, db, user, workspace, days, last)
    name = f"wins-{found.team.id}-{found.last}.md"
    return Response(
        digest_service.digest_markdown(found),
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@lead_api.get("/recognition/nudges", summary="Nudges (leader and manager)")
def nudges(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    today: Annotated[dt.date | None, Query(description="The day (default: today).")] = None,
) -> Nudges:
    """The members without kudos in the last 14 days, for the team's leader and manager."""
    day = achievements_service.check_day(today, "today") if today is not None else None
    return service.nudges(session=db, team=request_team(request, db, user).id, today=day)
