"""``tandem plan PERSON --cycle NAME`` and ``tandem plan progress`` as users run them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_profile_cli import hand_workspace
from tests.helpers import run_cli


def test_plan_is_created_then_shown_and_progress_recorded(tmp_path: Path) -> None:
    ws = hand_workspace(tmp_path)
    made = run_cli(
        "plan",
        "rae@example.com",
        "--cycle",
        "2026-H1",
        "--plan-date",
        "2026-01-15",
        "-w",
        ws,
        "--json",
    )
    assert made.exit_code == 0, made.stderr
    plan = made.json()
    assert (plan["has_plan"], plan["created"], plan["side"]) == (True, True, "manager")
    assert [p["practice"] for p in plan["practices"]] == ["process", "performance", "communication"]
    assert plan["rerate_date"] == "2026-07-16"
    assert plan["practices"][0]["reason"] == "lowest on the manager side: 3.0"

    again = run_cli("plan", "--cycle", "2026-H1", "rae@example.com", "-w", ws, "--json").json()
    shown = run_cli("plan", "show", "rae@example.com", "-c", "2026-H1", "-w", ws, "--json").json()
    assert again["created"] is False and shown["created"] is False
    assert again["plan_id"] == shown["plan_id"] == plan["plan_id"]
    assert again["practices"] == plan["practices"]

    action = plan["practices"][0]["actions"][0]["id"]
    done = run_cli(
        "plan",
        "progress",
        str(action),
        "--status",
        "done",
        "--note",
        "queue removed",
        "-w",
        ws,
        "--json",
    )
    assert done.exit_code == 0, done.stderr
    assert done.json()["status"] == "done"
    assert [(p["status"], p["note"]) for p in done.json()["progress"]] == [
        ("done", "queue removed")
    ]
    human = run_cli("plan", "rae@example.com", "--cycle", "2026-H1", "-w", ws)
    assert "M 3.40 < L 3.50" in human.stdout and "process" in human.stdout
    assert "done" in human.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("plan", "ghost@example.com", "--cycle", "2026-H1"), "no person matches"),
        (("plan", "rae@example.com", "--cycle", "2099"), "no review cycle '2099'"),
        (("plan", "max@example.com", "--cycle", "2026-H1"), "not rated in review cycle"),
        (
            ("plan", "rae@example.com", "--cycle", "2026-H1", "--plan-date", "15/01/2026"),
            "is not a date",
        ),
        (("plan", "progress", "424242", "--status", "done"), "no plan action 424242"),
        (("plan", "progress", "1", "--status", "finished"), "not one of doing, done, dropped"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    ws = hand_workspace(tmp_path)
    result = run_cli(*args, "-w", ws, "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr and "Traceback" not in result.stderr


def test_plan_help_lists_the_sub_commands() -> None:
    result = run_cli("plan", "--help")
    assert result.exit_code == 0
    assert "show" in result.stdout and "progress" in result.stdout
    assert "tandem plan PERSON --cycle NAME" in result.stdout
