"""The investment balance of a team's window: effort per goal against its target share.

One answer (:class:`Balance`) built from :func:`tandem.why.alignment.service.aligned_items`
and :func:`tandem.why.alignment.balance.balance_rows` (the effort models, the 1/k split, the
rounding and the flag rule are documented there and in ``docs/metrics.md``).

Privacy (DESIGN §7): the balance is a team aggregate, so it is withheld — no row, no total —
when fewer than :data:`~tandem.flow.service.MIN_PEOPLE` people of the team worked inside the
window on its items (:func:`tandem.flow.service.shortfall`, the HOW panel's own check), and
then carries no count (``people`` is null, the reason says "fewer than 5 people"). The window
spans at least :data:`~tandem.delivery.privacy.MIN_WINDOW_DAYS` days
(:func:`tandem.why.scope.require_window`: an input error naming ``from`` otherwise).
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from tandem.errors import InputError
from tandem.flow.engine import FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.flow.service import MIN_PEOPLE, shortfall
from tandem.why.alignment import lake, service
from tandem.why.alignment.balance import (
    EFFORT_MODELS,
    FLAG_RATIO,
    Effort,
    EffortModel,
    GoalTarget,
    balance_rows,
)
from tandem.why.scope import TeamRef, find_team, require_window, team_filters, withheld_text

MODEL_TEXT: dict[str, str] = {
    "active_days": lake.EFFORT_MODEL,
    "items": "items: each item with an event in the window counts 1",
}
FLAG_RULE = f"flagged when a goal's actual share is below {FLAG_RATIO:g} × its target share"


class BalanceRowOut(BaseModel):
    """One row of the balance: a goal, or the unaligned work (``goal_id`` null)."""

    model_config = ConfigDict(frozen=True)

    goal_id: int | None
    title: str
    items: int
    effort: float  # in the model's unit: days (active_days) or items
    share: float | None  # 0–1; the rows' shares sum to 1
    percent: float | None  # rounded to tenths; the rows sum to exactly 100.0
    target_share: float | None
    flagged: bool


class Balance(BaseModel):
    """The investment balance of a team's window, or why it is withheld."""

    model_config = ConfigDict(frozen=True)

    team: TeamRef
    start: dt.datetime | None
    end: dt.datetime | None
    model: EffortModel
    model_text: str
    unit: str
    flag_rule: str
    people: int | None
    withheld: str | None
    items: int | None
    total_effort: float | None
    rows: list[BalanceRowOut]


def investment_balance(
    *,
    session: Session,
    engine: FlowEngine,
    team_id: int,
    mapping: StatusMapping,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    model: str = "active_days",
    min_people: int = MIN_PEOPLE,
    cached: service.ItemCache | None = None,
) -> Balance:
    """The team's balance over ``[start, end)`` under the effort ``model`` (the window's items
    read through ``cached`` when given)."""
    if model not in EFFORT_MODELS:
        raise InputError(f"{model!r} is not one of {', '.join(EFFORT_MODELS)}", field="model")
    effort_model: EffortModel = "items" if model == "items" else "active_days"
    require_window(start, end, what="team alignment answers")
    team = find_team(session, team_id)
    filters = lake.window_filters(team_filters(session, team), start, end)
    people, withheld = shortfall(engine=engine, filters=filters, min_people=min_people)
    answer = {
        "team": TeamRef(id=team.id, name=team.name),
        "start": start,
        "end": end,
        "model": effort_model,
        "model_text": MODEL_TEXT[effort_model],
        "unit": "items" if effort_model == "items" else "days",
        "flag_rule": FLAG_RULE,
        "people": people,
    }
    if withheld is not None:  # no count either: a count of fewer people describes them
        reason = withheld_text(f"team {team.name}", "alignment", min_people)
        answer["people"] = None
        return Balance(**answer, withheld=reason, items=None, total_effort=None, rows=[])
    items = service.aligned_items(
        session=session, engine=engine, team_id=team.id, mapping=mapping, start=start, end=end,
        cached=cached,
    )  # fmt: skip
    goals = [
        GoalTarget(id=goal.id, title=goal.title, target_share=goal.target_share)
        for goal in service.team_goals(session, team.id)
    ]
    efforts = [
        Effort(
            object_id=item.object_id,
            effort=1.0 if effort_model == "items" else item.effort_days,
            goal_ids=item.goal_ids,
        )
        for item in items
    ]
    rows = [BalanceRowOut(**row.__dict__) for row in balance_rows(efforts, goals)]
    return Balance(
        **answer,
        withheld=None,
        items=len(items),
        total_effort=sum(row.effort for row in rows),
        rows=rows,
    )
