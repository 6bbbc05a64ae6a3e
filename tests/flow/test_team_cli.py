"""``tandem flow … --team``: no answer behind fewer than five people; the mapping hint keeps its
``[flow.mapping.<source>]``. (The people behind a team on both database backends:
``tests/people/test_team_identity_people.py``.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from tandem.db.session import session_scope
from tandem.ingest.service import lake_identities
from tandem.people import service as people_service
from tandem.workspace import Workspace
from tests.flow.logs import write_log
from tests.flow.test_service import P0_LATE, TEAM, five_people_log
from tests.helpers import run_cli


@pytest.fixture
def five(workspace: Workspace, tmp_path: Path) -> Path:
    """A workspace whose team Five has five people, each working alone on one day (d1-d5)."""
    write_log(workspace.lake, five_people_log())
    with session_scope(workspace.engine) as session:
        people_service.sync_identities(session=session, identities=lake_identities(workspace.lake))
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "name,email,team,role,manager\n"
        + "".join(f"{p},{p}@example.org,Five,member,\n" for p in TEAM)
        + "Zed,zed@example.org,Solo,member,\n"
    )
    assert run_cli("people", "import", roster, "-w", workspace.root).exit_code == 0
    for person in TEAM:
        linked = run_cli("people", "link", person, f"{person}@example.org", "-w", workspace.root)
        assert linked.exit_code == 0, linked.stderr
    linked = run_cli("people", "link", "p0-alt", "p0@example.org", "-w", workspace.root)
    assert linked.exit_code == 0, linked.stderr
    return workspace.root


def test_a_one_day_window_of_one_persons_work_is_refused(five: Path) -> None:
    whole = run_cli("flow", "summary", "--team", "Five", "-w", five, "--json")
    assert whole.exit_code == 0, whole.stderr
    assert whole.json()["people"] == 5 and whole.json()["items"]["n"] == 6

    for command in ("summary", "wip", "dfg", "variants", "bottlenecks"):
        day = run_cli(
            "flow", command, "--team", "Five", "--from", "2024-03-03", "--to", "2024-03-04",
            "-w", five, "--json",
        )  # fmt: skip
        assert (day.exit_code, day.stdout) == (2, ""), command
        assert day.stderr.strip() == "error: " + (
            "withheld: the work of team Five in this selection comes from fewer than 5 people; "
            "team flow is shown from 5 people on, so that it never describes one person (widen the "
            "window or drop a filter)"
        ), command
    # day 6 (p0's second identity) is withheld too, and the refusal tells no count (that the
    # two identities are one person: tests/people/test_team_identity_people.py)
    alt = run_cli("flow", "summary", "--team", "Five", "--from", "2024-03-06", "-w", five)
    assert alt.exit_code == 2 and "from fewer than 5 people" in alt.stderr
    assert not any(f"from {n} " in alt.stderr for n in range(5))


def test_the_mapping_hint_keeps_its_table_name(five: Path) -> None:
    shown = run_cli("flow", "mapping", "-w", five)
    assert shown.exit_code == 0, shown.stderr
    text = " ".join(shown.stdout.split())
    assert "set them in [flow.mapping.<source>] of tandem.toml" in text
    summary = run_cli("flow", "summary", "-w", five)
    assert "flow efficiency" in summary.stdout


def test_throughput_of_one_persons_last_90_days_is_withheld_alone(five: Path) -> None:
    write_log(Workspace.open(five).lake, P0_LATE, source="late")  # p0 alone on day 200
    summary = run_cli("flow", "summary", "--team", "Five", "-w", five, env={"COLUMNS": "400"})
    assert summary.exit_code == 0, summary.stderr
    row = next(line for line in summary.stdout.splitlines() if "throughput per day" in line)
    assert (
        "— (withheld: the work of team Five in throughput's window (2024-06-19 to 2024-09-16) "
        "comes from fewer than 5 people;" in row
    )
    assert "7 items: 6 done" in summary.stdout  # the selection itself rests on five people
    forecast = run_cli("flow", "forecast", "--team", "Five", "--items", "3", "-w", five)
    assert (forecast.exit_code, forecast.stdout) == (2, "")
    assert forecast.stderr.startswith(
        "error: withheld: the work of team Five in the forecast's history "
        "(2024-06-19 to 2024-09-16) comes from fewer than 5 people"
    )
