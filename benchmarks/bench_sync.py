"""GitHub sync: ``tandem sync`` of recorded payloads served by the replay server, offline.

The recorded DevLake tables of ``panjf2000/ants`` (``src/tandem/demo/data/recorded``) are
served by :mod:`tandem.sources.replay` in this process; ``tandem sync --json`` runs as a whole
child process against it (CLI start-up, HTTP, mapping, lake commits, the identity sync), as a
user runs it. ``×N`` inputs repeat the recording N times under new numbers, ids and shas (the
same payloads, renumbered) so the run is long enough to measure a rate. Reported: wall time
(median of ``--repeat`` runs, each into a fresh workspace), events and rows added, requests,
events per second, the child's peak RSS; then a second, unchanged sync (every listing answers
304) of the last workspace.

DevLake's own collection speed is not claimable here: it runs against GitHub's network API
(and its rate limit), which this machine cannot reach, so no comparison is made.

    .venv/bin/python benchmarks/bench_sync.py [--repeat 3] [--scales 1,20]

Writes ``benchmarks/results/sync.json`` and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import copy
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

from tandem.sources.replay import GITHUB_RECORDING, ReplayServer, Router, github
from tandem.sources.replay.recorded import Recording, Row

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
SCRIPT = Path(sys.executable).parent / "tandem"
REPO = "panjf2000/ants"
STEP = 100_000  # numbers and ids of copy k are shifted by k * STEP (sha suffixes by k)


def amplified(recording: Recording, copies: int) -> Recording:
    """The ants tables repeated ``copies`` times under new numbers, ids and shas."""
    if copies == 1:
        return recording
    out = Recording()
    for key, by_repo in recording.tables.items():
        rows = by_repo.get(REPO, [])
        out.tables[key] = {
            REPO: [_shifted(row, k) for k in range(copies) for row in rows],
            **{r: v for r, v in by_repo.items() if r != REPO},
        }
    return out


def _shifted(row: Row, k: int) -> Row:
    if k == 0 or not isinstance(row.item, dict):
        return row
    item = copy.deepcopy(row.item)
    parent = dict(row.input)
    shift = k * STEP
    for field in ("number", "id", "run_id"):
        if isinstance(item.get(field), int):
            item[field] += shift
    if "Number" in parent:
        parent["Number"] += shift
    if isinstance(item.get("issue"), dict):
        item["issue"] = {**item["issue"], "number": item["issue"]["number"] + shift}
    for field in ("issue_url", "pull_request_url"):
        if isinstance(item.get(field), str):
            base, _, number = item[field].rpartition("/")
            item[field] = f"{base}/{int(number) + shift}"
    for field in ("sha", "merge_commit_sha", "head_sha"):
        if isinstance(item.get(field), str):
            item[field] = f"{item[field][:-6]}{k:06d}"
    for field in ("created_at", "updated_at"):
        if isinstance(item.get(field), str):  # keep newest-first order meaningful per copy
            item[field] = item[field].replace(item[field][:4], str(int(item[field][:4]) + k), 1)
    return Row(item=item, input=parent)


def run_sync(workspace: Path) -> tuple[float, float, dict[str, Any]]:
    """Wall s, peak RSS MiB and the JSON report of one ``tandem sync`` child process."""
    started = time.perf_counter()
    done = subprocess.run(
        [str(SCRIPT), "sync", "--json", "--workspace", str(workspace)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return wall, peak, json.loads(done.stdout)


def measure(copies: int, repeat: int, folder: Path) -> dict[str, Any]:
    router = Router()
    github.register(router, amplified(Recording.load(GITHUB_RECORDING), copies))
    runs = []
    with ReplayServer(router, rate_limit=10**9) as server:  # never waits an hour
        for attempt in range(repeat):
            ws = folder / f"x{copies}-{attempt}"
            subprocess.run([str(SCRIPT), "init", "-w", str(ws)], check=True, capture_output=True)
            subprocess.run(
                [
                    str(SCRIPT),
                    "source",
                    "add",
                    "github",
                    "--repo",
                    REPO,
                    "--url",
                    server.url,
                    "--token-env",
                    "",
                    "--deployments",
                    "off",
                    "-w",
                    str(ws),
                ],
                check=True,
                capture_output=True,
            )
            runs.append(run_sync(ws))
        again = run_sync(ws)
    wall = statistics.median(r[0] for r in runs)
    report = runs[-1][2]["sources"][0]
    events = report["added"].get("events", 0)
    return {
        "copies": copies,
        "wall_s": round(wall, 2),
        "events": events,
        "rows": sum(report["added"].values()),
        "requests": report["requests"],
        "events_per_s": round(events / wall),
        "peak_rss_mib": round(max(r[1] for r in runs)),
        "batches": report["batches"],
        "unchanged_wall_s": round(again[0], 2),
        "unchanged_requests": again[2]["sources"][0]["requests"],
        "unchanged_304": again[2]["sources"][0]["not_modified"],
        "unchanged_added": sum(again[2]["sources"][0]["added"].values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scales", default="1,20")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="tandem-bench-sync-") as tmp:
        for copies in (int(s) for s in args.scales.split(",")):
            print(f"sync ×{copies}", file=sys.stderr)
            results.append(measure(copies, args.repeat, Path(tmp)))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "sync.json").write_text(
        json.dumps(
            {
                "machine": platform.machine(),
                "cpus": os.cpu_count(),
                "load": os.getloadavg(),
                "results": results,
            },
            indent=1,
        )
    )
    print(
        "| input | wall s (median) | events added | rows added | requests | events/s | "
        "peak RSS MiB | lake batches | unchanged re-sync s | its requests (304s) | its rows |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| ants ×{r['copies']} | {r['wall_s']} | {r['events']:,} | {r['rows']:,} | "
            f"{r['requests']:,} | {r['events_per_s']:,} | {r['peak_rss_mib']} | {r['batches']} | "
            f"{r['unchanged_wall_s']} | {r['unchanged_requests']} ({r['unchanged_304']}) | "
            f"{r['unchanged_added']} |"
        )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\n{os.cpu_count()} CPUs; load average after the runs: {load}. The replay server "
        "runs in the benchmark's process, beside the measured child: both share the cores."
    )


if __name__ == "__main__":
    main()
