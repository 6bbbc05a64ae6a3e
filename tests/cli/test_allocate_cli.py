"""``tandem allocate``: JSON, CSV, tables, -o, what-ifs, workspace matching and bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from sqlalchemy import select

from tandem.audit.models import AuditEvent
from tandem.db.session import session_scope
from tandem.people.models import Person
from tandem.workspace import Workspace
from tests.helpers import run_cli
from tests.manage.allocation_plans import PLAN_TOML, plan

WIDE = {"COLUMNS": "200"}


def plan_file(tmp_path: Path, data: dict[str, object] | None = None) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data or plan()), encoding="utf-8")
    return path


def test_json_has_the_status_gap_assignments_and_load(tmp_path: Path) -> None:
    result = run_cli("allocate", plan_file(tmp_path), "--json", "--time-limit", "20")
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["solve"]["status"] == "OPTIMAL" and data["solve"]["gap"] == 0
    assert data["solve"]["objective"] == 3.3
    assert {(a["person"], a["project"], a["fte"]) for a in data["assignments"]} == {
        ("ada@example.com", "Billing", 0.3),
        ("ada@example.com", "Search", 0.5),
        ("cy@example.com", "Billing", 0.2),
    }
    assert [row["over_allocated_now"] for row in data["load"]] == [True, False, False]
    assert data["note"].startswith("A recommendation")
    same = run_cli("allocate", plan_file(tmp_path), "--format", "json")
    assert same.json()["assignments"] == data["assignments"]


def test_csv_is_one_row_per_assignment(tmp_path: Path) -> None:
    result = run_cli("allocate", PLAN_TOML, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["person_name"], r["project"], r["skill"], r["fte"]) for r in rows] == [
        ("Ada", "Billing", "backend", "0.3"),
        ("Ada", "Search", "data", "0.5"),
    ]
    assert all(r["reason"] for r in rows)


def test_a_table_names_why_and_the_output_file_is_written_whole(tmp_path: Path) -> None:
    shown = run_cli("allocate", PLAN_TOML, env=WIDE)
    assert shown.exit_code == 0, shown.stderr
    assert "no one has frontend at level 4 or above" in shown.stdout
    assert "over-allocated now: current 1.2 FTE > effective capacity 0.8" in shown.stdout
    assert "a person decides" in shown.stdout
    out = tmp_path / "out.csv"
    written = run_cli("allocate", PLAN_TOML, "--format", "csv", "-o", out)
    assert written.exit_code == 0 and written.stdout == ""
    assert out.read_text(encoding="utf-8").startswith("person,person_name,project")


def test_a_what_if_shows_who_moves(tmp_path: Path) -> None:
    more = tmp_path / "more.toml"
    more.write_text(
        '[[projects]]\nname = "Ads"\npriority = 5\ndemand = [{ skill = "backend", fte = 0.3 }]\n',
        encoding="utf-8",
    )
    args = ("allocate", plan_file(tmp_path), "--remove", "ada@example.com", "--add-project", more)
    result = run_cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["changes"] == ["remove ada@example.com", "add project Ads"]
    moves = {m["person"]: m["after"] for m in data["moves"]}
    assert moves["ada@example.com"] == {}
    assert moves["cy@example.com"] == {"Ads": 0.3, "Billing": 0.2}
    table = run_cli(*args, env=WIDE)
    assert "Who moves" in table.stdout and "Covered FTE 1.0 → 0.5" in table.stdout
    moved = run_cli(*args, "--format", "csv")
    assert moved.stdout.splitlines()[0] == "person,person_name,before,after"


def test_bad_input_exits_non_zero_naming_the_field(tmp_path: Path) -> None:
    data = plan()
    data["people"][1]["capacity"] = 2
    result = run_cli("allocate", plan_file(tmp_path, data), "--json")
    assert result.exit_code == 2 and result.stdout == ""
    assert "field 'people[1].capacity'" in result.stderr
    unknown = run_cli("allocate", PLAN_TOML, "--remove", "zed")
    assert unknown.exit_code == 2 and "no person 'zed'" in unknown.stderr
    bad_capacity = run_cli("allocate", PLAN_TOML, "--capacity", "ada@example.com=3")
    assert bad_capacity.exit_code == 2 and "field 'capacity'" in bad_capacity.stderr
    out = tmp_path / "never.json"
    failed = run_cli("allocate", plan_file(tmp_path, data), "--json", "-o", out)
    assert failed.exit_code == 2 and not out.exists()
    fmt = run_cli("allocate", PLAN_TOML, "--format", "xml")
    assert fmt.exit_code == 2 and "field 'format'" in fmt.stderr


def test_with_a_workspace_refs_are_matched_and_the_run_audited(
    tmp_path: Path, workspace: Workspace
) -> None:
    with session_scope(workspace.engine) as session:
        for name, email in (("Ada Lovelace", "ada@example.com"), ("Bo B", "bo@example.com"),
                            ("Cy C", "cy@example.com")):  # fmt: skip
            session.add(Person(display_name=name, email=email))
    data = plan()
    for person in data["people"]:
        del person["name"]
    result = run_cli("allocate", plan_file(tmp_path, data), "--json", "-w", workspace.root)
    assert result.exit_code == 0, result.stderr
    names = {a["person_name"] for a in result.json()["assignments"]}
    assert names == {"Ada Lovelace", "Cy C"}
    with session_scope(workspace.engine) as session:
        (event,) = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "allocation.run")
        ).all()
        assert event.detail == {"people": 3, "projects": 2, "status": "OPTIMAL"}
    data["people"][0]["ref"] = "nobody@example.com"
    refused = run_cli("allocate", plan_file(tmp_path, data), "-w", workspace.root)
    assert refused.exit_code == 2 and "field 'people[0].ref'" in refused.stderr
