"""Pydantic shapes of review cycles, assignments and imports (CLI, API and tests share them)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel


class CycleOut(BaseModel):
    """A review cycle with how much it holds."""

    name: str
    status: str
    item_bank_version: str
    created_at: dt.datetime
    closed_at: dt.datetime | None
    due_date: dt.date | None = None
    items_per_practice: int | None = None  # planned missingness: items per practice per rater
    ratees: int
    assignments: int
    responses: int


class AssignmentOut(BaseModel):
    """One rater asked to rate one ratee."""

    ratee_id: int
    ratee: str
    rater_id: int
    rater: str
    relation: str


class AssignmentConflict(BaseModel):
    """A derived assignment left alone because the pair is already assigned in another relation."""

    ratee_id: int
    rater_id: int
    existing: str
    derived: str


class AssignReport(BaseModel):
    """What an assignment run did; running it again creates nothing new."""

    cycle: str
    created: int
    existing: int
    created_by_relation: dict[str, int]
    assignments: list[AssignmentOut]
    conflicts: list[AssignmentConflict]


class ResponsesReport(BaseModel):
    """What a response import did (re-importing an answer replaces it)."""

    cycle: str
    rows: int
    inserted: int
    replaced: int
    unchanged: int
    assignments_created: int
    ratees: int


class ItemOut(BaseModel):
    """One item of the bank."""

    id: str
    side: str
    practice: str
    reverse: bool
    text: str
    scale: str = "practice"  # or "overuse": the separate "too much" scale (bank v2)
    raters: list[str] = ["self", "manager", "peer", "report"]  # relations asked this item
    same_as: str | None = None  # the identical item of the previous version
    split_from: str | None = None  # the previous version's item it was split from


class ItemBankOut(BaseModel):
    """A version of the item bank."""

    version: str
    status: str = "published"
    previous_version: str | None = None
    items: list[ItemOut]
