"""``tandem flow prs | dora``: JSON, text, teams behind five people, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from tandem.db.session import session_scope
from tandem.ingest.service import lake_identities
from tandem.people import service as people_service
from tandem.workspace import Workspace
from tests.delivery.fixture import HOUR, build
from tests.helpers import new_workspace, run_cli

CORE = ("alice", "bob", "carol", "dave", "erin")  # five people; frank is alone in Side
WINDOW = ("--since", "2024-06-03", "--until", "2024-06-10")


@pytest.fixture
def shop(workspace: Workspace, tmp_path: Path) -> Path:
    """The delivery fixture in a workspace whose people are linked to their git and GitHub
    identities: team Core (five people), team Side (frank)."""
    build(tmp_path / "fixture", workspace.lake)
    with session_scope(workspace.engine) as session:
        people_service.sync_identities(session=session, identities=lake_identities(workspace.lake))
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "name,email,team,role,manager\n"
        + "".join(f"{p},{p}@example.com,Core,member,\n" for p in CORE)
        + "frank,frank@example.com,Side,member,\n"
    )
    assert run_cli("people", "import", roster, "-w", workspace.root).exit_code == 0
    committers = {"alice", "bob", "carol", "frank"}  # on main; dave and erin commit elsewhere
    for name in (*CORE, "frank"):
        keys = [f"login:github:{name}"] + ([f"email:{name}@example.com"] if name in committers
                                           else [])  # fmt: skip
        for key in keys:
            linked = run_cli("people", "link", key, f"{name}@example.com", "-w", workspace.root)
            assert linked.exit_code == 0, linked.stderr
    return workspace.root


def test_prs_json_has_every_stage_with_n_and_exclusions(shop: Path) -> None:
    done = run_cli("flow", "prs", *WINDOW, "-w", shop, "--json")
    assert done.exit_code == 0, done.stderr
    data = done.json()
    assert (data["n"], data["people"], data["excluded"]) == (7, None, {"bot_author": 1})
    assert data["total"]["p50_seconds"] == 24.5 * HOUR  # tests/delivery/test_prs.py
    assert "rows" not in data
    rows = run_cli("flow", "prs", *WINDOW, "--items", "--bots", "-w", shop, "--json").json()
    assert len(rows["rows"]) == 8
    assert all("author" not in row for row in rows["rows"])  # rows never name a person


def test_prs_text(shop: Path) -> None:
    done = run_cli("flow", "prs", *WINDOW, "--items", "-w", shop, env={"COLUMNS": "200"})
    assert done.exit_code == 0, done.stderr
    text = done.stdout
    assert (
        "7 pull requests created, 2024-06-03 to 2024-06-10 (end exclusive), bots excluded" in text
    )
    assert "deploy linked by ancestry: 3, patch_id: 1, time_window: 1" in text
    assert "unlinked" in text and "not_deployed_yet" in text


def test_dora_json_and_the_production_option(shop: Path) -> None:
    data = run_cli("flow", "dora", *WINDOW, "-w", shop, "--json").json()
    # 4 deployment days over the 7-day window; see tests/delivery/test_dora.py
    assert data["deployment_frequency"]["per_week"] == 4.0
    assert data["change_failure_rate"]["value"] == 0.5
    assert data["change_lead_time"]["unlinked"] == 1
    staging = run_cli("flow", "dora", *WINDOW, "--env-production", "^stag", "-w", shop, "--json")
    assert staging.json()["deployment_frequency"]["deployments"] == 1
    assert staging.json()["change_lead_time"]["figure"]["p50_seconds"] is None


def test_dora_text(shop: Path) -> None:
    done = run_cli("flow", "dora", *WINDOW, "--items", "-w", shop, env={"COLUMNS": "200"})
    assert done.exit_code == 0, done.stderr
    text = done.stdout
    assert "deployment frequency: 4.00 deployment days per week" in text
    assert "unlinked changes: 1 of 7 (14.3%)" in text
    assert "change failure rate: 50.0% (3 of 6 production deployments with an incident" in text


def test_a_team_of_five_gets_its_own_changes(shop: Path) -> None:
    prs = run_cli("flow", "prs", "--team", "Core", *WINDOW, "-w", shop, "--json").json()
    # Core authored PRs 1, 2, 3, 4, 5 and 8 (alice twice): five people
    assert (prs["people"], prs["n"]) == (5, 6)
    # each stage counts the people behind its own PRs: coding (PRs 1–5, 8) rests on five; the
    # reviewed, deployed and whole PRs (1–4) on alice, bob, carol and dave: four, withheld
    assert prs["coding"]["people"] == 5 and prs["coding"]["p50_seconds"] is not None
    for stage in ("pickup", "review", "deploy", "total"):
        withheld = prs[stage]["withheld"]
        assert prs[stage]["people"] is None and "from fewer than 5 people" in withheld, stage
        assert prs[stage]["p50_seconds"] is None and prs[stage]["n"] == 4, stage
    assert all(prs[s]["mean_seconds"] is None for s in ("coding", "pickup", "deploy"))  # team
    dora = run_cli("flow", "dora", "--team", "Core", *WINDOW, "-w", shop, "--json").json()
    assert dora["people"] == 5
    # Core's measured changes: PR1, PR2 (P1 day 3), PR3, d1 (P2 day 4), PR4 (P3 day 5): the
    # deployed ones are alice's, bob's, carol's and dave's (four people), so deployment
    # frequency, lead time and failure rate are withheld, their n shown; PR 5 (erin) unlinked:
    # the unlinked share rests on five people, 1 of 6
    f = dora["deployment_frequency"]
    assert (f["deployments"], f["deployment_days"], f["per_week"]) == (3, None, None)
    assert f["people"] is None and "from fewer than 5 people" in f["withheld"]
    lead = dora["change_lead_time"]
    assert (lead["figure"]["n"], lead["figure"]["p50_seconds"]) == (5, None)
    assert "from fewer than 5 people" in lead["figure"]["withheld"]
    assert (lead["unlinked"], lead["changes"], lead["people"], lead["withheld"]) == (1, 6, 5, None)
    cfr = dora["change_failure_rate"]
    assert (cfr["value"], cfr["failed_deployments"], cfr["deployments"]) == (None, None, 3)
    # time to restore: I1 (resolved) blames P2, which shipped carol's PR 3 and alice's d1
    ttr = dora["time_to_restore"]
    assert (ttr["n"], ttr["p50_seconds"], ttr["people"]) == (1, None, None)
    assert "from fewer than 5 people" in ttr["withheld"]
    text = run_cli("flow", "dora", "--team", "Core", *WINDOW, "-w", shop, env={"COLUMNS": "200"})
    assert text.exit_code == 0, text.stderr
    assert "change failure rate: withheld: the change failure rate of team Core" in text.stdout
    assert "unlinked changes: 1 of 6 (16.7%)" in text.stdout
    rows = run_cli("flow", "prs", "--team", "Core", *WINDOW, "--items", "-w", shop, "--json")
    # the drill-down cannot give a withheld stage back
    assert all(
        r["deploy_seconds"] is None and r["deployed_at"] is None for r in rows.json()["rows"]
    )


@pytest.mark.parametrize("command", ["prs", "dora"])
def test_fewer_than_five_people_are_withheld(shop: Path, command: str) -> None:
    side = run_cli("flow", command, "--team", "Side", *WINDOW, "-w", shop, "--json")
    assert (side.exit_code, side.stdout) == (2, "")
    assert "withheld" in side.stderr and "from fewer than 5 people" in side.stderr
    # a window holding one person's work of a team of five (day 5 holds dave's PR 4 and
    # alice's PR 8 only) is shorter than a week: refused, naming the window
    narrow = ("--since", "2024-06-07", "--until", "2024-06-08")
    day = run_cli("flow", command, "--team", "Core", *narrow, "-w", shop, "--json")
    assert (day.exit_code, day.stdout) == (2, ""), day.stdout
    assert "window 2024-06-07 to 2024-06-07 is 1 day" in day.stderr
    assert "at least 7 days" in day.stderr
    # without a team there is no one to single out: any window is answered
    everyone = run_cli("flow", command, *narrow, "-w", shop, "--json")
    assert everyone.exit_code == 0, everyone.stderr


def test_bad_input_names_the_option(shop: Path) -> None:
    bad = run_cli("flow", "dora", "--env-production", "(", "-w", shop)
    assert bad.exit_code == 2 and "bad regular expression '('" in bad.stderr
    assert "flow.delivery.production" in bad.stderr
    order = run_cli("flow", "prs", "--since", "2024-06-09", "--until", "2024-06-01", "-w", shop)
    assert order.exit_code == 2 and "--since must be before --until" in order.stderr
    date = run_cli("flow", "prs", "--since", "yesterday", "-w", shop)
    assert date.exit_code == 2 and "--since: 'yesterday' is not an ISO date" in date.stderr
    team = run_cli("flow", "prs", "--team", "Nobody", "-w", shop)
    assert team.exit_code != 0 and "Nobody" in team.stderr


def test_an_empty_lake_answers_nulls_not_zeros(workspace: Workspace) -> None:
    data = run_cli("flow", "dora", "-w", workspace.root, "--json").json()
    assert data["deployment_frequency"]["deployments"] == 0
    assert data["deployment_frequency"]["per_week"] is None  # no deployment data: unknown
    assert data["change_lead_time"]["figure"]["p50_seconds"] is None
    assert data["change_lead_time"]["unlinked_share"] is None
    assert data["change_failure_rate"]["value"] is None
    prs = run_cli("flow", "prs", "-w", workspace.root, "--json").json()
    assert (prs["n"], prs["total"]["p50_seconds"]) == (0, None)


def test_the_production_pattern_comes_from_tandem_toml(shop: Path) -> None:
    with (shop / "tandem.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[flow.delivery]\nproduction = "^stag"\n')
    data = run_cli("flow", "dora", *WINDOW, "-w", shop, "--json").json()
    assert data["production_pattern"] == "^stag"
    assert data["deployment_frequency"]["deployments"] == 1  # S1 alone
    override = run_cli("flow", "dora", *WINDOW, "--env-production", "^prod", "-w", shop, "--json")
    assert override.json()["deployment_frequency"]["deployments"] == 6


def test_a_window_outside_the_calendar_s_range_is_refused(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    new_workspace(workspace)
    for command in ("prs", "dora"):
        result = run_cli("flow", command, "-w", workspace, "--since", "0001-01-01", "--json")
        assert result.exit_code == 2 and "between 1900-01-01 and 2199-12-31" in result.stderr
