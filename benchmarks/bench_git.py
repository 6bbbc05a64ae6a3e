"""Git history ingest, side by side: ``git log --numstat`` itself, Tandem, and PyDriller.

Usage::

    .venv/bin/python benchmarks/bench_git.py                 # synthetic repo (>= 50k commits)
    .venv/bin/python benchmarks/bench_git.py --repo ~/src/git --runs 3

Without ``--repo`` a realistic synthetic repository is generated with ``git fast-import`` and
cached under ``benchmarks/work/`` (many files in folders, a skewed author distribution, varying
files per commit, renames, merges, a .mailmap). Measured, each as a child process:

* ``git log --numstat -M`` with Tandem's options, one process: the reference (DESIGN §8 wants
  Tandem within 1.2× of it);
* Tandem's ingest as it runs by default: for a long history, several ``git log --no-walk``
  processes at once (the table says how many);
* Tandem with ``workers=1``: one history walk, as for a short history;
* PyDriller, on the first ``--pydriller-commits`` commits, extrapolated.

Wall time is the median of ``--runs`` (the runs are interleaved, so that all see the same page
cache state). Peak RSS is that of the whole process tree (the child and its git processes, which
run at the same time), sampled with psutil every 0.1 s; ``os.wait4``'s figure (the largest
single process) is kept in the JSON too. Results go to ``benchmarks/results/git.json``; a
Markdown table is printed. Other work on the machine distorts the parallel figures most: the CPU
time that other processes used during the runs (from ``/proc/stat``) is recorded and printed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent
WORK = ROOT / "work"
RESULTS = ROOT / "results"

TANDEM_CHILD = """
import json, sys, time, resource
from pathlib import Path
from tandem.lake import Lake
from tandem.sources.bots import DEFAULT_BOT_RULES
from tandem.sources.git import ingest_repository
from tandem.sources.git.ingest import default_workers
lake_root = Path(sys.argv[2]); lake_root.mkdir()
workers = None if sys.argv[3] == "default" else int(sys.argv[3])
start = time.perf_counter()
report = ingest_repository(lake=Lake(lake_root), path=Path(sys.argv[1]), rev=None,
                           bots=DEFAULT_BOT_RULES, workers=workers)
elapsed = time.perf_counter() - start
with Lake(lake_root).connect() as con:
    authors = sorted(k.removeprefix("email:") for (k,) in
                     con.execute("SELECT DISTINCT author_key FROM commits").fetchall())
print(json.dumps({"seconds_in_function": elapsed, "report": report.to_dict(),
  "author_emails": authors,
  "git_processes": min(workers or default_workers(report.commits_in_ref),
                       report.commits_in_ref),
  "python_max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

PYDRILLER_CHILD = """
import json, sys, time
from pydriller import Repository
limit = int(sys.argv[2])
start = time.perf_counter()
n = files = 0
for commit in Repository(sys.argv[1], order="reverse", include_refs=False).traverse_commits():
    commit.insertions, commit.deletions, commit.author.email, commit.committer_date
    for m in commit.modified_files:
        files += 1; m.added_lines, m.deleted_lines, m.old_path
    n += 1
    if n >= limit:
        break
print(json.dumps({"commits": n, "files": files, "seconds": time.perf_counter() - start}))
"""


# -- the synthetic repository -------------------------------------------------------------------


def synthetic_repo(commits: int, seed: int = 7) -> Path:
    """A cached repository with ``commits`` commits, generated with ``git fast-import``."""
    path = WORK / f"synthetic-{commits}"
    if (path / ".done").exists():
        return path
    if path.exists():
        subprocess.run(["rm", "-rf", str(path)], check=True)
    path.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "--bare", str(path)], check=True)
    rng = random.Random(seed)
    folders = [f"{a}/{b}" for a in ("src", "lib", "docs", "tests", "tools") for b in range(14)]
    words = [
        "alpha",
        "beta",
        "gamma",
        "delta",
        "epsilon",
        "zeta",
        "eta",
        "theta",
        "iota",
        "kappa",
        "lambda",
        "mu",
        "nu",
        "xi",
    ]

    def line() -> str:
        return " ".join(rng.choices(words, k=rng.randint(2, 9))) + "\n"

    files: dict[str, list[str]] = {}
    people = [(f"Dev {i:03d}", f"dev{i:03d}@example.com") for i in range(300)]
    weights = [1 / (i + 1) ** 1.1 for i in range(len(people))]  # a few people do most commits
    mailmap = "".join(
        f"Dev {i:03d} <dev{i:03d}@example.com> <dev{i:03d}@old.example.org>\n" for i in range(20)
    )
    zones = ["+0000", "+0100", "+0200", "-0500", "-0800", "+0530", "+0900", "-0300"]
    proc = subprocess.Popen(
        ["git", "fast-import", "--quiet", "--done"], cwd=path, stdin=subprocess.PIPE
    )
    assert proc.stdin is not None
    out = proc.stdin
    when = 1_300_000_000
    mark = 0
    main_mark = 0
    side_mark = 0
    side_changes: dict[str, str] = {}

    def blob_lines(data: str) -> bytes:
        raw = data.encode()
        return b"data %d\n" % len(raw) + raw + b"\n"

    def new_file() -> str:
        folder = rng.choice(folders)
        name = f"{folder}/f{len(files):05d}.{rng.choice(['py', 'c', 'md', 'txt'])}"
        files[name] = [line() for _ in range(rng.randint(5, 60))]
        return name

    for _ in range(40):
        new_file()
    for n in range(commits):
        mark += 1
        when += rng.randint(60, 20_000)
        author = rng.choices(people, weights)[0]
        if rng.random() < 0.03:  # an old address that the mailmap merges
            idx = int(author[0][4:])
            if idx < 20:
                author = (author[0], f"dev{idx:03d}@old.example.org")
        tz = zones[int(author[0][4:]) % len(zones)]
        on_side = side_mark and rng.random() < 0.3
        merge_now = side_mark and not on_side and rng.random() < 0.05
        ops: list[bytes] = []
        count = min(int(rng.paretovariate(1.3)), 60)
        for _ in range(count):
            roll = rng.random()
            if roll < 0.12 or len(files) < 50:
                name = new_file()
            elif roll < 0.14:
                old = rng.choice(list(files))
                name = old.rsplit(".", 1)[0] + "_r." + old.rsplit(".", 1)[1]
                files[name] = files.pop(old)
                ops.append(f"D {old}\n".encode())
                side_changes.pop(old, None)
                if rng.random() < 0.5:
                    files[name].append(line())
            elif roll < 0.15 and len(files) > 100:
                old = rng.choice(list(files))
                del files[old]
                side_changes.pop(old, None)
                ops.append(f"D {old}\n".encode())
                continue
            else:
                name = rng.choice(list(files))
                body = files[name]
                for _ in range(rng.randint(1, 6)):
                    pos = rng.randrange(len(body) + 1)
                    if rng.random() < 0.3 and body:
                        body.pop(min(pos, len(body) - 1))
                    else:
                        body.insert(pos, line())
            content = "".join(files[name])
            if on_side:
                side_changes[name] = content
            ops.append(f"M 100644 inline {name}\n".encode() + blob_lines(content))
        if n == 0:
            ops.append(b"M 100644 inline .mailmap\n" + blob_lines(mailmap))
        if merge_now:
            for name, content in side_changes.items():
                if name in files:
                    ops.append(f"M 100644 inline {name}\n".encode() + blob_lines(content))
        branch = "refs/heads/side" if on_side else "refs/heads/main"
        message = f"Change {n}: " + line().strip()
        header = (
            f"commit {branch}\nmark :{mark}\n"
            f"author {author[0]} <{author[1]}> {when} {tz}\n"
            f"committer {author[0]} <{author[1]}> {when} {tz}\n"
        ).encode() + blob_lines(message)
        parent = side_mark if on_side else main_mark
        if parent:
            header += f"from :{parent}\n".encode()
        if merge_now:
            header += f"merge :{side_mark}\n".encode()
        out.write(header + b"".join(ops) + b"\n")
        if on_side:
            side_mark = mark
        else:
            main_mark = mark
            if merge_now or (not side_mark and rng.random() < 0.02):
                side_mark, side_changes = main_mark, {}
                out.write(f"reset refs/heads/side\nfrom :{main_mark}\n\n".encode())
    out.write(b"done\n")
    out.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "symbolic-ref", "HEAD", "refs/heads/main"], cwd=path, check=True)
    subprocess.run(["git", "gc", "--quiet"], cwd=path, check=True)
    (path / ".done").write_text("ok\n")
    return path


# -- measuring ----------------------------------------------------------------------------------


OTHER_CPU: list[float] = []  # CPU seconds used by other processes during each measured run


def _busy_seconds() -> float:
    """CPU seconds spent by the whole machine (all CPUs) since boot, from /proc/stat."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    values = [int(v) for v in fields]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def spawn(argv: list[str], devnull: bool = False) -> tuple[float, int, int, bytes]:
    """Wall seconds, peak RSS of the process tree and of its largest process (KiB), stdout."""
    import psutil  # type: ignore[import-untyped]

    busy = _busy_seconds()
    start = time.perf_counter()
    sink = subprocess.DEVNULL if devnull else subprocess.PIPE
    proc = subprocess.Popen(argv, stdout=sink, stderr=subprocess.PIPE)
    chunks: list[bytes] = []
    err: list[bytes] = []
    readers = [_reader(proc.stderr, err)]
    if proc.stdout is not None:
        readers.append(_reader(proc.stdout, chunks))
    for reader in readers:
        reader.start()
    tree_peak = 0
    root = psutil.Process(proc.pid)
    while readers[0].is_alive():
        try:
            members = [root, *root.children(recursive=True)]
            total = 0
            for member in members:
                with contextlib.suppress(psutil.Error):
                    total += member.memory_info().rss
            tree_peak = max(tree_peak, total)
        except psutil.Error:
            pass
        readers[0].join(0.1)
    for reader in readers:
        reader.join()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = status
    OTHER_CPU.append(_busy_seconds() - busy - usage.ru_utime - usage.ru_stime)
    if status != 0:
        raise RuntimeError(f"{argv[:4]} failed: {b''.join(err).decode(errors='replace')[-2000:]}")
    return elapsed, tree_peak // 1024, usage.ru_maxrss, b"".join(chunks)


def _reader(pipe: IO[bytes] | None, into: list[bytes]) -> threading.Thread:
    def read() -> None:
        if pipe is not None:
            into.append(pipe.read())

    return threading.Thread(target=read, daemon=True)


TANDEM_CONFIGS = {"tandem": "default", "tandem_1": "1"}


def bench(repo: Path, runs: int, pydriller_commits: int) -> dict[str, Any]:
    from tandem.sources.git.log import LOG_OPTIONS
    from tandem.sources.git.repo import GIT_CONFIG

    python = sys.executable
    commits = int(
        subprocess.run(
            ["git", "-C", str(repo), "rev-list", "--count", "HEAD"], capture_output=True, check=True
        ).stdout
    )
    git_argv = [
        "git",
        *GIT_CONFIG,
        "-C",
        str(repo),
        "log",
        "--numstat",
        "-M",
        *LOG_OPTIONS,
        "HEAD",
        "--",
    ]
    OTHER_CPU.clear()
    git_runs: list[tuple[float, int, int]] = []
    tandem_runs: dict[str, list[dict[str, Any]]] = {name: [] for name in TANDEM_CONFIGS}
    for _ in range(runs):  # interleaved, so that all see the same page cache state
        seconds, tree, largest, _ = spawn(git_argv, devnull=True)
        git_runs.append((seconds, tree, largest))
        for name, workers in TANDEM_CONFIGS.items():
            with tempfile.TemporaryDirectory() as tmp:
                seconds, tree, largest, out = spawn(
                    [python, "-c", TANDEM_CHILD, str(repo), str(Path(tmp) / "lake"), workers]
                )
            child = json.loads(out)
            child.update(seconds=seconds, tree_rss_kib=tree, largest_rss_kib=largest)
            tandem_runs[name].append(child)
    seconds, tree, largest, out = spawn(
        [python, "-c", PYDRILLER_CHILD, str(repo), str(pydriller_commits)]
    )
    pyd = json.loads(out)

    mailmapped = subprocess.run(
        ["git", "-C", str(repo), "log", "--use-mailmap", "--format=%aE", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    expected_emails = sorted({e.lower() for e in mailmapped.split()})
    checks = {
        "commits_equal_rev_list_count": all(
            r["report"]["commits_total"] == commits for rs in tandem_runs.values() for r in rs
        ),
        "author_emails_equal_git_log_use_mailmap": all(
            r["author_emails"] == expected_emails for rs in tandem_runs.values() for r in rs
        ),
        "distinct_author_emails": len(expected_emails),
    }
    git_s = statistics.median(s for s, _, _ in git_runs)
    pyd_rate = pyd["commits"] / pyd["seconds"]
    result: dict[str, Any] = {
        "repo": display_name(repo),
        "commits": commits,
        "checks": checks,
        "runs": runs,
        # CPU seconds that other processes took during the runs (this script's sampling
        # included): on a busy machine the parallel figures suffer first.
        "other_cpu_seconds": sum(OTHER_CPU),
        "measured_seconds": 0.0,
        "git_log": {
            "seconds": git_s,
            "all_seconds": [s for s, _, _ in git_runs],
            "max_rss_mib": max(r for _, r, _ in git_runs) / 1024,
            "commits_per_s": commits / git_s,
            "git_processes": 1,
        },
    }
    for name, measured in tandem_runs.items():
        seconds = statistics.median(r["seconds"] for r in measured)
        result[name] = {
            "seconds": seconds,
            "all_seconds": [r["seconds"] for r in measured],
            "seconds_in_function": statistics.median(r["seconds_in_function"] for r in measured),
            "git_processes": measured[-1]["git_processes"],
            "max_rss_mib": max(r["tree_rss_kib"] for r in measured) / 1024,
            "largest_process_rss_mib": max(r["largest_rss_kib"] for r in measured) / 1024,
            "python_max_rss_mib": max(r["python_max_rss_kib"] for r in measured) / 1024,
            "commits_per_s": commits / seconds,
            "ratio_vs_git_log": seconds / git_s,
            "report": measured[-1]["report"],
        }
    result["pydriller"] = {
        "commits_measured": pyd["commits"],
        "seconds_for_slice": pyd["seconds"],
        "max_rss_mib": tree / 1024,
        "commits_per_s": pyd_rate,
        "extrapolated_seconds": commits / pyd_rate,
        "ratio_vs_git_log": (commits / pyd_rate) / git_s,
    }
    result["measured_seconds"] = sum(
        [*result["git_log"]["all_seconds"], pyd["seconds"]]
        + [sum(result[name]["all_seconds"]) for name in tandem_runs]
    )
    return result


def display_name(repo: Path) -> str:
    """The repository as the README shows it: relative to the project when inside it."""
    try:
        return str(repo.relative_to(ROOT.parent))
    except ValueError:
        return repo.name


def table(result: dict[str, Any]) -> str:
    g, p, checks = result["git_log"], result["pydriller"], result["checks"]
    rows = [
        "| tool | git processes | wall s (median) | commits/s | peak RSS MiB | × git log |",
        "|---|---:|---:|---:|---:|---:|",
        f"| git log --numstat | 1 | {g['seconds']:.2f} | {g['commits_per_s']:,.0f} "
        f"| {g['max_rss_mib']:.0f} | 1.00 |",
    ]
    for name, label in (("tandem", "Tandem ingest (default)"), ("tandem_1", "Tandem, workers=1")):
        t = result[name]
        rows.append(
            f"| {label} | {t['git_processes']} | {t['seconds']:.2f} | {t['commits_per_s']:,.0f} "
            f"| {t['max_rss_mib']:.0f} (Python {t['python_max_rss_mib']:.0f}) "
            f"| {t['ratio_vs_git_log']:.2f} |"
        )
    rows.append(
        f"| PyDriller ({p['commits_measured']:,} commits, extrapolated) | 1 "
        f"| {p['extrapolated_seconds']:.1f} "
        f"| {p['commits_per_s']:,.0f} | {p['max_rss_mib']:.0f} | {p['ratio_vs_git_log']:.1f} |"
    )
    return (
        f"**{result['repo']}** — {result['commits']:,} commits, {os.cpu_count()} CPUs; other "
        f"processes used {result['other_cpu_seconds']:.1f} CPU s during "
        f"{result['measured_seconds']:.0f} s of runs\n\n" + "\n".join(rows) + "\n\n"
        f"Checks on Tandem's lake: commits = `git rev-list --count HEAD`: "
        f"**{'yes' if checks['commits_equal_rev_list_count'] else 'NO'}**; distinct author "
        f"emails = `git log --use-mailmap` ({checks['distinct_author_emails']:,}): "
        f"**{'yes' if checks['author_emails_equal_git_log_use_mailmap'] else 'NO'}**"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, help="a local clone (default: synthetic)")
    parser.add_argument(
        "--commits", type=int, default=52_000, help="synthetic commits (a few stay off main)"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pydriller-commits", type=int, default=2_000)
    parser.add_argument("--output", type=Path, default=RESULTS / "git.json")
    args = parser.parse_args()
    repo = args.repo.resolve() if args.repo else synthetic_repo(args.commits)
    result = bench(repo, args.runs, args.pydriller_commits)
    result["machine"] = {
        "cpus": os.cpu_count(),
        "git": subprocess.run(
            ["git", "--version"], capture_output=True, text=True, check=True
        ).stdout.strip(),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(args.output.read_text()) if args.output.exists() else {}
    previous[result["repo"]] = result
    args.output.write_text(json.dumps(previous, indent=1) + "\n")
    print(table(result))


if __name__ == "__main__":
    main()
