"""``tandem review items --bank-version 2`` and ``tandem review quality`` as an admin runs them."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_review_cli import setup_workspace
from tests.helpers import run_cli


def test_items_of_bank_v2_carry_routing_scale_and_the_v1_link() -> None:
    result = run_cli("review", "items", "--bank-version", "2", "--json")
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert (data["version"], data["status"], data["previous_version"]) == ("2", "published", "1")
    by_id = {i["id"]: i for i in data["items"]}
    assert by_id["vision-1"]["same_as"] == "vision-1"
    assert by_id["vision-6"]["split_from"] == "vision-4"
    assert by_id["performance-1"]["raters"] == ["self", "manager", "report"]
    assert by_id["conflict-overuse-2"]["scale"] == "overuse"


def test_quality_lists_a_straight_liner_for_the_admin(tmp_path: Path) -> None:
    ws = setup_workspace(tmp_path)
    assert run_cli("review", "create", "2026-H1", "-w", ws).exit_code == 0
    items = run_cli("review", "items", "--json").json()["items"]
    answers = tmp_path / "answers.csv"
    answers.write_text(
        "ratee,rater,relation,item_id,value\n"
        + "".join(f"cy@example.com,bob@example.com,manager,{i['id']},3\n" for i in items),
        encoding="utf-8",
    )
    imported = run_cli("review", "import", answers, "--cycle", "2026-H1", "-w", ws)
    assert imported.exit_code == 0, imported.stderr
    report = run_cli("review", "quality", "--cycle", "2026-H1", "-w", ws, "--json")
    assert report.exit_code == 0, report.stderr
    (pair,) = report.json()["pairs"]
    assert (pair["rater"], pair["straight_lining"], pair["speeding"]) == (
        "Bob Builder",
        True,
        "unknown",
    )
    assert report.json()["summary"]["straight_lining"] == 1
    human = run_cli("review", "quality", "--cycle", "2026-H1", "-w", ws)
    assert "1 straight-lining" in human.stdout


def test_validity_waits_for_the_close(tmp_path: Path) -> None:
    ws = setup_workspace(tmp_path)
    assert run_cli("review", "create", "2026-H1", "-w", ws).exit_code == 0
    refused = run_cli("review", "validity", "--cycle", "2026-H1", "-w", ws, "--json")
    assert refused.exit_code == 2 and refused.stdout == ""
    assert run_cli("review", "close", "2026-H1", "-w", ws).exit_code == 0
    report = run_cli("review", "validity", "--cycle", "2026-H1", "-w", ws, "--json")
    assert report.exit_code == 0, report.stderr
    data = report.json()
    assert data["fits"] == {} and "too few answers" in data["cfa_undefined"]
    human = run_cli("review", "validity", "--cycle", "2026-H1", "-w", ws)
    assert "no CFA, too few answers" in human.stdout
