"""The demo's allocation plan: a valid plan whose answer shows the load flag and a gap."""

from __future__ import annotations

import tomllib

from tandem.db.session import session_scope
from tandem.demo.manage_allocation import PLAN_FILE, build_demo_allocation, demo_plan
from tandem.demo.org import write_demo_org
from tandem.manage.allocation.plan import load_plan, parse_plan
from tandem.manage.allocation.service import allocate
from tandem.workspace import Workspace


def test_the_demo_plan_solves_with_an_over_allocation_flag_and_an_uncovered_skill() -> None:
    people = [(f"Person {n}", f"p{n}@example.org") for n in range(7)]
    plan = demo_plan(people)
    assert demo_plan(people) == plan  # seeded: the same plan every build
    result = allocate(parse_plan(plan), time_limit=20)
    assert result.solve.status == "OPTIMAL"
    assert result.load[0].over_allocated_now
    ml = next(u for u in result.uncovered if u.skill == "ml")
    assert ml.reason.startswith("no one has ml")


def test_the_demo_writes_its_plan_for_the_demo_team(workspace: Workspace) -> None:
    assert build_demo_allocation(workspace=workspace)["plan"] is None  # no demo team yet
    with session_scope(workspace.engine) as session:
        write_demo_org(session=session)
    built = build_demo_allocation(workspace=workspace)
    path = workspace.root / PLAN_FILE
    assert built["plan"] == str(path) and built["people"] >= 5
    plan = load_plan(path)
    assert len(plan.people) == built["people"]
    assert tomllib.loads(path.read_text(encoding="utf-8"))["projects"][0]["priority"] == 5
