"""Vision and goals: what the surfaces call (one import path for the goals' services).

Every function is keyword-only and takes the team (id or name) the caller was allowed: a goal,
key result or check-in of another team is "not found", so a guard on the team is a guard on
everything under it. The functions live in one module per subject:

- :mod:`tandem.why.goals.vision`       set_vision, show_vision
- :mod:`tandem.why.goals.definitions`  add_goal, list_goals, show_goal, set_goal_status,
  key_results, add_key_result
- :mod:`tandem.why.goals.checkins`     check_in
- :mod:`tandem.why.goals.answer`       team_goals, goal_progress (the progress answer: as-of
  rule, weekly history, withheld stays withheld)

with their input checks in :mod:`tandem.why.goals.fields` and the rows' answers in
:mod:`tandem.why.goals.records`.
"""

from __future__ import annotations

from tandem.why.goals.answer import CHECKINS_SHOWN, MAX_HISTORY, goal_progress, team_goals
from tandem.why.goals.checkins import check_in
from tandem.why.goals.definitions import (
    add_goal,
    add_key_result,
    key_results,
    list_goals,
    set_goal_status,
    show_goal,
)
from tandem.why.goals.fields import (
    MAX_NOTE,
    MAX_STATEMENT,
    MAX_TEXT,
    MAX_TITLE,
    MAX_UNIT,
    GoalStatus,
)
from tandem.why.goals.metrics import Measure, MeasureMemo
from tandem.why.goals.vision import set_vision, show_vision

__all__ = [
    "CHECKINS_SHOWN",
    "MAX_HISTORY",
    "MAX_NOTE",
    "MAX_STATEMENT",
    "MAX_TEXT",
    "MAX_TITLE",
    "MAX_UNIT",
    "GoalStatus",
    "Measure",
    "MeasureMemo",
    "add_goal",
    "add_key_result",
    "check_in",
    "goal_progress",
    "key_results",
    "list_goals",
    "set_goal_status",
    "set_vision",
    "show_goal",
    "show_vision",
    "team_goals",
]
