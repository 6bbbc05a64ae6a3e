"""WHY panel: impact stories (``/why/stories``, downloads, ``/api/why/stories…``) and the
signed-in person's own choice to be named in them.

Reading a story is ``view_why`` on the team; the naming choice is ``give_kudos`` (a member,
leader or manager of the team) and always about the signed-in person: the service refuses any
other person (403). Every number comes from one :func:`tandem.why.stories.service.goal_story`
answer, so the page, the JSON twin and both downloads say the same.
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from tandem.accounts.schemas import UserOut
from tandem.audit.service import user_actor
from tandem.errors import InputError
from tandem.flow.engine import FlowEngine, parse_day
from tandem.web.deps import CurrentUser, DbSession, Id, Workspace
from tandem.web.how.sections import flow_cache
from tandem.web.permissions import GIVE_KUDOS, VIEW_WHY, allowed, linked_person_id, requires
from tandem.web.templating import render
from tandem.web.why.scope import request_team, why_resource
from tandem.why.stories import consent as consent_service
from tandem.why.stories import export
from tandem.why.stories import service as stories_service
from tandem.why.stories.consent import ConsentOut
from tandem.why.stories.service import GoalChoice, StoryOut
from tandem.workspace import Workspace as TandemWorkspace

page = APIRouter(dependencies=[Depends(requires(VIEW_WHY, why_resource))], include_in_schema=False)
api = APIRouter(
    prefix="/api/why", tags=["why"], dependencies=[Depends(requires(VIEW_WHY, why_resource))]
)
own = APIRouter(dependencies=[Depends(requires(GIVE_KUDOS, why_resource))])

BACK = re.compile(r"[A-Za-z0-9=&_.%-]{1,400}")  # the page's own query string, nothing else
GoalParam = Annotated[Id | None, Query(description="The goal's id (default: the newest).")]
FromParam = Annotated[
    str | None, Query(alias="from", max_length=10, description="First day (default: the goal's).")
]
ToParam = Annotated[str | None, Query(alias="to", max_length=10, description="Last day, included.")]


def _story(
    request: Request,
    db: Session,
    user: UserOut,
    workspace: TandemWorkspace,
    goal: int,
    start: str | None,
    end: str | None,
) -> StoryOut:
    team = request_team(request, db, user)
    mapping, _ = flow_cache(request.app).mapping(workspace)
    with FlowEngine(workspace.lake) as engine:
        return stories_service.goal_story(
            session=db,
            engine=engine,
            mapping=mapping,
            team=team.id,
            goal_id=goal,
            start=parse_day(start, "from"),
            end=parse_day(end, "to"),
        )


def _choose(goals: list[GoalChoice], goal: int | None) -> int | None:
    if goal is not None:
        return goal
    return goals[0].id if goals else None


@page.get("/why/stories")
def stories_page(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    workspace: Workspace,
    goal: GoalParam = None,
    start: FromParam = None,
    end: ToParam = None,
) -> Response:
    """Pick a goal and a period; the story with its evidence footnotes and downloads."""
    team = request_team(request, db, user)
    goals = stories_service.story_goals(session=db, team=team.id)
    chosen = _choose(goals, goal)
    story = None
    if chosen is not None:
        story = _story(request, db, user, workspace, chosen, start, end)
    query = {"team": team.id, "goal": chosen or "", "from": start or "", "to": end or ""}
    can_choose = user.person_id is not None and allowed(user, GIVE_KUDOS)
    mine = (
        consent_service.naming_consent(session=db, person_id=user.person_id)
        if can_choose and user.person_id is not None
        else None
    )
    return render(
        request,
        "why/stories.html",
        {
            "team": team,
            "goals": goals,
            "chosen": chosen,
            "story": story,
            "fragment": (
                export.html_fragment(sentences=story.sentences, evidence=story.evidence)
                if story
                else ""
            ),
            "query": urlencode({k: v for k, v in query.items() if v != ""}),
            "start": start or "",
            "end": end or "",
            "consent": mine,
        },
    )


def _download(story: StoryOut, kind: str) -> Response:
    name = f"story-goal-{story.goal.id}-{story.start}-{story.end}.{kind}"
    body = story.markdown if kind == "md" else story.html
    media = "text/markdown" if kind == "md" else "text/html"
    return Response(
        body,
        media_type=f"{media}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@page.get("/why/stories/story.md")
def story_markdown(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    workspace: Workspace,
    goal: Annotated[Id, Query()],
    start: FromParam = None,
    end: ToParam = None,
) -> Response:
    """The story as a Markdown file (evidence as footnotes)."""
    return _download(_story(request, db, user, workspace, goal, start, end), "md")


@page.get("/why/stories/story.html")
def story_html(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    workspace: Workspace,
    goal: Annotated[Id, Query()],
    start: FromParam = None,
    end: ToParam = None,
) -> Response:
    """The story as one self-contained HTML file (no external request)."""
    return _download(_story(request, db, user, workspace, goal, start, end), "html")


@api.get("/stories/goals", summary="Goals a story can be told for")
def api_goals(request: Request, db: DbSession, user: CurrentUser) -> list[GoalChoice]:
    """The team's goals (all but dropped), newest period first."""
    team = request_team(request, db, user)
    return stories_service.story_goals(session=db, team=team.id)


@api.get("/stories", summary="A goal's impact story")
def api_story(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    workspace: Workspace,
    goal: Annotated[Id, Query(description="The goal's id.")],
    start: FromParam = None,
    end: ToParam = None,
) -> StoryOut:
    """Sentences (each citing evidence ids), the evidence, Markdown and HTML of one story."""
    return _story(request, db, user, workspace, goal, start, end)


class ConsentIn(BaseModel):
    """My choice to be named in impact stories (``person_id``: mine; anyone else's is refused)."""

    named: bool
    person_id: Id | None = Field(default=None)


def _set(db: Session, user: UserOut, named: bool, person_id: int | None) -> ConsentOut:
    me = linked_person_id(user, GIVE_KUDOS)
    return consent_service.set_naming_consent(
        session=db,
        person_id=person_id if person_id is not None else me,
        by_person_id=me,
        named=named,
        actor=user_actor(user.id),
    )


@own.get("/api/why/stories/consent", tags=["why"], summary="My naming choice")
def api_my_consent(db: DbSession, user: CurrentUser) -> ConsentOut:
    """Whether I agreed to be named in impact stories (not named until I do)."""
    return consent_service.naming_consent(session=db, person_id=linked_person_id(user, GIVE_KUDOS))


@own.post("/api/why/stories/consent", tags=["why"], summary="Set my naming choice")
def api_set_consent(db: DbSession, user: CurrentUser, body: ConsentIn) -> ConsentOut:
    """Agree (``named: true``) or not to be named in impact stories; only for myself."""
    return _set(db, user, body.named, body.person_id)


@own.post("/why/stories/consent", include_in_schema=False)
def set_consent_form(
    db: DbSession,
    user: CurrentUser,
    named: Annotated[str, Form(max_length=3)],
    back: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    """The page's toggle: my choice, then back to the story."""
    if named not in ("yes", "no"):
        raise InputError("answer yes or no", field="named")
    _set(db, user, named == "yes", None)
    target = "/why/stories" + (f"?{back}" if BACK.fullmatch(back) else "")
    return RedirectResponse(f"{target}#naming", status_code=303)
