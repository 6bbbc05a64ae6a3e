"""What the delegation services answer: the board, an area's history, ownership, approvals.

Ownership and approval answers never carry a name or an identity key of anyone but the viewer
(``mine``): DESIGN §7, see :mod:`.ownership`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

from tandem.why.scope import TeamRef


class LevelInfo(BaseModel):
    """One of the seven levels, as the board's columns name it."""

    model_config = ConfigDict(frozen=True)

    level: int
    name: str
    meaning: str


class LevelSet(BaseModel):
    """One row of an area's history: the level set (or confirmed), by whom, when and why."""

    model_config = ConfigDict(frozen=True)

    level: int
    name: str
    change: Literal["first", "up", "down", "confirmed"]
    set_at: dt.datetime
    set_by: str | None  # the person's display name; null when unknown or removed
    note: str


class AreaOut(BaseModel):
    """A decision area on the board with its current level and review date."""

    model_config = ConfigDict(frozen=True)

    id: int
    team_id: int
    duo_id: int | None
    duo: str | None  # "Ann & Bob" for a pair's area, null for the team's
    name: str
    description: str
    level: int
    level_name: str
    review_on: dt.date
    review_due: bool
    last_set_at: dt.datetime
    history: list[LevelSet]


class Board(BaseModel):
    """A team's delegation board on ``as_of``: every area (team and pair) with its level."""

    model_config = ConfigDict(frozen=True)

    team: TeamRef
    as_of: dt.date
    levels: list[LevelInfo]
    areas: list[AreaOut]
    due: int
    reminder: str | None  # "2 areas are due for their quarterly review: …"


class AreaOwnership(BaseModel):
    """How concentrated one area's changes are; no names (DESIGN §7)."""

    model_config = ConfigDict(frozen=True)

    area: str  # repo-relative path prefix, e.g. "src/tandem"
    repo: str
    # commits, lines, top share and HHI are null when the area is withheld (fewer than 5 authors, or
    # complementary suppression): they would describe its few people's own work
    commits: int | None  # the changes shares are taken of: non-merge commits touching the area
    lines: int | None  # insertions + deletions in the area
    authors: int | None  # distinct people; null below 5 (a count of those few)
    top_share: float | None  # the busiest person's share of the changes (0–1)
    herfindahl: float | None  # Σ share² over people (1/authors … 1)
    bus_factor: int
    flagged: bool  # bus factor 1
    withheld: str | None = None  # why the figures above are null


class MyArea(BaseModel):
    """An area where the viewer is the top author: their own work data, shown only to them."""

    model_config = ConfigDict(frozen=True)

    area: str
    repo: str
    share: float | None  # null in a withheld area with other authors (it gives theirs back)
    changes: int
    text: str  # "you wrote 82 % of changes in src/tandem/lake"


class Ownership(BaseModel):
    """Ownership concentration of a team's (or all) commits in a window, per area."""

    model_config = ConfigDict(frozen=True)

    scope: str  # "team Beacon" or "all work data"
    start: dt.date | None
    end: dt.date | None  # inclusive
    depth: int
    repos: list[str]
    people: int | None  # distinct people behind the commits; null when withheld
    commits: int | None  # null when withheld
    withheld: str | None
    areas: list[AreaOwnership]
    flagged: int
    mine: list[MyArea]
    include_bots: bool


class Approvals(BaseModel):
    """Approval bottlenecks of a team's (or all) pull requests: no names."""

    model_config = ConfigDict(frozen=True)

    scope: str
    start: dt.date | None
    end: dt.date | None
    # the four counts are null when the answer is withheld (fewer than 5 people)
    pull_requests: int | None  # PRs with at least one (non-bot) review in the window
    reviews: int | None
    reviewers: int | None
    people: int | None
    busiest_share: float | None  # the busiest reviewer's share of the reviews
    waited_on_one: int | None  # reviewed PRs whose every review came from the busiest reviewer
    single_reviewer: int | None  # reviewed PRs reviewed by exactly one person
    withheld: str | None
