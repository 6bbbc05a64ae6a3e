"""``tandem vision`` and ``tandem goal``: the service's answers as tables and JSON, bad input
refused with the field named and a non-zero exit, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tandem.workspace import Workspace
from tests.helpers import run_cli

WIDE = {"COLUMNS": "200"}


@pytest.fixture
def ws(workspace: Workspace, tmp_path: Path) -> Path:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "name,email,team,role,manager\nAda,ada@example.org,Alpha,leader,\n"
        "Bo,bo@example.org,Beta,member,\n"
    )
    assert run_cli("people", "import", roster, "-w", workspace.root).exit_code == 0
    return workspace.root


def cli(ws: Path, *args: str) -> dict[str, object]:
    result = run_cli(*args, "-w", ws, "--json")
    assert result.exit_code == 0, result.stderr
    data: dict[str, object] = result.json()
    return data


def test_vision_goal_key_result_check_in_and_progress(ws: Path) -> None:
    vision = cli(ws, "vision", "set", "--team", "Alpha", "--statement", "Calm flow",
                 "--postcard", "DEMO: we shipped calmly", "--horizon", "2015-01-01")  # fmt: skip
    assert vision["statement"] == "Calm flow" and vision["horizon"] == "2015-01-01"
    assert cli(ws, "vision", "show", "--team", "Beta") == {"vision": None}
    goal = cli(ws, "goal", "add", "--team", "Alpha", "--title", "Interview users",
               "--from", "2014-01-01", "--to", "2014-03-31", "--share", "0.4",
               "--owner", "ada@example.org")  # fmt: skip
    assert goal["owner"] == "Ada" and goal["target_share"] == 0.4
    kr = cli(ws, "goal", "kr", str(goal["id"]), "--team", "Alpha", "--title", "Interviews",
             "--target", "10", "--baseline", "0", "--direction", "up",
             "--unit", "people")  # fmt: skip
    for day, value in (("2014-01-20", "3"), ("2014-02-10", "6")):
        cli(ws, "goal", "checkin", str(kr["id"]), "--team", "Alpha", "--confidence", "8",
            "--value", value, "--note", "on it", "--date", day)  # fmt: skip
    progress = cli(ws, "goal", "progress", "--team", "Alpha", "--as-of", "2014-02-10")
    (answer,) = progress["goals"]  # type: ignore[misc]
    (out,) = answer["key_results"]
    assert out["value"] == 6 and out["progress"] == pytest.approx(0.6)
    assert [p["value"] for p in out["history"]] == [3, 6]
    text = run_cli("goal", "progress", "--team", "Alpha", "--as-of", "2014-02-10", "-w", ws,
                   env=WIDE)  # fmt: skip
    assert text.exit_code == 0 and "Interviews" in text.stdout and "▁█" in text.stdout
    listed = cli(ws, "goal", "list", "--team", "Alpha")
    assert [g["title"] for g in listed["goals"]] == ["Interview users"]  # type: ignore[index]
    assert cli(ws, "goal", "list", "--team", "Beta") == {"goals": []}
    done = cli(ws, "goal", "status", str(goal["id"]), "achieved", "--team", "Alpha")
    assert done["status"] == "achieved"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("goal", "add", "--team", "Alpha", "--title", "X", "--from", "2014-02-01",
          "--to", "2014-01-01"), "ends_on"),
        (("goal", "add", "--team", "Alpha", "--title", "X", "--from", "2014-01-01",
          "--to", "2014-02-01", "--share", "1.5"), "target_share"),
        (("vision", "set", "--team", "Alpha", "--statement", " "), "statement"),
        (("vision", "set", "--team", "Alpha", "--statement", "V", "--horizon", "soon"),
         "horizon"),
    ],
)  # fmt: skip
def test_bad_input_names_the_field_and_writes_nothing(
    ws: Path, args: tuple[str, ...], field: str
) -> None:
    result = run_cli(*args, "-w", ws)
    assert result.exit_code != 0 and f"field {field!r}" in result.stderr
    assert cli(ws, "goal", "list", "--team", "Alpha") == {"goals": []}
    assert cli(ws, "vision", "show", "--team", "Alpha") == {"vision": None}


def test_a_value_on_a_metric_key_result_is_refused(ws: Path) -> None:
    goal = cli(ws, "goal", "add", "--team", "Alpha", "--title", "Fast", "--from",
               "2014-01-01", "--to", "2014-02-01")  # fmt: skip
    kr = cli(ws, "goal", "kr", str(goal["id"]), "--team", "Alpha", "--title", "Lead",
             "--target", "3", "--baseline", "6", "--metric", "lead_time:p50")  # fmt: skip
    assert kr["direction"] == "down" and kr["unit"] == "days"
    refused = run_cli("goal", "checkin", str(kr["id"]), "--team", "Alpha", "--confidence",
                      "5", "--value", "4", "-w", ws)  # fmt: skip
    assert refused.exit_code != 0 and "field 'value'" in refused.stderr
    unknown = run_cli("goal", "show", "999", "--team", "Beta", "-w", ws)
    assert unknown.exit_code != 0 and "no goal 999" in unknown.stderr
    bad = run_cli("goal", "kr", str(goal["id"]), "--team", "Alpha", "--title", "L",
                  "--target", "3", "--metric", "speed", "-w", ws)  # fmt: skip
    assert bad.exit_code != 0 and "field 'metric'" in bad.stderr
