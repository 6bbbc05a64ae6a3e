"""Goals and their key results as the team defines them: add, list, show, set a goal's status.

A key result is bound to a metric contract (its direction defaults to the metric's better one,
its baseline to the metric's value on the goal's first day) or manual (baseline, target and
direction given).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.errors import InputError
from tandem.flow.engine import FlowEngine, parse_day
from tandem.flow.mapping import StatusMapping
from tandem.why.goals import fields, records
from tandem.why.goals.metrics import MetricSpec, measure
from tandem.why.goals.models import Goal, KeyResult
from tandem.why.goals.schemas import GoalBrief, KeyResultDef
from tandem.why.scope import find_team, team_filters
from tandem.workspace import Workspace


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
    name = fields.text(title, "title", fields.MAX_TITLE, required=True)
    reason = fields.text(why, "why", fields.MAX_TEXT)
    first, last = parse_day(starts_on, "starts_on"), parse_day(ends_on, "ends_on")
    if first is None:
        raise InputError("give the goal's first day (YYYY-MM-DD)", field="starts_on")
    if last is None:
        raise InputError("give the goal's last day (YYYY-MM-DD)", field="ends_on")
    if last < first:
        raise InputError(f"{last} is before the first day {first}", field="ends_on")
    share = fields.number(target_share, "target_share")
    if share is not None and not 0 <= share <= 1:
        raise InputError(f"{share} is not a share between 0 and 1", field="target_share")
    records.check_share(session, found, share, None)
    person = records.owner(session, owner)
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
    return records.brief(goal)


def list_goals(*, session: Session, team: int | str, status: str | None = None) -> list[GoalBrief]:
    """The team's goals (of one status when given), the newest period first."""
    found = find_team(session, team)
    query = select(Goal).where(Goal.team_id == found.id)
    if status:
        query = query.where(Goal.status == fields.status(status))
    goals = session.scalars(query.order_by(Goal.starts_on.desc(), Goal.id)).all()
    return [records.brief(goal) for goal in goals]


def show_goal(*, session: Session, team: int | str, goal_id: int) -> GoalBrief:
    """One goal of the team."""
    return records.brief(records.goal(session, find_team(session, team), goal_id))


def set_goal_status(*, session: Session, team: int | str, goal_id: int, status: str) -> GoalBrief:
    """Mark a goal active, achieved or dropped (active again only within the 100 % of effort)."""
    found = find_team(session, team)
    goal = records.goal(session, found, goal_id)
    new = fields.status(status)
    if new == "active" and goal.status != "active":
        records.check_share(session, found, goal.target_share, goal.id)
    goal.status = new
    session.flush()
    return records.brief(goal)


def key_results(*, session: Session, team: int | str, goal_id: int) -> list[KeyResultDef]:
    """A goal's key results as defined (no progress)."""
    goal = records.goal(session, find_team(session, team), goal_id)
    return [records.definition(kr) for kr in goal.key_results]


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
    goal = records.goal(session, found, goal_id)
    name = fields.text(title, "title", fields.MAX_TITLE, required=True)
    goal_target = fields.number(target, "target")
    if goal_target is None:
        raise InputError("give the value to reach", field="target")
    start = fields.number(baseline, "baseline")
    way = fields.direction(direction)
    if metric is not None:
        way = way or metric.better
        if unit and unit.strip() and unit.strip() != metric.unit:
            raise InputError(f"{metric.metric} is measured in {metric.unit}", field="unit")
        kind, measure_unit = "metric", metric.unit
        if start is None:
            with FlowEngine(workspace.lake) as engine:
                at_start = measure(
                    metric,
                    engine=engine,
                    team=team_filters(session, found),
                    mapping=StatusMapping.from_settings(workspace.settings.flow),
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
        kind, measure_unit = "manual", fields.text(unit, "unit", fields.MAX_UNIT)
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
    return records.definition(kr)
