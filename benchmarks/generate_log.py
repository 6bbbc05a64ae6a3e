"""Realistic synthetic event logs for the flow benchmarks, written as Parquet (optionally CSV).

The process is a Markov chain over ``--activities`` activities (10–30) in a nominal order:
mostly forward, sometimes skipping a step, with rework loops back to earlier steps and
self-loops, all weights skewed by a seeded Dirichlet draw, and an end probability that grows
towards the last steps — so case lengths vary from 2 to ``MAX_STEPS`` events. Waits are
log-normal with a median per activity from a minute to two days; about 2 % of events share
the timestamp of the one before (ties, which keep file order). Resources follow a Zipf-like
distribution per activity, with an unassigned share. Cases start over two years.

Rows are written in timestamp order per chunk of cases (as an export would), columns
``case:concept:name``, ``concept:name``, ``time:timestamp`` (UTC, seconds), ``org:resource``.
Generation streams in chunks of ``CHUNK_CASES`` cases, so 50 M events never sit in memory,
and is deterministic by seed. Files are cached under ``benchmarks/work/``.

    .venv/bin/python benchmarks/generate_log.py 1M 5M [--seed 7] [--csv]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
SIZES = {"1M": 1_000_000, "5M": 5_000_000, "20M": 20_000_000, "50M": 50_000_000}
CHUNK_CASES = 100_000
MAX_STEPS = 80
TIE_SHARE = 0.02
RESOURCES = 400
START = np.datetime64("2024-01-01T00:00:00", "s")
SPAN_SECONDS = 2 * 365 * 86_400
NAMES = [
    "Register",
    "Triage",
    "Assign",
    "Analyse",
    "Request info",
    "Receive info",
    "Estimate",
    "Approve estimate",
    "Plan",
    "Implement",
    "Code review",
    "Fix review comments",
    "Build",
    "Test",
    "Fix defects",
    "Security check",
    "Document",
    "Stage",
    "Acceptance",
    "Deploy",
    "Verify",
    "Notify customer",
    "Customer feedback",
    "Escalate",
    "Reopen",
    "Archive",
    "Invoice",
    "Survey",
    "Audit",
    "Close",
]
SCHEMA = pa.schema(
    [
        ("case:concept:name", pa.string()),
        ("concept:name", pa.string()),
        ("time:timestamp", pa.timestamp("s", tz="UTC")),
        ("org:resource", pa.string()),
    ]
)


def parse_size(text: str) -> int:
    """``1M``, ``250k`` or a plain number of events."""
    text = text.strip().upper()
    if text in SIZES:
        return SIZES[text]
    if text.endswith("M"):
        return int(float(text[:-1]) * 1_000_000)
    if text.endswith("K"):
        return int(float(text[:-1]) * 1_000)
    return int(text)


def size_label(events: int) -> str:
    if events % 1_000_000 == 0:
        return f"{events // 1_000_000}M"
    if events % 1_000 == 0:
        return f"{events // 1_000}k"
    return str(events)


def log_path(events: int, *, seed: int = 7, activities: int = 24, suffix: str = "parquet") -> Path:
    return WORK / f"flow-{size_label(events)}-a{activities}-s{seed}.{suffix}"


class Process:
    """The seeded process model: start distribution, transition matrix (last column: end)."""

    def __init__(self, rng: np.random.Generator, activities: int) -> None:
        if not 10 <= activities <= len(NAMES):
            raise SystemExit(f"--activities must be between 10 and {len(NAMES)}")
        k = activities
        self.names = np.array([*NAMES[: k - 1], "Close"], dtype=object)
        weights = np.zeros((k, k + 1))
        for i in range(k - 1):
            weights[i, i + 1] = 10.0  # forward
            weights[i, min(i + 2, k - 1)] += 2.0  # skip one
            weights[i, min(i + 3, k - 1)] += 0.6
            weights[i, i] += 0.35  # self-loop
            for back in (1, 2, 3):  # rework
                if i - back >= 1:
                    weights[i, i - back] += 0.9 / back
            weights[i, k] = 0.05 + 2.5 * (i / k) ** 4  # leave early, more often late
            for j in rng.choice(k, size=2, replace=False):  # a few odd paths
                weights[i, j] += 0.15
        weights[k - 1, k] = 1.0  # Close ends the case
        skew = rng.dirichlet(np.full(k + 1, 0.7), size=k) * (k + 1)  # skewed, seeded
        weights = weights * (0.3 + skew)
        weights[k - 1] = 0.0
        weights[k - 1, k] = 1.0
        self.cumulative = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
        start = np.zeros(k)
        start[0], start[1], start[3] = 0.9, 0.07, 0.03
        self.start_cumulative = np.cumsum(start)
        self.wait_median_log = np.log(rng.uniform(60, 2 * 86_400, size=k))
        self.wait_sigma = rng.uniform(0.6, 1.6, size=k)
        # each activity has its own pool of likely resources (Zipf-like weights)
        self.resource_pools = rng.integers(0, RESOURCES, size=(k, 25))
        zipf = 1.0 / np.arange(1, 26) ** 1.1
        self.pool_cumulative = np.cumsum(zipf / zipf.sum())
        self.unassigned = rng.uniform(0.0, 0.15, size=k)


def simulate(process: Process, rng: np.random.Generator, cases: int, first_case: int) -> pa.Table:
    """Events of ``cases`` cases, numbered from ``first_case``, sorted by timestamp (stable)."""
    k = len(process.names)
    state = np.searchsorted(process.start_cumulative, rng.random(cases), side="right")
    clock = rng.integers(0, SPAN_SECONDS, size=cases).astype(np.int64)
    alive = np.arange(cases)
    case_parts, activity_parts, time_parts = [alive], [state], [clock.copy()]
    for _ in range(MAX_STEPS - 1):
        u = rng.random(alive.size)
        nxt = (process.cumulative[state] < u[:, None]).sum(axis=1)
        keep = nxt < k
        alive, state, clock, nxt = alive[keep], nxt[keep], clock[keep], nxt[keep]
        if not alive.size:
            break
        wait = np.exp(
            process.wait_median_log[nxt] + process.wait_sigma[nxt] * rng.standard_normal(alive.size)
        ).astype(np.int64)
        wait[rng.random(alive.size) < TIE_SHARE] = 0
        clock = clock + wait
        state = nxt
        case_parts.append(alive)
        activity_parts.append(state)
        time_parts.append(clock.copy())
    case = np.concatenate(case_parts)
    activity = np.concatenate(activity_parts)
    seconds = np.concatenate(time_parts)
    order = np.argsort(seconds, kind="stable")  # steps were appended in order: ties keep it
    case, activity, seconds = case[order], activity[order], seconds[order]
    pick = np.searchsorted(process.pool_cumulative, rng.random(case.size), side="right")
    resource = process.resource_pools[activity, np.minimum(pick, 24)]
    unassigned = rng.random(case.size) < process.unassigned[activity]
    case_ids = pa.array(np.char.add("C", (case + first_case).astype("U9")).astype(object))
    resources = pa.array(
        np.char.add("R", resource.astype("U4")).astype(object), mask=unassigned, type=pa.string()
    )
    return pa.Table.from_arrays(
        [
            case_ids,
            pa.array(process.names[activity], type=pa.string()),
            pa.array(START + seconds.astype("timedelta64[s]"), type=pa.timestamp("s", tz="UTC")),
            resources,
        ],
        schema=SCHEMA,
    )


def generate(
    events: int, *, seed: int = 7, activities: int = 24, csv: bool = False, force: bool = False
) -> Path:
    """Write (or reuse) the log with about ``events`` events; return its Parquet path."""
    target = log_path(events, seed=seed, activities=activities)
    csv_target = target.with_suffix(".csv")
    if target.exists() and (csv_target.exists() or not csv) and not force:
        return target
    WORK.mkdir(exist_ok=True)
    rng = np.random.default_rng(seed)
    process = Process(rng, activities)
    partial = target.with_suffix(".parquet.part")
    written = cases = 0
    chunk_cases = min(CHUNK_CASES, max(1_000, events // 20))  # about 20 events per case
    csv_writer = None
    with pq.ParquetWriter(partial, SCHEMA, compression="zstd") as writer:
        while written < events:
            table = simulate(process, rng, chunk_cases, cases)
            last = written + table.num_rows >= events
            if written + table.num_rows > events:  # trim whole cases: the last ones started
                case_col = table.column(0).to_numpy(zero_copy_only=False)
                numbers = np.char.lstrip(case_col.astype("U10"), "C").astype(np.int64) - cases
                sizes = np.bincount(numbers, minlength=chunk_cases)
                keep_cases = int(np.searchsorted(np.cumsum(sizes), events - written, "right"))
                table = table.filter(pa.array(numbers < max(keep_cases, 1)))
            writer.write_table(table, row_group_size=1_000_000)
            if csv:
                csv_writer = csv_writer or pacsv.CSVWriter(csv_target.with_suffix(".part"), SCHEMA)
                csv_writer.write_table(table)
            written += table.num_rows
            cases += chunk_cases
            print(f"  {target.name}: {written:,} events", file=sys.stderr)
            if last:
                break
    if csv_writer is not None:
        csv_writer.close()
        csv_target.with_suffix(".part").replace(csv_target)
    partial.replace(target)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", default=["1M"], help="1M, 5M, 20M, 50M or a number")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--activities", type=int, default=24)
    parser.add_argument("--csv", action="store_true", help="also write a CSV beside the Parquet")
    parser.add_argument("--force", action="store_true", help="rewrite cached files")
    args = parser.parse_args()
    for size in args.sizes:
        path = generate(
            parse_size(size),
            seed=args.seed,
            activities=args.activities,
            csv=args.csv,
            force=args.force,
        )
        meta = pq.ParquetFile(path).metadata
        print(f"{path} {meta.num_rows:,} events, {path.stat().st_size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
