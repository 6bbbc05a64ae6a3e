"""Variants on a hand-computed tiny log: order, ties, reopened items, empty selection, CLI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.variants import variants
from tandem.lake import Lake
from tandem.workspace import Workspace
from tests.flow.golden import tiny_lake
from tests.flow.test_dfg import ROWS
from tests.helpers import run_cli


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    folder = tmp_path_factory.mktemp("variants")
    root = folder / "lake"
    root.mkdir()
    more = [
        "c4,A,2024-01-04 10:00:00,alice",
        "c4,B,2024-01-04 10:00:00,bob",
        "c4,A,2024-01-04 12:00:00,bob",
    ]
    return tiny_lake(Lake(root), folder, [*ROWS, *more])


def test_hand_computed_variants(lake: Lake) -> None:
    with FlowEngine(lake) as engine:
        data = variants(engine).to_dict()

    assert (data["cases"], data["events"], data["total_variants"]) == (4, 11, 3)
    assert data["variants"] == [
        # cases desc, then the activity sequence
        {"activities": ["A", "B", "A"], "cases": 2, "share": 0.5,
         "median_duration_seconds": (2400 + 7200) / 2},  # c2 reopened (file out of order), c4 tie
        {"activities": ["A", "B", "C", "D"], "cases": 1, "share": 0.25,
         "median_duration_seconds": 3900.0},  # B, C tie at 10:05: file order
        {"activities": ["X"], "cases": 1, "share": 0.25, "median_duration_seconds": 0.0},
    ]  # fmt: skip
    assert data["excluded"] == {"variants_not_shown": 0, "cases_not_shown": 0}


def test_empty_selection(lake: Lake) -> None:
    with FlowEngine(lake) as engine:
        data = variants(engine, Filters(end=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))).to_dict()
    assert data["total_variants"] == data["cases"] == 0
    assert data["variants"] == []


def test_filters_item_source_and_bots(lake: Lake) -> None:
    with FlowEngine(lake) as engine:
        no_bots = variants(engine, Filters(include_bots=False))
        other = variants(engine, Filters(sources=("elsewhere",)))
    assert [v.activities for v in no_bots.variants] == [("A", "B", "A"), ("A", "B", "C", "D")]
    assert other.total_variants == 0


def test_cli_json_contract(workspace: Workspace, tmp_path: Path) -> None:
    tiny_lake(workspace.lake, tmp_path, ROWS)
    result = run_cli("flow", "variants", "-w", workspace.root, "--limit", "2", "--json")

    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["total_variants"] == 3
    assert len(data["variants"]) == 2
    assert set(data["variants"][0]) == {"activities", "cases", "share", "median_duration_seconds"}
    assert data["excluded"]["variants_not_shown"] == 1

    table = run_cli("flow", "variants", "-w", workspace.root)
    assert table.exit_code == 0 and "A → B → A" in table.stdout


@pytest.mark.parametrize(
    "filters", [Filters(), Filters(include_bots=False)], ids=["facts", "ordered"]
)
@pytest.mark.parametrize("limit", [0, 1, 2, 5])
def test_a_limit_shows_the_first_variants_with_the_whole_selections_totals(
    lake: Lake, filters: Filters, limit: int
) -> None:
    with FlowEngine(lake) as engine:
        everything = variants(engine, filters).to_dict()
        top = variants(engine, filters, limit=limit).to_dict()
    assert top["variants"] == everything["variants"][:limit]
    for key in ("cases", "events", "total_variants"):
        assert top[key] == everything[key]
    assert top["excluded"]["cases_not_shown"] == everything["cases"] - sum(
        v["cases"] for v in everything["variants"][:limit]
    )


def test_the_report_is_arrow_columns_until_a_variant_is_read(lake: Lake) -> None:
    with FlowEngine(lake) as engine:
        report = variants(engine)
    assert "variants" not in vars(report)  # no Variant object was built by the query
    assert report.table.column_names == [
        "trace", "cases", "events", "median_duration_seconds", "share"
    ]  # fmt: skip
    assert report.table["cases"].to_pylist() == [2, 1, 1]
    assert [v.activities for v in report.variants] == [
        ("A", "B", "A"),
        ("A", "B", "C", "D"),
        ("X",),
    ]
