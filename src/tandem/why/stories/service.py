"""Impact stories for the surfaces: one goal, one period, one answer (sentences, evidence,
Markdown and HTML), so the page, its JSON twin, the download and ``tandem story`` agree.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.errors import InputError, NotFoundError
from tandem.flow.calendar import WorkCalendar
from tandem.flow.engine import FIRST_DAY, LAST_DAY, FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.flow.service import MIN_PEOPLE
from tandem.why.alignment import service as alignment_service
from tandem.why.goals.metrics import Measure, measure, spec_from, uncached
from tandem.why.goals.models import Goal
from tandem.why.recognition.models import Kudos
from tandem.why.scope import TeamRef, find_team, require_days, team_filters
from tandem.why.stories import export
from tandem.why.stories.consent import named_people
from tandem.why.stories.core import (
    GoalFacts,
    KudosFacts,
    Reading,
    ResultFacts,
    StoryFacts,
    tell,
)
from tandem.why.stories.evidence import Evidence, Sentence
from tandem.why.stories.items import period_bounds, story_items


class GoalChoice(BaseModel):
    """A goal a story can be told for, with its own period (the story's default)."""

    model_config = ConfigDict(frozen=True)

    id: int
    title: str
    starts_on: dt.date
    ends_on: dt.date
    status: str


class StoryOut(BaseModel):
    """A goal's impact story over a period: sentences, the evidence they cite, both exports."""

    team: TeamRef
    goal: GoalChoice
    start: dt.date
    end: dt.date
    title: str
    subtitle: str
    sentences: list[Sentence]
    evidence: list[Evidence]
    markdown: str
    html: str


def story_goals(*, session: Session, team: int | str) -> list[GoalChoice]:
    """The team's goals a story can be told for (all but dropped ones), newest period first."""
    found = find_team(session, team)
    goals = session.scalars(
        select(Goal)
        .where(Goal.team_id == found.id, Goal.status != "dropped")
        .order_by(Goal.starts_on.desc(), Goal.id)
    )
    return [_choice(goal) for goal in goals]


def _choice(goal: Goal) -> GoalChoice:
    return GoalChoice(
        id=goal.id,
        title=goal.title,
        starts_on=goal.starts_on,
        ends_on=goal.ends_on,
        status=goal.status,
    )


def _goal(session: Session, team_id: int, team_name: str, goal_id: int) -> Goal:
    goal = session.get(Goal, goal_id)
    if goal is None or goal.team_id != team_id:  # another team's goal is not this team's story
        raise NotFoundError(f"team {team_name} has no goal {goal_id}")
    return goal


def _period(goal: Goal, start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    first = start or goal.starts_on
    last = end or goal.ends_on
    for day, name in ((first, "from"), (last, "to")):
        if not FIRST_DAY < day <= LAST_DAY:
            raise InputError(f"give a day between {FIRST_DAY} and {LAST_DAY}", field=name)
    if first > last:
        raise InputError(f"the period's start {first} is after its end {last}", field="from")
    require_days(first, last, what="team stories")  # a team window: 7 days or more (DESIGN §7)
    return first, last


def goal_story(
    *,
    session: Session,
    engine: FlowEngine,
    mapping: StatusMapping,
    team: int | str,
    goal_id: int,
    start: dt.date | None = None,
    end: dt.date | None = None,
    calendar: WorkCalendar | None = None,
    production: str | None = None,
    cached: Measure | None = None,
) -> StoryOut:
    """The story of goal ``goal_id`` of ``team`` over ``[start, end]`` (default: the goal's
    own period): the items done, notable items, key results before and after, kudos, and the
    contributors who agreed to be named. ``cached``: the caller's measures of the same engine,
    mapping, calendar and production pattern (the brief's, shared with its goals)."""
    found = find_team(session, team)
    goal = _goal(session, found.id, found.name, goal_id)
    first, last = _period(goal, start, end)
    filters = team_filters(session, found)
    window_start, window_end = period_bounds(first, last)
    aligned = alignment_service.aligned_items(
        session=session,
        engine=engine,
        team_id=found.id,
        mapping=mapping,
        start=window_start,
        end=window_end,
    )
    items = story_items(
        aligned, goal_id=goal.id, start=first, end=last, team_people=filters.team_people
    )
    results = []
    for kr in goal.key_results:
        if kr.kind != "metric" or kr.metric is None:
            continue
        spec = spec_from(kr.metric)
        readings = [
            (cached or uncached)(
                spec,
                filters,
                day,
                partial(
                    measure,
                    spec,
                    engine=engine,
                    team=filters,
                    mapping=mapping,
                    as_of=day,
                    calendar=calendar,
                    production=production,
                ),
            )
            for day in (first - dt.timedelta(days=1), last)
        ]
        before, after = (
            Reading(as_of=r.as_of, value=r.value, n=r.n, withheld=r.withheld) for r in readings
        )
        results.append(
            ResultFacts(
                id=kr.id,
                title=kr.title,
                metric=spec.describe(),
                unit=spec.unit,
                better=spec.better,
                target=kr.target,
                before=before,
                after=after,
            )
        )
    kudos = _kudos(session, goal, window_start, window_end)
    people = {p for item in items for p in item.people} | {p for k in kudos for p in k.recipients}
    facts = StoryFacts(
        goal=GoalFacts(
            id=goal.id,
            title=goal.title,
            team=found.name,
            starts_on=goal.starts_on,
            ends_on=goal.ends_on,
        ),
        start=first,
        end=last,
        items=items,
        results=tuple(results),
        kudos=tuple(kudos),
        named=named_people(session=session, person_ids=people),
        min_people=MIN_PEOPLE,
    )
    story = tell(facts)
    title = f"Impact story: {goal.title}"
    subtitle = f"Team {found.name} · {first.isoformat()} to {last.isoformat()}"
    return StoryOut(
        team=TeamRef(id=found.id, name=found.name),
        goal=_choice(goal),
        start=first,
        end=last,
        title=title,
        subtitle=subtitle,
        sentences=story.sentences,
        evidence=story.evidence,
        markdown=export.markdown(
            title=title, subtitle=subtitle, sentences=story.sentences, evidence=story.evidence
        ),
        html=export.html(
            title=title, subtitle=subtitle, sentences=story.sentences, evidence=story.evidence
        ),
    )


def _kudos(session: Session, goal: Goal, start: dt.datetime, end: dt.datetime) -> list[KudosFacts]:
    rows = session.scalars(
        select(Kudos)
        .where(
            Kudos.goal_id == goal.id,
            Kudos.team_id == goal.team_id,
            Kudos.given_at >= start,
            Kudos.given_at < end,
        )
        .order_by(Kudos.given_at, Kudos.id)
    )
    return [
        KudosFacts(
            id=k.id,
            given_on=k.given_at.date(),
            what=k.what,
            impact=k.impact,
            recipients=tuple(r.person_id for r in k.recipients),
        )
        for k in rows
    ]
