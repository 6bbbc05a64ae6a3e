"""A priority-first greedy allocation: the CP-SAT model's starting hint and the benchmark's
reference (benchmarks/bench_allocation.py)."""

from __future__ import annotations

from collections import defaultdict

from tandem.manage.allocation.model import Problem


def greedy(problem: Problem) -> dict[tuple[int, int, str], int]:
    """Projects by weight, each demand filled by the eligible people already on the project
    first, then by level and spare capacity; WIP and max staff respected, a project below its
    min staff given back. Feasible by construction: the solver's starting point (hint)."""
    plan = problem.plan
    left = list(problem.capacity)
    on: dict[int, set[int]] = defaultdict(set)
    staff: dict[int, set[int]] = defaultdict(set)
    allot: dict[tuple[int, int, str], int] = {}
    eligible: dict[tuple[int, str], list[int]] = defaultdict(list)
    for i, k, s in problem.eligible:
        eligible[k, s].append(i)
    order = sorted(range(len(plan.projects)), key=lambda k: -problem.weight[k])
    for k in order:
        project = plan.projects[k]
        taken: dict[tuple[int, int, str], int] = {}
        for d in sorted(project.demand, key=lambda d: -d.min_level):
            need = problem.demand[k, d.skill]
            people = sorted(
                eligible[k, d.skill],
                key=lambda i: (
                    -((i, k) in problem.current),
                    -plan.people[i].skills[d.skill],
                    -left[i],
                ),
            )
            for i in people:
                if need == 0:
                    break
                if left[i] == 0:
                    continue
                if k not in on[i]:
                    if len(on[i]) >= plan.settings.wip_limit:
                        continue
                    if project.max_staff is not None and len(staff[k]) >= project.max_staff:
                        continue
                give = min(left[i], need)
                left[i] -= give
                need -= give
                on[i].add(k)
                staff[k].add(i)
                taken[i, k, d.skill] = taken.get((i, k, d.skill), 0) + give
        if staff[k] and len(staff[k]) < project.min_staff:  # cannot run: give the time back
            for (i, _, _), v in taken.items():
                left[i] += v
                on[i].discard(k)
            staff[k].clear()
            continue
        allot.update(taken)
    return allot
