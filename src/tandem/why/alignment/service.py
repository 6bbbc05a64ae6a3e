"""The alignment service: the team's work items and the goals they serve, rules, decisions.

Surfaces (``tandem align …``, ``/why/alignment``) and other why tools (impact stories) call
these typed, keyword-only functions. :func:`aligned_items` is the one answer every other figure
derives from: the team's items in a window (the items the team's filters select, as the HOW
panel), each with its goals and why (rules, then people's decisions, :mod:`.rules`) and its
effort (:data:`~tandem.why.alignment.lake.EFFORT_MODEL`).
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.flow.engine import FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.why.alignment import lake
from tandem.why.alignment.models import AlignmentLink, AlignmentRule
from tandem.why.alignment.rules import Rule, align
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


def team_goals(session: Session, team_id: int) -> list[Goal]:
    """The team's goals that work can align to (all but dropped ones), by id."""
    return list(
        session.scalars(
            select(Goal).where(Goal.team_id == team_id, Goal.status != "dropped").order_by(Goal.id)
        )
    )


def team_rules(session: Session, goal_ids: list[int]) -> list[Rule]:
    rows = session.scalars(
        select(AlignmentRule).where(AlignmentRule.goal_id.in_(goal_ids)).order_by(AlignmentRule.id)
    )
    return [Rule(id=r.id, goal_id=r.goal_id, kind=r.kind, pattern=r.pattern) for r in rows]


def team_decisions(session: Session, goal_ids: list[int]) -> dict[tuple[str, int], str]:
    rows = session.scalars(select(AlignmentLink).where(AlignmentLink.goal_id.in_(goal_ids)))
    return {(r.object_id, r.goal_id): r.decision for r in rows}


def read_team_items(
    *,
    session: Session,
    engine: FlowEngine,
    team_id: int,
    mapping: StatusMapping,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> list[lake.LakeItem]:
    """The team's work items in ``[start, end)`` as the lake holds them."""
    team = find_team(session, team_id)
    filters = lake.window_filters(team_filters(session, team), start, end)
    return lake.read_items(engine, filters, mapping)


def aligned_items(
    *,
    session: Session,
    engine: FlowEngine,
    team_id: int,
    mapping: StatusMapping,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> list[AlignedItem]:
    """The team's work items in ``[start, end)`` with their goals, by object id.

    The items are those the team's filters select (:func:`tandem.why.scope.team_filters`: whole
    items with an event by a member) that have an event in the window (the flow engine's window
    semantics). This is an item-level answer for the why's own use (stories, balance): surfaces
    show people aggregates from it only under DESIGN §7 (the balance is withheld below 5 people).
    """
    items = read_team_items(
        session=session, engine=engine, team_id=team_id, mapping=mapping, start=start, end=end
    )
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
