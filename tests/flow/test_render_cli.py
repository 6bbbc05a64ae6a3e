"""``tandem flow map`` end to end on a real shipped log (the sepsis log), through the DFG."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.helpers import DATA, new_workspace, run_cli

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace holding the sepsis log (1,050 cases, 15,214 events, 16 activities)."""
    workspace = tmp_path_factory.mktemp("map") / "ws"
    new_workspace(workspace)
    ingest = run_cli("ingest", "events", DATA / "sepsis.csv.gz", "-w", workspace, "--json")
    assert ingest.exit_code == 0, ingest.stderr
    return workspace


def test_map_of_a_real_log(ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "sepsis.svg"
    result = run_cli("flow", "map", "-o", out, "-w", ws, "--max-edges", "30", "--json")
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert set(data) == {"file", "nodes", "edges", "hidden_edges"}
    assert data["file"] == str(out) and data["nodes"] == 16
    assert data["hidden_edges"] > 0 and data["edges"] >= 30
    root = ET.fromstring(out.read_bytes())
    activities = {
        g.get("data-activity") for g in root.iter(f"{SVG}g") if g.get("data-activity") is not None
    }
    assert len(activities) == 16 and "ER Registration" in activities
    edges = [g for g in root.iter(f"{SVG}g") if g.get("class", "").split()[:1] == ["edge"]]
    assert len(edges) == data["edges"]
    caption = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "1,050 cases" in caption and "15,214 events" in caption
    assert [p.name for p in tmp_path.iterdir()] == ["sepsis.svg"]  # no temporary file left


def test_performance_map_and_filters(ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "perf.svg"
    result = run_cli(
        "flow", "map", "-o", out, "-w", ws, "--colour", "performance", "--from", "2014-06-01",
        "--source", "sepsis", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    svg = out.read_text(encoding="utf-8")
    assert "Median wait" in svg and (" h</text>" in svg or " d</text>" in svg)
    assert "1,050 cases" not in svg  # the window keeps fewer cases
    rerun = run_cli(
        "flow", "map", "-o", out, "-w", ws, "--colour", "performance", "--from", "2014-06-01",
        "--source", "sepsis", "--json",
    )  # fmt: skip
    assert rerun.exit_code == 0 and out.read_text(encoding="utf-8") == svg


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--colour", "rainbow"], "--colour"),
        (["--max-edges", "0"], "--max-edges"),
        (["-o", "map.png"], "SVG"),
    ],
)
def test_user_errors_are_one_line(ws: Path, tmp_path: Path, args: list[str], message: str) -> None:
    base = ["flow", "map", "-o", tmp_path / "map.svg", "-w", ws]
    result = run_cli(*base, *args)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr
