"""The goals' progress answer: each key result's value on the as-of day, progress, status and
history (:func:`team_goals`, :func:`goal_progress`).

A metric key result's value on ``as_of`` is :func:`tandem.why.goals.metrics.measure` of its
contract for the team — the metric's own value, read from the flow or delivery service for the
window ending that day. ``as_of`` is, by default, the earlier of the goal's last day and the
lake's last day (:meth:`tandem.lake.Lake.last_day`; never today's clock when the lake is
older). Its history is the same measure weekly from the goal's first day to ``as_of`` (at most
:data:`MAX_HISTORY` points); a manual key result's value and history are its check-ins'. A value
withheld for too few people (< 5) stays withheld with the reason.

A caller that measures the same key results again (the brief: goals, stories, achievements)
hands its own engine and a :class:`~tandem.why.goals.metrics.MeasureMemo`; by default an answer
opens its own engine on first use and closes it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.flow.engine import FIRST_DAY, FlowEngine, parse_day
from tandem.flow.mapping import StatusMapping
from tandem.people.models import Team
from tandem.why.goals import progress as core
from tandem.why.goals import records
from tandem.why.goals.metrics import Measure, MetricSpec, MetricValue, measure, uncached
from tandem.why.goals.models import Goal, KeyResult
from tandem.why.goals.schemas import (
    AsOfRule,
    GoalProgress,
    HistoryPoint,
    KeyResultOut,
    TeamGoals,
)
from tandem.why.goals.vision import show_vision
from tandem.why.scope import TeamRef, find_team, team_filters
from tandem.workspace import Workspace

MAX_HISTORY = 60
CHECKINS_SHOWN = 10


class _Progress:
    """One progress answer's shared state: the engine (the caller's, or opened on first use),
    the team's filters, the mapping and the cache."""

    def __init__(
        self,
        session: Session,
        workspace: Workspace,
        team: Team,
        cached: Measure | None,
        history: bool,
        engine: FlowEngine | None = None,
    ) -> None:
        self.session, self.workspace, self.team = session, workspace, team
        self.history = history
        self.cached: Measure = cached or uncached
        self.filters = team_filters(session, team)
        self.mapping = StatusMapping.from_settings(workspace.settings.flow)
        self.production = workspace.settings.flow.delivery.production
        self._engine = engine
        self._owned = engine is None  # closed here only when opened here
        self._last_day: tuple[dt.date | None] | None = None

    def engine(self) -> FlowEngine:
        if self._engine is None:
            self._engine = FlowEngine(self.workspace.lake)
        return self._engine

    def close(self) -> None:
        if self._owned and self._engine is not None:
            self._engine.close()

    def last_day(self) -> dt.date | None:
        if self._last_day is None:
            self._last_day = (self.workspace.lake.last_day(),)
        return self._last_day[0]

    def measure(self, spec: MetricSpec, as_of: dt.date) -> MetricValue:
        def compute() -> MetricValue:
            return measure(
                spec,
                engine=self.engine(),
                team=self.filters,
                mapping=self.mapping,
                as_of=as_of,
                production=self.production,
            )

        return self.cached(spec, self.filters, as_of, compute)

    def as_of(self, goal: Goal, asked: dt.date | None) -> tuple[dt.date, AsOfRule]:
        if asked is not None:
            return asked, "asked"
        last = self.last_day()
        if last is not None and last < goal.ends_on:
            return max(last, FIRST_DAY), "lake_end"
        return goal.ends_on, "goal_end"

    def key_result(self, kr: KeyResult, goal: Goal, as_of: dt.date, elapsed: float) -> KeyResultOut:
        definition = records.definition(kr)
        checkins = [records.checkin_out(c, self.session) for c in kr.checkins]
        checkins.sort(key=lambda c: (c.checked_at, c.id))
        latest = checkins[-1] if checkins else None
        value: float | None
        n: int | None = None
        withheld: str | None = None
        if definition.metric is not None:
            now = self.measure(definition.metric, as_of)
            value, n, withheld = now.value, now.n, now.withheld
            history = [
                HistoryPoint(day=day, value=point.value, n=point.n, withheld=point.withheld)
                for day in (
                    core.history_days(starts_on=goal.starts_on, as_of=as_of, max_points=MAX_HISTORY)
                    if self.history
                    else [as_of]
                )
                for point in [now if day == as_of else self.measure(definition.metric, day)]
            ]
        else:
            entered = [c for c in checkins if c.value is not None]
            value = entered[-1].value if entered else None
            history = [HistoryPoint(day=c.checked_at.date(), value=c.value) for c in entered]
            history = history[-MAX_HISTORY:]
        share = core.progress(
            baseline=kr.baseline, target=kr.target, value=value, direction=definition.direction
        )
        done = core.reached(value=value, target=kr.target, direction=definition.direction)
        status = core.track(
            progress=share,
            elapsed=elapsed,
            reached=done,
            confidence=latest.confidence if latest else None,
        )
        return KeyResultOut(
            **definition.model_dump(),
            as_of=as_of,
            value=value,
            n=n,
            withheld=withheld,
            progress=share,
            reached=done,
            track=status,
            history=history,
            latest_checkin=latest,
            checkins=checkins[-CHECKINS_SHOWN:][::-1],
        )

    def goal(self, goal: Goal, asked: dt.date | None) -> GoalProgress:
        as_of, rule = self.as_of(goal, asked)
        elapsed = core.elapsed_share(starts_on=goal.starts_on, ends_on=goal.ends_on, as_of=as_of)
        results = [self.key_result(kr, goal, as_of, elapsed) for kr in goal.key_results]
        known = [kr.progress for kr in results if kr.progress is not None]
        return GoalProgress(
            goal=records.brief(goal),
            as_of=as_of,
            as_of_rule=rule,
            elapsed=elapsed,
            progress=sum(known) / len(known) if known else None,
            track=core.worst(kr.track for kr in results),
            key_results=results,
        )


def goal_progress(
    *,
    session: Session,
    workspace: Workspace,
    team: int | str,
    goal_id: int,
    as_of: dt.date | str | None = None,
    cached: Measure | None = None,
    history: bool = True,
    engine: FlowEngine | None = None,
) -> GoalProgress:
    """One goal's key results with their value on ``as_of``, progress, status and history
    (``history=False``: the value on ``as_of`` only, one measure per key result)."""
    found = find_team(session, team)
    goal = records.goal(session, found, goal_id)
    day = parse_day(as_of, "as_of")
    state = _Progress(session, workspace, found, cached, history, engine)
    try:
        return state.goal(goal, day)
    finally:
        state.close()


def team_goals(
    *,
    session: Session,
    workspace: Workspace,
    team: int | str,
    as_of: dt.date | str | None = None,
    include_dropped: bool = False,
    cached: Measure | None = None,
    history: bool = True,
    engine: FlowEngine | None = None,
) -> TeamGoals:
    """The team's vision and its goals (active and achieved; dropped too when asked) with each
    key result's value, progress, status and history: the goals page's one answer."""
    found = find_team(session, team)
    day = parse_day(as_of, "as_of")
    query = select(Goal).where(Goal.team_id == found.id)
    if not include_dropped:
        query = query.where(Goal.status != "dropped")
    goals = session.scalars(query.order_by(Goal.starts_on.desc(), Goal.id)).all()
    state = _Progress(session, workspace, found, cached, history, engine)
    try:
        answers = [state.goal(goal, day) for goal in goals]
        last = state.last_day()
    finally:
        state.close()
    return TeamGoals(
        team=TeamRef(id=found.id, name=found.name),
        lake_last_day=last,
        vision=show_vision(session=session, team=found.id),
        goals=answers,
        target_share_total=records.share_total(session, found),
    )
