"""Handoffs and ping-pong on a hand-computed tiny log; unknown resources excluded; CLI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.handoffs import handoffs
from tandem.lake import Lake
from tandem.workspace import Workspace
from tests.flow.golden import tiny_lake
from tests.flow.test_dfg import ROWS
from tests.helpers import run_cli

ALICE, BOB, CAROL = "account:tiny:alice", "account:tiny:bob", "account:tiny:carol"


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    folder = tmp_path_factory.mktemp("handoffs")
    root = folder / "lake"
    root.mkdir()
    return tiny_lake(Lake(root), folder, ROWS)


def test_hand_computed_handoffs_and_ping_pong(lake: Lake) -> None:
    with FlowEngine(lake) as engine:
        data = handoffs(engine).to_dict()

    # c1 alice → bob (300 s) → bob (0 s, same) → alice (3600 s); c2 alice → bob (600 s) → unknown
    assert (data["cases"], data["transitions"], data["handoff_count"]) == (3, 5, 3)
    assert data["same_resource"] == 1
    assert data["excluded"] == {"transitions_with_unknown_resource": 1}
    assert data["handoffs"] == [
        {"from_resource": ALICE, "to_resource": BOB, "count": 2, "cases": 2, "mean_seconds": 450.0,
         "median_seconds": 450.0, "p85_seconds": 555.0, "total_wait_seconds": 900.0},
        {"from_resource": BOB, "to_resource": ALICE, "count": 1, "cases": 1,
         "mean_seconds": 3600.0, "median_seconds": 3600.0, "p85_seconds": 3600.0,
         "total_wait_seconds": 3600.0},
    ]  # fmt: skip
    assert data["ping_pong"] == {
        "cases": 1,
        "occurrences": 1,
        "pairs": [{"resources": [ALICE, BOB, ALICE], "occurrences": 1, "cases": 1}],
    }


def test_ping_pong_counts_every_return_and_skips_unknown(tmp_path: Path) -> None:
    root = tmp_path / "lake"
    root.mkdir()
    rows = [
        # alice, bob, bob, alice, bob: runs A B A B -> two occurrences (A→B→A, B→A→B)
        "p1,x,2024-01-01 10:00:00,alice",
        "p1,x,2024-01-01 10:01:00,bob",
        "p1,x,2024-01-01 10:02:00,bob",
        "p1,x,2024-01-01 10:03:00,alice",
        "p1,x,2024-01-01 10:04:00,bob",
        # alice, unknown, alice: the middle is not known, so no ping-pong
        "p2,x,2024-01-01 10:00:00,alice",
        "p2,x,2024-01-01 10:01:00,",
        "p2,x,2024-01-01 10:02:00,alice",
        # alice, carol, unknown, alice: broken by the unknown
        "p3,x,2024-01-01 10:00:00,alice",
        "p3,x,2024-01-01 10:01:00,carol",
        "p3,x,2024-01-01 10:02:00,",
        "p3,x,2024-01-01 10:03:00,alice",
    ]
    with FlowEngine(tiny_lake(Lake(root), tmp_path, rows)) as engine:
        data = handoffs(engine).to_dict()

    assert data["ping_pong"]["cases"] == 1
    assert data["ping_pong"]["occurrences"] == 2
    assert data["ping_pong"]["pairs"] == [
        {"resources": [ALICE, BOB, ALICE], "occurrences": 1, "cases": 1},
        {"resources": [BOB, ALICE, BOB], "occurrences": 1, "cases": 1},
    ]
    assert data["excluded"]["transitions_with_unknown_resource"] == 4
    assert data["handoff_count"] == 4  # p1: 3, p3: alice → carol


def test_empty_selection(lake: Lake) -> None:
    with FlowEngine(lake) as engine:
        data = handoffs(engine, Filters(start=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))).to_dict()
    assert data["cases"] == data["transitions"] == data["handoff_count"] == 0
    assert data["handoffs"] == []
    assert data["ping_pong"] == {"cases": 0, "occurrences": 0, "pairs": []}
    assert data["excluded"] == {"transitions_with_unknown_resource": 0}


def test_cli_json_contract(workspace: Workspace, tmp_path: Path) -> None:
    tiny_lake(workspace.lake, tmp_path, ROWS)
    result = run_cli("flow", "handoffs", "-w", workspace.root, "--json")

    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["handoffs"][0]["from_resource"] == ALICE
    assert data["ping_pong"]["cases"] == 1
    table = run_cli("flow", "handoffs", "-w", workspace.root)
    assert table.exit_code == 0 and "ping-pong" in table.stdout


def test_handoffs_between_teams_use_the_same_rules(lake: Lake) -> None:
    with FlowEngine(lake) as engine:
        split = handoffs(engine, teams={ALICE: "core", BOB: "platform"}).to_dict()
        together = handoffs(engine, teams={ALICE: "core", BOB: "core"}).to_dict()

    assert split["level"] == "team"
    # the resource-level answer with names replaced: core → platform twice, platform → core once
    assert [(h["from_resource"], h["to_resource"], h["count"]) for h in split["handoffs"]] == [
        ("core", "platform", 2),
        ("platform", "core", 1),
    ]
    assert split["ping_pong"]["pairs"] == [
        {"resources": ["core", "platform", "core"], "occurrences": 1, "cases": 1}
    ]
    # one team: no handoff at all; the unknown-resource transition stays excluded
    assert together["handoffs"] == [] and together["same_resource"] == 4
    assert together["excluded"] == {"transitions_with_unknown_resource": 1}


def test_a_team_filter_selects_whole_cases_its_members_worked_on(lake: Lake) -> None:
    from tandem.flow.dfg import performance_dfg

    with FlowEngine(lake) as engine:
        alice_only = performance_dfg(engine, Filters(teams={"core": (ALICE,)}))
        nobody = performance_dfg(engine, Filters(teams={"empty": ()}))
    # alice worked on c1 and c2: both cases whole (bob's and the unknown events included)
    assert alice_only.events == 7 and alice_only.cases == 2
    assert [(e.source, e.target, e.count) for e in alice_only.edges] == [
        ("A", "B", 2),
        ("B", "A", 1),
        ("B", "C", 1),
        ("C", "D", 1),
    ]
    assert (nobody.events, nobody.cases, nobody.edges) == (0, 0, ())


def test_cli_team_handoffs_and_team_filter(workspace: Workspace, tmp_path: Path) -> None:
    from tandem.db.session import session_scope
    from tandem.ingest.service import lake_identities
    from tandem.people import service as people_service

    tiny_lake(workspace.lake, tmp_path, ROWS)
    with session_scope(workspace.engine) as session:
        people_service.sync_identities(session=session, identities=lake_identities(workspace.lake))
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "name,email,team,role,manager\n"
        "Alice,alice@example.org,core,leader,\n"
        "Bob,bob@example.org,platform,manager,alice@example.org\n"
    )
    assert run_cli("people", "import", roster, "-w", workspace.root).exit_code == 0
    for key, email in ((ALICE, "alice@example.org"), (BOB, "bob@example.org")):
        assert run_cli("people", "link", key, email, "-w", workspace.root).exit_code == 0

    result = run_cli("flow", "handoffs", "--by", "team", "-w", workspace.root, "--json")
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["level"] == "team"
    assert data["handoffs"][0]["from_resource"] == "core"

    # team core is one person: every flow answer about it is withheld (DESIGN §7, n ≥ 5)
    dfg = run_cli("flow", "dfg", "--team", "core", "-w", workspace.root, "--json")
    assert dfg.exit_code == 2 and dfg.stdout == ""
    assert "withheld" in dfg.stderr and "from fewer than 5 people" in dfg.stderr
    unknown = run_cli("flow", "dfg", "--team", "nope", "-w", workspace.root)
    assert unknown.exit_code == 2 and "nope" in unknown.stderr
    bad = run_cli("flow", "handoffs", "--by", "planet", "-w", workspace.root)
    assert bad.exit_code == 2 and "--by" in bad.stderr
