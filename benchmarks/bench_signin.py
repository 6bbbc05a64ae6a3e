"""The sign-in throttle under parallel guessing: guesses checked per window (issue 9 §4).

Target: however many clients guess one account's password at once, no more than the allowed
failures per window (``MAX_FAILURES_PER_EMAIL``, 5 per 15 minutes) are checked; every other try
is refused with 429 before its password is looked at. Before the fix, 30 parallel tries got
18–19 guesses (this script: 14 with 10 clients, 19 with 30).

A throwaway workspace (``benchmarks/work/signin/``) holds one account; ``tandem serve`` runs it
in a subprocess on 127.0.0.1 (one uvicorn worker, as shipped). For each number of parallel
clients N, ``--tries`` wrong-password sign-ins in all (30 by default) are split over N clients,
each with its own connection and CSRF cookie, all released at once by a barrier; each answer is
counted: 401 = a guess checked, 429 = throttled, anything else = an error. The throttle's rows
are cleared between rounds (each round is a fresh window; all clients share one loopback
address, whose own limit is 20 per window). Loopback only; a bounded number of requests.

    .venv/bin/python benchmarks/bench_signin.py [--tries 30] [--clients 1,5,10,30]

Writes ``benchmarks/results/signin.json`` and prints a Markdown table. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import sys
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_web import Client, _free_port, start_server
from generate_log import WORK

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "signin.json"
EMAIL = "target@example.org"
PASSWORD = "correct horse battery staple"  # the benchmark's own throwaway account
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
MAX_TRIES = 200  # bounded: this is a throttle check, not a load test


def build_workspace() -> Path:
    """A fresh workspace with the one account the clients guess at."""
    from tandem.accounts import service
    from tandem.db.session import session_scope
    from tandem.workspace import Workspace

    root = WORK / "signin"
    if root.exists():
        shutil.rmtree(root)
    workspace = Workspace.create(root)
    with session_scope(workspace.engine) as session:
        service.add_user(session=session, email=EMAIL, password=PASSWORD, role="member")
    return root


def clear_throttle(root: Path) -> None:
    """Start a fresh window: forget every recorded sign-in attempt."""
    from sqlalchemy import delete

    from tandem.accounts.models import LoginAttempt
    from tandem.db.session import session_scope
    from tandem.workspace import Workspace

    with session_scope(Workspace.open(root).engine) as session:
        session.execute(delete(LoginAttempt))


def guessing_client(port: int) -> tuple[Client, str]:
    """A client holding the sign-in form's CSRF cookie and token."""
    client = Client(port)
    status, page = client.request("GET", "/login")
    found = _CSRF.search(page.decode())
    if status != 200 or not found:
        raise SystemExit(f"GET /login answered {status} without a CSRF token")
    return client, found.group(1)


def one_round(port: int, clients: int, tries: int) -> dict[str, Any]:
    """``tries`` wrong passwords split over ``clients`` parallel clients; answers counted."""
    per_client = [tries // clients + (1 if i < tries % clients else 0) for i in range(clients)]
    guessers = [guessing_client(port) for _ in range(clients)]
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def guess(index: int) -> None:
        client, token = guessers[index]
        mine: Counter[int] = Counter()
        barrier.wait()
        for attempt in range(per_client[index]):
            form = urllib.parse.urlencode(
                {"email": EMAIL, "password": f"wrong guess {index}-{attempt}", "csrf_token": token}
            )
            status, _ = client.request("POST", "/login", form)
            mine[status] += 1
        with lock:
            statuses.update(mine)

    threads = [threading.Thread(target=guess, args=(i,), daemon=True) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        "clients": clients,
        "tries": tries,
        "guesses_checked": statuses.get(401, 0),
        "throttled": statuses.get(429, 0),
        "signed_in": statuses.get(303, 0),
        "errors": sum(n for status, n in statuses.items() if status not in (401, 429, 303)),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "wall_seconds": round(wall, 2),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    from tandem.accounts.service import MAX_FAILURES_PER_EMAIL, THROTTLE_WINDOW

    if args.tries > MAX_TRIES:
        raise SystemExit(f"--tries is at most {MAX_TRIES}")
    counts = sorted({int(n) for n in args.clients.split(",")})
    root = build_workspace()
    port = _free_port()
    log = root.parent / "signin-serve.log"
    server = start_server(root, port, log)
    rounds = []
    try:
        for clients in counts:
            clear_throttle(root)
            rounds.append(one_round(port, min(clients, args.tries), args.tries))
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except Exception:
            server.kill()
    allowed = MAX_FAILURES_PER_EMAIL
    return {
        "target": f"at most {allowed} guesses per {THROTTLE_WINDOW.seconds // 60}-minute window",
        "met": all(r["guesses_checked"] <= allowed and not r["errors"] for r in rounds),
        "allowed_per_window": allowed,
        "rounds": rounds,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def table(result: dict[str, Any]) -> str:
    lines = [
        f"`tandem serve` on 127.0.0.1 (one worker); one account; each round is a fresh window. "
        f"Target: {result['target']}, however many clients guess at once — "
        f"**{'met' if result['met'] else 'not met'}**.",
        "",
        "| parallel clients | tries | guesses checked (401) | throttled (429) | errors | wall s |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["rounds"]:
        lines.append(
            f"| {r['clients']} | {r['tries']} | {r['guesses_checked']} | {r['throttled']} | "
            f"{r['errors']} | {r['wall_seconds']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tries", type=int, default=30, help="wrong passwords per round")
    parser.add_argument("--clients", default="1,5,10,30", help="parallel clients per round")
    args = parser.parse_args()
    if args.tries < 1:
        raise SystemExit("--tries must be at least 1")
    result = run(args)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(table(result))


if __name__ == "__main__":
    main()
