"""The brief's WHY slot: a typed input (:class:`WhySection`) and the one builder that fills it.

The WHY section renders from a :class:`WhySection` alone: the vision, the goals with each key
result's value, target, progress and history, the impact stories sentence by sentence with
their evidence ids, and the wins. The brief never computes any of these: they are the answers
of the goals, stories and recognition services (``tandem.why.goals``, ``tandem.why.stories``,
``tandem.why.recognition``).

**The wiring point** is :func:`why_section`, called once by :func:`tandem.brief.build.build_brief`
(and so by ``tandem brief`` and ``GET /why/brief``). Until those services are merged it answers
:meth:`WhySection.not_set_up`, and the brief says "not set up yet". To wire it, replace its body
by calls to the services, mapping their answers field by field:

* goals service (``TeamGoals`` of ``tandem.why.goals.service``): ``vision`` ← ``VisionLine``
  (statement, postcard, horizon); each ``GoalProgress`` → :class:`GoalLine` (title, why,
  starts_on, ends_on, status, progress, track) with each ``KeyResultOut`` →
  :class:`KeyResultLine` (title, ``metric_text`` → metric, unit, direction, baseline, target,
  value, n, withheld, progress, track, history as :class:`HistoryPoint` day/value/withheld);
* stories service: each story → :class:`StoryLine` (title, period, and every sentence as
  :class:`StorySentence` text + evidence ids, in order);
* recognition service (wins digest): each win → :class:`WinLine` (day, kind, title, text);

and return ``WhySection.of(vision=..., goals=..., stories=..., wins=...)``. Pass ``as_of`` (the
work data's last day, which the brief shows in its header) and the period, so the key results
are measured on the same day as the HOW figures.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from tandem.why.scope import TeamRef

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
    team: TeamRef,
    as_of: dt.date | None,
    start: dt.date | None,
    end: dt.date | None,
) -> WhySection:
    """The team's WHY for the brief. THE WIRING POINT: see the module docstring.

    Until the goals, stories and recognition services are merged this answers "not set up
    yet"; the brief's framework, privacy notes and rendering do not change when it is wired.
    """
    del session, team, as_of, start, end  # read by the services once wired
    return WhySection.not_set_up()
