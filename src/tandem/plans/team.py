"""A team's development plans in aggregate: how many members have one, what they target.

For the brief (:mod:`tandem.brief`), which the team's leader and manager read. A plan is a
person's own (DESIGN §7), so this answer names nobody and carries only counts of people, each
shown from :data:`~tandem.profile.coverage.MIN_SHOWN` = 5 on:

* members are the cycle's **frozen roster** of the team (as coverage), so a roster change after
  the cycle changes nothing;
* ``with_plan`` (members with a plan for the cycle) is a number only from 5 on; below that it is
  ``None`` and every other figure is withheld with it (a practice count over four plans would
  say what one of four people works on);
* ``practices``: how many members' plans target each practice, only the practices targeted by
  5 members or more; the others are counted together in ``practices_withheld`` (how many
  practices, never whose). Plans target several practices each, so the counts do not add up to
  ``with_plan`` and none is the difference of two others;
* ``actions``: the plan actions by status (planned, doing, done, dropped) over all plans, shown
  with ``with_plan`` (actions are no one's once five or more people's plans are pooled).
"""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.plans.models import ActionStatus, DevelopmentPlan
from tandem.profile import frozen_roster
from tandem.profile.coverage import MIN_SHOWN
from tandem.review.models import ReviewCycle


class TeamPlansOut(BaseModel):
    """A team's plans in a cycle, in aggregate (``None``: fewer than ``min_shown`` people)."""

    model_config = ConfigDict(frozen=True)

    team: str
    cycle: str
    min_shown: int
    members: int
    with_plan: int | None
    practices: dict[str, int]  # practice → members whose plan targets it (≥ min_shown only)
    practices_withheld: int  # practices targeted by fewer than min_shown members
    actions: dict[str, int] | None  # status → actions, over all the team's plans
    withheld: str | None  # why the figures are not shown


def team_plans(*, session: Session, team: str, cycle: ReviewCycle) -> TeamPlansOut:
    """How many of ``team``'s members (as frozen for ``cycle``) have a plan, and what they
    target, in counts of 5 people or more."""
    members = [m.person_id for m in frozen_roster.teams(session=session, cycle=cycle).get(team, [])]
    plans = _latest_plans(session, cycle, members)
    targets: Counter[str] = Counter()
    actions: Counter[str] = Counter({status.value: 0 for status in ActionStatus})
    for plan in plans.values():
        targets.update({action.practice for action in plan.actions})
        actions.update(action.status for action in plan.actions)
    if len(plans) < MIN_SHOWN:
        return TeamPlansOut(
            team=team,
            cycle=cycle.name,
            min_shown=MIN_SHOWN,
            members=len(members),
            with_plan=None,
            practices={},
            practices_withheld=0,
            actions=None,
            withheld=(
                f"fewer than {MIN_SHOWN} members have a development plan for review cycle "
                f"{cycle.name!r}; plans are shown in aggregate from {MIN_SHOWN} people on, so "
                "that no one's plan can be told"
            ),
        )
    shown = {p: n for p, n in sorted(targets.items(), key=lambda kv: (-kv[1], kv[0]))
             if n >= MIN_SHOWN}  # fmt: skip
    return TeamPlansOut(
        team=team,
        cycle=cycle.name,
        min_shown=MIN_SHOWN,
        members=len(members),
        with_plan=len(plans),
        practices=shown,
        practices_withheld=len(targets) - len(shown),
        actions=dict(actions),
        withheld=None,
    )


def _latest_plans(
    session: Session, cycle: ReviewCycle, members: list[int]
) -> dict[int, DevelopmentPlan]:
    """Each member's latest plan for the cycle (the one their plan page shows)."""
    if not members:
        return {}
    rows = session.scalars(
        select(DevelopmentPlan)
        .where(DevelopmentPlan.cycle_id == cycle.id, DevelopmentPlan.person_id.in_(members))
        .order_by(DevelopmentPlan.id)
    )
    latest: dict[int, DevelopmentPlan] = {}
    for plan in rows:
        latest[plan.person_id] = plan  # ordered by id: the last one wins
    return latest
