"""The alignment service: the team's work items and the goals they serve, rules, decisions.

Surfaces (``tandem align …``, ``/why/alignment``) and other why tools (impact stories) call
these typed, keyword-only functions. :func:`aligned_items` is the one answer every other figure
derives from: the team's items in a window (the items the team's filters select, as the HOW
panel), each with its goals and why (rules, then people's decisions, :mod:`.rules`) and its
effort (:data:`~tandem.why.alignment.lake.EFFORT_MODEL`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Protocol

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.errors import ConflictError, InputError, NotFoundError
from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.why.alignment import lake
from tandem.why.alignment.models import AlignmentLink, AlignmentRule
from tandem.why.alignment.rules import Rule, align, clean_pattern
from tandem.why.goals.models import Goal
from tandem.why.scope import find_team, team_filters


class AlignedItem(BaseModel):
    """One work item of the team's window and the goals it serves (none: unaligned)."""

    model_config = ConfigDict(frozen=True)

    object_id: str
    external_key: str
    title: str
    item_type: str | None
    source: str
    status: str  # done, canceled or open (the flow status of the item's whole history)
    created_at: dt.datetime
    done_at: dt.datetime | None
    goal_ids: tuple[int, ...]
    matched_by: tuple[str, ...]  # "rule 3: label = checkout", "accepted by a person"
    resources: tuple[str, ...]  # identity keys with events on the item
    effort_days: float  # active days inside the window (lake.EFFORT_MODEL)

    @property
    def aligned(self) -> bool:
        return bool(self.goal_ids)


def team_goals(session: Session, team_id: int, *, dropped: bool = False) -> list[Goal]:
    """The team's goals that work can align to (all but dropped ones unless asked), by id."""
    query = select(Goal).where(Goal.team_id == team_id).order_by(Goal.id)
    if not dropped:
        query = query.where(Goal.status != "dropped")
    return list(session.scalars(query))


def team_rules(session: Session, goal_ids: list[int]) -> list[Rule]:
    rows = session.scalars(
        select(AlignmentRule).where(AlignmentRule.goal_id.in_(goal_ids)).order_by(AlignmentRule.id)
    )
    return [Rule(id=r.id, goal_id=r.goal_id, kind=r.kind, pattern=r.pattern) for r in rows]


def team_decisions(session: Session, goal_ids: list[int]) -> dict[tuple[str, int], str]:
    rows = session.scalars(select(AlignmentLink).where(AlignmentLink.goal_id.in_(goal_ids)))
    return {(r.object_id, r.goal_id): r.decision for r in rows}


class ItemCache(Protocol):
    """How a surface caches the lake's items of a selection: ``compute`` or a cached answer for
    the same selection (the web: per lake generation and status mapping)."""

    def __call__(
        self, filters: Filters, compute: Callable[[], list[lake.LakeItem]]
    ) -> list[lake.LakeItem]: ...


def window_items(
    engine: FlowEngine, filters: Filters, mapping: StatusMapping, cached: ItemCache | None = None
) -> list[lake.LakeItem]:
    """The selection's items as the lake holds them, read once per ``cached`` (when given)."""
    compute = partial(lake.read_items, engine, filters, mapping)
    return compute() if cached is None else cached(filters, compute)


def read_team_items(
    *,
    session: Session,
    engine: FlowEngine,
    team_id: int,
    mapping: StatusMapping,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    cached: ItemCache | None = None,
) -> list[lake.LakeItem]:
    """The team's work items in ``[start, end)`` as the lake holds them."""
    team = find_team(session, team_id)
    filters = lake.window_filters(team_filters(session, team), start, end)
    return window_items(engine, filters, mapping, cached)


def aligned_items(
    *,
    session: Session,
    engine: FlowEngine,
    team_id: int,
    mapping: StatusMapping,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    cached: ItemCache | None = None,
) -> list[AlignedItem]:
    """The team's work items in ``[start, end)`` with their goals, by object id.

    The items are those the team's filters select (:func:`tandem.why.scope.team_filters`: whole
    items with an event by a member) that have an event in the window (the flow engine's window
    semantics). This is an item-level answer for the why's own use (stories, balance): surfaces
    show people aggregates from it only under DESIGN §7 (the balance is withheld below 5 people).
    """
    items = read_team_items(
        session=session, engine=engine, team_id=team_id, mapping=mapping, start=start, end=end,
        cached=cached,
    )  # fmt: skip
    goal_ids = [goal.id for goal in team_goals(session, team_id)]
    matched = align(
        (item.signals for item in items),
        team_rules(session, goal_ids),
        team_decisions(session, goal_ids),
    )
    return [_aligned(item, matched.get(item.signals.object_id, {})) for item in items]


def _aligned(item: lake.LakeItem, goals: dict[int, tuple[str, ...]]) -> AlignedItem:
    reasons = tuple(dict.fromkeys(reason for goal in goals.values() for reason in goal))
    return AlignedItem(
        object_id=item.signals.object_id,
        external_key=item.external_key,
        title=item.signals.title,
        item_type=item.signals.item_type,
        source=item.signals.source,
        status=item.status,
        created_at=item.created_at,
        done_at=item.done_at,
        goal_ids=tuple(sorted(goals)),
        matched_by=reasons,
        resources=item.resources,
        effort_days=item.effort_days,
    )


# -- rules -----------------------------------------------------------------------------------


class RuleOut(BaseModel):
    """An alignment rule of one of the team's goals."""

    model_config = ConfigDict(frozen=True)

    id: int
    goal_id: int
    goal_title: str
    kind: str
    pattern: str
    reason: str  # how a matched item shows it: "rule 3: label = checkout"


def team_goal(session: Session, team_id: int, goal_id: int) -> Goal:
    """One of the team's goals; :class:`NotFoundError` for another team's or an unknown id."""
    goal = session.get(Goal, goal_id)
    if goal is None or goal.team_id != team_id:
        raise NotFoundError(f"the team has no goal {goal_id}")
    return goal


def _rule_out(rule: AlignmentRule, goal: Goal) -> RuleOut:
    spec = Rule(id=rule.id, goal_id=rule.goal_id, kind=rule.kind, pattern=rule.pattern)
    return RuleOut(
        id=rule.id,
        goal_id=goal.id,
        goal_title=goal.title,
        kind=rule.kind,
        pattern=rule.pattern,
        reason=spec.reason,
    )


def add_rule(*, session: Session, team_id: int, goal_id: int, kind: str, pattern: str) -> RuleOut:
    """A new rule linking the items it matches to the goal (the pattern checked first)."""
    goal = team_goal(session, team_id, goal_id)
    text = clean_pattern(kind, pattern)
    exists = session.scalar(
        select(AlignmentRule).where(
            AlignmentRule.goal_id == goal.id,
            AlignmentRule.kind == kind,
            AlignmentRule.pattern == text,
        )
    )
    if exists is not None:
        raise ConflictError(f"goal {goal.id} already has rule {exists.id}: {kind} {text}")
    rule = AlignmentRule(goal_id=goal.id, kind=kind, pattern=text)
    session.add(rule)
    session.flush()
    return _rule_out(rule, goal)


def list_rules(*, session: Session, team_id: int) -> list[RuleOut]:
    """The team's rules, by id."""
    goals = {goal.id: goal for goal in team_goals(session, team_id, dropped=True)}
    rows = session.scalars(
        select(AlignmentRule)
        .where(AlignmentRule.goal_id.in_(list(goals)))
        .order_by(AlignmentRule.id)
    )
    return [_rule_out(rule, goals[rule.goal_id]) for rule in rows]


def remove_rule(*, session: Session, team_id: int, rule_id: int) -> RuleOut:
    """Remove one of the team's rules; :class:`NotFoundError` for another team's."""
    rule = session.get(AlignmentRule, rule_id)
    if rule is None or rule.goal.team_id != team_id:
        raise NotFoundError(f"the team has no alignment rule {rule_id}")
    out = _rule_out(rule, rule.goal)
    session.delete(rule)
    session.flush()
    return out


# -- people's decisions ----------------------------------------------------------------------


class DecisionOut(BaseModel):
    """A person's decision on one work item and one goal."""

    model_config = ConfigDict(frozen=True)

    goal_id: int
    goal_title: str
    object_id: str
    decision: str  # accepted | rejected
    origin: str  # suggestion | manual
    decided_at: dt.datetime
    decided_by_id: int | None


def decide(
    *,
    session: Session,
    engine: FlowEngine,
    team_id: int,
    goal_id: int,
    object_id: str,
    decision: str,
    origin: str = "suggestion",
    person_id: int | None = None,
    now: dt.datetime | None = None,
) -> DecisionOut:
    """Record (or change) a person's decision: ``accepted`` links the item to the goal,
    ``rejected`` unlinks it even where a rule matches. The item must be a work item of the
    lake (delivery objects, ``@…``, never are)."""
    if decision not in ("accepted", "rejected"):
        raise InputError(f"{decision!r} is not one of accepted, rejected", field="decision")
    if origin not in ("suggestion", "manual"):
        raise InputError(f"{origin!r} is not one of suggestion, manual", field="origin")
    goal = team_goal(session, team_id, goal_id)
    object_id = object_id.strip()
    if not lake.is_work_item(engine, object_id):
        raise NotFoundError(f"no work item {object_id!r} in the lake")
    link = session.scalar(
        select(AlignmentLink).where(
            AlignmentLink.goal_id == goal.id, AlignmentLink.object_id == object_id
        )
    )
    if link is None:
        link = AlignmentLink(goal_id=goal.id, object_id=object_id)
        session.add(link)
    link.decision = decision
    link.origin = origin
    link.decided_by_id = person_id
    link.decided_at = now or dt.datetime.now(dt.UTC)
    session.flush()
    return DecisionOut(
        goal_id=goal.id,
        goal_title=goal.title,
        object_id=object_id,
        decision=decision,
        origin=origin,
        decided_at=link.decided_at,
        decided_by_id=person_id,
    )


def list_decisions(*, session: Session, team_id: int) -> list[DecisionOut]:
    """The team's decisions, newest first."""
    goals = {goal.id: goal for goal in team_goals(session, team_id, dropped=True)}
    rows = session.scalars(
        select(AlignmentLink)
        .where(AlignmentLink.goal_id.in_(list(goals)))
        .order_by(AlignmentLink.decided_at.desc(), AlignmentLink.id.desc())
    )
    return [
        DecisionOut(
            goal_id=row.goal_id,
            goal_title=goals[row.goal_id].title,
            object_id=row.object_id,
            decision=row.decision,
            origin=row.origin,
            decided_at=row.decided_at,
            decided_by_id=row.decided_by_id,
        )
        for row in rows
    ]
