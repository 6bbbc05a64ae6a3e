"""The allocation optimiser at scale: 1,000 people × 200 projects (DESIGN §8: < 10 s, gap reported).

Each run is a child process (its peak RSS is its own). The child builds a SYNTHETIC but
realistic plan (seeded): 30 skills with Zipf-like popularity (many people know backend or
frontend, few know ML or security), 2–5 skills a person with levels mostly 2–4, capacity 1.0
for most and 0.5–0.8 for some, 30 % with 1–10 days off in a 30-day horizon, current
assignments on 1–2 projects using a skill the person has (some people over-allocated today);
200 projects with priorities 1–5 (most at 3), 1–4 demanded skills of 0.5–3 FTE at minimum
level 2–4, some with min/max staff; total demand ≈ 1.2 × total capacity, so the choice matters.
It then times ``allocate`` end to end (checking, model building, CP-SAT with the default 8 s
limit on every core, explanations, load view) and, side by side, a simple REFERENCE: a greedy
priority-first heuristic (projects by weight, people by "already on it", level and spare
capacity; WIP, max and min staff respected), scored with the same documented objective.

    .venv/bin/python benchmarks/bench_allocation.py [--people 1000] [--projects 200] [--seed 7]

Writes ``benchmarks/results/allocation.json`` and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
SKILLS = (
    "backend", "frontend", "testing", "devops", "data", "mobile", "design", "product", "sql",
    "cloud", "api", "security", "ml", "analytics", "ux-research", "android", "ios", "java",
    "go", "rust", "python", "typescript", "kubernetes", "observability", "payments", "search",
    "accessibility", "i18n", "performance", "writing",
)  # fmt: skip


def _peak_rss_mib() -> float:
    status = Path("/proc/self/status").read_text().splitlines()
    return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


def synthetic_plan(people: int, projects: int, seed: int) -> dict[str, Any]:
    """A SYNTHETIC plan; see the module docstring."""
    rng = random.Random(seed)
    popularity = [1 / (rank + 1) ** 0.8 for rank in range(len(SKILLS))]
    names = [f"project-{k:03d}" for k in range(projects)]
    project_rows = []
    for name in names:
        skills = sorted(set(rng.choices(SKILLS, weights=popularity, k=rng.randint(1, 4))))
        min_staff = rng.choices([0, 1, 2, 3], weights=[6, 2, 1, 1])[0]
        row: dict[str, Any] = {
            "name": name,
            "priority": rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 4, 2, 1])[0],
            "demand": [
                {"skill": s, "fte": rng.randint(5, 30) / 10, "min_level": rng.randint(2, 4)}
                for s in sorted(skills)
            ],
            "min_staff": min_staff,
        }
        if rng.random() < 0.3:
            row["max_staff"] = max(min_staff, 1) + rng.randint(2, 8)
        project_rows.append(row)
    by_skill: dict[str, list[str]] = defaultdict(list)
    for row in project_rows:
        for d in row["demand"]:
            by_skill[d["skill"]].append(row["name"])
    person_rows = []
    for i in range(people):
        skills = sorted(set(rng.choices(SKILLS, weights=popularity, k=rng.randint(2, 5))))
        capacity = rng.choices([1.0, 0.8, 0.5], weights=[80, 15, 5])[0]
        levels = {s: rng.choices([1, 2, 3, 4, 5], weights=[1, 3, 4, 3, 1])[0] for s in skills}
        options = sorted({p for s in skills for p in by_skill[s]})
        current = []
        if options and rng.random() < 0.85:
            chosen = rng.sample(options, min(len(options), rng.choice([1, 1, 2])))
            share = round(capacity / len(chosen), 1) if rng.random() < 0.9 else 0.7
            current = [{"project": p, "fte": max(0.1, share)} for p in chosen]
        person_rows.append(
            {
                "ref": f"person-{i:04d}@example.com",
                "capacity": capacity,
                "time_off_days": rng.randint(1, 10) if rng.random() < 0.3 else 0,
                "skills": levels,
                "current": current,
            }
        )
    return {
        "settings": {"wip_limit": 2, "horizon_days": 30, "reassignment_penalty": 0.5},
        "people": person_rows,
        "projects": project_rows,
    }


def child(people: int, projects: int, seed: int, which: str) -> None:
    sys.path.insert(0, str(HERE.parent / "src"))
    from tandem.manage.allocation.greedy import greedy
    from tandem.manage.allocation.model import Problem
    from tandem.manage.allocation.plan import parse_plan
    from tandem.manage.allocation.service import allocate

    data = synthetic_plan(people, projects, seed)
    started = time.perf_counter()
    plan = parse_plan(data)
    if which == "tandem":
        result = allocate(plan)
        seconds = time.perf_counter() - started
        out: dict[str, Any] = {
            "seconds": round(seconds, 2),
            "solver_seconds": result.solve.wall_seconds,
            "status": result.solve.status,
            "objective": result.solve.objective,
            "best_bound": result.solve.best_bound,
            "gap": result.solve.gap,
            "workers": result.solve.workers,
            "covered_fte": result.covered_fte,
            "demand_fte": result.demand_fte,
            "assignments": len(result.assignments),
            "moved_people": result.moved_people,
            "over_allocated_now": sum(row.over_allocated_now for row in result.load),
        }
    else:
        problem = Problem.of(plan)
        allot = greedy(problem)
        seconds = time.perf_counter() - started
        out = {
            "seconds": round(seconds, 2),
            "objective": round(problem.objective(allot), 3),
            "covered_fte": round(sum(allot.values()) / 10, 1),
            "eligible_variables": len(problem.eligible),
        }
    out["peak_rss_mib"] = round(_peak_rss_mib(), 1)
    print(json.dumps(out))


def measure(people: int, projects: int, seed: int, which: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", which, "--people", str(people),
         "--projects", str(projects), "--seed", str(seed)],
        stdout=subprocess.PIPE, text=True, check=True,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def table(run: dict[str, Any]) -> str:
    t, g = run["tandem"], run["greedy"]
    return "\n".join(
        [
            f"{run['people']:,} people × {run['projects']} projects (synthetic, seed "
            f"{run['seed']}; {g['eligible_variables']:,} eligible person–project–skill "
            f"variables; demand {t['demand_fte']:,.1f} FTE). Target: < 10 s with the gap reported.",
            "",
            "| | wall s | peak MiB | status | objective | best bound | gap | covered FTE |",
            "|---|---|---|---|---|---|---|---|",
            f"| Tandem (CP-SAT, {t['workers']} workers, 8 s limit) | {t['seconds']} | "
            f"{t['peak_rss_mib']} | {t['status']} | {t['objective']:,.1f} | "
            f"{t['best_bound']:,.1f} | {t['gap']:.2%} | {t['covered_fte']:,.1f} |",
            f"| greedy priority-first (reference) | {g['seconds']} | {g['peak_rss_mib']} | – | "
            f"{g['objective']:,.1f} | – | – | {g['covered_fte']:,.1f} |",
            "",
            f"Objective ratio Tandem / greedy: **{run['ratio']:.3f}**; "
            f"{t['moved_people']} people leave (part of) a current assignment; "
            f"{t['over_allocated_now']} are over-allocated today (flagged in the load view).",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=["tandem", "greedy"])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--projects", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.child:
        child(args.people, args.projects, args.seed, args.child)
        return
    tandem = measure(args.people, args.projects, args.seed, "tandem")
    reference = measure(args.people, args.projects, args.seed, "greedy")
    run = {
        "people": args.people,
        "projects": args.projects,
        "seed": args.seed,
        "tandem": tandem,
        "greedy": reference,
        "ratio": round(tandem["objective"] / reference["objective"], 4),
    }
    RESULTS.mkdir(exist_ok=True)
    out = {
        "benchmark": "allocation",
        "target": "1,000 people × 200 projects < 10 s, optimality gap reported (DESIGN §8)",
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "synthetic": True,
        "runs": [run],
    }
    (RESULTS / "allocation.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(table(run))


if __name__ == "__main__":
    main()
