"""XES import: pm4py.read_xes vs a minimal lxml reader vs Tandem's reader and ingest (DESIGN §8).

The headline input is BPIC-2012-shaped (13,087 traces, 262,200 events, ProM's layout; the real
log is not reachable offline), written deterministically as text. The others are built from the
shipped real logs with pm4py.write_xes (the reference writer); the large one repeats
hospital_billing's traces under new case ids. All are cached under ``benchmarks/work/``.
Each measurement runs in its own child process: ``seconds`` is the operation itself (imports
excluded), ``process_seconds`` the whole child process seen from outside, the memory the
child's peak RSS. Median of ``--repeat`` runs.

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
TOOLS = ("pm4py", "lxml_minimal", "tandem_reader", "tandem_ingest")

#: BPIC 2012's shape (the real log is not reachable offline): the counts, the 24 activity names
#: (A_ and O_ complete only, W_ with SCHEDULE/START/COMPLETE), numeric resources, ProM's layout.
BPIC12_TRACES, BPIC12_EVENTS = 13_087, 262_200
BPIC12_A = [
    "A_ACCEPTED",
    "A_ACTIVATED",
    "A_APPROVED",
    "A_CANCELLED",
    "A_DECLINED",
    "A_FINALIZED",
    "A_PREACCEPTED",
    "A_REGISTERED",
]
BPIC12_O = [
    "O_ACCEPTED",
    "O_CANCELLED",
    "O_CREATED",
    "O_DECLINED",
    "O_SELECTED",
    "O_SENT",
    "O_SENT_BACK",
]
BPIC12_W = [
    "W_Afhandelen leads",
    "W_Beoordelen fraude",
    "W_Completeren aanvraag",
    "W_Nabellen incomplete dossiers",
    "W_Nabellen offertes",
    "W_Valideren aanvraag",
    "W_Wijzigen contractgegevens",
]
BPIC12_HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<!-- This file has been generated with the OpenXES library. It conforms -->
<!-- to the XML serialization of the XES standard for log storage and -->
<!-- management. -->
<!-- XES standard version: 1.0 -->
<!-- OpenXES library version: 1.0RC7 -->
<!-- OpenXES is available from http://www.openxes.org/ -->
<log xes.version="1.0" xes.features="nested-attributes" openxes.version="1.0RC7" \
xmlns="http://www.xes-standard.org/">
\t<extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
\t<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
\t<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
\t<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
\t<extension name="Semantic" prefix="semantic" uri="http://www.xes-standard.org/semantic.xesext"/>
\t<global scope="trace">
\t\t<string key="concept:name" value="__INVALID__"/>
\t</global>
\t<global scope="event">
\t\t<string key="concept:name" value="__INVALID__"/>
\t\t<string key="lifecycle:transition" value="complete"/>
\t</global>
\t<classifier name="MXML Legacy Classifier" keys="concept:name lifecycle:transition"/>
\t<classifier name="Event Name" keys="concept:name"/>
\t<classifier name="Resource" keys="org:resource"/>
\t<string key="concept:name" value="BPI Challenge 2012"/>
\t<string key="lifecycle:model" value="standard"/>
"""


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
    bpic12 = WORK / "bpic12_shaped.xes"
    if not bpic12.exists():
        write_bpic12_shaped(bpic12)
    paths["bpic12_shaped"] = bpic12
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


def _prom_time(utc_ms: int) -> str:
    """``utc_ms`` as ProM writes it: local Amsterdam time, milliseconds, +02:00 / +01:00."""
    import datetime as dt

    summer_end = 1319936400000  # 2011-10-30T01:00:00Z; the log ends before March 2012's switch
    offset = 2 if utc_ms < summer_end else 1
    local = dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=utc_ms, hours=offset)
    return f"{local:%Y-%m-%dT%H:%M:%S}.{utc_ms % 1000:03d}+0{offset}:00"


def write_bpic12_shaped(target: Path, seed: int = 2012) -> None:
    """A deterministic XES file with BPIC 2012's shape: 13,087 traces, 262,200 events."""
    import random

    rng = random.Random(seed)
    # trace lengths: at least 3 (A_SUBMITTED, A_PARTLYSUBMITTED, one more), long-tailed
    weights = [rng.expovariate(1.0) ** 2 for _ in range(BPIC12_TRACES)]
    lengths = [3] * BPIC12_TRACES
    extra = BPIC12_EVENTS - 3 * BPIC12_TRACES
    for i in rng.choices(range(BPIC12_TRACES), weights=weights, k=extra):
        lengths[i] += 1
    resources = [str(r) for r in [112, *rng.sample(range(10000, 11400), 68)]]
    start = 1317422324546  # 2011-09-30T22:38:44.546Z
    span = 1331679600000 - start  # up to 2012-03-13T23:00Z
    out: list[str] = [BPIC12_HEAD]
    put = out.append
    for n, length in enumerate(lengths):
        clock = start + (span * n) // BPIC12_TRACES + rng.randrange(60_000)
        put("\t<trace>\n")
        put(f'\t\t<date key="REG_DATE" value="{_prom_time(clock)}"/>\n')
        put(f'\t\t<string key="concept:name" value="{173688 + 3 * n}"/>\n')
        put(
            f'\t\t<string key="AMOUNT_REQ" value="{rng.choice((5, 10, 15, 20, 25, 50)) * 1000}"/>\n'
        )
        steps: list[tuple[str, str, str | None]] = [
            ("A_SUBMITTED", "COMPLETE", "112"),
            ("A_PARTLYSUBMITTED", "COMPLETE", "112"),
        ]
        while len(steps) < length:
            kind = rng.random()
            who = rng.choice(resources)
            if kind < 0.55 and length - len(steps) >= 3:
                work = rng.choice(BPIC12_W)
                steps += [(work, "SCHEDULE", None if rng.random() < 0.5 else who)]
                steps += [(work, "START", who), (work, "COMPLETE", who)]
            elif kind < 0.8:
                steps.append((rng.choice(BPIC12_O), "COMPLETE", who))
            else:
                steps.append((rng.choice(BPIC12_A), "COMPLETE", who))
        for activity, transition, who in steps[:length]:
            put("\t\t<event>\n")
            if who is not None:
                put(f'\t\t\t<string key="org:resource" value="{who}"/>\n')
            put(f'\t\t\t<string key="lifecycle:transition" value="{transition}"/>\n')
            put(f'\t\t\t<string key="concept:name" value="{activity}"/>\n')
            put(f'\t\t\t<date key="time:timestamp" value="{_prom_time(clock)}"/>\n')
            put("\t\t</event>\n")
            clock += rng.randrange(1, 3_600_000) if rng.random() < 0.3 else rng.randrange(1, 20_000)
        put("\t</trace>\n")
    put("</log>\n")
    target.write_text("".join(out), encoding="utf-8")


def lxml_minimal(path: Path) -> int:
    """The anchor of DESIGN §8: a minimal lxml iterparse reader (rows of dicts, no frame)."""
    import gzip

    from lxml import etree

    rows: list[dict[str, str]] = []
    case: dict[str, str] = {}
    with gzip.open(path) if path.suffix == ".gz" else path.open("rb") as source:
        for _, element in etree.iterparse(source, events=("end",)):
            tag = element.tag.rpartition("}")[2]
            if tag == "event":
                row = {c.get("key"): c.get("value") for c in element}
                row.update(case)
                rows.append(row)
                element.clear()
            elif tag == "trace":
                element.clear()
                case = {}
            elif tag in ("string", "date", "int", "float", "boolean", "id"):
                parent = element.getparent()
                if parent is not None and parent.tag.endswith("trace"):
                    case["case:" + str(element.get("key"))] = str(element.get("value"))
    return len(rows)


def child(tool: str, path: Path) -> None:
    """Run one measurement in this process; print ``{"seconds": …, "events": …}``."""
    if tool == "pm4py":
        pm4py = _pm4py()
        start = time.perf_counter()
        with contextlib.redirect_stderr(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = pm4py.read_xes(str(path), show_progress_bar=False)
        seconds, events = time.perf_counter() - start, len(frame)
    elif tool == "lxml_minimal":
        start = time.perf_counter()
        events = lxml_minimal(path)
        seconds = time.perf_counter() - start
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
    """One child run: operation seconds, whole-process seconds, events, peak RSS (child VmHWM)."""
    began = time.perf_counter()
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
    result["process_seconds"] = time.perf_counter() - began
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
                "process_seconds": round(statistics.median(r["process_seconds"] for r in runs), 3),
                "peak_rss_mib": round(max(r["peak_rss_mib"] for r in runs), 1),
                "events_per_s": round(runs[0]["events"] / seconds),
            }
        row["reader_speedup"] = round(row["pm4py"]["seconds"] / row["tandem_reader"]["seconds"], 2)
        row["ingest_speedup"] = round(row["pm4py"]["seconds"] / row["tandem_ingest"]["seconds"], 2)
        row["reader_process_speedup"] = round(
            row["pm4py"]["process_seconds"] / row["tandem_reader"]["process_seconds"], 2
        )
        rows.append(row)
        print(f"measured {name}", file=sys.stderr)
    RESULTS.mkdir(exist_ok=True)
    if args.only and (RESULTS / "xes.json").exists():  # keep the rows not measured this time
        measured = {r["input"] for r in rows}
        earlier = json.loads((RESULTS / "xes.json").read_text(encoding="utf-8"))["rows"]
        rows += [r for r in earlier if r["input"] not in measured]
        order = list(inputs)
        rows.sort(key=lambda r: order.index(r["input"]) if r["input"] in order else len(order))
    result = {
        "benchmark": "xes import",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "repeat": args.repeat,
        "rows": rows,
    }
    (RESULTS / "xes.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(
        "| input | events | MiB | pm4py s | lxml s | reader s | ingest s | reader × | ingest × "
        "| process × | pm4py RSS | reader RSS | ingest RSS | reader ev/s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['input']} | {r['events']:,} | {r['file_mib']} | {r['pm4py']['seconds']} "
            f"| {r['lxml_minimal']['seconds']} "
            f"| {r['tandem_reader']['seconds']} | {r['tandem_ingest']['seconds']} "
            f"| {r['reader_speedup']} | {r['ingest_speedup']} | {r['reader_process_speedup']} "
            f"| {r['pm4py']['peak_rss_mib']} | {r['tandem_reader']['peak_rss_mib']} "
            f"| {r['tandem_ingest']['peak_rss_mib']} | {r['tandem_reader']['events_per_s']:,} |"
        )


if __name__ == "__main__":
    main()
