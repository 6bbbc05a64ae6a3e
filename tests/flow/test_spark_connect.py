"""Spark Connect: the flow metrics on a real Spark Connect server equal DuckDB's.

A Spark Connect server (the class ``start-connect-server.sh`` runs, from PySpark's own jars) is
started once for the module on a free loopback port; the engine reaches it over gRPC as a
remote user would (``[spark] remote`` / ``TANDEM_SPARK__REMOTE``). The lake lives on the same
machine, so the server reads the manifest's Parquet files at the same paths.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tandem.errors import InputError
from tandem.flow import spark as spark_module
from tandem.flow.dfg import performance_dfg
from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.throughput import daily_throughput
from tandem.flow.timing import lead_and_cycle_times
from tandem.flow.variants import variants
from tandem.lake import Lake
from tests.flow.golden import ingest, tiny_lake
from tests.flow.test_spark_parity import MAPPING, SEPSIS, TINY, assert_same
from tests.helpers import DATA, new_workspace, run_cli

pytestmark = [pytest.mark.spark, pytest.mark.slow]

SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def connect_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Spark Connect server on loopback for the module; its URL."""
    pyspark = pytest.importorskip("pyspark")
    home = Path(pyspark.__file__).parent
    port = free_port()
    log = tmp_path_factory.mktemp("connect") / "server.log"
    command = [
        str(home / "bin" / "spark-submit"),
        "--master",
        "local[2]",
        "--class",
        SERVER_CLASS,
        "--conf",
        f"spark.connect.grpc.binding.port={port}",
        "--conf",
        "spark.connect.grpc.binding.address=127.0.0.1",
        "--conf",
        "spark.ui.enabled=false",
        "--conf",
        "spark.driver.host=127.0.0.1",
        "--driver-java-options",
        f"-Dlog4j2.configurationFile=file:{spark_module.LOG4J2}",
        "spark-internal",
    ]
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1"}
    with log.open("wb") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert server.poll() is None, log.read_text(errors="replace")[-2000:]
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.5)
        else:
            pytest.fail("the Spark Connect server did not open its port in 180 s")
        yield f"sc://127.0.0.1:{port}"
    finally:
        # the server goes first: a client's release call must not wait on it at teardown
        spark_module._sessions.pop(f"sc://127.0.0.1:{port}", None)
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="module")
def engines(
    connect_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, tuple[FlowEngine, FlowEngine]]]:
    """Per log: (DuckDB engine, engine on the Connect server) over the same lake."""
    folder = tmp_path_factory.mktemp("connect-parity")
    (folder / "tiny" / "lake").mkdir(parents=True)
    lakes = {
        "tiny": tiny_lake(Lake(folder / "tiny" / "lake"), folder / "tiny", TINY),
        "sepsis": ingest(SEPSIS, folder / "sepsis"),
    }
    pairs = {
        name: (FlowEngine(lake), FlowEngine(lake, engine="spark", spark_remote=connect_url))
        for name, lake in lakes.items()
    }
    yield pairs
    for pair in pairs.values():
        for flow in pair:
            flow.close()


def test_the_engine_runs_on_the_connect_server_not_in_process(
    engines: dict[str, tuple[FlowEngine, FlowEngine]],
) -> None:
    _, remote = engines["tiny"]
    from pyspark.sql.connect.session import SparkSession as ConnectSession

    assert isinstance(remote._session, ConnectSession)
    assert spark_module.is_remote(remote._session)
    assert remote._session.conf.get("spark.sql.session.timeZone") == "UTC"


@pytest.mark.parametrize("log", ["tiny", "sepsis"])
def test_metrics_on_connect_equal_duckdb(
    log: str, engines: dict[str, tuple[FlowEngine, FlowEngine]]
) -> None:
    duck, remote = engines[log]
    expected = performance_dfg(duck).to_dict()
    assert expected["edges"]
    assert_same(expected, performance_dfg(remote).to_dict(), "dfg")
    assert_same(variants(duck).to_dict(), variants(remote).to_dict(), "variants")
    timing = [
        lead_and_cycle_times(engine=flow, filters=Filters(), mapping=MAPPING).to_dict(
            include_items=True
        )
        for flow in (duck, remote)
    ]
    assert_same(timing[0], timing[1], "timing")
    series = [daily_throughput(flow, Filters(), MAPPING) for flow in (duck, remote)]
    assert (series[0].days, series[0].counts) == (series[1].days, series[1].counts)
    ordered = Filters(include_bots=False)  # the path that orders events again with windows
    assert_same(
        performance_dfg(duck, ordered).to_dict(), performance_dfg(remote, ordered).to_dict(), "o"
    )


def test_the_cli_reaches_the_server_named_in_the_environment(
    connect_url: str, tmp_path: Path
) -> None:
    workspace = tmp_path / "ws"
    new_workspace(workspace)
    assert run_cli("ingest", "events", DATA / "sepsis.csv.gz", "-w", workspace).exit_code == 0
    local = run_cli("flow", "dfg", "-w", workspace, "--json")
    remote = run_cli(
        "flow",
        "dfg",
        "-w",
        workspace,
        "--engine",
        "spark",
        "--json",
        env={"TANDEM_SPARK__REMOTE": connect_url},
    )
    assert remote.exit_code == 0, remote.stderr
    assert_same(json.loads(local.stdout), json.loads(remote.stdout), "cli dfg")


def test_an_unreachable_server_is_a_clear_error_within_seconds(tmp_path: Path) -> None:
    (tmp_path / "lake").mkdir()
    url = f"sc://127.0.0.1:{free_port()}"  # nothing listens there
    with pytest.raises(InputError, match=r"spark\.remote: could not use the Spark Connect"):
        FlowEngine(Lake(tmp_path / "lake"), engine="spark", spark_remote=url)
    assert url not in spark_module._sessions


def test_a_url_that_is_not_spark_connect_names_the_setting(tmp_path: Path) -> None:
    (tmp_path / "lake").mkdir()
    with pytest.raises(InputError, match=r"spark\.remote: 'http://x' is not a Spark Connect URL"):
        FlowEngine(Lake(tmp_path / "lake"), engine="spark", spark_remote="http://x")
