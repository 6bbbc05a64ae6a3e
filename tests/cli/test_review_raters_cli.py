"""`tandem review nominate|approve|reject|nominations|completion|remind|due` from the shell."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import new_workspace, run_cli

ROSTER = """name,email,team,role,manager
Ada Lovelace,ada@example.com,Core,leader,
Bob Builder,bob@example.com,Core,manager,ada@example.com
Cy Young,cy@example.com,Core,member,bob@example.com
Di Prince,di@example.com,Core,member,bob@example.com
Eve Online,eve@example.com,Edge,member,bob@example.com
"""
CYCLE = "2026-H1"


def setup(tmp_path: Path, *create: str) -> Path:
    ws = tmp_path / "ws"
    new_workspace(ws)
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    assert run_cli("people", "import", tmp_path / "roster.csv", "-w", ws).exit_code == 0
    made = run_cli("review", "create", CYCLE, *create, "-w", ws, "--json")
    assert made.exit_code == 0, made.stderr
    assigned = run_cli("review", "assign", "-c", CYCLE, "--team", "Edge", "-w", ws, "--json")
    assert assigned.exit_code == 0, assigned.stderr
    return ws


def test_nominate_approve_reject_and_list(tmp_path: Path) -> None:
    ws = setup(tmp_path)
    pair = ("-c", CYCLE, "--ratee", "eve@example.com")
    made = run_cli("review", "nominate", *pair, "--rater", "cy@example.com", "--relation",
                   "peer", "-w", ws, "--json")  # fmt: skip
    assert made.exit_code == 0, made.stderr
    assert (made.json()["status"], made.json()["nominated_by"]) == ("nominated", "admin")
    run_cli("review", "nominate", *pair, "--rater", "di@example.com", "--relation", "peer",
            "-w", ws)  # fmt: skip
    waiting = run_cli("review", "nominations", "-c", CYCLE, "--status", "nominated", "-w", ws,
                      "--json")  # fmt: skip
    assert [n["rater"] for n in waiting.json()["nominations"]] == ["Cy Young", "Di Prince"]
    approved = run_cli("review", "approve", *pair, "--rater", "cy@example.com", "-w", ws, "--json")
    assert approved.json()["status"] == "approved", approved.stderr
    rejected = run_cli("review", "reject", *pair, "--rater", "di@example.com", "--reason",
                       "not this half", "-w", ws, "--json")  # fmt: skip
    assert (rejected.json()["status"], rejected.json()["reason"]) == ("rejected", "not this half")
    again = run_cli("review", "approve", *pair, "--rater", "di@example.com", "-w", ws, "--json")
    assert again.exit_code == 2 and "rejected already" in again.stderr and again.stdout == ""
    human = run_cli("review", "nominations", "-c", CYCLE, "-w", ws, env={"COLUMNS": "200"})
    assert "Cy Young" in human.stdout and "not this half" in human.stdout
    direct = run_cli("review", "nominate", *pair, "--rater", "ada@example.com", "--relation",
                     "manager", "--approve", "-w", ws, "--json")  # fmt: skip
    assert direct.json()["status"] == "approved"


def test_bad_nominations_exit_2_with_the_field(tmp_path: Path) -> None:
    ws = setup(tmp_path)
    pair = ("-c", CYCLE, "--ratee", "eve@example.com", "--rater", "cy@example.com")
    bad = run_cli("review", "nominate", *pair, "--relation", "buddy", "-w", ws, "--json")
    assert bad.exit_code == 2 and "field 'relation'" in bad.stderr
    unknown = run_cli("review", "approve", *pair, "-w", ws, "--json")
    assert unknown.exit_code == 2 and "is not nominated" in unknown.stderr
    assert run_cli("review", "nominations", "-c", CYCLE, "-w", ws, "--json").json()["count"] == 0


def test_completion_remind_and_due(tmp_path: Path) -> None:
    ws = setup(tmp_path, "--due", "2026-06-30")
    answers = tmp_path / "answers.csv"
    answers.write_text(
        "ratee,rater,relation,item_id,value\neve@example.com,bob@example.com,manager,vision-1,4\n",
        encoding="utf-8",
    )
    assert run_cli("review", "import", answers, "-c", CYCLE, "-w", ws).exit_code == 0
    done = run_cli("review", "completion", "-c", CYCLE, "-w", ws, "--json")
    assert done.exit_code == 0, done.stderr
    (eve,) = done.json()["ratees"]
    assert eve["ratee"] == "Eve Online" and eve["self_submitted"] is False
    assert eve["groups"] == [
        {"group": "manager", "assigned": 1, "started": 1, "submitted": 0, "shown_now": False,
         "shown_if_all_submit": True},
    ]  # fmt: skip
    assert [p["rater"] for p in eve["pending"]] == ["Bob Builder"]
    assert done.json()["due_date"] == "2026-06-30"

    first = run_cli("review", "remind", "-c", CYCLE, "--date", "2026-07-01", "-w", ws, "--json")
    assert first.exit_code == 0, first.stderr
    assert first.json()["overdue"] is True and first.json()["recorded"] == 2
    assert {r["rater"]: r["not_started"] for r in first.json()["raters"]} == {
        "Bob Builder": 0,
        "Eve Online": 1,
    }
    second = run_cli("review", "remind", "-c", CYCLE, "--date", "2026-07-01", "-w", ws, "--json")
    assert second.json()["recorded"] == 0
    assert all(r["recorded_today"] for r in second.json()["raters"])
    events = run_cli("audit", "list", "--action", "review.remind", "-w", ws, "--json")
    assert events.json()["count"] == 2
    next_day = run_cli("review", "remind", "-c", CYCLE, "--date", "2026-07-02", "-w", ws, "--json")
    assert next_day.json()["recorded"] == 2

    moved = run_cli("review", "due", CYCLE, "--date", "2026-08-01", "-w", ws, "--json")
    assert moved.json()["due_date"] == "2026-08-01"
    bad = run_cli("review", "due", CYCLE, "--date", "1 August", "-w", ws, "--json")
    assert bad.exit_code == 2 and "--date" in bad.stderr and "YYYY-MM-DD" in bad.stderr
    cleared = run_cli("review", "due", CYCLE, "--clear", "-w", ws, "--json")
    assert cleared.json()["due_date"] is None
    human = run_cli("review", "remind", "-c", CYCLE, "-w", ws, env={"COLUMNS": "200"})
    assert "Bob Builder" in human.stdout


def test_create_refuses_a_bad_share_of_items(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    new_workspace(ws)
    # the default bank, v2, has a practice of 6 items (allocation)
    bad = run_cli("review", "create", "X", "--items-per-practice", "6", "-w", ws, "--json")
    assert bad.exit_code == 2 and "items per practice must be 1–5" in bad.stderr
    ok = run_cli("review", "create", "X", "--items-per-practice", "3", "-w", ws, "--json")
    assert ok.json()["items_per_practice"] == 3
