"""`tandem profile`, `tandem review reliability` and `tandem people premise`, as run by users."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tandem.db.session import session_scope
from tandem.profile import service
from tandem.profile.premise import premise_report
from tandem.profile.schemas import dump
from tandem.profile.service import CycleScores
from tandem.review.items import load_item_bank
from tandem.review.models import ReviewCycle
from tandem.workspace import Workspace
from tests.helpers import V1, new_workspace, run_cli
from tests.profile.test_norms import build as build_norms_org
from tests.profile.test_service import (
    HAND_L,
    HAND_M,
    HAND_ROSTER,
    hand_answers_csv,
    write_synthetic,
)

CONTRACT_KEYS = {"person", "practices", "L", "M", "leaning", "blind_spots", "hidden_strengths"}


def hand_workspace(tmp_path: Path, *, close: bool = True) -> Path:
    """A workspace with the hand-computed organisation and Rae's answers, via the CLI only;
    the cycle is closed unless ``close=False``."""
    ws = tmp_path / "ws"
    new_workspace(ws)
    (tmp_path / "roster.csv").write_text(HAND_ROSTER, encoding="utf-8")
    (tmp_path / "answers.csv").write_text(hand_answers_csv(), encoding="utf-8")
    for args in (
        ("people", "import", tmp_path / "roster.csv"),
        ("review", "create", "2026-H1", "--bank-version", V1),
        ("review", "import", tmp_path / "answers.csv", "--cycle", "2026-H1"),
    ):
        result = run_cli(*args, "-w", ws, "--json")
        assert result.exit_code == 0, result.stderr
    if close:  # results exist only for closed cycles
        assert run_cli("review", "close", "2026-H1", "-w", ws).exit_code == 0
    return ws


def test_profile_json_follows_the_contract(tmp_path: Path) -> None:
    ws = hand_workspace(tmp_path)
    result = run_cli("profile", "rae@example.com", "--cycle", "2026-H1", "-w", ws, "--json")
    assert result.exit_code == 0, result.stderr
    out = result.json()
    assert set(out) >= CONTRACT_KEYS
    assert out["person"]["email"] == "rae@example.com"
    vision = out["practices"]["vision"]
    assert {"self", "others", "groups", "band"} <= set(vision)
    assert vision["self"] == 5.0 and vision["others"] == 3.5  # 4 raters: (4 + 3 + 3 + 4) / 4
    assert vision["groups"]["report"] == "suppressed"
    assert vision["groups"]["peer"]["n"] == 3 and vision["n_raters"] == 4
    assert (out["L"]["value"], out["M"]["value"]) == (round(HAND_L, 2), round(HAND_M, 2))
    assert out["leaning"] is None  # one ratee: too few to know the measurement error
    assert out["leaning_reason"] == "error unknown"
    by_id = run_cli("profile", str(out["person"]["id"]), "-c", "2026-H1", "-w", ws, "--json")
    assert by_id.json() == out
    no_self = run_cli(
        "profile", "rae@example.com", "-c", "2026-H1", "--no-self", "-w", ws, "--json"
    )
    assert no_self.json()["practices"]["vision"]["self"] is None


def test_profile_for_people_shows_the_table_and_notes(tmp_path: Path) -> None:
    ws = hand_workspace(tmp_path)
    result = run_cli("profile", "rae@example.com", "--cycle", "2026-H1", "-w", ws)
    assert result.exit_code == 0, result.stderr
    assert "Rae Ratee" in result.stdout and "suppressed" in result.stdout
    assert "L 3.50" in result.stdout and "M 3.40" in result.stdout
    assert "leaning: error unknown" in result.stdout and "at least 10" in result.stdout


def test_profile_says_not_enough_raters_and_the_overall_self_rating(workspace: Workspace) -> None:
    """A SYNTHETIC cycle: someone rated by their manager alone gets no leaning label."""
    with session_scope(workspace.engine) as session:
        _, ids = write_synthetic(session, cycle="synthetic", n_people=60, seed=11)
        scores = service.cycle_scores(session=session, cycle="synthetic")
        short_of = [
            p for p in ids.values() if scores.scores(p).leaning_reason == "not enough raters"
        ]
        lone = short_of[0]
        labelled = next(p for p in ids.values() if scores.scores(p).leaning is not None)
    ws = workspace.root
    short = run_cli("profile", str(lone), "-c", "synthetic", "-w", ws)
    assert short.exit_code == 0, short.stderr
    assert "leaning: not enough raters" in short.stdout
    assert "a leaning label needs at least 3" in " ".join(short.stdout.split())
    full = run_cli("profile", str(labelled), "-c", "synthetic", "-w", ws)
    assert "self-rating overall:" in full.stdout
    assert run_cli("profile", str(labelled), "-c", "synthetic", "-w", ws, "--json").json()[
        "self_tendency"
    ]["label"] in ("higher", "lower", "in line")
    hidden = run_cli("profile", str(labelled), "-c", "synthetic", "--no-self", "-w", ws)
    assert "self-rating overall" not in hidden.stdout


@pytest.mark.parametrize(
    ("person", "cycle", "message"),
    [
        ("ghost@example.com", "2026-H1", "no person matches 'ghost@example.com'"),
        ("rae@example.com", "2099", "no review cycle '2099'"),
        ("max@example.com", "2026-H1", "is not rated in review cycle '2026-H1'"),
    ],
)
def test_bad_person_or_cycle_exits_2_with_a_clear_message(
    tmp_path: Path, person: str, cycle: str, message: str
) -> None:
    ws = hand_workspace(tmp_path)
    result = run_cli("profile", person, "--cycle", cycle, "-w", ws, "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr and "Traceback" not in result.stderr


def test_review_reliability_json(tmp_path: Path) -> None:
    ws = hand_workspace(tmp_path)
    result = run_cli("review", "reliability", "--cycle", "2026-H1", "-w", ws, "--json")
    assert result.exit_code == 0, result.stderr
    out = result.json()
    assert out["cycle"] == "2026-H1" and out["min_n"] == 10 and out["flag_below"] == 0.7
    vision = out["practices"]["vision"]
    assert {"alpha", "omega", "n", "item_total", "flagged"} <= set(vision)
    assert (vision["n"], vision["k"], vision["alpha"], vision["flagged"]) == (6, 5, None, True)
    human = run_cli("review", "reliability", "--cycle", "2026-H1", "-w", ws)
    assert "flagged" in human.stdout and "vision" in human.stdout
    missing = run_cli("review", "reliability", "--cycle", "nope", "-w", ws, "--json")
    assert missing.exit_code == 2 and "no review cycle 'nope'" in missing.stderr


def test_an_open_cycle_shows_completion_counts_only(tmp_path: Path) -> None:
    ws = hand_workspace(tmp_path, close=False)
    result = run_cli("profile", "rae@example.com", "--cycle", "2026-H1", "-w", ws, "--json")
    assert result.exit_code == 0, result.stderr
    out = result.json()
    assert out["results"] == "locked" and "practices" not in out and "L" not in out
    # six raters besides Rae answered; completion is one total, never per rater group
    assert out["completion"] == {
        "raters_invited": 6,
        "raters_answered": 6,
        "raters_submitted": 6,  # every item answered
        "self_answered": True,
    }
    human = run_cli("profile", "rae@example.com", "--cycle", "2026-H1", "-w", ws)
    assert "results locked" in human.stdout and "6 of 6 invited raters answered" in human.stdout
    for args in (("review", "reliability"), ("people", "premise")):
        locked = run_cli(*args, "--cycle", "2026-H1", "-w", ws, "--json")
        assert locked.exit_code == 2 and locked.stdout == ""
        assert "are locked until it is closed" in locked.stderr


def test_people_premise_defaults_to_the_latest_cycle_and_says_when_too_few(
    tmp_path: Path,
) -> None:
    ws = hand_workspace(tmp_path)
    result = run_cli("people", "premise", "-w", ws, "--json")
    assert result.exit_code == 0, result.stderr
    out = result.json()
    assert out["cycle"] == "2026-H1" and out["enough_data"] is False
    assert out["correlation"]["r"] is None and out["n_with_l_and_m"] == 1
    assert out["leaning_counts"]["unknown"] == 1
    assert out["verdict"] == out["both_high"]["verdict"] == "not enough data"
    assert out["split_rater"]["r_split"] is None and out["split_rater"]["n"] == 1
    human = run_cli("people", "premise", "--cycle", "2026-H1", "-w", ws)
    assert "Not enough data" in human.stdout


def test_people_premise_gives_the_split_rater_numbers_and_a_verdict(workspace: Workspace) -> None:
    with session_scope(workspace.engine) as session:
        org, _ = write_synthetic(
            session, cycle="synthetic", n_people=120, seed=2, correlation=-0.6, halo_sd=0.5
        )
    bank = load_item_bank(V1)
    pure = dump(premise_report(CycleScores(ReviewCycle(name="synthetic"), bank, org.answers)))
    result = run_cli("people", "premise", "-w", workspace.root, "--json")
    assert result.exit_code == 0, result.stderr
    out = result.json()
    assert out == json.loads(json.dumps(pure))  # the CLI shows the service's report, unchanged
    assert out["verdict"] in ("premise holds", "neither", "sides go together")
    assert out["split_rater"]["r_corrected"] is not None
    human = run_cli("people", "premise", "-w", workspace.root, env={"COLUMNS": "200"})
    text = " ".join(human.stdout.split())  # Rich wraps lines
    assert out["both_high"]["verdict_text"] in text
    assert "same raters (inflated by shared raters)" in text
    assert f"{out['split_rater']['r_corrected']:.2f}" in text


def test_people_premise_without_any_cycle_exits_2(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    new_workspace(ws)
    result = run_cli("people", "premise", "-w", ws, "--json")
    assert result.exit_code == 2 and "no review cycle yet" in result.stderr


def test_review_reliability_says_omega_undefined_for_straight_lined_answers(
    tmp_path: Path,
) -> None:
    # 11 peers each give one value to every item: the items are perfectly collinear, α = 1 and
    # the one-factor model (ω) is undefined — said in words, never shown as inf or NaN
    peers = [f"p{i:02d}" for i in range(11)]
    roster = "name,email,team,role,manager\nMax Manager,max@example.com,Core,leader,\n"
    roster += "Rae Ratee,rae@example.com,Core,manager,max@example.com\n"
    roster += "".join(f"Peer {p},{p}@example.com,Core,member,max@example.com\n" for p in peers)
    ratings = {p: ("peer", 1 + i % 5) for i, p in enumerate(peers)}
    ws = tmp_path / "ws"
    new_workspace(ws)
    (tmp_path / "roster.csv").write_text(roster, encoding="utf-8")
    (tmp_path / "answers.csv").write_text(hand_answers_csv(ratings), encoding="utf-8")
    for args in (
        ("people", "import", tmp_path / "roster.csv"),
        ("review", "create", "2026-H1", "--bank-version", V1),
        ("review", "import", tmp_path / "answers.csv", "--cycle", "2026-H1"),
        ("review", "close", "2026-H1"),
    ):
        result = run_cli(*args, "-w", ws, "--json")
        assert result.exit_code == 0, result.stderr
    out = run_cli("review", "reliability", "--cycle", "2026-H1", "-w", ws, "--json").json()
    vision = out["practices"]["vision"]
    assert vision["n"] == 11 and vision["alpha"] == pytest.approx(1.0)
    assert vision["omega"] is None
    assert vision["omega_undefined"].startswith(
        "ω undefined: the items' correlation matrix is singular or near-singular"
    )
    human = run_cli("review", "reliability", "--cycle", "2026-H1", "-w", ws)
    assert human.exit_code == 0, human.stderr
    assert "undefined" in human.stdout and "inf" not in human.stdout.lower()
    assert "vision: ω undefined: the items' correlation matrix is singular" in human.stdout


def test_profile_shows_the_percentile_in_role(workspace: Workspace, tmp_path: Path) -> None:
    """The hand norms organisation (tests/profile/test_norms.py): l04 is at 35 (35–40) among
    leaders on the leader side; Max, one of two managers, is placed among all rated (*)."""
    with session_scope(workspace.engine) as session:
        build_norms_org(session, tmp_path)
    wide = {"COLUMNS": "200"}
    l04 = run_cli("profile", "l04@example.com", "-c", "norms", "-w", workspace.root, env=wide)
    assert l04.exit_code == 0, l04.stderr
    assert "pct in role" in l04.stdout
    vision = next(line for line in l04.stdout.splitlines() if "vision" in line)
    assert "35 (35–40)" in vision and "*" not in vision
    assert "L 3.00 [3.00–3.00], pct in role 35 (35–40)" in l04.stdout
    max_ = run_cli("profile", "max@example.com", "-c", "norms", "-w", workspace.root, env=wide)
    assert "55 (50–55)*" in max_.stdout
    assert "fewer than 10 other managers rated" in " ".join(max_.stdout.split())
    out = run_cli("profile", "l04@example.com", "-c", "norms", "-w", workspace.root, "--json")
    vision_json = out.json()["practices"]["vision"]
    assert (vision_json["percentile"], vision_json["percentile_band"]) == (35, [35, 40])
    assert vision_json["norm_group"] == "leader"
