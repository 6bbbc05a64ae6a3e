"""The allocation model on OR-Tools CP-SAT: integer FTE steps, WIP limits, staff bounds.

Variables, all in steps of 0.1 FTE (documented in docs/manage.md, "Allocation"):

- ``x[i, p, s]``: person *i*'s FTE on skill *s* of project *p*, created only where *i* has *s*
  at the project's minimum level or above (sparse);
- ``y[i, p]``: *i* works on *p* (some ``x[i, p, ·] > 0``); ``z[p]``: *p* is staffed.

Constraints: ``Σ x[i, ·, ·] ≤ effective capacity`` (capacity × (1 − time off / horizon), rounded
down to a step); ``Σ y[i, ·] ≤ WIP limit``; ``Σ x[·, p, s] ≤ demand`` (coverage is capped at
the demand); staff ``Σ y[·, p]`` is 0 or within ``[min_staff, max_staff]`` (hard: a project
that cannot reach its minimum stays unstaffed and its demand uncovered, with the reason).

Objective (weighted, one number): ``Σ weight_p · x − penalty · Σ moved``, where ``moved[i, p]``
is the part of a current assignment no longer given on that project:
``current[i, p] − min(current[i, p], Σ_s x[i, p, s])``. Weights are a project's ``weight``
or its priority (1–5), scaled by 100 to integers, like the penalty.
"""

from __future__ import annotations

import dataclasses
import math
import os
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from tandem.manage.allocation.plan import steps
from tandem.manage.allocation.schemas import STEPS_PER_FTE, PlanIn, Status

SCALE = 100  # weights and the penalty as integers: hundredths
DEFAULT_TIME_LIMIT = 8.0
MAX_TIME_LIMIT = 600.0
SEED = 20261203


def effective_steps(capacity: float, time_off_days: float, horizon_days: int) -> int:
    """Capacity × (1 − time off / horizon), in whole steps of 0.1 FTE rounded down."""
    share = 1 - min(time_off_days, horizon_days) / horizon_days
    return math.floor(capacity * share * STEPS_PER_FTE + 1e-9)


@dataclass(frozen=True)
class Problem:
    """The plan in integer steps, indexed: what the solver and the explanations share."""

    plan: PlanIn
    capacity: list[int]  # effective, per person
    demand: dict[tuple[int, str], int]  # (project, skill) -> steps
    eligible: list[tuple[int, int, str]]  # (person, project, skill)
    current: dict[tuple[int, int], int]  # (person, project) -> steps
    weight: list[int]  # per project, scaled
    penalty: int  # scaled

    @classmethod
    def of(cls, plan: PlanIn) -> Problem:
        horizon = plan.settings.horizon_days
        index = {p.name: k for k, p in enumerate(plan.projects)}
        capacity = [effective_steps(p.capacity, p.time_off_days, horizon) for p in plan.people]
        demand = {(k, d.skill): steps(d.fte) for k, p in enumerate(plan.projects) for d in p.demand}
        eligible = [
            (i, k, d.skill)
            for i, person in enumerate(plan.people)
            if capacity[i] > 0
            for k, project in enumerate(plan.projects)
            for d in project.demand
            if person.skills.get(d.skill, 0) >= d.min_level
        ]
        current = {
            (i, index[c.project]): steps(c.fte)
            for i, person in enumerate(plan.people)
            for c in person.current
        }
        return cls(
            plan=plan,
            capacity=capacity,
            demand=demand,
            eligible=eligible,
            current=current,
            weight=[round(p.value * SCALE) for p in plan.projects],
            penalty=round(plan.settings.reassignment_penalty * SCALE),
        )

    def sparsified(self, keep: dict[tuple[int, int, str], int], per_demand: int) -> Problem:
        """This problem with fewer candidates: per demand, the people ``keep`` (the greedy start)
        gives it and those currently on the project, plus a seeded sample of ``per_demand``."""
        rng = random.Random(SEED)
        groups: dict[tuple[int, str], list[tuple[int, int, str]]] = defaultdict(list)
        for key in self.eligible:
            groups[key[1], key[2]].append(key)
        chosen = []
        for group in groups.values():
            must = [key for key in group if key in keep or (key[0], key[1]) in self.current]
            rest = [
                key for key in group if key not in keep and (key[0], key[1]) not in self.current
            ]
            chosen.extend(must + rng.sample(rest, min(per_demand, len(rest))))
        return dataclasses.replace(self, eligible=sorted(chosen))

    def objective(self, allot: dict[tuple[int, int, str], int]) -> float:
        """The documented objective of an allotment, in weighted FTE."""
        total = sum(self.weight[k] * v for (_, k, _), v in allot.items())
        given: dict[tuple[int, int], int] = defaultdict(int)
        for (i, k, _), v in allot.items():
            given[i, k] += v
        moved = sum(c - min(c, given[key]) for key, c in self.current.items())
        return (total - self.penalty * moved) / (SCALE * STEPS_PER_FTE)


@dataclass
class Solution:
    """The solver's answer: allotments in steps, status, objective, bound, gap."""

    status: Status
    allot: dict[tuple[int, int, str], int] = field(default_factory=dict)
    objective: float | None = None
    best_bound: float | None = None
    gap: float | None = None
    wall_seconds: float = 0.0
    workers: int = 1
    bound_source: str = "cp-sat"
    eligible_variables: int = 0
    searched_variables: int | None = None

    def with_bound(self, bound: float | None) -> None:
        """Replace the bound (one valid for the whole problem) and recompute the gap."""
        self.best_bound = bound
        if bound is None or self.objective is None:
            self.gap = None
        else:
            self.gap = max(0.0, bound - self.objective) / max(abs(self.objective), 1.0)
            if self.gap > 0 and self.status == "OPTIMAL":
                self.status = "FEASIBLE"  # optimal for the sparsified model only


def workers() -> int:
    """The solver's threads: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def solve(
    problem: Problem,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    hint: dict[tuple[int, int, str], int] | None = None,
) -> Solution:
    """Build and solve the CP-SAT model; the best allotment found within ``time_limit``.

    ``hint``: a feasible allotment to start from (:func:`.greedy.greedy`), so that a large plan
    has an answer at least as good as it even when the time limit stops the search early.
    """
    plan = problem.plan
    model = cp_model.CpModel()
    hint = hint or {}
    keys = problem.eligible
    x = [
        model.new_int_var(0, min(problem.capacity[i], problem.demand[k, s]), "") for i, k, s in keys
    ]
    by_person: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    by_pair: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
    by_demand: dict[tuple[int, str], list[cp_model.IntVar]] = defaultdict(list)
    reachable: dict[tuple[int, str], int] = defaultdict(int)
    given: dict[tuple[int, int], int] = defaultdict(int)
    for (i, k, s), var in zip(keys, x, strict=True):
        by_person[i].append(var)
        by_pair[i, k].append(var)
        by_demand[k, s].append(var)
        reachable[k, s] += min(problem.capacity[i], problem.demand[k, s])
        value = hint.get((i, k, s), 0)
        given[i, k] += value
        model.add_hint(var, value)
    total = cp_model.LinearExpr.sum
    y: dict[tuple[int, int], cp_model.IntVar] = {}
    staffed_hint: set[int] = set()
    for (i, k), vars_ in by_pair.items():
        works = model.new_bool_var("")
        y[i, k] = works
        model.add_hint(works, given[i, k] > 0)
        if given[i, k] > 0:
            staffed_hint.add(k)
        if len(vars_) == 1:
            model.add(vars_[0] == 0).only_enforce_if(~works)
        else:
            model.add(total(vars_) <= problem.capacity[i] * works)
        if plan.projects[k].min_staff > 0:  # elsewhere works = 1 with nothing given only costs
            model.add(total(vars_) >= works)
    pairs_of: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    staff_of: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    for (i, k), works in y.items():
        pairs_of[i].append(works)
        staff_of[k].append(works)
    for i, vars_ in by_person.items():
        if len(vars_) > 1:
            model.add(total(vars_) <= problem.capacity[i])
        if len(pairs_of[i]) > plan.settings.wip_limit:
            model.add(total(pairs_of[i]) <= plan.settings.wip_limit)
    for key, vars_ in by_demand.items():
        if reachable[key] > problem.demand[key]:
            model.add(total(vars_) <= problem.demand[key])
    for k, project in enumerate(plan.projects):
        staff = staff_of.get(k, [])
        if not staff:
            continue
        if project.min_staff > 0:
            staffed = model.new_bool_var("")
            model.add_hint(staffed, k in staffed_hint)
            model.add(total(staff) >= project.min_staff * staffed)
            model.add(total(staff) <= min(len(staff), project.max_staff or len(staff)) * staffed)
        elif project.max_staff is not None and project.max_staff < len(staff):
            model.add(total(staff) <= project.max_staff)
    kept_terms = []
    for (i, k), current in problem.current.items():
        if (i, k) not in by_pair or problem.penalty == 0:
            continue
        kept = model.new_int_var(0, current, "")
        model.add_hint(kept, min(current, given[i, k]))
        model.add(kept <= total(by_pair[i, k]))
        kept_terms.append(kept)
    constant = problem.penalty * sum(problem.current.values())
    weights = [problem.weight[k] for _, k, _ in keys]
    model.maximize(
        cp_model.LinearExpr.weighted_sum(x, weights)
        + problem.penalty * total(kept_terms)
        - constant
    )
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers()
    solver.parameters.random_seed = SEED
    solver.parameters.cp_model_probing_level = 0  # presolve probing took the whole limit
    solver.parameters.symmetry_level = 0  # on 1,000 × 200 plans (benchmarks/bench_allocation)
    started = time.perf_counter()
    code = solver.solve(model)
    wall = time.perf_counter() - started
    status: Status = solver.status_name(code)  # type: ignore[assignment]
    out = Solution(status=status, wall_seconds=wall, workers=solver.parameters.num_workers)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if hint:  # no answer in time: the feasible start, with the solver's status (UNKNOWN)
            out.allot = {key: v for key, v in hint.items() if v > 0}
            out.objective = problem.objective(out.allot)
        return out
    out.allot = {key: v for key, var in zip(keys, x, strict=True) if (v := solver.value(var)) > 0}
    unit = SCALE * STEPS_PER_FTE
    out.objective = solver.objective_value / unit
    out.best_bound = solver.best_objective_bound / unit
    if code == cp_model.OPTIMAL:
        out.gap = 0.0
    else:
        spread = abs(solver.best_objective_bound - solver.objective_value)
        out.gap = spread / max(abs(solver.objective_value), 1.0)
    return out
