"""DFG dicts (the ``DfgReport.to_dict()`` shape) for the process map tests (helpers, no tests)."""

from __future__ import annotations

import itertools
import random
from typing import Any

TRICKY = "R&D <review> \"quick\" 'fix'"


def edge(source: str, target: str, count: int, median: float = 60.0) -> dict[str, Any]:
    return {
        "source": source,
        "target": target,
        "count": count,
        "mean_seconds": median * 1.5,
        "median_seconds": median,
        "p85_seconds": median * 3,
        "total_wait_seconds": median * count,
    }


def small_dfg() -> dict[str, Any]:
    """Open → Triage → (Fix ⟲ | TRICKY) → Test → Close, with a rework loop Test → Fix."""
    return {
        "cases": 100,
        "events": 520,
        "edges": [
            edge("Open", "Triage", 100, 3600 * 3.2),
            edge("Triage", "Fix", 70, 600),
            edge("Triage", TRICKY, 30, 86400 * 4),
            edge("Fix", "Fix", 15, 45),
            edge("Fix", "Test", 95, 7200),
            edge(TRICKY, "Test", 30, 30),
            edge("Test", "Fix", 25, 1800),
            edge("Test", "Close", 100, 86400 * 2.5),
        ],
        "start_activities": {"Open": 100},
        "end_activities": {"Close": 100},
    }


def random_dfg(activities: int, *, seed: int = 7, fan_out: int = 4) -> dict[str, Any]:
    """A skewed spaghetti DFG over ``activities`` activities, every one on some case's path."""
    rng = random.Random(seed)
    names = [f"Activity {i:02d}" for i in range(activities)]
    counts: dict[tuple[str, str], int] = {}
    # A backbone guarantees every activity is visited; random arcs add rework and shortcuts.
    for a, b in itertools.pairwise(names):
        counts[(a, b)] = rng.randint(50, 500)
    for _ in range(activities * fan_out):
        a, b = rng.choice(names), rng.choice(names)
        counts[(a, b)] = counts.get((a, b), 0) + int(rng.paretovariate(1.2))
    edges = [edge(a, b, n, float(rng.randint(1, 400_000))) for (a, b), n in sorted(counts.items())]
    starts = {names[0]: 400, **{rng.choice(names): rng.randint(1, 20) for _ in range(3)}}
    ends = {names[-1]: 400, **{rng.choice(names): rng.randint(1, 20) for _ in range(3)}}
    return {
        "cases": sum(starts.values()),
        "events": sum(n for n in counts.values()) + sum(starts.values()),
        "edges": edges,
        "start_activities": starts,
        "end_activities": ends,
    }
