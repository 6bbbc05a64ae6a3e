"""Duo matching at scale: ``suggest_duos`` on 1,000 and 10,000 synthetic people (DESIGN §8).

Target: 10,000 people in under 60 s. Each size runs in its own child process (so peak RSS is
that run's alone); the child builds SYNTHETIC candidates (seeded: latent L and M correlated
0.6, practice noise, ~5 % "can't observe", leanings labelled only when L − M clears a
threshold, a third opted in to the compatibility gate with 2 of 8 answers, a standard error per
practice from 1–12 raters, and a line hierarchy of spans of 7 whose boss–report pairs are never
paired), then times ``suggest_duos`` end to end (validation, prior, expected scores,
sparsification, matching, explanations). After timing it computes an LP upper bound on the best
possible total weight (``upper_bound``, the matching's objective: Σ score − mean of the two solo
scores over helpful pairs) so the table reports how close the sparsified matching comes to any
matching at all.

    .venv/bin/python benchmarks/bench_duos.py [--sizes 1k,10k] [--seed 7]

Writes ``benchmarks/results/duos.json`` and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
ANSWERS = tuple(f"value-{k}" for k in range(8))


def _peak_rss_mib() -> float:
    status = Path("/proc/self/status").read_text().splitlines()
    return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


def parse_size(text: str) -> int:
    """``1k`` → 1000, ``10k`` → 10000, ``2500`` → 2500."""
    text = text.strip().lower()
    return int(float(text[:-1]) * 1000) if text.endswith("k") else int(text)


def synthetic_candidates(n: int, seed: int) -> list[Any]:
    """SYNTHETIC candidates with latent L/M (r = 0.6); see the module docstring."""
    import numpy as np

    from tandem.duos.matching import Candidate
    from tandem.review.items import PRACTICE_IDS

    rng = np.random.default_rng(seed)
    latent = rng.multivariate_normal([0.0, 0.0], [[1.0, 0.6], [0.6, 1.0]], size=n)
    scores = np.empty((n, 10))
    scores[:, :5] = 3.3 + 0.6 * latent[:, [0]] + 0.35 * rng.standard_normal((n, 5))
    scores[:, 5:] = 3.3 + 0.6 * latent[:, [1]] + 0.35 * rng.standard_normal((n, 5))
    scores = np.clip(np.round(scores * 4) / 4, 1.0, 5.0)
    missing = rng.random((n, 10)) < 0.05
    diff = scores[:, :5].mean(axis=1) - scores[:, 5:].mean(axis=1)
    # from their own stream, so the scores, leanings and answers of a seed are unchanged
    raters = np.random.default_rng(seed + 1).integers(1, 13, size=n)
    out = []
    for i in range(n):
        leaning = (
            "leader-leaning"
            if diff[i] > 0.4
            else "manager-leaning"
            if diff[i] < -0.4
            else "balanced"
        )
        compat = None
        if rng.random() < 1 / 3:
            compat = frozenset(rng.choice(ANSWERS, size=2, replace=False).tolist())
        practices = {
            p: None if missing[i, k] else float(scores[i, k]) for k, p in enumerate(PRACTICE_IDS)
        }
        se = dict.fromkeys(PRACTICE_IDS, 0.5 / float(np.sqrt(raters[i])))
        out.append(
            Candidate(
                person=i + 1, practices=practices, leaning=leaning, compat=compat, practice_se=se
            )
        )
    return out


def line_of(n: int, span: int = 7) -> list[tuple[int, int]]:
    """(report, boss): person i > 1 reports to person (i − 2) // span + 1 (a tree of spans 7)."""
    return [(i, (i - 2) // span + 1) for i in range(2, n + 1)]


def child(n: int, seed: int) -> None:
    from tandem.duos.matching import build_engine, suggest_duos
    from tandem.duos.sparsify import upper_bound

    candidates = synthetic_candidates(n, seed)
    line = line_of(n)
    started = time.perf_counter()
    result = suggest_duos(candidates, line=line)
    seconds = time.perf_counter() - started
    peak = _peak_rss_mib()
    eligible = {c.person for c in candidates} - {
        u.person for u in result.unpaired if u.code == "too_few_scores"
    }
    engine = build_engine(
        [c for c in candidates if c.person in eligible], prior=result.prior, line=line
    )
    bound_started = time.perf_counter()
    bound = upper_bound(engine)
    values = {
        "people": n,
        "seconds": round(seconds, 3),
        "peak_rss_mib": round(peak, 1),
        "pairs": len(result.pairs),
        "unpaired": len(result.unpaired),
        "unpaired_no_gain": sum(1 for u in result.unpaired if u.code == "no_gain"),
        "total_score": round(result.total_score, 3),
        "total_gain": round(result.total_gain, 3),
        "upper_bound": round(bound, 3),
        "share_of_bound": round(result.total_gain / bound, 4),
        "bound_seconds": round(time.perf_counter() - bound_started, 1),
        "bonus_pairs": sum(1 for p in result.pairs if p.bonus),
        "gated_pairs": sum(1 for p in result.pairs if p.gate.applied),
        "stats": dict(result.stats),
        "settings": dict(result.settings),
    }
    sys.stdout.write(json.dumps(values) + "\n")


def measure(n: int, seed: int) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(n), "--seed", str(seed)],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    values: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    values["process_seconds"] = round(time.perf_counter() - started, 1)
    return values


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| people | suggest_duos s | peak RSS MiB | pairs | unpaired (no partner adds enough) "
        "| total weight | LP upper bound | share of bound | with bonus | gate applied |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['people']:,} | {r['seconds']} | {r['peak_rss_mib']} | {r['pairs']:,} "
            f"| {r['unpaired']:,} ({r['unpaired_no_gain']:,}) | {r['total_gain']:,} "
            f"| {r['upper_bound']:,} | {r['share_of_bound']:.2%} | {r['bonus_pairs']:,} "
            f"| {r['gated_pairs']:,} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", type=int)
    parser.add_argument("--sizes", default="1k,10k", help="comma-separated, e.g. 1k,10k")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.seed)
        return
    rows = []
    for size in args.sizes.split(","):
        n = parse_size(size)
        print(f"== {n:,} people", file=sys.stderr)
        rows.append(measure(n, args.seed))
    result = {
        "benchmark": "duos",
        "target": "10,000 people < 60 s (DESIGN §8)",
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "seed": args.seed,
        "synthetic": True,
        "runs": rows,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "duos.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(
        f"SYNTHETIC candidates (seed {args.seed}); one child process per size; "
        f"{os.cpu_count()} CPUs shared with other work.\n"
    )
    print(table(rows))


if __name__ == "__main__":
    main()
