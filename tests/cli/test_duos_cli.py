"""`tandem duos suggest|confirm|list`, as run by users, on the hand organisation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from tandem.db.session import session_scope
from tandem.people.models import Person
from tandem.profile import sharing, visibility
from tandem.workspace import Workspace
from tests.duos.test_service import CYCLE, PROFILES, ROSTER, SELVES, answers_csv
from tests.helpers import V1, new_workspace, run_cli


def hand_workspace(tmp_path: Path, *, close: bool = True) -> Path:
    """A workspace with the hand organisation of the duo tests, built through the CLI only;
    the cycle is closed unless ``close=False``."""
    ws = tmp_path / "ws"
    new_workspace(ws)
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    (tmp_path / "answers.csv").write_text(answers_csv(), encoding="utf-8")
    for args in (
        ("people", "import", tmp_path / "roster.csv"),
        ("review", "create", CYCLE, "--bank-version", V1),
        ("review", "import", tmp_path / "answers.csv", "--cycle", CYCLE),
    ):
        result = run_cli(*args, "-w", ws, "--json")
        assert result.exit_code == 0, result.stderr
    if close:  # results exist only for closed cycles
        assert run_cli("review", "close", CYCLE, "-w", ws).exit_code == 0
    return ws


def share_with_max(ws: Path) -> None:
    """Every ratee shares their report with their line manager, Max (as on the web)."""
    with session_scope(Workspace.open(ws).engine) as session:
        for name in (*PROFILES, *SELVES):
            person = session.scalars(select(Person.id).where(Person.email == f"{name}@example.com"))
            sharing.set_shared(session=session, cycle=CYCLE, person_id=person.one(), shared=True)


def test_the_operator_sees_no_ones_numbers(tmp_path: Path) -> None:
    ws = hand_workspace(tmp_path)
    share_with_max(ws)  # shared with Max, not with whoever runs the command line
    result = run_cli("duos", "suggest", "--cycle", CYCLE, "-w", ws, "--json")
    assert result.exit_code == 0, result.stderr
    out = result.json()
    assert [(p["a"]["name"], p["score"], p["coverage"]) for p in out["pairs"]] == [
        ("Ann Leader", None, None),
        ("Cal Mixed", None, None),
    ]
    assert out["total_score"] is None and not any(p["details"] for p in out["pairs"])
    assert "vision" not in str(out["pairs"])
    people = run_cli("duos", "suggest", "--cycle", CYCLE, "-w", ws)
    assert "not shown" in people.stdout and "5.00" not in people.stdout
    assert visibility.OPERATOR.person_id is None


def test_suggest_json_follows_the_contract(tmp_path: Path) -> None:
    ws = hand_workspace(tmp_path)
    share_with_max(ws)
    result = run_cli(
        "duos", "suggest", "--cycle", CYCLE, "--as", "max@example.com", "-w", ws, "--json"
    )
    assert result.exit_code == 0, result.stderr
    out = result.json()
    assert {"pairs", "unpaired"} <= set(out)
    pairs = [(p["a"]["name"], p["b"]["name"], p["score"]) for p in out["pairs"]]
    assert pairs == [("Ann Leader", "Bea Manager", 5.0), ("Cal Mixed", "Dot Mixed", 3.85)]
    first = out["pairs"][0]
    assert {"a", "b", "score", "coverage", "explanation"} <= set(first)
    assert {"id", "name"} <= set(first["a"])
    assert first["coverage"]["value"] == 5.0
    assert first["coverage"]["practices"]["conflict"]["by"] == [first["b"]["id"]]
    assert "Ann Leader covers vision (5.0)" in first["explanation"]
    assert [u["person"]["name"] for u in out["unpaired"]] == ["Eli Selfonly"]
    assert "self ratings are never used" in out["unpaired"][0]["reason"]


def test_suggest_for_a_team_with_compat_and_bonus(tmp_path: Path) -> None:
    ws = hand_workspace(tmp_path)
    compat = tmp_path / "compat.csv"
    compat.write_text("person,answer\ncal@example.com,craft\ndot@example.com,growth\n")
    result = run_cli(
        "duos", "suggest", "-c", CYCLE, "--team", "Edge", "--compat", compat, "--bonus", "0.5",
        "-w", ws, "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    out = result.json()
    assert out["pairs"] == []  # Cal and Dot opted in without a shared answer
    reasons = {u["person"]["name"]: u["reason"] for u in out["unpaired"]}
    assert set(reasons) == {"Cal Mixed", "Dot Mixed", "Eli Selfonly", "Fay Later"}
    assert "compatibility gate allows no partner" in reasons["Cal Mixed"]
    assert out["settings"]["bonus"] == 0.5
    people = run_cli("duos", "suggest", "-c", CYCLE, "-t", "Edge", "-w", ws)
    assert people.exit_code == 0 and "Cal Mixed" in people.stdout and "unpaired" in people.stdout


def test_confirm_then_list_and_refuse_a_second_duo(tmp_path: Path) -> None:
    ws = hand_workspace(tmp_path)
    result = run_cli(
        "duos", "confirm", "ann@example.com", "bea@example.com", "--tie-breaker",
        "max@example.com", "--cycle", CYCLE, "--by", "hr-lead", "-w", ws, "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    duo = result.json()
    assert duo["tie_breaker"] == "Max Manager <max@example.com>"
    assert duo["review_date"] == str(dt.date.today() + dt.timedelta(days=90))
    assert duo["confirmed_by"] == "hr-lead" and duo["score"] is None  # nobody shared
    assert duo["status"] == "pending" and duo["message"].startswith("Duo confirmed: Ann Leader")
    again = run_cli(
        "duos", "confirm", "cal@example.com", "ann@example.com", "--tie-breaker", "x",
        "--cycle", CYCLE, "-w", ws, "--json",
    )  # fmt: skip
    assert again.exit_code == 2 and again.stdout == ""
    assert "Ann Leader is already in a confirmed duo" in again.stderr
    listed = run_cli("duos", "list", "--cycle", CYCLE, "-w", ws, "--json")
    assert listed.json()["count"] == 1 and listed.json()["duos"][0]["id"] == duo["id"]
    people = run_cli("duos", "list", "--cycle", CYCLE, "-w", ws)
    assert "1 confirmed duo(s)" in people.stdout and "pending" in people.stdout


def test_both_partners_accept_each_for_themselves(tmp_path: Path) -> None:
    ws = hand_workspace(tmp_path)
    confirmed = run_cli(
        "duos", "confirm", "ann@example.com", "bea@example.com", "--tie-breaker",
        "max@example.com", "--cycle", CYCLE, "-w", ws, "--json",
    )  # fmt: skip
    duo = str(confirmed.json()["id"])
    for who in ("cal@example.com", "max@example.com"):
        refused = run_cli("duos", "accept", duo, "--as", who, "-w", ws, "--json")
        assert refused.exit_code == 2 and refused.stdout == ""
        assert "each for themselves" in refused.stderr
    first = run_cli("duos", "accept", duo, "--as", "ann@example.com", "-w", ws, "--json")
    assert first.exit_code == 0, first.stderr
    assert (first.json()["status"], first.json()["a_consent"]) == ("pending", "accepted")
    second = run_cli("duos", "accept", duo, "--as", "bea@example.com", "-w", ws)
    assert second.exit_code == 0, second.stderr
    assert "Both accepted: your duo with Ann Leader is active." in second.stdout
    late = run_cli("duos", "decline", duo, "--as", "ann@example.com", "-w", ws)
    assert late.exit_code == 2 and "is active already" in late.stderr
    listed = run_cli("duos", "list", "--cycle", CYCLE, "-w", ws, "--json").json()
    assert listed["duos"][0]["status"] == "active"


def test_a_partner_declines(tmp_path: Path) -> None:
    ws = hand_workspace(tmp_path)
    confirmed = run_cli(
        "duos", "confirm", "cal@example.com", "dot@example.com", "--tie-breaker", "x",
        "--cycle", CYCLE, "-w", ws, "--json",
    )  # fmt: skip
    duo = str(confirmed.json()["id"])
    out = run_cli("duos", "decline", duo, "--as", "dot@example.com", "-w", ws, "--json")
    assert out.exit_code == 0, out.stderr
    assert (out.json()["status"], out.json()["b_consent"]) == ("declined", "declined")
    missing = run_cli("duos", "accept", "999", "--as", "dot@example.com", "-w", ws)
    assert missing.exit_code == 2 and "no confirmed duo 999" in missing.stderr


def test_confirm_with_a_review_date_and_free_text_tie_breaker(tmp_path: Path) -> None:
    ws = hand_workspace(tmp_path)
    when = str(dt.date.today() + dt.timedelta(days=30))
    result = run_cli(
        "duos", "confirm", "cal@example.com", "dot@example.com", "--tie-breaker",
        "their director decides", "--review-date", when, "-w", ws,
    )  # fmt: skip
    # no --cycle above: the contract's form; the latest cycle is the hand organisation's
    assert result.exit_code == 0, result.stderr
    assert "Duo confirmed: Cal Mixed + Dot Mixed" in result.stdout and when in result.stdout
    assert (
        "When Cal Mixed and Dot Mixed disagree and cannot settle it themselves, they follow: "
        "their director decides." in " ".join(result.stdout.split())
    )
    bad = run_cli(
        "duos", "confirm", "cal@example.com", "dot@example.com", "--tie-breaker", "x",
        "--review-date", "soon", "--cycle", CYCLE, "-w", ws,
    )  # fmt: skip
    assert bad.exit_code == 2 and "is not a date" in bad.stderr


def test_a_team_shows_its_formal_pair_first_and_why_people_are_left_out(tmp_path: Path) -> None:
    """Core: Max leads (nobody rated him), Bea manages and reports to him; Ann and Bea pair."""
    ws = hand_workspace(tmp_path)
    share_with_max(ws)
    args = ("duos", "suggest", "-c", CYCLE, "--team", "Core", "--as", "max@example.com", "-w", ws)
    out = run_cli(*args, "--json").json()
    (formal,) = out["formal"]
    assert (formal["team"], formal["a"]["name"], formal["b"]["name"]) == (
        "Core", "Max Manager", "Bea Manager",
    )  # fmt: skip
    assert formal["scored"] is False and formal["score"] is None and formal["proposed"] is False
    assert formal["line"].startswith("Bea Manager reports to Max Manager")
    assert [(p["a"]["name"], p["b"]["name"], p["gain"]) for p in out["pairs"]] == [
        ("Ann Leader", "Bea Manager", 2.25)
    ]
    assert out["unpaired"] == [
        {
            "person": {"id": formal["a"]["id"], "name": "Max Manager", "leaning": None,
                       "shared": True},
            "reason": "not rated in review cycle '2026-H1'",
            "code": "not_rated",
        }
    ]  # fmt: skip
    assert out["unpaired_counts"] == {"not_rated": 1} and out["settings"]["min_gain"] == 0.2
    text = " ".join(run_cli(*args).stdout.split())
    first = text.index("Formal pair of team Core, the pair to judge first: Max Manager")
    assert first < text.index("1. Ann Leader covers") and "not proposed" in text
    assert "1 unpaired (not rated in the cycle: 1)" in text
    # A higher bar: Ann and Bea still add 2.25 to each other; at 3 nobody is suggested.
    high = run_cli(*args, "--min-gain", "3", "--json").json()
    assert high["pairs"] == [] and high["unpaired_counts"] == {"no_gain": 2, "not_rated": 1}
    reasons = {u["person"]["name"]: u["reason"] for u in high["unpaired"]}
    assert reasons["Ann Leader"].startswith("no partner adds enough")
    assert run_cli(*args, "--min-gain", "-1").exit_code == 2
