"""The demo's allocation plan: Beacon's people × five DEMO projects, written as a TOML file.

Nothing of the optimiser is stored in the app database, so the demo writes a plan file into the
workspace (``allocation-plan.toml``) for ``tandem allocate`` and the ``/manage/allocation``
page. People are the demo team's members (refs are their emails, so ``-w`` matches them);
skills, levels, capacity, time off and current assignments are SYNTHETIC and seeded: the same
plan on every build, with one person over-allocated today and one project nobody qualifies for.
"""

from __future__ import annotations

import random
from typing import Any

import tomli_w
from sqlalchemy import select

from tandem.db.session import session_scope
from tandem.demo.users import DEMO_TEAM
from tandem.people.models import Membership, Person, Team
from tandem.reports import write_atomically
from tandem.workspace import Workspace

PLAN_FILE = "allocation-plan.toml"
SKILLS = ("backend", "frontend", "data", "devops", "testing")
PROJECTS: tuple[dict[str, Any], ...] = (
    {"name": "DEMO Checkout rewrite", "priority": 5, "min_staff": 2, "max_staff": 4,
     "demand": [{"skill": "backend", "fte": 1.5, "min_level": 3},
                {"skill": "frontend", "fte": 1.0, "min_level": 3}]},
    {"name": "DEMO Incident analytics", "priority": 4,
     "demand": [{"skill": "data", "fte": 1.0, "min_level": 3}]},
    {"name": "DEMO CI speed-up", "priority": 3,
     "demand": [{"skill": "devops", "fte": 0.5, "min_level": 2}]},
    {"name": "DEMO Test debt", "priority": 2,
     "demand": [{"skill": "testing", "fte": 1.0, "min_level": 2}]},
    {"name": "DEMO ML triage", "priority": 3,
     "demand": [{"skill": "ml", "fte": 0.5, "min_level": 3}]},
)  # fmt: skip


def demo_plan(people: list[tuple[str, str]], seed: int = 13) -> dict[str, Any]:
    """A SYNTHETIC plan for ``people`` (name, email); see the module docstring."""
    rng = random.Random(seed)
    rows = []
    for n, (name, email) in enumerate(people):
        skills = {s: rng.randint(1, 5) for s in rng.sample(SKILLS, rng.randint(2, 3))}
        project = PROJECTS[n % 4]["name"]
        current = [{"project": project, "fte": 0.8}]
        if n == 0:  # over-allocated today: the load view flags it
            current.append({"project": PROJECTS[(n + 1) % 4]["name"], "fte": 0.5})
        rows.append(
            {"ref": email, "name": name, "capacity": 1.0 if n % 5 else 0.8,
             "time_off_days": rng.choice([0, 0, 0, 3, 5]), "skills": skills,
             "current": current}
        )  # fmt: skip
    return {
        "settings": {"wip_limit": 2, "horizon_days": 30, "reassignment_penalty": 0.5},
        "people": rows,
        "projects": list(PROJECTS),
    }


def build_demo_allocation(*, workspace: Workspace) -> dict[str, Any]:
    """Write the demo team's DEMO allocation plan into the workspace (replaced each build)."""
    with session_scope(workspace.engine) as session:
        team = session.scalar(select(Team).where(Team.name == DEMO_TEAM))
        if team is None:
            return {"plan": None, "note": f"no team {DEMO_TEAM}"}
        people = [
            (p.display_name, p.email or f"person-{p.id}")
            for p in session.scalars(
                select(Person)
                .join(Membership, Membership.person_id == Person.id)
                .where(Membership.team_id == team.id)
                .order_by(Person.id)
            )
        ]
    path = workspace.root / PLAN_FILE
    write_atomically(path, tomli_w.dumps(demo_plan(people)))
    return {"plan": str(path), "people": len(people), "projects": len(PROJECTS)}
