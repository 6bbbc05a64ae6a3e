"""Pydantic shapes of a person's trend across review cycles (CLI, web, API, tests).

Scores are rounded to 2 decimals as everywhere (:data:`tandem.profile.service.SHOWN_DECIMALS`);
the verdicts were decided on the unrounded values, as the profile's labels are.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from tandem.profile.schemas import PersonRef


class FigureOut(BaseModel):
    """One figure of one cycle as the viewer may see it: value, standard error, raters."""

    value: float | None
    se: float | None
    raters: float  # raters behind it; effective raters for L − M (one decimal)


class TrendCycleOut(BaseModel):
    """One closed cycle of the trend: the others' score of every practice, L, M and L − M."""

    cycle: str
    item_bank_version: str
    closed_on: dt.date | None
    practices: dict[str, FigureOut]
    L: FigureOut
    M: FigureOut
    leaning: FigureOut  # L − M


class ChangeOut(BaseModel):
    """A figure from the earlier to the later cycle: difference, its SE, RCI and the verdict."""

    difference: float | None
    se: float | None
    rci: float | None
    verdict: str  # improved | declined | no reliable change | towards leader/manager | a reason


class FiguresOut(BaseModel):
    """One cycle's figures as a step between two item banks compared them: on shared items."""

    cycle: str
    practices: dict[str, FigureOut]  # the practices compared (enough shared items)
    L: FigureOut
    M: FigureOut
    leaning: FigureOut


class StepOut(BaseModel):
    """Two cycles compared: the later one's figures tested against the earlier one's.

    Two cycles on different item bank versions are compared on the items both versions share:
    ``basis`` reads "shared items (N of M)" (else "same items"), ``shared_items`` gives each
    compared practice's count, and ``earlier_figures`` / ``later_figures`` are both cycles
    rescored on those items: the figures the changes are between, which differ from each
    cycle's own report (``cycles``).
    """

    earlier: str
    later: str
    comparable: bool  # every practice compared (same bank, or enough shared items for each)
    changed: list[str]  # practices not compared: too few items shared between the banks
    practices: dict[str, ChangeOut]
    L: ChangeOut
    M: ChangeOut
    leaning: ChangeOut
    basis: str = "same items"
    shared_items: dict[str, int] = {}
    earlier_figures: FiguresOut | None = None
    later_figures: FiguresOut | None = None
    note: str | None = None  # how a step between two item banks was compared, in words


class PlanActionRef(BaseModel):
    """One action of a plan, as the trend names it (the plan page has the rest)."""

    id: int
    title: str | None
    behaviour: str
    status: str


class PlanPracticeOut(BaseModel):
    """A practice the plan worked on: its actions and whether it changed by the next cycle."""

    practice: str
    actions: list[PlanActionRef]
    change: ChangeOut | None  # None until a later closed cycle re-rates it


class PlanFollowUpOut(BaseModel):
    """A development plan made from one cycle, tied to what the next cycle measured.

    ``rerated_in`` is the next closed cycle of the trend (``None``: not re-rated yet);
    ``rerated_early`` says that cycle closed before the plan's re-rate date, so the actions had
    less time than planned; ``rerate_due`` says the date has passed with no re-rating yet.
    """

    plan_id: int
    plan_cycle: str
    side: str
    rerate_date: dt.date | None
    rerated_in: str | None
    rerated_early: bool
    rerate_due: bool
    practices: list[PlanPracticeOut]
    note: str


class TrendOut(BaseModel):
    """A person's trend across the closed cycles the viewer may see of them."""

    person: PersonRef
    viewer_is_owner: bool
    z: float  # the RCI threshold of a reliable change (two-sided 95 %)
    cycles: list[TrendCycleOut]  # oldest first
    steps: list[StepOut]  # each cycle against the one before
    overall: StepOut | None  # first → last, with 3 or more cycles
    plans: list[PlanFollowUpOut]  # only for the person themself (a plan is theirs)
    notes: list[str]
