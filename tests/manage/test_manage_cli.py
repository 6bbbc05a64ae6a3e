"""``tandem concerns`` and ``tandem conflicts`` end to end on a workspace: --json, --as."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tandem.db.session import session_scope
from tandem.workspace import Workspace
from tests.helpers import run_cli
from tests.manage.crew import Org, build_org

WIDE = {"COLUMNS": "200"}


@pytest.fixture
def ws(tmp_path: Path) -> tuple[str, Org]:
    root = tmp_path / "ws"
    assert run_cli("init", "-w", str(root)).exit_code == 0
    with session_scope(Workspace.open(root).engine) as session:
        org = build_org(session)
    return str(root), org


def test_concerns_anonymous_threshold_and_receipt(ws: tuple[str, Org]) -> None:
    root, _ = ws
    small = run_cli(
        "concerns", "raise", "-t", "Four", "--as", "dan@example.org", "--text", "Too much",
        "--anonymous", "-w", root, "--json",
    )  # fmt: skip
    assert small.exit_code == 2 and "at least 5" in small.stderr
    raised = run_cli(
        "concerns", "raise", "-t", "Five", "--as", "ann@example.org", "--text", "Too much",
        "--kind", "concern", "--anonymous", "-w", root, "--json",
    )  # fmt: skip
    assert raised.exit_code == 0, raised.stderr
    data = json.loads(raised.stdout)
    assert data["item"]["author"] is None and data["receipt"]
    board = run_cli("concerns", "board", "-t", "Five", "--as", "max@example.org", "-w", root,
                    env=WIDE)  # fmt: skip
    assert board.exit_code == 0 and "by anonymous" in board.stdout and "Ann" not in board.stdout
    answer = run_cli(
        "concerns", "answer", str(data["item"]["id"]), "--as", "max@example.org", "--text",
        "Let us rebalance on-call", "-w", root, "--json",
    )  # fmt: skip
    assert answer.exit_code == 0, answer.stderr
    followed = run_cli("concerns", "follow", "--receipt", data["receipt"], "-w", root, "--json")
    assert json.loads(followed.stdout)["answers"][0]["text"] == "Let us rebalance on-call"
    outsider = run_cli("concerns", "board", "-t", "Five", "--as", "dan@example.org", "-w", root)
    assert outsider.exit_code != 0 and "Too much" not in outsider.stdout
    overview = run_cli("concerns", "overview", "-w", root, "--json")
    assert overview.exit_code == 0 and "Too much" not in overview.stdout
    teams = {t["team"]["name"]: t for t in json.loads(overview.stdout)["teams"]}
    assert (teams["Five"]["answered"], teams["Four"]["answered"]) == (1, 0)


def test_conflicts_are_read_as_their_people_only(ws: tuple[str, Org]) -> None:
    root, _ = ws
    opened = run_cli(
        "conflicts", "open", "--as", "max@example.org", "--kind", "relationship", "--issue",
        "Review tone", "--party", "ann@example.org", "--party", "bob@example.org",
        "--today", "2026-11-01", "-w", root, "--json",
    )  # fmt: skip
    assert opened.exit_code == 0, opened.stderr
    case = json.loads(opened.stdout)
    assert case["suggestion"]["reasons"]
    case_id = str(case["id"])
    for outsider in ("cat@example.org", "lea@example.org", "dir@example.org", "adm@example.org"):
        shown = run_cli("conflicts", "show", case_id, "--as", outsider, "-w", root, "--json")
        assert shown.exit_code != 0 and "Review tone" not in shown.stdout
        assert "take part in" in shown.stderr
        listed = run_cli("conflicts", "list", "--as", outsider, "-w", root, "--json")
        assert json.loads(listed.stdout)["cases"] == []
    no_one = run_cli("conflicts", "show", case_id, "-w", root)
    assert no_one.exit_code != 0  # --as is required: there is no operator view
    listed = run_cli("conflicts", "list", "--as", "max@example.org", "-w", root, env=WIDE)
    assert listed.exit_code == 0 and "reminder:" in listed.stdout
    position = run_cli(
        "conflicts", "position", case_id, "--as", "ann@example.org", "--position",
        "Kinder reviews", "--importance", "5", "-w", root, "--json",
    )  # fmt: skip
    assert position.exit_code == 0, position.stderr
    bad = run_cli(
        "conflicts", "update", case_id, "--as", "max@example.org", "--tick", "win", "-w", root,
    )  # fmt: skip
    assert bad.exit_code == 2 and "checklist" in bad.stderr
    text = run_cli("conflicts", "show", case_id, "--as", "bob@example.org", "-w", root, env=WIDE)
    assert "Suggested mode" in text.stdout and "Kinder reviews" in text.stdout
    mine = run_cli("conflicts", "export", "--as", "ann@example.org", "-w", root)
    assert json.loads(mine.stdout)["conflict_cases"][0]["mine"]["position"] == "Kinder reviews"
