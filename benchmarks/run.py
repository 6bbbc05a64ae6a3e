"""Run every benchmark side by side with its reference tool and refresh ``benchmarks/README.md``.

Each benchmark script measures Tandem and the reference (``git log``, PyDriller, PM4Py; for duo
matching an LP upper bound; for CLI start-up ``python -c pass``; for the web pages and the
GitHub sync, which have none here, DESIGN §8's target or the measurement alone) as
child processes of one run, writes its JSON under ``benchmarks/results/`` and prints a Markdown
table; this script runs them in turn and puts each table into the README between its markers.

    .venv/bin/python benchmarks/run.py [git] [xes] [flow] [duos] [web] [signin] [cli] [sync]
        [allocation]
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = {
    "git": "bench_git.py",
    "xes": "bench_xes.py",
    "flow": "bench_flow.py",
    "duos": "bench_duos.py",
    "web": "bench_web.py",
    "signin": "bench_signin.py",
    "cli": "bench_cli.py",
    "sync": "bench_sync.py",
    "allocation": "bench_allocation.py",
}


def run(name: str) -> str:
    """Run one benchmark script; return the Markdown it printed."""
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    done = subprocess.run(
        [sys.executable, str(HERE / BENCHMARKS[name])],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return f"_Measured {started} by `make bench`._\n\n{done.stdout.strip()}\n"


def update_readme(sections: dict[str, str]) -> None:
    """Replace each ``<!-- bench:NAME -->`` … ``<!-- /bench:NAME -->`` block of the README."""
    readme = HERE / "README.md"
    text = readme.read_text(encoding="utf-8")
    for name, body in sections.items():
        pattern = re.compile(rf"(<!-- bench:{name} -->\n).*?(<!-- /bench:{name} -->)", re.DOTALL)
        if not pattern.search(text):
            raise SystemExit(f"{readme}: no <!-- bench:{name} --> block")
        text = pattern.sub(lambda m, body=body: m.group(1) + body + m.group(2), text)
    readme.write_text(text, encoding="utf-8")


def main() -> None:
    names = sys.argv[1:] or list(BENCHMARKS)
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        raise SystemExit(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    sections = {}
    for name in names:
        print(f"== {name}", file=sys.stderr)
        sections[name] = run(name)
        print(sections[name])
    update_readme(sections)


if __name__ == "__main__":
    main()
