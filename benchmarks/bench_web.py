"""Web pages on a 1 M-event workspace: latency at 20 concurrent signed-in users (DESIGN §8).

Target: p95 < 300 ms at 20 concurrent users on loopback.

The workspace (cached under ``benchmarks/work/web-1M-s7/``) holds the synthetic 1 M-event log of
``generate_log.py`` and the demo's SYNTHETIC organisation: its 32 invented people linked to the
32 busiest resources of the log (eight per team, as ``tandem demo`` does with the incident log),
its closed 360 cycle and its demo sign-ins. ``tandem serve`` runs it in a subprocess (one
uvicorn worker, as shipped). Each client signs in through the real form (its own session) as
the demo leader or the demo manager of team Beacon, both of whom may open every measured page.

Then: the first, cold answer of each page (the server has just started: its caches are empty or
being filled by its start-up warm-up, which runs in the background), a warm-up (every page
opened once by every client, one at a time; its latencies are reported apart), a wait for the
server's start-up warm-up to finish (its duration is reported; the load is not measured while it
still computes), and the load: ``--clients`` threads, each with its own
keep-alive connection, each requesting ``--rounds`` times every page in a shuffled order, as fast
as answers come (no think time, so this is harsher than 20 people clicking). Latency is from
sending the request to reading the whole body; an error is any answer but 200.

The clients run in this process (Python threads) on the same machine as the server, so they
take some of its CPU: the numbers are an upper bound of what a remote browser would see. The
machine's load average (1 min) before and after is recorded: other work on the machine shows
there.

    .venv/bin/python benchmarks/bench_web.py [--events 1M] [--clients 20] [--rounds 25]

Writes ``benchmarks/results/web.json`` and prints a Markdown table. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_log import WORK, generate, parse_size, size_label

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "web.json"
PAGES = ("/", "/how", "/people/me", "/coverage", "/why", "/manage/check-ins")
ROLES = ("leader", "manager")
TARGET_P95_MS = 300.0
SOURCE = "bench-flow"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_WARM = re.compile(r"Caches warm in ([0-9.]+) s")
WARM_WAIT_SECONDS = 900
BUILD_VERSION = 2  # 2: team Beacon's goals on the log (the why and check-ins pages)


def build_workspace(events: int, seed: int, *, rebuild: bool) -> tuple[Path, dict[str, Any]]:
    """The benchmark workspace (built once, then reused): the log, the demo org and sign-ins."""
    from tandem.demo.identities import build_demo_links
    from tandem.demo.org import build_demo_org
    from tandem.demo.users import build_demo_users
    from tandem.ingest import service
    from tandem.sources.contracts import ColumnMapping
    from tandem.workspace import Workspace

    root = WORK / f"web-{size_label(events)}-s{seed}"
    ready = root / ".bench-ready.json"
    if ready.exists() and not rebuild:
        info: dict[str, Any] = json.loads(ready.read_text())
        if info.get("version") == BUILD_VERSION:
            return root, info
    if root.exists():
        shutil.rmtree(root)
    log = generate(events, seed=seed)
    print(f"building {root.name}: ingesting {log.name}", file=sys.stderr)
    started = time.perf_counter()
    Workspace.create(root)
    # the synthetic log's clock runs years past today: widen the sane-timestamp window for it
    with (root / "tandem.toml").open("a") as settings:
        settings.write("\n[ingest]\nlatest_ahead_days = 36600\n")
    workspace = Workspace.open(root)
    ingest = service.ingest_events(
        workspace=workspace, path=log, columns=ColumnMapping(), source=SOURCE
    )
    build_demo_org(workspace=workspace)
    links = build_demo_links(workspace=workspace, source=SOURCE)
    build_demo_users(workspace=workspace)
    goals = build_goals(workspace)
    info = {
        "version": BUILD_VERSION,
        "log": log.name,
        "events": ingest["events"],
        "cases": ingest["cases"],
        "people_linked": links["linked"],
        "key_results": goals,
        "build_seconds": round(time.perf_counter() - started, 1),
    }
    ready.write_text(json.dumps(info))
    return root, info


def build_goals(workspace: Any) -> int:
    """Team Beacon's goal over the last quarter of the synthetic log's busy two years (its
    clock starts on 2024-01-01), with metric key results on it (P85 cycle time, throughput,
    WIP over 30-day windows) as the demo binds them to its log: what ``/why`` and
    ``/manage/check-ins`` measure. Returns how many key results."""
    import datetime as dt

    from sqlalchemy import select

    from tandem.db.session import session_scope
    from tandem.people.models import Membership, Team
    from tandem.why.goals import service as goals
    from tandem.why.goals.metrics import parse_spec

    specs = {
        "P85 cycle time under 5 days": ("cycle_time:p85", 5.0),
        "Throughput of 300 items a week": ("throughput", 300.0),
        "At most 400 items in progress": ("wip", 400.0),
    }
    with session_scope(workspace.engine) as session:
        team = session.scalars(select(Team).where(Team.name == "Beacon")).one()
        leader = session.scalar(
            select(Membership.person_id).where(
                Membership.team_id == team.id, Membership.role == "leader"
            )
        )
        goal = goals.add_goal(
            session=session, team=team.id, owner=leader, title="BENCH: faster, calmer flow",
            starts_on=dt.date(2025, 10, 1), ends_on=dt.date(2025, 12, 31),
        )  # fmt: skip
        for title, (metric, target) in specs.items():
            goals.add_key_result(
                session=session, workspace=workspace, team=team.id, goal_id=goal.id,
                title=title, metric=parse_spec(f"{metric},source={SOURCE},window=30"),
                target=target,
            )  # fmt: skip
    return len(specs)


def wait_for_server_warm_up(log: Path, timeout: float = WARM_WAIT_SECONDS) -> float | None:
    """The duration of the server's start-up warm-up, once its log says it is done."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = _WARM.search(log.read_text(errors="replace"))
        if found:
            return float(found.group(1))
        time.sleep(0.5)
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(root: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    tandem = Path(sys.executable).with_name("tandem")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(tandem), "serve", "--workspace", str(root), "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"tandem serve exited:\n{log.read_text()}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/login")
            if conn.getresponse().status == 200:
                conn.close()
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"tandem serve did not answer within 60 s:\n{log.read_text()}")


class Client:
    """One signed-in user on one keep-alive connection."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}

    def _headers(self) -> dict[str, str]:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {"Cookie": cookie} if cookie else {}

    def _keep_cookies(self, response: http.client.HTTPResponse) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in header or "expires=Thu, 01 Jan 1970" in header:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        headers = self._headers()
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()  # the server closed a kept-alive connection: reconnect once
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        data = response.read()
        self._keep_cookies(response)
        return response.status, data

    def sign_in(self, email: str, password: str) -> None:
        status, page = self.request("GET", "/login")
        found = _CSRF.search(page.decode())
        if status != 200 or not found:
            raise SystemExit(f"GET /login answered {status} without a CSRF token")
        form = urllib.parse.urlencode(
            {"email": email, "password": password, "csrf_token": found.group(1), "next": "/"}
        )
        status, _ = self.request("POST", "/login", form)
        if status != 303:
            raise SystemExit(f"signing in as {email} answered {status}")

    def timed(self, path: str) -> tuple[float, int]:
        started = time.perf_counter()
        status, _ = self.request("GET", path)
        return time.perf_counter() - started, status


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0–1) by linear interpolation."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarise(samples: list[tuple[str, float, int]]) -> dict[str, Any]:
    pages: dict[str, Any] = {}
    for page in PAGES:
        times = [s * 1000 for p, s, _ in samples if p == page]
        errors = sum(1 for p, _, status in samples if p == page and status != 200)
        pages[page] = {
            "requests": len(times),
            "errors": errors,
            "p50_ms": round(percentile(times, 0.50), 1),
            "p95_ms": round(percentile(times, 0.95), 1),
            "p99_ms": round(percentile(times, 0.99), 1),
            "max_ms": round(max(times), 1) if times else None,
            "mean_ms": round(statistics.fmean(times), 1) if times else None,
        }
    everything = [s * 1000 for _, s, _ in samples]
    pages["all"] = {
        "requests": len(everything),
        "errors": sum(1 for *_, status in samples if status != 200),
        "p50_ms": round(percentile(everything, 0.50), 1),
        "p95_ms": round(percentile(everything, 0.95), 1),
        "p99_ms": round(percentile(everything, 0.99), 1),
        "max_ms": round(max(everything), 1),
        "mean_ms": round(statistics.fmean(everything), 1),
    }
    return pages


def run(args: argparse.Namespace) -> dict[str, Any]:
    from tandem.demo.users import demo_password, planned_accounts

    events = parse_size(args.events)
    root, workspace_info = build_workspace(events, args.seed, rebuild=args.rebuild)
    accounts = {plan.role: plan.email for plan in planned_accounts()}
    port = _free_port()
    load_before = os.getloadavg()[0]
    log = root.parent / f"{root.name}-serve.log"
    server = start_server(root, port, log)
    try:
        clients = []
        for i in range(args.clients):
            role = ROLES[i % len(ROLES)]
            client = Client(port)
            client.sign_in(accounts[role], demo_password(role))
            clients.append(client)

        cold: dict[str, float] = {}
        for page in PAGES:  # the first answer of each page, nothing cached yet
            seconds, status = clients[0].timed(page)
            if status != 200:
                raise SystemExit(f"{page} answered {status} for the leader")
            cold[page] = round(seconds * 1000, 1)
        warm: dict[str, list[float]] = {page: [] for page in PAGES}
        for client in clients:  # warm-up: every client, every page, one at a time
            for page in PAGES:
                warm[page].append(client.timed(page)[0] * 1000)
        warmup = {
            page: {"median_ms": round(statistics.median(v), 1), "max_ms": round(max(v), 1)}
            for page, v in warm.items()
        }
        server_warmup = wait_for_server_warm_up(log)
        alone: dict[str, float] = {}  # one user alone, warm: the service time without queueing
        for page in PAGES:
            times = [clients[0].timed(page)[0] for _ in range(5)]
            alone[page] = round(statistics.median(times) * 1000, 1)

        samples: list[tuple[str, float, int]] = []
        lock = threading.Lock()
        barrier = threading.Barrier(len(clients))

        def load(index: int, client: Client) -> None:
            rng = random.Random(args.seed * 1000 + index)
            order = [page for _ in range(args.rounds) for page in PAGES]
            rng.shuffle(order)
            mine = []
            barrier.wait()
            for page in order:
                seconds, status = client.timed(page)
                mine.append((page, seconds, status))
            with lock:
                samples.extend(mine)

        threads = [
            threading.Thread(target=load, args=(i, c), daemon=True) for i, c in enumerate(clients)
        ]
        cpu_before = os.times()
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        cpu_after = os.times()
        load_after = os.getloadavg()[0]
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    pages = summarise(samples)
    return {
        "target": f"p95 < {TARGET_P95_MS:g} ms at {args.clients} concurrent users on loopback",
        "met": all(pages[p]["p95_ms"] < TARGET_P95_MS and not pages[p]["errors"] for p in PAGES),
        "workspace": workspace_info,
        "clients": args.clients,
        "rounds": args.rounds,
        "roles": list(ROLES),
        "wall_seconds": round(wall, 2),
        "requests_per_second": round(len(samples) / wall, 1),
        "client_cpu_seconds": round(
            (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system), 2
        ),
        "cold_ms": cold,
        "warmup_ms": warmup,
        "server_warmup_seconds": server_warmup,
        "alone_ms": alone,
        "load_average_1min": {"before": round(load_before, 2), "after": round(load_after, 2)},
        "pages": pages,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def table(result: dict[str, Any]) -> str:
    ws = result["workspace"]
    lines = [
        f"**{ws['events']:,} events, {ws['cases']:,} cases** (`{ws['log']}`) with the demo "
        f"organisation ({ws['people_linked'] or 32} people linked to the busiest resources); "
        f"{result['clients']} concurrent signed-in clients × {result['rounds']} rounds of "
        f"{len(PAGES)} pages, no think time; {result['machine']['cpus']} CPUs shared by server "
        f"and clients. Target: {result['target']} — **{'met' if result['met'] else 'not met'}**.",
        "",
        "| page | requests | errors | p50 ms | p95 ms | p99 ms | max ms | alone ms | warm-up ms "
        "| cold ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for page in (*PAGES, "all"):
        row = result["pages"][page]
        cold = result["cold_ms"].get(page, "—")
        alone = result["alone_ms"].get(page, "—")
        warmup = result["warmup_ms"].get(page, {}).get("median_ms", "—")
        lines.append(
            f"| `{page}` | {row['requests']:,} | {row['errors']} | {row['p50_ms']} | "
            f"{row['p95_ms']} | {row['p99_ms']} | {row['max_ms']} | {alone} | {warmup} | {cold} |"
        )
    lines.append("")
    load = result["load_average_1min"]
    warmed = result["server_warmup_seconds"]
    lines.append(
        f"{result['requests_per_second']} requests/s over {result['wall_seconds']} s; "
        "alone = median of 5 warm requests by one client with nobody else (the service time); "
        "cold = the page's first answer right after the server started (its start-up warm-up "
        "still computing); warm-up = median of the first answer to each client, one at a "
        "time. The server's start-up warm-up took "
        f"{'—' if warmed is None else f'{warmed:g}'} s and the load was measured after it; "
        f"load average (1 min) {load['before']} before, {load['after']} after."
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", default="1M")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=25, help="times each client opens each page")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached workspace")
    args = parser.parse_args()
    result = run(args)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(table(result))


if __name__ == "__main__":
    main()
