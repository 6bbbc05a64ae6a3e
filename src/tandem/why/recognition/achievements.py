"""Achievements read from the data, never stored (``docs/why.md``, "Recognition").

Team achievements, over the ``days`` ending on ``as_of`` (by default the lake's last event day,
so a log of another year still has a "this period"):

- **key result reached**: a goal of the team (not dropped, begun by ``as_of``, not ended before
  the period) has a metric key result whose value by :func:`tandem.why.goals.metrics.measure` on
  ``as_of`` meets its target by direction, or a manual key result whose latest check-in value
  (app data, on the clock) does. A metric below 5 people is withheld there and reached by no one.
- **bottleneck removed**: :func:`.rules.removed_bottlenecks` over the total waits of stages
  (activities) and edges of :func:`tandem.flow.bottlenecks.bottlenecks` for the team's filters
  in the period before and in this period; both periods must rest on at least 5 people
  (:func:`tandem.flow.service.shortfall`), else the rule is withheld with the reason. Handoffs
  name people and are never candidates.

A personal achievement, **first item shipped** (the earliest item done among the items whose
history holds an event by one of the person's identities), is individual work data (DESIGN §7):
:func:`personal_achievements` answers it for one person, and the surfaces ask it only for the
signed-in person themself; it never enters a team answer or the digest.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tandem.delivery.privacy import MIN_WINDOW_DAYS
from tandem.errors import InputError
from tandem.flow.bottlenecks import bottlenecks
from tandem.flow.engine import FIRST_DAY, LAST_DAY, Filters, FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.flow.service import MIN_PEOPLE, shortfall
from tandem.flow.timing import item_facts
from tandem.people.models import Identity, Team
from tandem.why.goals.metrics import Measure, measure, spec_from, uncached
from tandem.why.goals.models import CheckIn, Goal, KeyResult
from tandem.why.recognition.rules import (
    ACHIEVEMENT_DAYS,
    Direction,
    Removed,
    StageKind,
    Wait,
    days_back,
    reached,
    removed_bottlenecks,
)
from tandem.why.recognition.schemas import (
    Achievement,
    AsOfRule,
    PersonalAchievements,
    TeamAchievements,
)
from tandem.why.scope import TeamRef, find_team, team_filters, withheld_text
from tandem.workspace import Workspace

MAX_DAYS = 366


@contextmanager
def _engine(workspace: Workspace, given: FlowEngine | None = None) -> Iterator[FlowEngine]:
    if given is not None:  # the caller's: left open
        yield given
        return
    with FlowEngine(workspace.lake) as engine:
        yield engine


def check_days(days: int) -> int:
    """A team period's length in days, :data:`~tandem.delivery.privacy.MIN_WINDOW_DAYS` to
    :data:`MAX_DAYS`: a narrower team window could be subtracted from the next day's to give one
    person's work (DESIGN §7), so it is refused, never widened."""
    if not MIN_WINDOW_DAYS <= days <= MAX_DAYS:
        raise InputError(
            f"give {MIN_WINDOW_DAYS} to {MAX_DAYS} days (a team period spans at least "
            f"{MIN_WINDOW_DAYS} days, so that two periods cannot be subtracted to give one "
            "person's work)",
            field="days",
        )
    return days


def check_day(day: dt.date, field: str) -> dt.date:
    """A day the lake's windows can hold."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InputError(f"give a day between {FIRST_DAY} and {LAST_DAY}", field=field)
    return day


def team_achievements(
    *,
    session: Session,
    workspace: Workspace,
    team: int | str,
    as_of: dt.date | None = None,
    days: int = ACHIEVEMENT_DAYS,
    engine: FlowEngine | None = None,
    cached: Measure | None = None,
) -> TeamAchievements:
    """The team's achievements over the ``days`` ending on ``as_of`` (default: the lake's
    last day), with what was withheld and why. A caller that measures the same key results
    again (the brief) hands its ``engine`` and its ``cached`` measures."""
    found = find_team(session, team)
    days = check_days(days)
    ref = TeamRef(id=found.id, name=found.name)
    with _engine(workspace, engine) as opened:
        rule: AsOfRule = "asked"
        if as_of is None:
            as_of = workspace.lake.last_day()
            rule = "lake_end"
        if as_of is None:
            return TeamAchievements(team=ref, as_of=None, as_of_rule="no_work_data", first=None,
                                    days=days, achievements=[], withheld=[])  # fmt: skip
        check_day(as_of, "as_of")
        first, _, _ = days_back(as_of, days)
        filters = team_filters(session, found)
        mapping = StatusMapping.from_settings(workspace.settings.flow)
        production = workspace.settings.flow.delivery.production
        found_krs, withheld = _key_results(
            session, found, opened, filters, mapping, production, first, as_of, cached or uncached
        )
        removed, reason = _bottlenecks(opened, filters, as_of, days)
    if reason is not None:
        withheld.append(f"bottlenecks: {reason}")
    return TeamAchievements(
        team=ref,
        as_of=as_of,
        as_of_rule=rule,
        first=first,
        days=days,
        achievements=[*found_krs, *(_removed(r, first, as_of, days) for r in removed)],
        withheld=withheld,
    )


def _goals(session: Session, team: Team, first: dt.date, as_of: dt.date) -> list[Goal]:
    return list(
        session.scalars(
            select(Goal)
            .where(
                Goal.team_id == team.id,
                Goal.status != "dropped",
                Goal.starts_on <= as_of,
                Goal.ends_on >= first,
            )
            .options(selectinload(Goal.key_results).selectinload(KeyResult.checkins))
            .order_by(Goal.id)
        )
    )


def _key_results(
    session: Session,
    team: Team,
    engine: FlowEngine,
    filters: Filters,
    mapping: StatusMapping,
    production: str | None,
    first: dt.date,
    as_of: dt.date,
    cached: Measure,
) -> tuple[list[Achievement], list[str]]:
    found: list[Achievement] = []
    withheld: list[str] = []
    for goal in _goals(session, team, first, as_of):
        for kr in goal.key_results:
            direction: Direction = "down" if kr.direction == "down" else "up"
            checkin: CheckIn | None = None
            if kr.kind == "metric":
                spec = spec_from(kr.metric)
                measured = cached(spec, filters, as_of, partial(
                    measure, spec, engine=engine, team=filters, mapping=mapping, as_of=as_of,
                    production=production))  # fmt: skip
                if measured.withheld is not None:
                    withheld.append(f"key result {kr.id} ({kr.title}): {measured.withheld}")
                value, on = measured.value, as_of
            else:
                valued = [c for c in kr.checkins if c.value is not None]
                checkin = max(valued, key=lambda c: (c.checked_at, c.id), default=None)
                if checkin is None:
                    continue
                value, on = checkin.value, checkin.checked_at.date()
            if not reached(value=value, target=kr.target, direction=direction):
                continue
            better = "at most" if direction == "down" else "at least"
            unit = f" {kr.unit}" if kr.unit else ""
            found.append(
                Achievement(
                    id=f"key_result_reached:{kr.id}",
                    kind="key_result_reached",
                    scope="team",
                    on=on,
                    text=(
                        f"Key result reached: {kr.title} (goal: {goal.title}) — "
                        f"{_number(value)}{unit}, target {better} {_number(kr.target)}{unit}"
                    ),
                    goal_id=goal.id,
                    key_result_id=kr.id,
                    checkin_id=checkin.id if checkin is not None else None,
                    value=value,
                    target=kr.target,
                    direction=direction,
                    unit=kr.unit or None,
                )
            )
    return found, withheld


def _number(value: float | None) -> str:
    if value is None:
        return "unknown"
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def _stage_waits(engine: FlowEngine, filters: Filters) -> list[Wait]:
    report = bottlenecks(engine, filters, limit=None)
    waits: list[Wait] = []
    for item in report.bottlenecks:
        if item.kind == "edge" or item.kind == "activity":
            kind: StageKind = item.kind
            waits.append(Wait(kind, item.name, float(item.evidence["total_wait_seconds"] or 0.0)))
    return waits


def _bottlenecks(
    engine: FlowEngine, filters: Filters, as_of: dt.date, days: int
) -> tuple[list[Removed], str | None]:
    if not filters.teams or not any(filters.teams.values()):
        return [], "the team has nobody linked to the work data"
    _, start, end = days_back(as_of, days)
    previous_end = start
    previous_start = start - dt.timedelta(days=days)
    if previous_start.date() < FIRST_DAY:
        return [], "the period before lies outside the calendar"
    windows = (
        dataclasses.replace(filters, start=previous_start, end=previous_end),
        dataclasses.replace(filters, start=start, end=end),
    )
    for window, what in zip(windows, ("the period before", "this period"), strict=True):
        _, reason = shortfall(engine=engine, filters=window, what=what)
        if reason is not None:  # without the count of the few people (DESIGN §7)
            teams = ", ".join(sorted(filters.teams or ()))
            return [], withheld_text(f"team {teams}", "bottleneck", MIN_PEOPLE, where=what)
    before = _stage_waits(engine, windows[0])
    now = {(w.kind, w.name): w.total_wait_seconds for w in _stage_waits(engine, windows[1])}
    return removed_bottlenecks(before, now), None


def _removed(removed: Removed, first: dt.date, as_of: dt.date, days: int) -> Achievement:
    what = "stage" if removed.kind == "activity" else "step"
    return Achievement(
        id=f"bottleneck_removed:{removed.kind}:{removed.name}",
        kind="bottleneck_removed",
        scope="team",
        on=as_of,
        text=(
            f"Bottleneck removed: the wait at {what} {removed.name} (#{removed.rank} in the "
            f"{days} days before {first}) fell by {removed.fall:.0%}: "
            f"{_hours(removed.before_seconds)} → {_hours(removed.after_seconds)} of total wait"
        ),
        stage_kind=removed.kind,
        stage=removed.name,
        rank=removed.rank,
        wait_before_seconds=removed.before_seconds,
        wait_after_seconds=removed.after_seconds,
    )


def _hours(seconds: float) -> str:
    days = seconds / 86_400
    return f"{days:,.1f} days" if days >= 1 else f"{seconds / 3600:,.1f} hours"


def personal_achievements(
    *, session: Session, workspace: Workspace, person_id: int, as_of: dt.date | None = None
) -> PersonalAchievements:
    """One person's own achievements (individual work data: for that person's eyes only;
    callers pass the signed-in person, never someone else)."""
    keys = tuple(
        session.scalars(
            select(Identity.identity_key)
            .where(Identity.person_id == person_id)
            .order_by(Identity.identity_key)
        )
    )
    if not keys:
        return PersonalAchievements(person_id=person_id, achievements=[])
    with _engine(workspace) as engine:
        if not engine.lake.row_counts().get("events"):
            return PersonalAchievements(person_id=person_id, achievements=[])
        end = None
        if as_of is not None:
            end = days_back(check_day(as_of, "as_of"), 1)[2]
        mapping = StatusMapping.from_settings(workspace.settings.flow)
        items = item_facts(engine, Filters(resources=keys), mapping)
    done = [i for i in items if i.done_at is not None and (end is None or i.done_at < end)]
    if not done:
        return PersonalAchievements(person_id=person_id, achievements=[])
    first_item = min(done, key=lambda i: (i.done_at, i.case_id))
    assert first_item.done_at is not None
    day = first_item.done_at.astimezone(dt.UTC).date()
    return PersonalAchievements(
        person_id=person_id,
        achievements=[
            Achievement(
                id=f"first_item_shipped:{person_id}",
                kind="first_item_shipped",
                scope="personal",
                on=day,
                text=f"First item shipped: {first_item.case_id} was done on {day}",
                person_id=person_id,
                item_id=first_item.case_id,
            )
        ],
    )
