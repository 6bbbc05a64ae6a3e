"""XES import: pm4py.read_xes vs Tandem's streaming reader vs the full ingest (DESIGN §8).

Inputs are built from the shipped real logs with pm4py.write_xes (the reference writer) and
cached under ``benchmarks/work/``; the large input repeats hospital_billing's traces under new
case ids. Each measurement runs in its own child process; the time is the operation itself
(imports excluded), the memory is the child's peak RSS. Median of ``--repeat`` runs.

    .venv/bin/python benchmarks/bench_xes.py [--repeat 3] [--large-copies 11]

Writes ``benchmarks/results/xes.json`` and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
RESULTS = HERE / "results"
DATA = HERE.parent / "src" / "tandem" / "demo" / "data"

LOGS = {
    "sepsis": ("sepsis.csv.gz", "case_id", "activity", "timestamp", "resource"),
    "traffic_fines": ("traffic_fines.csv.gz", "case_id", "activity", "timestamp", "resource"),
    "hospital_billing": ("hospital_billing.csv.gz", "case_id", "activity", "timestamp", "resource"),
    "bpic14": (
        "BPIC14_incident_log.csv.gz",
        "incident_id",
        "incident_activity_type",
        "data_stamp",
        "assignment_group",
    ),
}
TOOLS = ("pm4py", "tandem_reader", "tandem_ingest")


def _pm4py() -> Any:
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pm4py
    return pm4py


def build_inputs(large_copies: int) -> dict[str, Path]:
    """The XES files to measure (built once, cached under benchmarks/work/)."""
    import pandas as pd

    WORK.mkdir(exist_ok=True)
    paths: dict[str, Path] = {}
    for name, (file, case, activity, timestamp, resource) in LOGS.items():
        target = WORK / f"{name}.xes"
        if not target.exists():
            frame = pd.read_csv(DATA / file, dtype=str, keep_default_na=False)
            frame = frame.rename(
                columns={
                    case: "case:concept:name",
                    activity: "concept:name",
                    timestamp: "time:timestamp",
                    resource: "org:resource",
                }
            )
            frame["time:timestamp"] = pd.to_datetime(frame["time:timestamp"]).dt.tz_localize("UTC")
            with contextlib.redirect_stderr(io.StringIO()), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _pm4py().write_xes(
                    frame, str(target), case_id_key="case:concept:name", show_progress_bar=False
                )
        paths[name] = target
    large = WORK / f"hospital_billing_x{large_copies}.xes"
    if not large.exists():
        text = paths["hospital_billing"].read_text(encoding="utf-8")
        head, rest = text.split("<trace>", 1)
        body, tail = ("<trace>" + rest).rsplit("</trace>", 1)
        body += "</trace>"
        case = re.compile(r'(<trace>\s*<string key="concept:name" value=")([^"]*)"')
        with large.open("w", encoding="utf-8") as out:
            out.write(head)
            for copy in range(large_copies):
                out.write(case.sub(lambda m, c=copy: f'{m[1]}{m[2]}-{c}"', body))
            out.write(tail)
    paths[large.stem] = large
    gz = WORK / "sepsis.xes.gz"
    if not gz.exists():
        import gzip

        gz.write_bytes(gzip.compress(paths["sepsis"].read_bytes()))
    paths["sepsis.gz"] = gz
    return paths


def child(tool: str, path: Path) -> None:
    """Run one measurement in this process; print ``{"seconds": …, "events": …}``."""
    if tool == "pm4py":
        pm4py = _pm4py()
        start = time.perf_counter()
        with contextlib.redirect_stderr(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = pm4py.read_xes(str(path), show_progress_bar=False)
        seconds, events = time.perf_counter() - start, len(frame)
    elif tool == "tandem_reader":
        from tandem.sources.eventlog import read_xes

        start = time.perf_counter()
        table = read_xes(path)
        seconds, events = time.perf_counter() - start, table.num_rows
    else:
        from tandem.lake import Lake
        from tandem.sources.contracts import ColumnMapping
        from tandem.sources.eventlog import ingest_event_log

        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder) / "lake"
            root.mkdir()
            start = time.perf_counter()
            report = ingest_event_log(lake=Lake(root), path=path, columns=ColumnMapping())
            seconds, events = time.perf_counter() - start, report.events_added
    status = Path("/proc/self/status").read_text().splitlines()
    peak_kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    print(json.dumps({"seconds": seconds, "events": events, "peak_rss_mib": peak_kib / 1024}))


def measure(tool: str, path: Path) -> dict[str, float]:
    """One child run: operation seconds, events, peak RSS (MiB: the child's own VmHWM)."""
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", tool, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    output = proc.stdout.read()
    if proc.wait() != 0:
        raise RuntimeError(f"{tool} on {path.name} failed ({proc.returncode})")
    result: dict[str, float] = json.loads(output.decode().strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=2, metavar=("TOOL", "PATH"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--large-copies", type=int, default=11)
    parser.add_argument("--only", nargs="*", help="input names to measure")
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    inputs = build_inputs(args.large_copies)
    rows = []
    for name, path in inputs.items():
        if args.only and name not in args.only:
            continue
        row: dict[str, Any] = {"input": name, "file_mib": round(path.stat().st_size / 2**20, 1)}
        for tool in TOOLS:
            runs = [measure(tool, path) for _ in range(args.repeat)]
            seconds = statistics.median(r["seconds"] for r in runs)
            row["events"] = int(runs[0]["events"])
            row[tool] = {
                "seconds": round(seconds, 3),
                "runs": [round(r["seconds"], 3) for r in runs],
                "peak_rss_mib": round(max(r["peak_rss_mib"] for r in runs), 1),
                "events_per_s": round(runs[0]["events"] / seconds),
            }
        row["reader_speedup"] = round(row["pm4py"]["seconds"] / row["tandem_reader"]["seconds"], 2)
        row["ingest_speedup"] = round(row["pm4py"]["seconds"] / row["tandem_ingest"]["seconds"], 2)
        rows.append(row)
        print(f"measured {name}", file=sys.stderr)
    RESULTS.mkdir(exist_ok=True)
    result = {
        "benchmark": "xes import",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "repeat": args.repeat,
        "rows": rows,
    }
    (RESULTS / "xes.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(
        "| input | events | MiB | pm4py s | reader s | ingest s | reader × | ingest × "
        "| pm4py RSS | reader RSS | ingest RSS | reader ev/s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['input']} | {r['events']:,} | {r['file_mib']} | {r['pm4py']['seconds']} "
            f"| {r['tandem_reader']['seconds']} | {r['tandem_ingest']['seconds']} "
            f"| {r['reader_speedup']} | {r['ingest_speedup']} "
            f"| {r['pm4py']['peak_rss_mib']} | {r['tandem_reader']['peak_rss_mib']} "
            f"| {r['tandem_ingest']['peak_rss_mib']} | {r['tandem_reader']['events_per_s']:,} |"
        )


if __name__ == "__main__":
    main()
