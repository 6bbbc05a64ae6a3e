"""Run an allocation and its what-ifs; match a plan's people to the workspace's.

The plan comes from a file or a JSON body (no tables in the app database yet: skills and
projects stored in Tandem are a later increment). Running it on named people is recorded in
the audit log (counts and the status only, never names or skills).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from tandem.audit import service as audit
from tandem.audit.schemas import AuditAction
from tandem.errors import InputError, NotFoundError
from tandem.manage.allocation import explain
from tandem.manage.allocation.bound import lp_bound
from tandem.manage.allocation.greedy import greedy
from tandem.manage.allocation.model import (
    DEFAULT_TIME_LIMIT,
    MAX_TIME_LIMIT,
    Problem,
    solve,
)
from tandem.manage.allocation.plan import check_plan
from tandem.manage.allocation.schemas import (
    Allocation,
    CoverageChange,
    Move,
    PersonIn,
    PlanIn,
    ProjectIn,
    WhatIf,
)
from tandem.people import service as people_service

MAX_CHANGES = 100
SPARSE_ABOVE = 5_000  # eligible (person, project, skill) variables solved exactly
CANDIDATES_PER_DEMAND = 0  # sampled people per demand beyond the greedy start and today's
MIN_SEARCH = 1.0  # seconds CP-SAT gets at least


@dataclass(frozen=True)
class Changes:
    """A what-if: people removed, projects added, capacities changed (FTE)."""

    remove: Sequence[str] = ()
    add_projects: Sequence[ProjectIn] = ()
    capacity: dict[str, float] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.remove or self.add_projects or self.capacity)

    def describe(self) -> list[str]:
        return (
            [f"remove {ref}" for ref in self.remove]
            + [f"add project {p.name}" for p in self.add_projects]
            + [f"capacity of {ref} → {fte:g} FTE" for ref, fte in self.capacity.items()]
        )


def check_time_limit(seconds: float) -> float:
    """A solver time limit in (0, 600] seconds."""
    if not 0 < seconds <= MAX_TIME_LIMIT:
        raise InputError(f"give 0 < seconds ≤ {MAX_TIME_LIMIT:g}", field="time_limit")
    return seconds


def allocate(
    plan: PlanIn,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    on_solve: Callable[[], None] | None = None,
) -> Allocation:
    """The recommended allocation of ``plan``, each assignment and gap explained."""
    check_time_limit(time_limit)
    started = time.perf_counter()
    problem = Problem.of(plan)
    if on_solve is not None:
        on_solve()
    start = greedy(problem)
    if len(problem.eligible) <= SPARSE_ABOVE:
        solution = solve(problem, time_limit=time_limit, hint=start)
        solution.bound_source = "cp-sat"
    else:  # a large plan: search a sparsified model, bound the whole one by its LP relaxation
        bound = lp_bound(problem)
        left = max(MIN_SEARCH, time_limit - (time.perf_counter() - started))
        search = problem.sparsified(start, CANDIDATES_PER_DEMAND)
        solution = solve(search, time_limit=left, hint=start)
        solution.searched_variables = len(search.eligible)
        solution.bound_source = "lp-relaxation"
        solution.with_bound(bound)
    solution.eligible_variables = len(problem.eligible)
    return explain.build(problem, solution, time_limit=time_limit)


def apply_changes(plan: PlanIn, changes: Changes) -> PlanIn:
    """``plan`` with the what-if's changes (unknown people and duplicate projects refused)."""
    if len(changes.remove) + len(changes.add_projects) + len(changes.capacity) > MAX_CHANGES:
        raise InputError(f"at most {MAX_CHANGES} changes in one what-if", field="changes")
    refs = {p.ref for p in plan.people}
    for ref in [*changes.remove, *changes.capacity]:
        if ref not in refs:
            raise InputError(f"no person {ref!r} in the plan", field="person")
    removed = set(changes.remove)
    people: list[PersonIn] = []
    for person in plan.people:
        if person.ref in removed:
            continue
        if person.ref in changes.capacity:
            fte = changes.capacity[person.ref]
            person = PersonIn.model_validate({**person.model_dump(), "capacity": fte})
        people.append(person)
    data = plan.model_dump()
    data["people"] = [p.model_dump() for p in people]
    data["projects"] = [p.model_dump() for p in [*plan.projects, *changes.add_projects]]
    try:
        changed = PlanIn.model_validate(data)
    except ValueError as error:
        raise InputError(str(error).splitlines()[0], field="changes") from None
    return check_plan(changed, "what-if")


def what_if(
    plan: PlanIn,
    changes: Changes,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    base: Allocation | None = None,
) -> WhatIf:
    """The allocation of ``plan`` changed by ``changes`` against the base plan's: who moves and
    how coverage changes."""
    base = base or allocate(plan, time_limit=time_limit)
    variant = allocate(apply_changes(plan, changes), time_limit=time_limit)
    return WhatIf(
        changes=changes.describe(),
        base=base,
        variant=variant,
        moves=_moves(base, variant),
        coverage=_coverage(base, variant),
        covered_before=base.covered_fte,
        covered_after=variant.covered_fte,
    )


def _per_person(allocation: Allocation) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for a in allocation.assignments:
        projects = out.setdefault(a.person, {})
        projects[a.project] = round(projects.get(a.project, 0) + a.fte, 1)
    return out


def _moves(base: Allocation, variant: Allocation) -> list[Move]:
    before, after = _per_person(base), _per_person(variant)
    names = {row.person: row.person_name for row in [*base.load, *variant.load]}
    return [
        Move(person=ref, person_name=names[ref], before=before.get(ref, {}),
             after=after.get(ref, {}))
        for ref in sorted(set(before) | set(after))
        if before.get(ref, {}) != after.get(ref, {})
    ]  # fmt: skip


def _coverage(base: Allocation, variant: Allocation) -> list[CoverageChange]:
    before = {p.project: p.covered for p in base.projects}
    after = {p.project: p.covered for p in variant.projects}
    return [
        CoverageChange(project=name, before=before.get(name, 0.0), after=after.get(name, 0.0))
        for name in [*before, *(n for n in after if n not in before)]
        if before.get(name, 0.0) != after.get(name, 0.0)
    ]


def match_people(*, session: Session, plan: PlanIn) -> PlanIn:
    """``plan`` with each ref matched to a workspace person (id or email): named, and the ref
    made the person's id; an unknown ref is refused naming its path."""
    people = []
    for i, person in enumerate(plan.people):
        try:
            found = people_service.find_person(session=session, ref=person.ref)
        except NotFoundError as error:
            raise InputError(error.message, field=f"people[{i}].ref") from None
        people.append(person.model_copy(update={"name": person.name or found.display_name}))
    return plan.model_copy(update={"people": people})


def record_run(*, session: Session, actor: str, plan: PlanIn, result: Allocation) -> None:
    """Audit an allocation run: counts and status, never names or skills."""
    audit.record(
        session=session,
        actor=actor,
        action=AuditAction.ALLOCATION_RUN,
        detail={
            "people": len(plan.people),
            "projects": len(plan.projects),
            "status": result.solve.status,
        },
    )
