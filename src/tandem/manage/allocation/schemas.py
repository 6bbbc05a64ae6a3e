"""The allocation plan (input) and the recommendation (output) as pydantic models.

A plan is people × projects plus settings; every field is bounded so that a bad plan is refused
with the field's path (``people[3].capacity``) before any solving starts (:mod:`.plan`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

MAX_PEOPLE = 5_000
MAX_PROJECTS = 1_000
MAX_SKILLS = 50
MAX_CURRENT = 20
STEP = 0.1  # FTE granularity of every allotment
STEPS_PER_FTE = 10

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
SkillName = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=60)
]
Level = Annotated[int, Field(ge=1, le=5)]
Fte = Annotated[float, Field(ge=0, le=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CurrentAssignment(_Strict):
    """Where a person works today and how much (FTE)."""

    project: Name
    fte: Annotated[float, Field(gt=0, le=1)]


class PersonIn(_Strict):
    """A person: ``ref`` is an id or email matched to the workspace's people, else free text."""

    ref: Name
    name: Name | None = None
    capacity: Fte = 1.0
    time_off_days: Annotated[float, Field(ge=0, le=366)] = 0
    skills: Annotated[dict[SkillName, Level], Field(max_length=MAX_SKILLS)] = {}
    current: Annotated[list[CurrentAssignment], Field(max_length=MAX_CURRENT)] = []


class DemandIn(_Strict):
    """What a project needs of one skill: FTE and the minimum level."""

    skill: SkillName
    fte: Annotated[float, Field(gt=0, le=100)]
    min_level: Level = 1


class ProjectIn(_Strict):
    """A project or goal: demand per skill, priority 1–5 (or an explicit weight), staff bounds."""

    name: Name
    priority: Annotated[int, Field(ge=1, le=5)] = 3
    weight: Annotated[float, Field(gt=0, le=100)] | None = None
    demand: Annotated[list[DemandIn], Field(min_length=1, max_length=MAX_SKILLS)]
    min_staff: Annotated[int, Field(ge=0, le=MAX_PEOPLE)] = 0
    max_staff: Annotated[int, Field(ge=1, le=MAX_PEOPLE)] | None = None

    @property
    def value(self) -> float:
        """The weight of one FTE of covered demand: ``weight`` if given, else ``priority``."""
        return self.weight if self.weight is not None else float(self.priority)


class SettingsIn(_Strict):
    """Plan-wide settings: WIP limit, horizon, reassignment penalty weight."""

    wip_limit: Annotated[int, Field(ge=1, le=20)] = 2
    horizon_days: Annotated[int, Field(ge=1, le=366)] = 30
    reassignment_penalty: Annotated[float, Field(ge=0, le=100)] = 0.5


class PlanIn(_Strict):
    """The whole plan."""

    settings: SettingsIn = SettingsIn()
    people: Annotated[list[PersonIn], Field(max_length=MAX_PEOPLE)]
    projects: Annotated[list[ProjectIn], Field(max_length=MAX_PROJECTS)]


# ---- the recommendation ----

Status = Literal["OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN", "MODEL_INVALID"]


class Allotment(BaseModel):
    """One person's FTE on one skill of one project, and why."""

    person: str
    person_name: str
    project: str
    skill: str
    fte: float
    level: int
    min_level: int
    change: Literal["kept", "moved", "new"]
    reason: str


class Uncovered(BaseModel):
    """Demand left uncovered, and why."""

    project: str
    skill: str
    demand: float
    covered: float
    missing: float
    reason: str


class ProjectCoverage(BaseModel):
    project: str
    priority: int
    weight: float
    demand: float
    covered: float
    coverage: float
    staff: int
    min_staff: int
    max_staff: int | None
    staffed: bool


class Load(BaseModel):
    """A person's load: allocated and current FTE against effective capacity."""

    person: str
    person_name: str
    capacity: float
    effective_capacity: float
    allocated: float
    current: float
    current_projects: int
    projects: int
    over_allocated_now: bool
    over_allocated: bool
    flags: list[str]


class Solve(BaseModel):
    status: Status
    objective: float | None
    best_bound: float | None
    gap: float | None
    wall_seconds: float
    time_limit: float
    workers: int
    bound_source: Literal["cp-sat", "lp-relaxation"] = "cp-sat"
    eligible_variables: int = 0
    searched_variables: int | None = None


class Allocation(BaseModel):
    """The recommendation: a human decides."""

    solve: Solve
    assignments: list[Allotment]
    uncovered: list[Uncovered]
    projects: list[ProjectCoverage]
    load: list[Load]
    moved_people: int
    covered_fte: float
    demand_fte: float
    note: str = "A recommendation: a person decides, with the people concerned."


class Move(BaseModel):
    person: str
    person_name: str
    before: dict[str, float]
    after: dict[str, float]


class CoverageChange(BaseModel):
    project: str
    before: float
    after: float


class WhatIf(BaseModel):
    """A changed plan's allocation and its difference from the base plan's."""

    changes: list[str]
    base: Allocation
    variant: Allocation
    moves: list[Move]
    coverage: list[CoverageChange]
    covered_before: float
    covered_after: float
