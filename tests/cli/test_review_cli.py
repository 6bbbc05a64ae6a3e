"""``tandem people import`` and ``tandem review …`` as a user runs them."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import new_workspace, run_cli

ROSTER = """name,email,team,role,manager
Ada Lovelace,ada@example.com,Core,leader,
Bob Builder,bob@example.com,Core,manager,ada@example.com
Cy Young,cy@example.com,Core,member,bob@example.com
"""


def setup_workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    new_workspace(ws)
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    result = run_cli("people", "import", tmp_path / "roster.csv", "-w", ws, "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["people_created"] == 3
    return ws


def test_a_whole_cycle_from_the_command_line(tmp_path: Path) -> None:
    ws = setup_workspace(tmp_path)
    created = run_cli("review", "create", "2026-H1", "-w", ws, "--json")
    assert created.exit_code == 0, created.stderr
    assert created.json()["status"] == "open"
    assigned = run_cli(
        "review", "assign", "--cycle", "2026-H1", "--team", "Core", "-w", ws, "--json"
    )
    assert assigned.exit_code == 0, assigned.stderr
    # self 3, manager 2 (Bob←Ada, Cy←Bob), report 2 (Ada←Bob, Bob←Cy), peer 2 (Ada↔Cy)
    assert assigned.json()["created_by_relation"] == {
        "self": 3,
        "manager": 2,
        "report": 2,
        "peer": 2,
    }
    again = run_cli("review", "assign", "-c", "2026-H1", "--all-teams", "-w", ws, "--json")
    assert (again.json()["created"], again.json()["existing"]) == (0, 9)
    answers = tmp_path / "answers.csv"
    answers.write_text(
        "ratee,rater,relation,item_id,value\n"
        "cy@example.com,bob@example.com,manager,vision-1,4\n"
        "cy@example.com,cy@example.com,self,vision-1,\n",
        encoding="utf-8",
    )
    imported = run_cli("review", "import", answers, "--cycle", "2026-H1", "-w", ws, "--json")
    assert imported.exit_code == 0, imported.stderr
    assert (imported.json()["inserted"], imported.json()["assignments_created"]) == (2, 0)
    human = run_cli("review", "import", answers, "--cycle", "2026-H1", "-w", ws)
    assert "2 unchanged" in human.stdout
    closed = run_cli("review", "close", "2026-H1", "-w", ws, "--json")
    assert closed.json()["status"] == "closed"
    refused = run_cli("review", "import", answers, "--cycle", "2026-H1", "-w", ws, "--json")
    assert refused.exit_code == 2
    assert refused.stdout == ""
    assert "closed" in refused.stderr
    listed = run_cli("review", "list", "-w", ws, "--json").json()
    assert listed["count"] == 1
    assert {k: listed["cycles"][0][k] for k in ("name", "assignments", "responses")} == {
        "name": "2026-H1",
        "assignments": 9,
        "responses": 2,
    }


def test_bad_rows_exit_2_with_line_numbers_and_import_nothing(tmp_path: Path) -> None:
    ws = setup_workspace(tmp_path)
    run_cli("review", "create", "c", "-w", ws)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "ratee,rater,relation,item_id,value\n"
        "cy@example.com,bob@example.com,manager,vision-1,4\n"
        "cy@example.com,ghost@example.com,peer,vision-1,4\n",
        encoding="utf-8",
    )
    result = run_cli("review", "import", bad, "--cycle", "c", "-w", ws, "--json")
    assert result.exit_code == 2
    assert "line 3: rater 'ghost@example.com' is not a known person" in result.stderr
    assert "Traceback" not in result.stderr
    assert run_cli("review", "list", "-w", ws, "--json").json()["cycles"][0]["responses"] == 0
    roster = tmp_path / "bad-roster.csv"
    roster.write_text("name,email,team,role,manager\nZed,zed@example.com,Core,chief,\n")
    result = run_cli("people", "import", roster, "-w", ws)
    assert result.exit_code == 2
    assert "line 2: role 'chief'" in result.stderr
    people = run_cli("people", "list", "-w", ws, "--json").json()
    assert people["count"] == 3


def test_assign_needs_a_target_and_items_lists_the_bank(tmp_path: Path) -> None:
    ws = setup_workspace(tmp_path)
    run_cli("review", "create", "c", "-w", ws)
    result = run_cli("review", "assign", "-c", "c", "-w", ws)
    assert result.exit_code == 2
    assert "--team" in result.stderr
    partial = run_cli("review", "assign", "-c", "c", "--ratee", "cy@example.com", "-w", ws)
    assert partial.exit_code == 2
    explicit = run_cli(
        "review",
        "assign",
        "-c",
        "c",
        "--ratee",
        "cy@example.com",
        "--rater",
        "ada@example.com",
        "--relation",
        "peer",
        "-w",
        ws,
        "--json",
    )
    assert explicit.exit_code == 0, explicit.stderr
    assert explicit.json()["assignments"][0]["rater"] == "Ada Lovelace"
    items = run_cli("review", "items", "--json")
    assert items.exit_code == 0, items.stderr
    data = items.json()
    # the default is the latest published version, 2, with its routing, scale and v1 links
    assert (data["version"], data["status"], data["previous_version"]) == ("2", "published", "1")
    assert set(data["items"][0]) == {
        *("id", "side", "practice", "reverse", "text"),
        *("scale", "raters", "same_as", "split_from"),
    }
    assert {i["practice"] for i in data["items"]} >= {"vision", "conflict"}
