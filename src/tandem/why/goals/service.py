"""Vision and goals: set a team's vision, add goals and key results, check in, read progress.

Every function is keyword-only and takes the team (id or name) the caller was allowed: a goal,
key result or check-in of another team is "not found", so a guard on the team is a guard on
everything under it.

Progress (:func:`team_goals`, :func:`goal_progress`): a metric key result's value on ``as_of``
is :func:`tandem.why.goals.metrics.measure` of its contract for the team — the metric's own
value, read from the flow or delivery service for the window ending that day. ``as_of`` is, by
default, the earlier of the goal's last day and the lake's last event day (never today's clock
when the lake is older). Its history is the same measure weekly from the goal's first day to
``as_of`` (at most :data:`MAX_HISTORY` points); a manual key result's value and history are its
check-ins'. A value withheld for too few people (< 5) stays withheld with the reason.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Literal, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.errors import InputError, NotFoundError
from tandem.flow.engine import FIRST_DAY, LAST_DAY, Filters, FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.people import service as people_service
from tandem.people.models import Person, Team
from tandem.why.goals import progress as core
from tandem.why.goals.metrics import MetricSpec, MetricValue, measure, spec_from
from tandem.why.goals.models import GOAL_STATUSES, CheckIn, Goal, KeyResult, Vision
from tandem.why.goals.schemas import (
    AsOfRule,
    CheckInOut,
    GoalBrief,
    GoalProgress,
    HistoryPoint,
    KeyResultDef,
    KeyResultOut,
    TeamGoals,
    VisionOut,
)
from tandem.why.scope import TeamRef, find_team, team_filters
from tandem.workspace import Workspace

MAX_TITLE = 200
MAX_TEXT = 4000
MAX_STATEMENT = 2000
MAX_NOTE = 2000
MAX_UNIT = 40
MAX_HISTORY = 60
CHECKINS_SHOWN = 10
GoalStatus = Literal["active", "achieved", "dropped"]


class Measure(Protocol):
    """How a surface caches measures: ``compute`` or a cached answer for the same question."""

    def __call__(
        self,
        spec: MetricSpec,
        team: Filters,
        as_of: dt.date,
        compute: Callable[[], MetricValue],
    ) -> MetricValue: ...


def _uncached(
    spec: MetricSpec, team: Filters, as_of: dt.date, compute: Callable[[], MetricValue]
) -> MetricValue:
    return compute()


# -- validation ---------------------------------------------------------------------------------


def _text(value: str | None, field: str, limit: int, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InputError("must not be empty", field=field)
    if len(text) > limit:
        raise InputError(f"is {len(text)} characters long; at most {limit}", field=field)
    return text


def _day(value: dt.date | str | None, field: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise InputError(f"{value!r} is not a date (YYYY-MM-DD)", field=field) from None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not FIRST_DAY <= value <= LAST_DAY:
        raise InputError(f"give a day between {FIRST_DAY} and {LAST_DAY}", field=field)
    return value


def _number(value: float | str | None, field: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{value!r} is not a number", field=field) from None
    if not math.isfinite(number):
        raise InputError("must be a finite number", field=field)
    return number


def _direction(value: str | None) -> Literal["down", "up"] | None:
    if value is None or value == "":
        return None
    if value == "down":
        return "down"
    if value == "up":
        return "up"
    raise InputError(f"{value!r} is not one of down (lower is better), up", field="direction")


def _status(value: str) -> GoalStatus:
    if value == "active":
        return "active"
    if value == "achieved":
        return "achieved"
    if value == "dropped":
        return "dropped"
    raise InputError(f"{value!r} is not one of {', '.join(GOAL_STATUSES)}", field="status")


def _confidence(value: int | str) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise InputError(
            f"{value!r} is not a whole number from 0 to 10", field="confidence"
        ) from None
    if not 0 <= number <= 10:
        raise InputError(f"{number} is not between 0 and 10", field="confidence")
    return number


# -- records ------------------------------------------------------------------------------------


def _name(person: Person | None) -> str | None:
    return None if person is None else person.display_name


def _vision_out(vision: Vision, session: Session) -> VisionOut:
    author = session.get(Person, vision.updated_by_id) if vision.updated_by_id else None
    return VisionOut(
        team_id=vision.team_id,
        statement=vision.statement,
        postcard=vision.postcard,
        horizon=vision.horizon,
        updated_at=vision.updated_at,
        updated_by=_name(author),
    )


def _brief(goal: Goal) -> GoalBrief:
    return GoalBrief(
        id=goal.id,
        team_id=goal.team_id,
        title=goal.title,
        why=goal.why,
        starts_on=goal.starts_on,
        ends_on=goal.ends_on,
        target_share=goal.target_share,
        owner_id=goal.owner_id,
        owner=_name(goal.owner),
        status=_status(goal.status),
        key_results=len(goal.key_results),
    )


def _spec(kr: KeyResult) -> MetricSpec | None:
    return None if kr.metric is None else spec_from(kr.metric)


def _definition(kr: KeyResult) -> KeyResultDef:
    spec = _spec(kr)
    return KeyResultDef(
        id=kr.id,
        goal_id=kr.goal_id,
        title=kr.title,
        kind="metric" if kr.kind == "metric" else "manual",
        metric=spec,
        metric_text=spec.describe() if spec else None,
        unit=kr.unit,
        direction="down" if kr.direction == "down" else "up",
        baseline=kr.baseline,
        target=kr.target,
    )


def _checkin_out(checkin: CheckIn, session: Session) -> CheckInOut:
    author = session.get(Person, checkin.author_id) if checkin.author_id else None
    return CheckInOut(
        id=checkin.id,
        key_result_id=checkin.key_result_id,
        checked_at=checkin.checked_at,
        confidence=checkin.confidence,
        note=checkin.note,
        value=checkin.value,
        author=_name(author),
    )


def _goal(session: Session, team: Team, goal_id: int) -> Goal:
    goal = session.get(Goal, goal_id)
    if goal is None or goal.team_id != team.id:
        raise NotFoundError(f"team {team.name} has no goal {goal_id}")
    return goal


def _key_result(session: Session, team: Team, key_result_id: int) -> KeyResult:
    kr = session.get(KeyResult, key_result_id)
    if kr is None or kr.goal.team_id != team.id:
        raise NotFoundError(f"team {team.name} has no key result {key_result_id}")
    return kr


def _owner(session: Session, team: Team, owner: int | str | None) -> Person | None:
    if owner is None or owner == "":
        return None
    try:
        return people_service.find_person(session=session, ref=str(owner))
    except NotFoundError as error:
        raise InputError(error.message, field="owner") from None


def _share_total(session: Session, team: Team, *, leaving_out: int | None = None) -> float:
    shares = session.scalars(
        select(Goal.target_share).where(
            Goal.team_id == team.id, Goal.status == "active", Goal.id != (leaving_out or -1)
        )
    ).all()
    return sum(share for share in shares if share is not None)


def _check_share(session: Session, team: Team, share: float | None, goal_id: int | None) -> None:
    if share is None:
        return
    others = _share_total(session, team, leaving_out=goal_id)
    if others + share > 1 + 1e-9:
        raise InputError(
            f"team {team.name}'s active goals already take {others:.0%} of the effort; "
            f"{share:.0%} more would pass 100 %",
            field="target_share",
        )


# -- vision -------------------------------------------------------------------------------------


def set_vision(
    *,
    session: Session,
    team: int | str,
    statement: str,
    postcard: str = "",
    horizon: dt.date | str | None = None,
    author_id: int | None = None,
) -> VisionOut:
    """Set (or replace) the team's vision statement, postcard from the future and its date."""
    found = find_team(session, team)
    text = _text(statement, "statement", MAX_STATEMENT, required=True)
    card = _text(postcard, "postcard", MAX_TEXT)
    day = _day(horizon, "horizon")
    vision = session.scalar(select(Vision).where(Vision.team_id == found.id))
    if vision is None:
        vision = Vision(team_id=found.id, statement=text)
        session.add(vision)
    vision.statement, vision.postcard, vision.horizon = text, card, day
    vision.updated_by_id = author_id
    vision.updated_at = dt.datetime.now(dt.UTC)
    session.flush()
    return _vision_out(vision, session)


def show_vision(*, session: Session, team: int | str) -> VisionOut | None:
    """The team's vision, or None when it has none yet."""
    found = find_team(session, team)
    vision = session.scalar(select(Vision).where(Vision.team_id == found.id))
    return None if vision is None else _vision_out(vision, session)


# -- goals --------------------------------------------------------------------------------------


def add_goal(
    *,
    session: Session,
    team: int | str,
    title: str,
    starts_on: dt.date | str | None,
    ends_on: dt.date | str | None,
    why: str = "",
    target_share: float | str | None = None,
    owner: int | str | None = None,
) -> GoalBrief:
    """Add an active goal for ``[starts_on, ends_on]``; its target share keeps the team's
    active goals at or below 100 % of the effort."""
    found = find_team(session, team)
    name = _text(title, "title", MAX_TITLE, required=True)
    reason = _text(why, "why", MAX_TEXT)
    first, last = _day(starts_on, "starts_on"), _day(ends_on, "ends_on")
    if first is None:
        raise InputError("give the goal's first day (YYYY-MM-DD)", field="starts_on")
    if last is None:
        raise InputError("give the goal's last day (YYYY-MM-DD)", field="ends_on")
    if last < first:
        raise InputError(f"{last} is before the first day {first}", field="ends_on")
    share = _number(target_share, "target_share")
    if share is not None and not 0 <= share <= 1:
        raise InputError(f"{share} is not a share between 0 and 1", field="target_share")
    _check_share(session, found, share, None)
    person = _owner(session, found, owner)
    goal = Goal(
        team_id=found.id,
        title=name,
        why=reason,
        starts_on=first,
        ends_on=last,
        target_share=share,
        owner_id=person.id if person else None,
        status="active",
    )
    session.add(goal)
    session.flush()
    return _brief(goal)


def list_goals(*, session: Session, team: int | str, status: str | None = None) -> list[GoalBrief]:
    """The team's goals (of one status when given), the newest period first."""
    found = find_team(session, team)
    query = select(Goal).where(Goal.team_id == found.id)
    if status:
        query = query.where(Goal.status == _status(status))
    goals = session.scalars(query.order_by(Goal.starts_on.desc(), Goal.id)).all()
    return [_brief(goal) for goal in goals]


def show_goal(*, session: Session, team: int | str, goal_id: int) -> GoalBrief:
    """One goal of the team."""
    return _brief(_goal(session, find_team(session, team), goal_id))


def set_goal_status(*, session: Session, team: int | str, goal_id: int, status: str) -> GoalBrief:
    """Mark a goal active, achieved or dropped (active again only within the 100 % of effort)."""
    found = find_team(session, team)
    goal = _goal(session, found, goal_id)
    new = _status(status)
    if new == "active" and goal.status != "active":
        _check_share(session, found, goal.target_share, goal.id)
    goal.status = new
    session.flush()
    return _brief(goal)


def key_results(*, session: Session, team: int | str, goal_id: int) -> list[KeyResultDef]:
    """A goal's key results as defined (no progress)."""
    goal = _goal(session, find_team(session, team), goal_id)
    return [_definition(kr) for kr in goal.key_results]


# -- key results --------------------------------------------------------------------------------


def add_key_result(
    *,
    session: Session,
    workspace: Workspace,
    team: int | str,
    goal_id: int,
    title: str,
    target: float | str | None,
    metric: MetricSpec | None = None,
    baseline: float | str | None = None,
    direction: str | None = None,
    unit: str | None = None,
) -> KeyResultDef:
    """Add a key result: bound to ``metric`` (direction defaults to the metric's better one,
    baseline to its value on the goal's first day) or manual (baseline, target, direction
    given)."""
    found = find_team(session, team)
    goal = _goal(session, found, goal_id)
    name = _text(title, "title", MAX_TITLE, required=True)
    goal_target = _number(target, "target")
    if goal_target is None:
        raise InputError("give the value to reach", field="target")
    start = _number(baseline, "baseline")
    way = _direction(direction)
    if metric is not None:
        way = way or metric.better
        if unit and unit.strip() and unit.strip() != metric.unit:
            raise InputError(f"{metric.metric} is measured in {metric.unit}", field="unit")
        kind, measure_unit = "metric", metric.unit
        if start is None:
            with _engine(workspace) as engine:
                at_start = measure(
                    metric,
                    engine=engine,
                    team=team_filters(session, found),
                    mapping=_mapping(workspace),
                    as_of=goal.starts_on,
                    production=workspace.settings.flow.delivery.production,
                )
            if at_start.value is None:
                why = at_start.withheld or "no value"
                raise InputError(
                    f"the metric has no value on the goal's first day ({why}): give a baseline",
                    field="baseline",
                )
            start = at_start.value
    else:
        if way is None:
            raise InputError("say whether lower (down) or higher (up) is better", field="direction")
        if start is None:
            raise InputError("give the value the key result starts from", field="baseline")
        kind, measure_unit = "manual", _text(unit, "unit", MAX_UNIT)
    if start != goal_target and (goal_target > start) != (way == "up") and kind == "manual":
        better = "above" if way == "up" else "below"
        raise InputError(
            f"with direction {way} the target lies {better} the baseline", field="target"
        )
    kr = KeyResult(
        goal_id=goal.id,
        title=name,
        kind=kind,
        metric=None if metric is None else metric.model_dump(mode="json"),
        unit=measure_unit,
        direction=way,
        baseline=start,
        target=goal_target,
    )
    session.add(kr)
    session.flush()
    return _definition(kr)


def check_in(
    *,
    session: Session,
    team: int | str,
    key_result_id: int,
    confidence: int | str,
    note: str = "",
    value: float | str | None = None,
    author_id: int | None = None,
    checked_at: dt.datetime | None = None,
) -> CheckInOut:
    """Record a check-in: confidence 0–10, a note, and the value of a manual key result (a
    metric key result's value comes from the lake, so a value for it is refused)."""
    found = find_team(session, team)
    kr = _key_result(session, found, key_result_id)
    sure = _confidence(confidence)
    text = _text(note, "note", MAX_NOTE)
    number = _number(value, "value")
    if number is not None and kr.kind == "metric":
        raise InputError(
            "a metric key result's value comes from the lake; give only confidence and note",
            field="value",
        )
    when = checked_at or dt.datetime.now(dt.UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    _day(when.date(), "checked_at")
    checkin = CheckIn(
        key_result_id=kr.id,
        checked_at=when,
        value=number,
        confidence=sure,
        note=text,
        author_id=author_id,
    )
    session.add(checkin)
    session.flush()
    return _checkin_out(checkin, session)


# -- progress -----------------------------------------------------------------------------------


def _mapping(workspace: Workspace) -> StatusMapping:
    return StatusMapping.from_settings(workspace.settings.flow)


@contextmanager
def _engine(workspace: Workspace) -> Iterator[FlowEngine]:
    with FlowEngine(workspace.lake) as engine:
        yield engine


#: Where the lake's instants are: work events, commits, and objects such as deployments.
LAKE_INSTANTS = (("events", "timestamp"), ("commits", "committed_at"), ("objects", "created_at"))


def lake_last_day(engine: FlowEngine) -> dt.date | None:
    """The lake's last day (UTC) with an event, a commit or a created object (a deployment,
    an incident …); None for an empty lake."""
    counts = engine.lake.row_counts()
    days: list[dt.date] = []
    for table, column in LAKE_INSTANTS:
        if counts.get(table):
            value = engine.table(table)[column].max().to_pyarrow().as_py()
            if value is not None:
                days.append(value.astimezone(dt.UTC).date())
    return max(days, default=None)


class _Progress:
    """One progress answer's shared state: the engine (opened on first use), the team's
    filters, the mapping and the cache."""

    def __init__(
        self,
        session: Session,
        workspace: Workspace,
        team: Team,
        cached: Measure | None,
        history: bool,
    ) -> None:
        self.session, self.workspace, self.team = session, workspace, team
        self.history = history
        self.cached: Measure = cached or _uncached
        self.filters = team_filters(session, team)
        self.mapping = _mapping(workspace)
        self.production = workspace.settings.flow.delivery.production
        self._engine: FlowEngine | None = None
        self._last_day: tuple[dt.date | None] | None = None

    def engine(self) -> FlowEngine:
        if self._engine is None:
            self._engine = FlowEngine(self.workspace.lake)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()

    def last_day(self) -> dt.date | None:
        if self._last_day is None:
            self._last_day = (lake_last_day(self.engine()),)
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
        definition = _definition(kr)
        checkins = [_checkin_out(c, self.session) for c in kr.checkins]
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
            goal=_brief(goal),
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
) -> GoalProgress:
    """One goal's key results with their value on ``as_of``, progress, status and history
    (``history=False``: the value on ``as_of`` only, one measure per key result)."""
    found = find_team(session, team)
    goal = _goal(session, found, goal_id)
    day = _day(as_of, "as_of")
    state = _Progress(session, workspace, found, cached, history)
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
) -> TeamGoals:
    """The team's vision and its goals (active and achieved; dropped too when asked) with each
    key result's value, progress, status and history: the goals page's one answer."""
    found = find_team(session, team)
    day = _day(as_of, "as_of")
    query = select(Goal).where(Goal.team_id == found.id)
    if not include_dropped:
        query = query.where(Goal.status != "dropped")
    goals = session.scalars(query.order_by(Goal.starts_on.desc(), Goal.id)).all()
    state = _Progress(session, workspace, found, cached, history)
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
        target_share_total=_share_total(session, found),
    )
