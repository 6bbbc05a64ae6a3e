"""The optimiser equals brute force on small plans, and every answer is feasible.

The brute force below is an independent, plain implementation of the documented model
(docs/manage.md, "Allocation"): it enumerates every allotment in steps of 0.1 FTE and scores it
with the documented objective, never calling the model's code.
"""

from __future__ import annotations

import itertools
import math
import random
from collections import defaultdict
from typing import Any

import pytest

from tandem.manage.allocation import service
from tandem.manage.allocation.plan import parse_plan
from tandem.manage.allocation.schemas import Allocation
from tandem.manage.allocation.service import allocate

SKILLS = ("api", "data")


def random_plan(rng: random.Random, *, people: int, projects: int, skills: int) -> dict[str, Any]:
    names = [f"P{k}" for k in range(projects)]
    plan: dict[str, Any] = {
        "settings": {
            "wip_limit": rng.choice([1, 2, 3]),
            "horizon_days": 10,
            "reassignment_penalty": rng.choice([0, 0.5, 1.5, 4]),
        },
        "people": [],
        "projects": [],
    }
    for n in range(projects):
        chosen = rng.sample(SKILLS, skills)
        project: dict[str, Any] = {
            "name": names[n],
            "priority": rng.randint(1, 5),
            "demand": [
                {"skill": s, "fte": rng.randint(1, 4) / 10, "min_level": rng.randint(1, 4)}
                for s in chosen
            ],
            "min_staff": rng.choice([0, 0, 1, 2]),
        }
        if rng.random() < 0.3:
            project["weight"] = rng.choice([0.5, 2.5, 7])
        if rng.random() < 0.4:
            project["max_staff"] = max(project["min_staff"], rng.randint(1, 2))
        plan["projects"].append(project)
    for i in range(people):
        current = [
            {"project": p, "fte": rng.randint(1, 3) / 10}
            for p in rng.sample(names, rng.randint(0, 2))
        ]
        plan["people"].append(
            {
                "ref": f"person{i}@example.com",
                "capacity": rng.randint(0, 4) / 10,
                "time_off_days": rng.choice([0, 0, 3, 5]),
                "skills": {s: rng.randint(1, 5) for s in rng.sample(SKILLS, rng.randint(1, 2))},
                "current": current,
            }
        )
    return plan


def brute_force(plan: dict[str, Any]) -> float:
    """The best documented objective over every allotment, by enumeration."""
    settings = plan["settings"]
    people, projects = plan["people"], plan["projects"]
    caps = [
        math.floor(p["capacity"] * (1 - p["time_off_days"] / settings["horizon_days"]) * 10 + 1e-9)
        for p in people
    ]
    demand = {
        (k, d["skill"]): round(d["fte"] * 10) for k, p in enumerate(projects) for d in p["demand"]
    }
    slots = [
        [
            (k, d["skill"])
            for k, project in enumerate(projects)
            for d in project["demand"]
            if person["skills"].get(d["skill"], 0) >= d.get("min_level", 1)
        ]
        for person in people
    ]
    current = {
        (i, next(k for k, p in enumerate(projects) if p["name"] == c["project"])): round(
            c["fte"] * 10
        )
        for i, person in enumerate(people)
        for c in person["current"]
    }
    weights = [p.get("weight", p["priority"]) for p in projects]
    penalty = settings["reassignment_penalty"]

    def vectors(i: int) -> list[tuple[int, ...]]:
        ranges = [range(min(caps[i], demand[slot]) + 1) for slot in slots[i]]
        return [v for v in itertools.product(*ranges) if sum(v) <= caps[i]]

    best = -math.inf
    for choice in itertools.product(*(vectors(i) for i in range(len(people)))):
        covered: dict[tuple[int, str], int] = defaultdict(int)
        given: dict[tuple[int, int], int] = defaultdict(int)
        for i, vector in enumerate(choice):
            for slot, v in zip(slots[i], vector, strict=True):
                covered[slot] += v
                given[i, slot[0]] += v
        if any(covered[slot] > demand[slot] for slot in covered):
            continue
        if any(
            sum(1 for (j, _), v in given.items() if j == i and v > 0) > settings["wip_limit"]
            for i in range(len(people))
        ):
            continue
        feasible = True
        for k, project in enumerate(projects):
            staff = sum(1 for (_, kk), v in given.items() if kk == k and v > 0)
            top = project.get("max_staff")
            if staff and (staff < project["min_staff"] or (top is not None and staff > top)):
                feasible = False
        if not feasible:
            continue
        value = sum(weights[k] * v / 10 for (k, _), v in covered.items())
        moved = sum(c - min(c, given[key]) for key, c in current.items()) / 10
        best = max(best, value - penalty * moved)
    return best


def score(plan: dict[str, Any], result: Allocation) -> float:
    """The documented objective of the optimiser's answer, recomputed here; asserts feasibility."""
    settings = plan["settings"]
    people = {p["ref"]: p for p in plan["people"]}
    projects = {p["name"]: p for p in plan["projects"]}
    given: dict[tuple[str, str], float] = defaultdict(float)
    covered: dict[tuple[str, str], float] = defaultdict(float)
    for a in result.assignments:
        person, project = people[a.person], projects[a.project]
        demand = next(d for d in project["demand"] if d["skill"] == a.skill)
        assert person["skills"][a.skill] >= demand.get("min_level", 1)
        given[a.person, a.project] += a.fte
        covered[a.project, a.skill] += a.fte
    for (project, skill), fte in covered.items():
        need = next(d["fte"] for d in projects[project]["demand"] if d["skill"] == skill)
        assert fte <= need + 1e-9
    for ref, person in people.items():
        cap = person["capacity"] * (1 - person["time_off_days"] / settings["horizon_days"])
        load = sum(v for (r, _), v in given.items() if r == ref)
        assert load <= cap + 1e-9
        assert sum(1 for (r, _) in given if r == ref) <= settings["wip_limit"]
    for name, project in projects.items():
        staff = sum(1 for (_, p) in given if p == name)
        if staff:
            assert staff >= project["min_staff"]
            assert project.get("max_staff") is None or staff <= project["max_staff"]
    value = sum(
        projects[p].get("weight", projects[p]["priority"]) * v for (p, _), v in covered.items()
    )
    moved = sum(
        c["fte"] - min(c["fte"], given[ref, c["project"]])
        for ref, person in people.items()
        for c in person["current"]
    )
    return value - settings["reassignment_penalty"] * moved


CASES = [(seed, 3, 3, 1) for seed in range(24)] + [(100 + seed, 2, 2, 2) for seed in range(12)]


@pytest.mark.parametrize(("seed", "people", "projects", "skills"), CASES)
def test_the_optimiser_equals_brute_force(
    seed: int, people: int, projects: int, skills: int
) -> None:
    rng = random.Random(seed)
    plan = random_plan(rng, people=people, projects=projects, skills=skills)
    result = allocate(parse_plan(plan), time_limit=20)
    assert result.solve.status == "OPTIMAL"
    expected = brute_force(plan)
    assert result.solve.objective == pytest.approx(expected, abs=1e-6)
    assert score(plan, result) == pytest.approx(expected, abs=1e-6)
    assert result.solve.gap == 0


def test_brute_force_sees_the_penalty_and_the_staff_minimum() -> None:
    """A hand-made case whose optimum is known: the brute force itself is right."""
    plan = {
        "settings": {"wip_limit": 1, "horizon_days": 10, "reassignment_penalty": 1.0},
        "people": [
            {"ref": "a", "capacity": 0.2, "time_off_days": 0, "skills": {"api": 3},
             "current": [{"project": "Low", "fte": 0.2}]},
            {"ref": "b", "capacity": 0.2, "time_off_days": 0, "skills": {"api": 3}, "current": []},
        ],
        "projects": [
            {"name": "Low", "priority": 1, "demand": [{"skill": "api", "fte": 0.2}],
             "min_staff": 0},
            {"name": "High", "priority": 5, "demand": [{"skill": "api", "fte": 0.2}],
             "min_staff": 2},
        ],
    }  # fmt: skip
    # High needs both people (0.1 each) = 5 × 0.2 = 1.0, minus a's move 0.2 × 1 → 0.8; keeping
    # a on Low and b alone cannot staff High: 1 × 0.2 = 0.2
    assert brute_force(plan) == pytest.approx(0.8)
    result = allocate(parse_plan(plan), time_limit=20)
    assert result.solve.objective == pytest.approx(0.8)
    assert {(a.person, a.project) for a in result.assignments} == {("a", "High"), ("b", "High")}
    (moved,) = [a for a in result.assignments if a.person == "a"]
    assert moved.change == "moved" and "Low" in moved.reason


@pytest.mark.parametrize(("seed", "people", "projects", "skills"), CASES[::3])
def test_the_large_plan_path_is_feasible_and_its_lp_bound_holds(
    seed: int, people: int, projects: int, skills: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forced onto the path of large plans (greedy start, sparsified search, LP bound): the
    answer stays feasible, never beats the brute-force optimum, and the bound is above it."""
    monkeypatch.setattr(service, "SPARSE_ABOVE", 0)
    rng = random.Random(seed)
    plan = random_plan(rng, people=people, projects=projects, skills=skills)
    result = allocate(parse_plan(plan), time_limit=20)
    expected = brute_force(plan)
    assert result.solve.bound_source == "lp-relaxation"
    assert result.solve.objective == pytest.approx(score(plan, result), abs=1e-6)
    assert result.solve.objective <= expected + 1e-6
    assert result.solve.best_bound is not None and result.solve.best_bound >= expected - 1e-6
    assert result.solve.gap is not None and result.solve.gap >= 0
