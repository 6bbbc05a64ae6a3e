"""Performance DFG and variants: PM4Py vs Tandem on the same synthetic logs (DESIGN §8).

For each size the log from ``generate_log.py`` (Parquet, cached under ``benchmarks/work/``) is
ingested into a fresh Tandem lake (its time reported apart), then each measurement runs in its
own child process:

- ``pm4py_dfg`` / ``pm4py_variants``: ``pandas.read_parquet`` + ``pm4py.format_dataframe``
  (the *load*), then ``pm4py.discover_performance_dfg`` / ``pm4py.get_variants`` (the *compute*);
- ``tandem_dfg`` / ``tandem_variants``: ``performance_dfg`` / ``variants`` on the lake (opening
  the lake included; there is no separate load). ``variants`` returns every variant, as Arrow
  columns ranked by cases; their activity sequences are decoded for the check after the timing,
  as ``pm4py.get_variants``'s dict is turned into the same JSON after its own.

``seconds`` is load + compute as the child times it, ``process_seconds`` the whole child seen
from outside (interpreter start and imports included, as DESIGN §8's anchors were measured),
memory the child's peak RSS. Median of ``--repeat`` runs (3; 1 from 20 M events). The first run
of each child also dumps its answer, and the parent checks that both tools agree: edge and
start/end frequencies and variants exactly, mean and median waits to a relative 1e-9.
PM4Py is not run above ``--pm4py-max`` (20M): at 20 M events it already needs ~6.4 GiB and
~45 s per query, and the 50 M run is there to show that Tandem completes out of core.

The real IT-incident log (BPIC 2014, 39,911 events, shipped with Tandem) is measured the same
way under the label ``bpic14``.

    .venv/bin/python benchmarks/bench_flow.py [--sizes bpic14,1M,5M] [--repeat 3] [--pm4py-max 20M]
    .venv/bin/python benchmarks/bench_flow.py --sizes 20M,50M     # the large runs (slow)

Writes ``benchmarks/results/flow.json`` and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_log import WORK, generate, parse_size

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
QUERIES = ("dfg", "variants")
TOOLS = ("pm4py", "tandem")
PM4PY_KEYS = {
    "case_id": "case:concept:name",
    "activity_key": "concept:name",
    "timestamp_key": "time:timestamp",
}


def _peak_rss_mib() -> float:
    status = Path("/proc/self/status").read_text().splitlines()
    return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


def _report(**values: Any) -> None:
    """The measurement line the parent waits for (printed before any checking work)."""
    values["peak_rss_mib"] = _peak_rss_mib()
    sys.stdout.write(json.dumps(values) + "\n")
    sys.stdout.flush()


def child_ingest(log: Path, lake_root: Path) -> None:
    from tandem.lake import Lake
    from tandem.settings import IngestSettings
    from tandem.sources.contracts import ColumnMapping
    from tandem.sources.eventlog import ingest_event_log

    # The synthetic logs' clock runs years past today: widen the sane-timestamp window for them.
    limits = IngestSettings(latest_ahead_days=100 * 366)
    started = time.perf_counter()
    report = ingest_event_log(
        lake=Lake(lake_root), path=log, columns=ColumnMapping(), limits=limits
    )
    _report(seconds=time.perf_counter() - started, events=report.events, cases=report.cases)


def child_pm4py(query: str, log: Path, dump: Path | None) -> None:
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pandas as pd
        import pm4py

    started = time.perf_counter()
    frame = pd.read_parquet(log)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = pm4py.format_dataframe(frame, **PM4PY_KEYS)
    loaded = time.perf_counter()
    keys = {
        "case_id_key": "case:concept:name",
        "activity_key": "concept:name",
        "timestamp_key": "time:timestamp",
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if query == "dfg":
            performance, starts, ends = pm4py.discover_performance_dfg(frame, **keys)
        else:
            found = pm4py.get_variants(frame, **keys)
    done = time.perf_counter()
    _report(seconds=done - started, load_seconds=loaded - started, compute_seconds=done - loaded)
    if dump is None:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if query == "dfg":
            frequency, _, _ = pm4py.discover_dfg(frame, **keys)
            answer: dict[str, Any] = {
                "edges": {
                    f"{a}\x1f{b}": [
                        int(frequency[(a, b)]),
                        float(stats["mean"]),
                        float(stats["median"]),
                    ]
                    for (a, b), stats in performance.items()
                },
                "start": {k: int(v) for k, v in starts.items()},
                "end": {k: int(v) for k, v in ends.items()},
                "events": len(frame),
            }
        else:
            answer = {"variants": {"\x1f".join(v): int(n) for v, n in found.items()}}
    dump.write_text(json.dumps(answer), encoding="utf-8")


def child_tandem(query: str, lake_root: Path, dump: Path | None) -> None:
    from tandem.flow.dfg import performance_dfg
    from tandem.flow.engine import FlowEngine
    from tandem.flow.variants import variants
    from tandem.lake import Lake

    started = time.perf_counter()
    with FlowEngine(Lake(lake_root)) as engine:
        if query == "dfg":
            report: Any = performance_dfg(engine)
        else:
            report = variants(engine)
    done = time.perf_counter()
    _report(seconds=done - started, load_seconds=0.0, compute_seconds=done - started)
    if dump is None:
        return
    if query == "dfg":
        answer: dict[str, Any] = {
            "edges": {
                f"{e.source}\x1f{e.target}": [e.count, e.mean_seconds, e.median_seconds]
                for e in report.edges
            },
            "start": report.start_activities,
            "end": report.end_activities,
            "events": report.events,
        }
    else:
        answer = {"variants": {"\x1f".join(v.activities): v.cases for v in report.variants}}
    dump.write_text(json.dumps(answer), encoding="utf-8")


def measure(args: list[str], timeout: float) -> dict[str, Any]:
    """One child: its reported line, plus ``process_seconds`` until that line arrived."""
    began = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    line = proc.stdout.readline()
    arrived = time.perf_counter()
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return {"failed": f"timed out after {timeout:.0f} s"}
    if proc.returncode != 0 or not line.strip():
        tail = err.strip().splitlines()[-1:] if err.strip() else []
        why = "killed (out of memory?)" if proc.returncode < 0 else f"exit {proc.returncode}"
        return {"failed": f"{why} {' '.join(tail)}".strip()}
    result: dict[str, Any] = json.loads(line)
    result["process_seconds"] = arrived - began
    return result


def compare(query: str, pm4py: dict[str, Any], tandem: dict[str, Any]) -> list[str]:
    """Differences between the two answers (empty when identical)."""
    problems: list[str] = []
    if query == "variants":
        if pm4py["variants"] != tandem["variants"]:
            missing = set(pm4py["variants"]) ^ set(tandem["variants"])
            problems.append(f"variants differ ({len(missing)} not in both)")
        return problems
    for key in ("start", "end"):
        if pm4py[key] != tandem[key]:
            problems.append(f"{key} activities differ")
    if set(pm4py["edges"]) != set(tandem["edges"]):
        problems.append("edge sets differ")
    for edge, (count, mean, median) in pm4py["edges"].items():
        if edge not in tandem["edges"]:
            continue
        t_count, t_mean, t_median = tandem["edges"][edge]
        if count != t_count:
            problems.append(f"count of {edge!r}: {count} vs {t_count}")
        for name, a, b in (("mean", mean, t_mean), ("median", median, t_median)):
            if not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9):
                problems.append(f"{name} of {edge!r}: {a} vs {b}")
    return problems[:10]


REAL_LOGS = {"bpic14": "BPIC14_incident_log.csv.gz"}
"""Real logs measured like the synthetic sizes (``--sizes bpic14,1M,5M``)."""


def real_log(name: str) -> Path:
    """The real IT-incident log (BPIC 2014, shipped with Tandem) as the benchmark's Parquet.

    Columns as PM4Py expects them: incident → case, activity type → activity, assignment group
    → resource; ``data_stamp`` read as UTC (both tools read the same file, so the zone does not
    matter for the comparison). Rows keep the file's order (ties keep file order in both tools).
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    target = WORK / f"flow-{name}.parquet"
    if target.exists():
        return target
    source = HERE.parent / "src" / "tandem" / "demo" / "data" / REAL_LOGS[name]
    table = pacsv.read_csv(source)
    stamps = table["data_stamp"].cast(pa.string())
    frame = pa.table(
        {
            "case:concept:name": table["incident_id"].cast(pa.string()),
            "concept:name": table["incident_activity_type"].cast(pa.string()),
            "time:timestamp": pc.strptime(stamps, format="%Y-%m-%d %H:%M:%S", unit="us").cast(
                pa.timestamp("us", tz="UTC")
            ),
            "org:resource": table["assignment_group"].cast(pa.string()),
        }
    )
    WORK.mkdir(exist_ok=True)
    pq.write_table(frame, target)
    return target


def run_size(label: str, args: argparse.Namespace) -> dict[str, Any]:
    if label in REAL_LOGS:
        log = real_log(label)
        events = pq_rows(log)
    else:
        events = parse_size(label)
        log = generate(events, seed=args.seed)
    lake_root = WORK / f"flow-lake-{label}-s{args.seed}"
    if lake_root.exists():
        shutil.rmtree(lake_root)
    lake_root.mkdir(parents=True)
    print(f"{label}: ingesting {log.name}", file=sys.stderr)
    ingest = measure(["ingest", str(log), str(lake_root)], args.timeout)
    if "failed" in ingest:  # recorded, not fatal: the other sizes still count
        print(f"{label}: ingest failed: {ingest['failed']}", file=sys.stderr)
        shutil.rmtree(lake_root)
        failed = {"failed": f"ingest {ingest['failed']}"}
        pm4py_skip = {"skipped": f"not run above {args.pm4py_max} events"}
        if events <= parse_size(args.pm4py_max):
            pm4py_skip = {"skipped": "not run: no lake to compare with"}
        return {
            "size": label,
            "events": pq_rows(log),
            "cases": None,
            "log_mib": round(log.stat().st_size / 2**20, 1),
            "repeat": 0,
            "ingest": failed,
            **{query: {"pm4py": pm4py_skip, "tandem": failed} for query in QUERIES},
        }
    repeat = args.repeat or (3 if events < 20_000_000 else 1)
    row: dict[str, Any] = {
        "size": label,
        "events": ingest["events"],
        "cases": ingest["cases"],
        "log_mib": round(log.stat().st_size / 2**20, 1),
        "repeat": repeat,
        "ingest": {
            "seconds": round(ingest["seconds"], 3),
            "peak_rss_mib": round(ingest["peak_rss_mib"], 1),
        },
    }
    run_pm4py = events <= parse_size(args.pm4py_max)
    with tempfile.TemporaryDirectory(prefix="bench-flow-") as folder:
        for query in QUERIES:
            entry: dict[str, Any] = {}
            dumps = {tool: Path(folder) / f"{tool}-{query}.json" for tool in TOOLS}
            for tool in TOOLS:
                if tool == "pm4py" and not run_pm4py:
                    entry[tool] = {"skipped": f"not run above {args.pm4py_max} events"}
                    continue
                target = str(log) if tool == "pm4py" else str(lake_root)
                runs = []
                for n in range(repeat):
                    print(f"{label}: {tool} {query} run {n + 1}", file=sys.stderr)
                    dump = str(dumps[tool]) if n == 0 else "-"
                    result = measure([tool, query, target, dump], args.timeout)
                    if "failed" in result:
                        runs = [result]
                        break
                    runs.append(result)
                entry[tool] = summarise(runs)
            if all("seconds" in entry[t] for t in TOOLS):
                p, t = entry["pm4py"], entry["tandem"]
                entry["speedup"] = round(p["seconds"] / t["seconds"], 2)
                entry["compute_speedup"] = round(p["compute_seconds"] / t["compute_seconds"], 2)
                entry["process_speedup"] = round(p["process_seconds"] / t["process_seconds"], 2)
                entry["memory_ratio"] = round(t["peak_rss_mib"] / p["peak_rss_mib"], 2)
                answers = {k: json.loads(v.read_text(encoding="utf-8")) for k, v in dumps.items()}
                problems = compare(query, answers["pm4py"], answers["tandem"])
                entry["identical"] = not problems
                entry["differences"] = problems
            row[query] = entry
    if not args.keep_lake:
        shutil.rmtree(lake_root)
    return row


def pq_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(path).metadata.num_rows)


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    if "failed" in runs[0]:
        return {"failed": runs[0]["failed"]}
    out: dict[str, Any] = {
        key: round(statistics.median(r[key] for r in runs), 3)
        for key in ("seconds", "load_seconds", "compute_seconds", "process_seconds")
    }
    out["runs"] = [round(r["seconds"], 3) for r in runs]
    out["peak_rss_mib"] = round(max(r["peak_rss_mib"] for r in runs), 1)
    return out


def _cell(entry: dict[str, Any], key: str) -> str:
    if "failed" in entry:
        return "failed"
    if "skipped" in entry:
        return "—"
    return f"{entry[key]:,}"


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| events | query | PM4Py s (load + compute) | Tandem s | × | × compute | × process "
        "| PM4Py RSS MiB | Tandem RSS MiB | RSS ratio | identical |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        for query in QUERIES:
            e = r[query]
            p, t = e["pm4py"], e["tandem"]
            pm4py_s = (
                f"{p['seconds']} ({p['load_seconds']} + {p['compute_seconds']})"
                if "seconds" in p
                else p.get("failed") or p.get("skipped", "")
            )
            lines.append(
                f"| {_events(r)} | {query} | {pm4py_s} | {_cell(t, 'seconds')} "
                f"| {e.get('speedup', '—')} | {e.get('compute_speedup', '—')} "
                f"| {e.get('process_speedup', '—')} | {_cell(p, 'peak_rss_mib')} "
                f"| {_cell(t, 'peak_rss_mib')} | {e.get('memory_ratio', '—')} "
                f"| {_identical(e)} |"
            )
    lines.append("")
    lines.append("| events | cases | Parquet MiB | Tandem ingest s | ingest RSS MiB |")
    lines.append("|---|---:|---:|---:|---:|")
    for r in rows:
        ingest = r["ingest"]
        if "failed" in ingest:
            lines.append(f"| {_events(r)} | — | {r['log_mib']} | {ingest['failed']} | — |")
            continue
        lines.append(
            f"| {_events(r)} | {r['cases']:,} | {r['log_mib']} | {ingest['seconds']} "
            f"| {ingest['peak_rss_mib']} |"
        )
    return "\n".join(lines)


def _events(row: dict[str, Any]) -> str:
    """The events column: the count, and the log's name for a real log."""
    return f"{row['events']:,}" + (f" ({row['size']}, real)" if row["size"] in REAL_LOGS else "")


def _identical(entry: dict[str, Any]) -> str:
    if "identical" not in entry:
        return "—"
    return "**yes**" if entry["identical"] else "**no**: " + "; ".join(entry["differences"][:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs="+")
    parser.add_argument(
        "--sizes", default="bpic14,1M,5M", help="comma-separated: bpic14 (real), 1M, 5M, 20M, 50M"
    )
    parser.add_argument("--repeat", type=int, default=0, help="runs per measurement (0: auto)")
    parser.add_argument("--pm4py-max", default="20M", help="largest log PM4Py is run on")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per child")
    parser.add_argument("--keep-lake", action="store_true", help="keep the lakes in work/")
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "ingest":
            child_ingest(Path(rest[0]), Path(rest[1]))
        else:
            dump = None if rest[2] == "-" else Path(rest[2])
            (child_pm4py if kind == "pm4py" else child_tandem)(rest[0], Path(rest[1]), dump)
        return
    rows = [run_size(label.strip(), args) for label in args.sizes.split(",") if label.strip()]
    RESULTS.mkdir(exist_ok=True)
    if (RESULTS / "flow.json").exists():  # keep the sizes not measured this time
        measured = {r["size"] for r in rows}
        earlier = json.loads((RESULTS / "flow.json").read_text(encoding="utf-8"))["rows"]
        rows = sorted(
            rows + [r for r in earlier if r["size"] not in measured], key=lambda r: r["events"]
        )
    result = {
        "benchmark": "performance DFG and variants",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "rows": rows,
    }
    (RESULTS / "flow.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(table(rows))


if __name__ == "__main__":
    main()
