"""`tandem align …` on a workspace holding the recorded Jira projects."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tandem.db.session import session_scope
from tandem.why.alignment import encoders, minilm
from tandem.why.goals.models import Goal
from tandem.workspace import Workspace
from tests.helpers import new_workspace, run_cli
from tests.why.alignment_fixtures import JiraLake, build_lake, copy_lake, make_teams


@pytest.fixture(scope="module")
def jira(tmp_path_factory: pytest.TempPathFactory) -> JiraLake:
    return build_lake(tmp_path_factory.mktemp("jira") / "lake")


def _workspace(root: Path, jira: JiraLake) -> tuple[Path, int]:
    ws = new_workspace(root)
    copy_lake(jira, ws.lake.root)
    ws = Workspace.open(root)
    with session_scope(ws.engine) as session:
        make_teams(session, ws.lake)
        goal = Goal(team_id=1, title="Faster webpack builds", why="builds are slow",
                    starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2022, 12, 31),
                    target_share=0.4)  # fmt: skip
        session.add(goal)
        session.flush()
        goal_id = goal.id
    return root, goal_id


def test_rules_suggestions_decisions_and_balance(tmp_path: Path, jira: JiraLake) -> None:
    ws, goal = _workspace(tmp_path / "ws", jira)
    base = ("--team", "Alpha", "-w", ws)
    added = run_cli("align", "rule", "add", "--goal", str(goal), "--kind", "label",
                    "--pattern", "Saas", *base, "--json")  # fmt: skip
    assert added.exit_code == 0, added.stderr
    rule = added.json()
    assert rule["reason"] == f"rule {rule['id']}: label = Saas"
    listed = run_cli("align", "rule", "list", *base, "--json").json()
    assert [r["id"] for r in listed["rules"]] == [rule["id"]]
    suggested = run_cli("align", "suggest", *base, "--json").json()
    top = {s["external_key"]: s for s in suggested["suggestions"]}
    assert "webpack" in top["EE-16"]["words"]
    accepted = run_cli("align", "accept", "--goal", str(goal), jira.oid("EE-16"), *base, "--json")
    assert accepted.exit_code == 0 and accepted.json()["decision"] == "accepted"
    out = run_cli("align", "balance", *base, "--model", "items", "--json").json()
    assert out["withheld"] is None
    assert [row["title"] for row in out["rows"]] == ["Faster webpack builds", "unaligned"]
    assert sum(round(row["percent"] * 10) for row in out["rows"]) == 1000
    text = run_cli("align", "balance", *base, env={"COLUMNS": "200"})
    assert text.exit_code == 0 and "unaligned" in text.stdout and "Faster webpack" in text.stdout
    removed = run_cli("align", "rule", "remove", str(rule["id"]), *base, "--json")
    assert removed.exit_code == 0
    assert run_cli("align", "rule", "list", *base, "--json").json()["rules"] == []


def test_bad_input_exits_non_zero_and_names_the_field(tmp_path: Path, jira: JiraLake) -> None:
    ws, goal = _workspace(tmp_path / "ws", jira)
    base = ("--team", "Alpha", "-w", ws)
    bad = run_cli("align", "rule", "add", "--goal", str(goal), "--kind", "path",
                  "--pattern", "src/[x", *base)  # fmt: skip
    assert bad.exit_code != 0 and "pattern" in bad.stderr and "never closed" in bad.stderr
    unknown = run_cli("align", "rule", "add", "--goal", "999", "--kind", "label",
                      "--pattern", "x", *base)  # fmt: skip
    assert unknown.exit_code != 0 and "no goal 999" in unknown.stderr
    assert run_cli("align", "rule", "list", *base, "--json").json()["rules"] == []
    window = run_cli("align", "balance", *base, "--from", "2022-01-01", "--to", "2021-01-01")
    assert window.exit_code != 0 and "--from" in window.stderr
    for command in ("balance", "suggest"):  # a team window under 7 days: refused, not widened
        narrow = run_cli("align", command, *base, "--from", "2022-07-01", "--to", "2022-07-04",
                         "--json")  # fmt: skip
        assert narrow.exit_code == 2 and narrow.stdout == "", command
        assert "'from'" in narrow.stderr and "at least 7 days" in narrow.stderr
    beta = run_cli("align", "balance", "--team", "Beta", "-w", ws, "--json")
    assert beta.exit_code == 0 and beta.json()["withheld"] and beta.json()["rows"] == []
    assert beta.json()["people"] is None


def test_suggest_names_its_encoder_and_refuses_an_unknown_one(
    tmp_path: Path, jira: JiraLake
) -> None:
    ws, _ = _workspace(tmp_path / "ws", jira)
    base = ("--team", "Alpha", "-w", ws)
    tfidf = run_cli("align", "suggest", *base, "--encoder", "tfidf", "--json")
    assert tfidf.exit_code == 0, tfidf.stderr
    assert (tfidf.json()["encoder"], tfidf.json()["min_score"]) == ("tfidf", 0.1)
    auto = "tfidf" if minilm.missing() is not None else "minilm"
    text = run_cli("align", "suggest", *base, env={"COLUMNS": "200"})
    assert text.exit_code == 0 and f"({encoders.METHODS[auto]})" in text.stdout
    bad = run_cli("align", "suggest", *base, "--encoder", "bert")
    assert bad.exit_code != 0 and "encoder" in bad.stderr and "auto, minilm, tfidf" in bad.stderr
    if auto == "minilm":
        out = run_cli("align", "suggest", *base, "--encoder", "minilm", "--json").json()
        assert out["encoder"] == "minilm" and out["min_score"] == encoders.MIN_SCORES["minilm"]
        assert all(s["score"] >= encoders.MIN_SCORES["minilm"] for s in out["suggestions"])
