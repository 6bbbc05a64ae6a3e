"""CLI start-up: whole ``tandem`` processes, next to ``python -c pass`` as the floor.

Target (issue 9 §5): ``tandem --version`` and ``tandem --help`` under 0.3 s, a simple command
(``tandem status --json`` on a small workspace) under 1 s. Each command runs as a whole child
process through the installed script (``.venv/bin/tandem``), as a user runs it; ``--repeat``
runs each (9), interleaved so load spikes spread over all commands, after one unmeasured warm-up
of each (the OS file cache). Reported: the median and minimum wall time, the median CPU time
(user + system, children's rusage: less sensitive to other work on the machine; on an idle
machine a single-threaded start-up's wall time is about its CPU time), the target judged on
each, and the machine's load average.

For comparison, *every command module* imports all of ``tandem.cli``'s command modules in one
process: what each command paid before they were loaded lazily.

The small workspace: ``tandem init`` and the shipped Sepsis log (15,214 events).

    .venv/bin/python benchmarks/bench_cli.py [--repeat 9]

Writes ``benchmarks/results/cli.json`` and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
SCRIPT = Path(sys.executable).parent / "tandem"
SEPSIS = HERE.parent / "src" / "tandem" / "demo" / "data" / "sepsis.csv.gz"
EVERY_MODULE = (
    "from tandem.cli.app import COMMANDS\n"
    "for name, command in COMMANDS.items():\n"
    "    command.load(name)\n"
)


def commands(workspace: Path) -> list[dict[str, Any]]:
    """What is measured: label, argv, and the target in seconds (None: for comparison)."""
    python = sys.executable
    return [
        {"label": "python -c pass (floor)", "argv": [python, "-c", "pass"], "target": None},
        {"label": "tandem --version", "argv": [str(SCRIPT), "--version"], "target": 0.3},
        {"label": "tandem --help", "argv": [str(SCRIPT), "--help"], "target": 0.3},
        {
            "label": "tandem status --json (small workspace)",
            "argv": [str(SCRIPT), "status", "--json", "--workspace", str(workspace)],
            "target": 1.0,
        },
        {
            "label": "every command module imported (as before: each command paid this)",
            "argv": [python, "-c", EVERY_MODULE],
            "target": None,
        },
    ]


def run_once(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one whole child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(repeat: int, workspace: Path) -> list[dict[str, Any]]:
    todo = commands(workspace)
    for item in todo:  # warm-up, not measured: the file cache, .pyc files
        run_once(item["argv"])
    samples: dict[str, list[tuple[float, float]]] = {item["label"]: [] for item in todo}
    for _ in range(repeat):
        for item in todo:
            samples[item["label"]].append(run_once(item["argv"]))
    rows = []
    for item in todo:
        walls = [wall for wall, _ in samples[item["label"]]]
        cpus = [cpu for _, cpu in samples[item["label"]]]
        median = statistics.median(walls)
        rows.append(
            {
                "command": item["label"],
                "median_s": round(median, 3),
                "min_s": round(min(walls), 3),
                "cpu_median_s": round(statistics.median(cpus), 3),
                "target_s": item["target"],
                "met": None if item["target"] is None else median < item["target"],
                "met_cpu": None
                if item["target"] is None
                else statistics.median(cpus) < item["target"],
                "runs": [round(wall, 3) for wall in walls],
            }
        )
    return rows


def small_workspace(folder: Path) -> Path:
    workspace = folder / "small"
    for argv in (
        [str(SCRIPT), "init", "--workspace", str(workspace)],
        [str(SCRIPT), "ingest", "events", str(SEPSIS), "--workspace", str(workspace)],
    ):
        subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
    return workspace


def table(result: dict[str, Any]) -> str:
    lines = [
        f"Whole processes through `{result['script']}`, median of {result['repeat']} runs each "
        f"(interleaved, after one warm-up); {result['machine']['cpus']} CPUs shared with other "
        f"work: load average (1 min) {result['load_before']} before, {result['load_after']} "
        "after.",
        "",
        "| command | median s | min s | CPU s (median) | target | met (wall) | met (CPU) |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for row in result["rows"]:
        target = f"< {row['target_s']} s" if row["target_s"] is not None else "—"
        met, met_cpu = (
            "—" if flag is None else ("**yes**" if flag else "**no**")
            for flag in (row["met"], row["met_cpu"])
        )
        lines.append(
            f"| {row['command']} | {row['median_s']} | {row['min_s']} | {row['cpu_median_s']} "
            f"| {target} | {met} | {met_cpu} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as folder:
        workspace = small_workspace(Path(folder))
        load_before = round(os.getloadavg()[0], 2)
        rows = measure(args.repeat, workspace)
        load_after = round(os.getloadavg()[0], 2)
    result = {
        "benchmark": "CLI start-up",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "script": ".venv/bin/tandem",
        "repeat": args.repeat,
        "load_before": load_before,
        "load_after": load_after,
        "rows": rows,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "cli.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(table(result))


if __name__ == "__main__":
    main()
