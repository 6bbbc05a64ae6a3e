"""Spark parity: the same metric code on DuckDB and on Spark (local mode) gives equal results.

One Spark engine per module (Spark starts once per process). On the shipped sepsis log and on a
hand-made log with timestamp ties, a reopened item, an open and a canceled item, DFG, variants,
time in state and lead/cycle time must match: counts and sequences exactly, seconds to a relative
1e-9.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tandem.errors import InputError
from tandem.flow import spark as spark_module
from tandem.flow.dfg import performance_dfg
from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.forecast import when_done
from tandem.flow.handoffs import handoffs
from tandem.flow.mapping import StatusMapping
from tandem.flow.render import render_process_map
from tandem.flow.states import time_in_state
from tandem.flow.throughput import daily_throughput
from tandem.flow.timing import lead_and_cycle_times
from tandem.flow.variants import variants
from tandem.lake import Lake
from tests.flow.golden import REAL_LOGS, ingest, tiny_lake
from tests.helpers import DATA, new_workspace, run_cli

pytestmark = pytest.mark.spark

# The tiny log's names map by default; sepsis gets waiting, done and canceled stages so that
# lead/cycle time and time in state have every category to work with.
MAPPING = StatusMapping(
    {
        "sepsis": {
            "er registration": "new",
            "er triage": "waiting",
            "release a": "done",
            "release b": "done",
            "release c": "done",
            "release d": "done",
            "release e": "canceled",
            "return er": "active",
        }
    }
)

TINY = [
    # t1: Work and Review tie at 10:00 (file order wins); done, reopened, done again.
    "t1,Open,2024-03-01 09:00:00,alice",
    "t1,Work,2024-03-01 10:00:00,bob",
    "t1,Review,2024-03-01 10:00:00,carol",
    "t1,Closed,2024-03-01 12:00:00,carol",
    "t1,Reopen,2024-03-02 08:00:00,alice",
    "t1,Work,2024-03-02 09:30:00,bob",
    "t1,Closed,2024-03-02 15:00:00,carol",
    # t2: a tie between its first two events, rows out of time order in the file.
    "t2,Closed,2024-03-01 11:00:00,bob",
    "t2,Open,2024-03-01 09:00:00,alice",
    "t2,Work,2024-03-01 09:00:00,bob",
    # t3: open (its last visit is ongoing); t4: canceled; t5: a single event.
    "t3,Open,2024-03-01 08:00:00,alice",
    "t3,Work,2024-03-02 10:00:00,bob",
    "t4,Open,2024-03-01 08:00:00,alice",
    "t4,Work,2024-03-01 09:15:00,bob",
    "t4,Cancelled,2024-03-03 12:00:00,bob",
    "t5,Open,2024-03-04 08:00:00,ci-bot",
]

SEPSIS = next(log for log in REAL_LOGS if log.name == "sepsis")


@pytest.fixture(scope="module")
def spark_engines(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, tuple[FlowEngine, FlowEngine]]]:
    """Per log: (DuckDB engine, Spark engine) over the same lake."""
    folder = tmp_path_factory.mktemp("parity")
    (folder / "tiny" / "lake").mkdir(parents=True)
    lakes = {
        "tiny": tiny_lake(Lake(folder / "tiny" / "lake"), folder / "tiny", TINY),
        "sepsis": ingest(SEPSIS, folder / "sepsis"),
    }
    engines = {
        name: (FlowEngine(lake), FlowEngine(lake, engine="spark")) for name, lake in lakes.items()
    }
    yield engines
    for pair in engines.values():
        for flow in pair:
            flow.close()


def assert_same(duck: Any, spark: Any, where: str = "") -> None:
    """Equal structures: floats to a relative 1e-9, everything else exactly."""
    if isinstance(duck, float) and isinstance(spark, float):
        assert math.isclose(duck, spark, rel_tol=1e-9, abs_tol=1e-9), f"{where}: {duck} ≠ {spark}"
    elif isinstance(duck, dict) and isinstance(spark, dict):
        assert list(duck) == list(spark), where
        for key in duck:
            assert_same(duck[key], spark[key], f"{where}.{key}")
    elif isinstance(duck, list | tuple) and isinstance(spark, list | tuple):
        assert len(duck) == len(spark), where
        for i, (a, b) in enumerate(zip(duck, spark, strict=True)):
            assert_same(a, b, f"{where}[{i}]")
    else:
        assert type(duck) is type(spark) and duck == spark, f"{where}: {duck!r} ≠ {spark!r}"


LOGS = ["tiny", "sepsis"]
WINDOW = Filters(
    start=dt.datetime(2014, 6, 1, tzinfo=dt.UTC), end=dt.datetime(2014, 12, 1, tzinfo=dt.UTC)
)


@pytest.mark.parametrize("log", LOGS)
def test_performance_dfg(log: str, spark_engines: dict[str, tuple[FlowEngine, FlowEngine]]) -> None:
    duck, spark = spark_engines[log]
    expected = performance_dfg(duck).to_dict()
    assert expected["edges"]
    assert_same(expected, performance_dfg(spark).to_dict(), "dfg")


@pytest.mark.parametrize("log", LOGS)
def test_variants(log: str, spark_engines: dict[str, tuple[FlowEngine, FlowEngine]]) -> None:
    duck, spark = spark_engines[log]
    expected = variants(duck).to_dict()
    assert expected["total_variants"] > 1
    assert_same(expected, variants(spark).to_dict(), "variants")


@pytest.mark.parametrize("log", LOGS)
def test_time_in_state(log: str, spark_engines: dict[str, tuple[FlowEngine, FlowEngine]]) -> None:
    duck, spark = spark_engines[log]
    expected = time_in_state(engine=duck, filters=Filters(), mapping=MAPPING).to_dict()
    assert expected["n"] > 0
    actual = time_in_state(engine=spark, filters=Filters(), mapping=MAPPING).to_dict()
    assert_same(expected, actual, "time_in_state")


@pytest.mark.parametrize("log", LOGS)
def test_lead_and_cycle_time(
    log: str, spark_engines: dict[str, tuple[FlowEngine, FlowEngine]]
) -> None:
    duck, spark = spark_engines[log]
    expected = lead_and_cycle_times(engine=duck, filters=Filters(), mapping=MAPPING)
    actual = lead_and_cycle_times(engine=spark, filters=Filters(), mapping=MAPPING)
    assert expected.lead.n > 0
    assert_same(expected.to_dict(include_items=True), actual.to_dict(include_items=True), "timing")
    assert expected.reopened >= 1


def test_filters_run_on_spark_too(
    spark_engines: dict[str, tuple[FlowEngine, FlowEngine]],
) -> None:
    duck, spark = spark_engines["sepsis"]
    expected = performance_dfg(duck, WINDOW).to_dict()
    assert 0 < expected["cases"] < performance_dfg(duck).to_dict()["cases"]
    assert_same(expected, performance_dfg(spark, WINDOW).to_dict(), "dfg in a window")


@pytest.mark.parametrize("log", LOGS)
def test_throughput_forecast_and_process_map(
    log: str, spark_engines: dict[str, tuple[FlowEngine, FlowEngine]]
) -> None:
    duck, spark = spark_engines[log]
    series = {
        name: daily_throughput(flow, Filters(), MAPPING)
        for name, flow in zip(("duckdb", "spark"), (duck, spark), strict=True)
    }
    assert (series["duckdb"].days, series["duckdb"].counts) == (
        series["spark"].days,
        series["spark"].counts,
    )
    assert series["duckdb"].n > 0
    forecasts = [when_done(s, items=5, seed=7, runs=2_000).to_dict() for s in series.values()]
    assert_same(forecasts[0], forecasts[1], "forecast")
    maps = [
        render_process_map(performance_dfg(flow).to_dict(), colour="performance").svg
        for flow in (duck, spark)
    ]
    assert maps[0] == maps[1] and "<svg" in maps[0]


def test_ordered_path_and_team_handoffs_on_spark(
    spark_engines: dict[str, tuple[FlowEngine, FlowEngine]],
) -> None:
    duck, spark = spark_engines["tiny"]
    ordered = Filters(include_bots=False)  # cuts events out of cases: the ordering path
    assert_same(
        performance_dfg(duck, ordered).to_dict(), performance_dfg(spark, ordered).to_dict(), "dfg"
    )
    assert_same(variants(duck, ordered).to_dict(), variants(spark, ordered).to_dict(), "variants")
    teams = {"account:tiny:alice": "core", "account:tiny:bob": "platform"}
    expected = handoffs(duck, teams=teams).to_dict()
    assert expected["handoffs"] and expected["level"] == "team"
    assert_same(expected, handoffs(spark, teams=teams).to_dict(), "team handoffs")


def test_cli_dfg_json_is_the_same_on_both_engines(
    spark_engines: dict[str, tuple[FlowEngine, FlowEngine]], tmp_path: Path
) -> None:
    workspace = tmp_path / "ws"
    new_workspace(workspace)
    ingest_result = run_cli("ingest", "events", DATA / "sepsis.csv.gz", "-w", workspace, "--json")
    assert ingest_result.exit_code == 0, ingest_result.stderr
    outputs = {}
    for name in ("duckdb", "spark"):
        result = run_cli("flow", "dfg", "-w", workspace, "--engine", name, "--json")
        assert result.exit_code == 0, result.stderr
        outputs[name] = json.loads(result.stdout)
    assert outputs["duckdb"]["edges"]
    assert_same(outputs["duckdb"], outputs["spark"], "cli dfg")


def test_missing_pyspark_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(spark_module, "_sessions", {})
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(InputError, match=r"tandem\[spark\]"):
        FlowEngine(Lake(tmp_path / "lake"), engine="spark")


def test_an_empty_lake_gives_empty_results_on_spark(
    spark_engines: dict[str, tuple[FlowEngine, FlowEngine]], tmp_path: Path
) -> None:
    (tmp_path / "lake").mkdir()
    with FlowEngine(Lake(tmp_path / "lake"), engine="spark") as spark:
        report = performance_dfg(spark).to_dict()
    assert (report["cases"], report["events"], report["edges"]) == (0, 0, [])


def test_spark_quantiles_are_exact_not_approximate(
    spark_engines: dict[str, tuple[FlowEngine, FlowEngine]],
) -> None:
    _, spark = spark_engines["tiny"]
    waits = spark.events().timestamp.epoch_seconds()
    sql = str(spark.backend.compile(waits.quantile(0.85))).lower()
    assert "percentile(" in sql and "approx" not in sql


def test_delivery_answers_are_the_same_on_spark(tmp_path: Path) -> None:
    from tandem.delivery.service import dora_metrics, pull_request_flow
    from tests.delivery.fixture import build, t

    fx = build(tmp_path)
    window = Filters(start=t(1, 0), end=t(8, 0))
    answers = []
    for name in ("duckdb", "spark"):
        with FlowEngine(fx.lake, engine=name) as engine:
            answers.append(
                (
                    dora_metrics(engine=engine, filters=window).model_dump(),
                    pull_request_flow(
                        engine=engine, filters=window, include_bots=True
                    ).model_dump(),
                )
            )
    assert answers[0] == answers[1]
    assert answers[0][0]["change_failure_rate"]["value"] == 0.5  # tests/delivery/test_dora.py
