"""Small allocation plans shared by the allocation tests (CLI, web, service)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

PLAN_TOML = Path(__file__).parent / "data" / "plan.toml"

# Ada: backend 4 + data 3, on Billing (low) and Search (high) today, 6 of 30 days off;
# Cy: backend 5, free; Bo: frontend 3 (Search needs frontend 4: nobody qualifies).
PLAN: dict[str, Any] = {
    "settings": {"wip_limit": 2, "horizon_days": 30, "reassignment_penalty": 0.5},
    "people": [
        {
            "ref": "ada@example.com",
            "name": "Ada",
            "capacity": 1.0,
            "time_off_days": 6,
            "skills": {"backend": 4, "data": 3},
            "current": [{"project": "Billing", "fte": 0.6}, {"project": "Search", "fte": 0.6}],
        },
        {"ref": "bo@example.com", "name": "Bo", "capacity": 0.8, "skills": {"frontend": 3}},
        {"ref": "cy@example.com", "name": "Cy", "capacity": 0.5, "skills": {"backend": 5}},
    ],
    "projects": [
        {
            "name": "Billing",
            "priority": 2,
            "demand": [{"skill": "backend", "fte": 0.5, "min_level": 3}],
        },
        {
            "name": "Search",
            "priority": 5,
            "min_staff": 1,
            "max_staff": 3,
            "demand": [
                {"skill": "data", "fte": 0.5, "min_level": 3},
                {"skill": "frontend", "fte": 0.5, "min_level": 4},
            ],
        },
    ],
}


def plan(**changes: Any) -> dict[str, Any]:
    """A deep copy of :data:`PLAN`."""
    out = copy.deepcopy(PLAN)
    out.update(changes)
    return out
