"""`tandem delegation area …` and `tandem delegation ownership`, as run by users."""

from __future__ import annotations

import re

import pytest

from tandem.workspace import Workspace
from tests.helpers import run_cli
from tests.why import ownership_repo as r

WIDE = {"COLUMNS": "200"}


@pytest.fixture
def ws(workspace: Workspace) -> str:
    r.ownership_workspace(workspace)
    return str(workspace.root)


def test_the_board_from_the_command_line(ws: str) -> None:
    team = ("--team", r.OWNERS, "-w", ws)
    added = run_cli("delegation", "area", "add", "Hiring", "--level", "agree", "--by",
                    r.A_NEW[1], *team, "--json")  # fmt: skip
    assert added.exit_code == 0, added.stderr
    area = added.json()
    assert (area["level"], area["history"][0]["set_by"]) == (4, "Ada Lovelace")
    down = run_cli("delegation", "area", "level", "Hiring", "2", *team)
    assert down.exit_code == 2 and "'note'" in down.stderr
    assert (
        run_cli("delegation", "area", "level", "Hiring", "2", "--note", "why", *team).exit_code == 0
    )
    assert run_cli("delegation", "area", "confirm", str(area["id"]), *team).exit_code == 0
    history = run_cli("delegation", "area", "history", "Hiring", *team, "--json").json()
    assert [h["change"] for h in history["history"]] == ["first", "down", "confirmed"]
    # listed on a day the review is due: the reminder
    late = run_cli("delegation", "area", "list", *team, "--as-of", "2199-01-01", env=WIDE)
    assert late.exit_code == 0 and "Reminder" in late.stdout and "review due" in late.stdout
    assert "1 Tell: the leader decides" in late.stdout and "7 Delegate" in late.stdout
    board = run_cli("delegation", "area", "list", *team, "--as-of", "2000-01-01", "--json").json()
    assert board["due"] == 0 and board["reminder"] is None


def test_ownership_names_no_one(ws: str) -> None:
    result = run_cli("delegation", "ownership", "--team", r.OWNERS, "-w", ws, env=WIDE)
    assert result.exit_code == 0, result.stderr
    assert "2 areas with bus factor 1" in result.stdout
    data = run_cli("delegation", "ownership", "--team", r.OWNERS, "-w", ws, "--json").json()
    assert {a["area"]: a["bus_factor"] for a in data["ownership"]["areas"]} == {
        "src": 1, "docs": 2, "lib": 1, ".": 2,
    }  # fmt: skip
    deep = run_cli("delegation", "ownership", "--all", "--depth", "2", "-w", ws, "--json").json()
    assert {a["area"] for a in deep["ownership"]["areas"]} >= {"src/core", "src/web"}
    output = result.stdout + str(data) + str(deep)
    for name in r.NAMES:
        assert name not in output
    for whos in r.PEOPLE.values():
        for who in whos:
            assert who[1] not in output
    few = run_cli("delegation", "ownership", "--team", r.FEW, "-w", ws, "--json").json()
    assert few["ownership"]["withheld"] and few["ownership"]["areas"] == []


def test_small_areas_and_withheld_answers_show_no_counts(ws: str) -> None:
    data = run_cli("delegation", "ownership", "--team", r.OWNERS, "-w", ws, "--json").json()
    areas = {a["area"]: a for a in data["ownership"]["areas"]}
    hidden = ("commits", "lines", "top_share", "herfindahl", "authors")
    for name in ("src", "lib", "."):  # fewer than 5 authors: the bus factor only
        assert {k: areas[name][k] for k in hidden} == dict.fromkeys(hidden)
    assert areas["docs"]["commits"] == 7
    text = run_cli("delegation", "ownership", "--team", r.OWNERS, "-w", ws, env=WIDE).stdout
    src_row = next(line for line in text.splitlines() if " src " in line)
    assert "withheld" in src_row and "%" not in src_row and " 10 " not in src_row
    assert "<5" in src_row and " 3 " not in src_row  # its 3 authors are not counted
    few = run_cli("delegation", "ownership", "--team", r.FEW, "-w", ws, env=WIDE)
    assert few.exit_code == 0 and "fewer than 5 people" in few.stdout
    assert re.search(r"\b[0-4] (person|people|commits)\b", few.stdout) is None
    few_json = run_cli("delegation", "ownership", "--team", r.FEW, "-w", ws, "--json").json()
    assert (few_json["ownership"]["people"], few_json["ownership"]["commits"]) == (None, None)


def test_a_window_under_seven_days_exits_2(ws: str) -> None:
    narrow = ("--from", "2024-03-20", "--to", "2024-03-25")
    result = run_cli("delegation", "ownership", "--all", *narrow, "-w", ws, "--json")
    assert result.exit_code == 2 and result.stdout == ""
    assert "'from'" in result.stderr and "at least 7 days" in result.stderr
    week = run_cli("delegation", "ownership", "--all", "--from", "2024-03-19", "--to",
                   "2024-03-25", "-w", ws, "--json")  # fmt: skip
    assert week.exit_code == 0 and week.json()["ownership"]["start"] == "2024-03-19"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ownership",), "--team"),
        (("ownership", "--team", r.OWNERS, "--all"), "--team"),
        (("ownership", "--all", "--depth", "4"), "'depth'"),
        (("ownership", "--all", "--from", "soon"), "'from'"),
        (("ownership", "--all", "--repo", "nowhere"), "'repo'"),
        (("area", "add", "X", "--team", r.OWNERS, "--level", "8"), "'level'"),
        (("area", "list", "--team", "Nowhere"), "Nowhere"),
    ],
)
def test_bad_requests_exit_2(ws: str, args: tuple[str, ...], message: str) -> None:
    result = run_cli("delegation", *args, "-w", ws, "--json")
    assert result.exit_code != 0 and result.stdout == ""
    assert message in result.stderr
