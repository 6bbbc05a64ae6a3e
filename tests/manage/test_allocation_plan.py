"""Allocation plans: every bad field refused with its path, limits, TOML and JSON files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tandem.errors import InputError
from tandem.manage.allocation.plan import load_plan, load_projects, parse_plan
from tandem.manage.allocation.schemas import MAX_PEOPLE, MAX_SKILLS
from tests.manage.allocation_plans import PLAN_TOML, plan


def refused(data: Any) -> str:
    with pytest.raises(InputError) as caught:
        parse_plan(data, "plan.json")
    return caught.value.message


def test_a_good_plan_reads_from_toml_and_json(tmp_path: Path) -> None:
    from_toml = load_plan(PLAN_TOML)
    assert [p.ref for p in from_toml.people] == ["ada@example.com", "bo@example.com"]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan()), encoding="utf-8")
    from_json = load_plan(path)
    assert from_json.people[0].skills == {"backend": 4, "data": 3}
    assert from_json.projects[1].value == 5.0


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda p: p["people"][1].update(capacity=1.5), "people[1].capacity"),
        (lambda p: p["people"][1].update(capacity=0.55), "people[1].capacity"),
        (lambda p: p["people"][0]["skills"].update(go=6), "people[0].skills.go"),
        (lambda p: p["people"][0].update(time_off_days=-1), "people[0].time_off_days"),
        (lambda p: p["people"][0]["current"][1].update(project="Nope"),
         "people[0].current[1].project"),
        (lambda p: p["people"][0]["current"][0].update(fte=0), "people[0].current[0].fte"),
        (lambda p: p["people"][2].update(colour="red"), "people[2].colour"),
        (lambda p: p["people"].append(dict(p["people"][0])), "people"),
        (lambda p: p["projects"][0].update(priority=0), "projects[0].priority"),
        (lambda p: p["projects"][1].update(min_staff=4), "projects[1].min_staff"),
        (lambda p: p["projects"][0].update(demand=[]), "projects[0].demand"),
        (lambda p: p["projects"][0]["demand"][0].update(min_level=9),
         "projects[0].demand[0].min_level"),
        (lambda p: p["projects"][0]["demand"][0].update(fte=0.25), "projects[0].demand[0].fte"),
        (lambda p: p["projects"][0]["demand"].append(dict(p["projects"][0]["demand"][0])),
         "projects[0].demand"),
        (lambda p: p["projects"].append(dict(p["projects"][0])), "projects"),
        (lambda p: p["settings"].update(wip_limit=0), "settings.wip_limit"),
        (lambda p: p["settings"].update(horizon_days="soon"), "settings.horizon_days"),
        (lambda p: p.pop("people"), "people"),
    ],
)  # fmt: skip
def test_each_bad_field_is_named(edit: Any, field: str) -> None:
    data = plan()
    edit(data)
    message = refused(data)
    assert message.startswith(f"plan.json, field '{field}': "), message


def test_limits_on_people_and_skills() -> None:
    person = {"ref": "x", "skills": {}}
    many = plan(people=[{**person, "ref": f"p{i}"} for i in range(MAX_PEOPLE + 1)], projects=[])
    assert "field 'people'" in refused(many)
    skills = {f"s{i}": 1 for i in range(MAX_SKILLS + 1)}
    assert "field 'people[0].skills'" in refused(plan(people=[{**person, "skills": skills}]))
    # 50 skills per person but 51 across the plan: refused as a whole
    spread = plan(
        people=[
            {"ref": "a", "skills": {f"s{i}": 1 for i in range(30)}},
            {"ref": "b", "skills": {f"s{i}": 1 for i in range(30, 51)}},
        ],
        projects=[],
    )
    assert "field 'skills': 51 skills" in refused(spread)


def test_a_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "plan.json"
    bad.write_text('{"people": [\n  {"ref": }\n]}', encoding="utf-8")
    with pytest.raises(InputError, match=r"plan.json, line 2"):
        load_plan(bad)
    toml = tmp_path / "plan.toml"
    toml.write_text("[settings\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"plan.toml"):
        load_plan(toml)
    with pytest.raises(InputError, match=r"give a .toml or .json plan"):
        load_plan(tmp_path / "plan.yaml")


def test_projects_to_add_come_from_their_own_file(tmp_path: Path) -> None:
    path = tmp_path / "more.toml"
    path.write_text(
        '[[projects]]\nname = "Ads"\npriority = 4\ndemand = [{ skill = "backend", fte = 0.3 }]\n',
        encoding="utf-8",
    )
    (ads,) = load_projects(path)
    assert (ads.name, ads.priority, ads.demand[0].fte) == ("Ads", 4, 0.3)
    path.write_text("name = 1\n", encoding="utf-8")
    with pytest.raises(InputError, match="field 'projects'"):
        load_projects(path)
