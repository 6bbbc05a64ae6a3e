"""The brief's WHY slot: a typed input (:class:`WhySection`) and the one builder that fills it.

The WHY section renders from a :class:`WhySection` alone: the vision, the goals with each key
result's value, target, progress and history, the impact stories sentence by sentence with
their evidence ids, and the wins. The brief never computes any of these: they are the answers
of the goals, stories and recognition services (``tandem.why.goals``, ``tandem.why.stories``,
``tandem.why.recognition``).

**The wiring point** is :func:`why_section`, called once by :func:`tandem.brief.build.build_brief`
(and so by ``tandem brief`` and ``GET /why/brief``). It calls the services and maps their
answers field by field (a team with none of them gets "not set up yet"):

* goals service (``TeamGoals`` of ``tandem.why.goals.service``): ``vision`` ← ``VisionLine``
  (statement, postcard, horizon); each ``GoalProgress`` → :class:`GoalLine` (title, why,
  starts_on, ends_on, status, progress, track) with each ``KeyResultOut`` →
  :class:`KeyResultLine` (title, ``metric_text`` → metric, unit, direction, baseline, target,
  value, n, withheld, progress, track, history as :class:`HistoryPoint` day/value/withheld);
* stories service: each story → :class:`StoryLine` (title, period, and every sentence as
  :class:`StorySentence` text + evidence ids, in order);
* recognition service (wins digest): each win → :class:`WinLine` (day, kind, title, text);

and returns ``WhySection.of(vision=..., goals=..., stories=..., wins=...)``. ``as_of`` is the
work data's last day, which the brief shows in its header, so the key results are measured on
the same day as the HOW figures.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from tandem.flow.engine import FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.why.goals.schemas import GoalProgress
from tandem.why.scope import TeamRef
from tandem.workspace import Workspace

WhyState = Literal["shown", "not_set_up"]
NOT_SET_UP = (
    "not set up yet: the team has no vision, goals, stories or wins in Tandem (set them up on "
    "the Why pages)"
)


class HistoryPoint(BaseModel):
    """A key result's value on one day (``None`` when unknown or withheld, with the reason)."""

    model_config = ConfigDict(frozen=True)

    day: dt.date
    value: float | None
    withheld: str | None = None


class KeyResultLine(BaseModel):
    """A key result as the goals service measured it."""

    model_config = ConfigDict(frozen=True)

    title: str
    metric: str | None = None  # the metric contract in words; None for a manual key result
    unit: str = ""
    direction: Literal["down", "up"]
    baseline: float | None = None
    target: float
    value: float | None = None
    n: int | None = None  # what a metric value rests on
    withheld: str | None = None
    progress: float | None = Field(default=None, ge=0, le=1)
    track: str | None = None  # reached | on_track | at_risk | off_track | unknown
    history: list[HistoryPoint] = []


class GoalLine(BaseModel):
    """A goal with its key results and the goals service's progress."""

    model_config = ConfigDict(frozen=True)

    title: str
    why: str = ""
    starts_on: dt.date
    ends_on: dt.date
    status: str = "active"
    progress: float | None = Field(default=None, ge=0, le=1)
    track: str | None = None
    key_results: list[KeyResultLine] = []


class StorySentence(BaseModel):
    """One sentence of an impact story and the ids of the evidence it rests on."""

    model_config = ConfigDict(frozen=True)

    text: str
    evidence: list[str] = []


class StoryLine(BaseModel):
    """An impact story: its title (the goal), its period, its sentences."""

    model_config = ConfigDict(frozen=True)

    title: str
    period: str = ""
    sentences: list[StorySentence] = []


class WinLine(BaseModel):
    """A win of the period: a kudos or an achievement from data."""

    model_config = ConfigDict(frozen=True)

    day: dt.date | None = None
    kind: str = "win"
    title: str
    text: str = ""


class VisionLine(BaseModel):
    """The team's vision and its postcard from the future."""

    model_config = ConfigDict(frozen=True)

    statement: str
    postcard: str = ""
    horizon: dt.date | None = None


class WhySection(BaseModel):
    """What the WHY section renders: filled by :func:`why_section` from the why's services."""

    model_config = ConfigDict(frozen=True)

    state: WhyState
    reason: str | None = None
    vision: VisionLine | None = None
    goals: list[GoalLine] = []
    stories: list[StoryLine] = []
    wins: list[WinLine] = []

    @classmethod
    def of(
        cls,
        *,
        vision: VisionLine | None = None,
        goals: list[GoalLine] | None = None,
        stories: list[StoryLine] | None = None,
        wins: list[WinLine] | None = None,
    ) -> WhySection:
        """A section of what the services answered; "not set up" when they answered nothing."""
        if vision is None and not goals and not stories and not wins:
            return cls.not_set_up()
        return cls(
            state="shown", vision=vision, goals=goals or [], stories=stories or [],
            wins=wins or [],
        )  # fmt: skip

    @classmethod
    def not_set_up(cls, reason: str = NOT_SET_UP) -> WhySection:
        """Nothing to show yet, and why."""
        return cls(state="not_set_up", reason=reason)


def why_section(
    *,
    session: Session,
    workspace: Workspace,
    engine: FlowEngine,
    team: TeamRef,
    as_of: dt.date | None,
    start: dt.date | None,
    end: dt.date | None,
) -> WhySection:
    """The team's WHY for the brief, from the goals, stories and recognition services.

    Key results are measured on ``as_of`` (the work data's last day, as the HOW figures) without
    their weekly history (the Why page draws it); each active goal's story covers the goal's own
    period up to ``as_of`` (a goal begun less than 7 days before has no story yet); the wins
    are the recognition digest over the brief's period, its achievements (key results reached,
    bottlenecks removed) ending on ``as_of`` too. A file is forwarded: it tells a kudos only
    when all its recipients agreed to be named, never names a giver, and counts the other kudos
    (the digest's naming rule, as stories do).

    The three services share the brief's ``engine`` and one memo of measures, so a key result
    is measured once per day however many of them read it (its value, a story's "after", an
    achievement).
    """
    from tandem.delivery.privacy import MIN_WINDOW_DAYS
    from tandem.why.goals.metrics import MeasureMemo
    from tandem.why.goals.service import team_goals
    from tandem.why.recognition.achievements import MAX_DAYS
    from tandem.why.recognition.digest import not_told_text, wins_digest
    from tandem.why.stories.service import goal_story

    memo = MeasureMemo()
    answer = team_goals(session=session, workspace=workspace, team=team.id, as_of=as_of,
                        history=False, engine=engine, cached=memo)  # fmt: skip
    vision = (
        VisionLine(
            statement=answer.vision.statement,
            postcard=answer.vision.postcard,
            horizon=answer.vision.horizon,
        )
        if answer.vision is not None
        else None
    )
    goals = [_goal_line(goal) for goal in answer.goals]
    mapping = StatusMapping.from_settings(workspace.settings.flow)
    stories: list[StoryLine] = []
    for goal in answer.goals[:MAX_STORIES]:
        brief = goal.goal
        last = min(brief.ends_on, as_of) if as_of is not None else brief.ends_on
        if brief.status == "dropped" or (last - brief.starts_on).days + 1 < MIN_WINDOW_DAYS:
            continue  # not begun, or under a week old: a story's period is a team window
        story = goal_story(session=session, engine=engine, mapping=mapping, team=team.id,
                           goal_id=brief.id, start=brief.starts_on, end=last,
                           production=workspace.settings.flow.delivery.production,
                           cached=memo)  # fmt: skip
        stories.append(
            StoryLine(
                title=story.title,
                period=f"{story.start.isoformat()} to {story.end.isoformat()}",
                sentences=[
                    StorySentence(text=s.text, evidence=list(s.evidence)) for s in story.sentences
                ],
            )
        )
    days = MAX_DAYS if start is None or end is None else min(MAX_DAYS, (end - start).days + 1)
    digest = wins_digest(session=session, workspace=workspace, team=team.id, days=days,
                         engine=engine, cached=memo, achievements_on=as_of)  # fmt: skip
    wins = [
        WinLine(
            day=kudos.given_at.date(),
            kind="kudos",
            title="Kudos to " + ", ".join(p.name for p in kudos.recipients),
            text=f"{kudos.what} — {kudos.impact}",
        )
        for kudos in digest.kudos
    ]
    if digest.kudos_not_told:
        wins.append(WinLine(kind="kudos", title="Kudos", text=not_told_text(digest.kudos_not_told)))
    wins += [
        WinLine(day=item.on, kind=item.kind, title=item.kind.replace("_", " "), text=item.text)
        for item in digest.achievements.achievements
        if item.scope == "team"
    ]
    return WhySection.of(vision=vision, goals=goals, stories=stories, wins=wins)


MAX_STORIES = 3  # the brief tells the stories of the first three goals (newest first)


def _goal_line(goal: GoalProgress) -> GoalLine:
    return GoalLine(
        title=goal.goal.title,
        why=goal.goal.why,
        starts_on=goal.goal.starts_on,
        ends_on=goal.goal.ends_on,
        status=goal.goal.status,
        progress=goal.progress,
        track=goal.track,
        key_results=[
            KeyResultLine(
                title=kr.title,
                metric=kr.metric_text,
                unit=kr.unit,
                direction=kr.direction,
                baseline=kr.baseline,
                target=kr.target,
                value=kr.value,
                n=kr.n,
                withheld=kr.withheld,
                progress=kr.progress,
                track=kr.track,
                history=[
                    HistoryPoint(day=p.day, value=p.value, withheld=p.withheld) for p in kr.history
                ],
            )
            for kr in goal.key_results
        ],
    )
