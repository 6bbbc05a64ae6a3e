"""From a solution to the recommendation: each allotment's reason, uncovered demand's reason,
coverage per project and the load view (with the input's own over-allocation flagged)."""

from __future__ import annotations

from collections import defaultdict

from tandem.manage.allocation.model import Problem, Solution
from tandem.manage.allocation.schemas import (
    STEPS_PER_FTE,
    Allocation,
    Allotment,
    Load,
    ProjectCoverage,
    Solve,
    Uncovered,
)


def fte(value: int) -> float:
    """Steps as FTE (one decimal)."""
    return round(value / STEPS_PER_FTE, 1)


def _fmt(value: int) -> str:
    return f"{fte(value):.1f}"


def build(problem: Problem, solution: Solution, *, time_limit: float) -> Allocation:
    """The recommendation of ``solution``, explained."""
    plan = problem.plan
    people, projects = plan.people, plan.projects
    given: dict[tuple[int, int], int] = defaultdict(int)
    for (i, k, _), v in solution.allot.items():
        given[i, k] += v
    load = [0] * len(people)
    on: dict[int, set[int]] = defaultdict(set)
    for (i, k), v in given.items():
        load[i] += v
        on[i].add(k)
    staff: dict[int, int] = defaultdict(int)
    for _, k in given:
        staff[k] += 1
    left_from: dict[int, list[int]] = defaultdict(list)  # person -> projects they lose FTE on
    for (i, k), c in problem.current.items():
        if given.get((i, k), 0) < c:
            left_from[i].append(k)

    def name(i: int) -> str:
        return people[i].name or people[i].ref

    def project_label(k: int) -> str:
        return f"{projects[k].name} (priority {projects[k].priority})"

    assignments = []

    def order(key: tuple[int, int, str]) -> tuple[str, str, str]:
        return projects[key[1]].name, key[2], name(key[0])

    for (i, k, s), v in sorted(solution.allot.items(), key=lambda item: order(item[0])):
        demand = next(d for d in projects[k].demand if d.skill == s)
        level = people[i].skills[s]
        why = [
            f"{s} level {level} meets the minimum {demand.min_level}",
            f"{project_label(k)}",
        ]
        current = problem.current.get((i, k))
        if current is not None:
            change = "kept"
            now = given[i, k]
            why.append(
                f"keeps the current assignment ({_fmt(current)} FTE)"
                if now >= current
                else f"stays on the current assignment, {_fmt(current)} → {_fmt(now)} FTE"
            )
        elif left_from[i]:
            change = "moved"
            old = ", ".join(project_label(o) for o in left_from[i])
            why.append(f"moved from {old}: here their skill covers demand worth more")
        else:
            change = "new"
            why.append("uses spare capacity")
        assignments.append(
            Allotment(
                person=people[i].ref, person_name=name(i), project=projects[k].name, skill=s,
                fte=fte(v), level=level, min_level=demand.min_level, change=change,
                reason="; ".join(why),
            )
        )  # fmt: skip
    covered: dict[tuple[int, str], int] = defaultdict(int)
    for (_, k, s), v in solution.allot.items():
        covered[k, s] += v
    uncovered = [
        _uncovered(problem, k, s, covered[k, s], load, on, staff)
        for (k, s), need in problem.demand.items()
        if covered[k, s] < need
    ]
    coverage = []
    for k, project in enumerate(projects):
        need = sum(problem.demand[k, d.skill] for d in project.demand)
        got = sum(covered[k, d.skill] for d in project.demand)
        coverage.append(
            ProjectCoverage(
                project=project.name, priority=project.priority, weight=project.value,
                demand=fte(need), covered=fte(got), coverage=round(got / need, 3) if need else 1.0,
                staff=staff[k], min_staff=project.min_staff, max_staff=project.max_staff,
                staffed=staff[k] > 0,
            )
        )  # fmt: skip
    loads = [_load(problem, i, load[i], len(on[i])) for i in range(len(people))]
    return Allocation(
        solve=Solve(
            status=solution.status, objective=solution.objective,
            best_bound=solution.best_bound, gap=solution.gap,
            wall_seconds=round(solution.wall_seconds, 3), time_limit=time_limit,
            workers=solution.workers, bound_source=solution.bound_source,
            eligible_variables=solution.eligible_variables,
            searched_variables=solution.searched_variables,
        ),
        assignments=assignments,
        uncovered=uncovered,
        projects=coverage,
        load=loads,
        moved_people=len(left_from),
        covered_fte=fte(sum(covered.values())),
        demand_fte=fte(sum(problem.demand.values())),
    )  # fmt: skip


def _uncovered(
    problem: Problem,
    k: int,
    skill: str,
    got: int,
    load: list[int],
    on: dict[int, set[int]],
    staff: dict[int, int],
) -> Uncovered:
    plan = problem.plan
    project = plan.projects[k]
    demand = next(d for d in project.demand if d.skill == skill)
    need = problem.demand[k, skill]
    has = [i for i, p in enumerate(plan.people) if skill in p.skills]
    able = [i for i in has if plan.people[i].skills[skill] >= demand.min_level]
    available = [i for i in able if problem.capacity[i] > 0]
    if not able:
        lower = f" ({len(has)} have it at a lower level)" if has else ""
        reason = f"no one has {skill} at level {demand.min_level} or above{lower}"
    elif not available:
        reason = (
            f"the people with {skill} at level ≥ {demand.min_level} ({len(able)}) have no "
            "capacity in the horizon (time off)"
        )
    elif project.min_staff > 0 and staff[k] == 0:
        reason = (
            f"the project needs at least {project.min_staff} people at once and could not be "
            f"staffed that far without taking them from work worth more"
        )
    elif project.max_staff is not None and staff[k] >= project.max_staff:
        reason = f"max_staff {project.max_staff} reached"
    else:
        spare = [i for i in available if load[i] < problem.capacity[i]]
        at_wip = [i for i in spare if len(on[i]) >= plan.settings.wip_limit and k not in on[i]]
        if spare and len(at_wip) == len(spare):
            reason = (
                f"the eligible people with spare capacity are at the WIP limit of "
                f"{plan.settings.wip_limit} projects"
            )
        elif not spare:
            used = sorted(
                {j for i in available for j in on[i] if j != k},
                key=lambda j: -plan.projects[j].value,
            )
            where = ", ".join(
                f"{plan.projects[j].name} (priority {plan.projects[j].priority})" for j in used
            )
            higher = all(plan.projects[j].value >= project.value for j in used)
            rank = "higher or equal priority" if higher else "other"
            reason = (
                f"capacity of the eligible people ({len(available)}) is used by {rank} work: "
                f"{where}"
                if where
                else f"the eligible people ({len(available)}) give all their capacity here"
            )
        else:
            reason = (
                "keeping current assignments weighs more than this cover (reassignment penalty)"
            )
    return Uncovered(
        project=project.name, skill=skill, demand=fte(need), covered=fte(got),
        missing=fte(need - got), reason=reason,
    )  # fmt: skip


def _load(problem: Problem, i: int, allocated: int, projects: int) -> Load:
    plan = problem.plan
    person = plan.people[i]
    effective = problem.capacity[i]
    current = sum(c for (j, _), c in problem.current.items() if j == i)
    flags = []
    if current > effective:
        flags.append(
            f"over-allocated now: current {_fmt(current)} FTE > effective capacity "
            f"{_fmt(effective)}"
        )
    if len(person.current) > plan.settings.wip_limit:
        flags.append(
            f"now on {len(person.current)} projects, above the WIP limit of "
            f"{plan.settings.wip_limit}"
        )
    if allocated > effective:  # the model forbids it; kept as a guard of the output
        flags.append(f"over-allocated: {_fmt(allocated)} FTE > {_fmt(effective)}")
    if person.time_off_days:
        horizon = plan.settings.horizon_days
        flags.append(f"{person.time_off_days:g} days off in the {horizon}-day horizon")
    return Load(
        person=person.ref, person_name=person.name or person.ref, capacity=person.capacity,
        effective_capacity=fte(effective), allocated=fte(allocated), current=fte(current),
        current_projects=len(person.current), projects=projects,
        over_allocated_now=current > effective, over_allocated=allocated > effective,
        flags=flags,
    )  # fmt: skip
