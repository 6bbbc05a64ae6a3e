"""The 100 M-event run: ingest, then the flow engine on DuckDB and on a Spark Connect server.

Issue 11 asks for a documented run past 100 M events. The log is ``generate_log.py``'s (seeded,
cached under ``benchmarks/work/``). Each step runs in its own child process, timed from inside
(``seconds``) and from outside (``process_seconds``), with its peak RSS:

1. ``ingest``: the event-log ingest into a fresh lake (DuckDB staging, deduplicated, clustered
   Parquet with step facts), out of core;
2. ``duckdb_dfg`` / ``duckdb_variants``: ``performance_dfg`` / ``variants`` on DuckDB in-process;
3. ``spark_dfg``: ``performance_dfg`` on a Spark Connect server (started here from PySpark's own
   jars on loopback, ``local[2]``, driver memory ``--spark-memory``), the client process reading
   only the answer. The server's own peak RSS is read from ``/proc`` while the query runs.

The DuckDB and Spark answers must agree (edge and start/end frequencies exactly, mean and
median waits to a relative 1e-9). Nothing is asserted about time: the run is measured.

    .venv/bin/python benchmarks/bench_scale.py [--size 100M] [--skip-spark]

Writes ``benchmarks/results/scale.json`` and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_log import WORK, generate, parse_size

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"


def _peak_rss_mib() -> float:
    status = Path("/proc/self/status").read_text().splitlines()
    return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


def _report(**values: Any) -> None:
    values["peak_rss_mib"] = _peak_rss_mib()
    sys.stdout.write(json.dumps(values) + "\n")
    sys.stdout.flush()


def child_ingest(log: Path, lake_root: Path) -> None:
    from tandem.lake import Lake
    from tandem.settings import IngestSettings
    from tandem.sources.contracts import ColumnMapping
    from tandem.sources.eventlog import ingest_event_log

    limits = IngestSettings(latest_ahead_days=100 * 366, max_bytes=64 * 2**30)
    started = time.perf_counter()
    report = ingest_event_log(
        lake=Lake(lake_root), path=log, columns=ColumnMapping(), limits=limits
    )
    _report(seconds=time.perf_counter() - started, events=report.events, cases=report.cases)


def child_query(engine: str, query: str, lake_root: Path, dump: Path, remote: str | None) -> None:
    from tandem.flow.dfg import performance_dfg
    from tandem.flow.engine import FlowEngine
    from tandem.flow.variants import variants
    from tandem.lake import Lake

    started = time.perf_counter()
    with FlowEngine(Lake(lake_root), engine=engine, spark_remote=remote) as flow:  # type: ignore[arg-type]
        answer = performance_dfg(flow).to_dict() if query == "dfg" else variants(flow).to_dict()
    seconds = time.perf_counter() - started
    _report(seconds=seconds, events=answer.get("events"), cases=answer.get("cases"))
    dump.write_text(json.dumps(answer, default=str), encoding="utf-8")


def run_child(args: list[str], *, watch: int | None = None) -> dict[str, Any]:
    """Run this script as a child with ``args``; its report, wall time, and (``watch``: a pid)
    the peak RSS of that other process while the child ran."""
    peak = {"rss": 0.0}
    done = threading.Event()

    def sample() -> None:
        while watch is not None and not done.wait(0.5):
            try:
                status = Path(f"/proc/{watch}/status").read_text().splitlines()
            except OSError:
                return
            for line in status:  # the process's own high-water mark, when it has one yet
                if line.startswith("VmHWM:"):
                    peak["rss"] = max(peak["rss"], int(line.split()[1]) / 1024)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    done.set()
    if result.returncode != 0:
        raise SystemExit(f"child {args[:2]} failed:\n{result.stderr[-4000:]}")
    report = json.loads(result.stdout.strip().splitlines()[-1])
    report["process_seconds"] = elapsed
    if watch is not None:
        report["server_peak_rss_mib"] = peak["rss"]
    return report


def start_connect_server(memory: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    import pyspark

    home = Path(pyspark.__file__).parent
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [
        str(home / "bin" / "spark-submit"),
        "--master", "local[2]",
        "--driver-memory", memory,
        "--class", SERVER_CLASS,
        "--conf", f"spark.connect.grpc.binding.port={port}",
        "--conf", "spark.connect.grpc.binding.address=127.0.0.1",
        "--conf", "spark.ui.enabled=false",
        "--conf", "spark.driver.host=127.0.0.1",
        "--conf", "spark.sql.shuffle.partitions=16",
        "spark-internal",
    ]  # fmt: skip
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1"}
    with log.open("wb") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the Spark Connect server stopped: {log}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return server, f"sc://127.0.0.1:{port}"
        time.sleep(0.5)
    server.kill()
    raise SystemExit("the Spark Connect server did not open its port in 300 s")


def java_pid(url: str) -> int:
    """The Connect server's JVM: the java process serving ``url``'s port (spark-submit hands
    over to it through a launcher JVM, so it is found by its command line)."""
    port = url.rsplit(":", 1)[1]
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if (
            SERVER_CLASS.encode() in command
            and f"spark.connect.grpc.binding.port={port}".encode() in command
        ):
            return int(proc.name)
    raise SystemExit("the Spark Connect server's JVM was not found")


def same_dfg(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Edges and their counts, start and end activities exactly; waits to a relative 1e-9."""

    def edges(answer: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
        return {(e["source"], e["target"]): e for e in answer["edges"]}

    left, right = edges(a), edges(b)
    if left.keys() != right.keys():
        return False
    for key, edge in left.items():
        other = right[key]
        if edge["count"] != other["count"]:
            return False
        for field in ("mean_seconds", "median_seconds", "p85_seconds"):
            x, y = edge.get(field), other.get(field)
            if (x is None) != (y is None) or (
                x is not None and not math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-6)
            ):
                return False
    return all(
        a[k] == b[k]
        for k in ("cases", "events", "transitions", "start_activities", "end_activities")
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind = sys.argv[2]
        if kind == "ingest":
            child_ingest(Path(sys.argv[3]), Path(sys.argv[4]))
        else:
            engine, query = kind.split("_")
            remote = sys.argv[5] if len(sys.argv) > 5 else None
            child_query(engine, query, Path(sys.argv[3]), Path(sys.argv[4]), remote)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100M")
    parser.add_argument("--spark-memory", default="12g")
    parser.add_argument("--skip-spark", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the lake under benchmarks/work")
    parser.add_argument(
        "--steps",
        default="ingest,duckdb,spark",
        help="comma-separated steps; without ingest the kept lake is reused and the earlier "
        "steps' rows in results/scale.json are kept",
    )
    options = parser.parse_args()
    steps = set(options.steps.split(","))
    events = parse_size(options.size)
    log = generate(events)
    lake = WORK / f"scale-lake-{options.size}"
    load = os.getloadavg()
    rows: dict[str, Any] = {}
    earlier = RESULTS / "scale.json"
    if "ingest" in steps:
        if lake.exists():
            shutil.rmtree(lake)
        lake.mkdir(parents=True)
        rows["ingest"] = run_child(["--child", "ingest", str(log), str(lake)])
        print("ingest", rows["ingest"], flush=True)
    elif not lake.exists():
        raise SystemExit(f"{lake}: no kept lake (run with the ingest step and --keep)")
    elif earlier.exists():
        rows.update(json.loads(earlier.read_text())["rows"])
    answers: dict[str, dict[str, Any]] = {}
    dfg_dump = WORK / "scale-duckdb-dfg.json"
    if "duckdb" not in steps and dfg_dump.exists():
        answers["duckdb_dfg"] = json.loads(dfg_dump.read_text())
    for query in ("dfg", "variants") if "duckdb" in steps else ():
        dump = WORK / f"scale-duckdb-{query}.json"
        rows[f"duckdb_{query}"] = run_child(["--child", f"duckdb_{query}", str(lake), str(dump)])
        if query == "dfg":  # the one compared with Spark (every variant would fill gigabytes)
            answers["duckdb_dfg"] = json.loads(dump.read_text())
        print(query, rows[f"duckdb_{query}"], flush=True)
    if "spark" in steps and not options.skip_spark:
        server, url = start_connect_server(options.spark_memory, WORK / "scale-connect.log")
        try:
            dump = WORK / "scale-spark-dfg.json"
            rows["spark_dfg"] = run_child(
                ["--child", "spark_dfg", str(lake), str(dump), url], watch=java_pid(url)
            )
            answers["spark_dfg"] = json.loads(dump.read_text())
            if "duckdb_dfg" in answers:
                rows["spark_dfg"]["same_as_duckdb"] = same_dfg(
                    answers["duckdb_dfg"], answers["spark_dfg"]
                )
            print("spark", rows["spark_dfg"], flush=True)
        finally:
            server.terminate()
            server.wait(timeout=60)
    lake_bytes = sum(p.stat().st_size for p in lake.rglob("*.parquet"))
    result = {
        "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average_at_start": load,
        "load_average_at_end": os.getloadavg(),
        "size": options.size,
        "events": events,
        "log_mib": log.stat().st_size / 2**20,
        "lake_mib": lake_bytes / 2**20,
        "rows": rows,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "scale.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print("| step | wall s | process s | peak RSS MiB | server peak RSS MiB |")
    print("|---|---:|---:|---:|---:|")
    for name, row in rows.items():
        server_rss = row.get("server_peak_rss_mib")
        print(
            f"| {name} | {row['seconds']:.1f} | {row['process_seconds']:.1f} | "
            f"{row['peak_rss_mib']:.0f} | {'' if server_rss is None else f'{server_rss:.0f}'} |"
        )
    if not options.keep:
        shutil.rmtree(lake)


if __name__ == "__main__":
    main()
