"""Ingest through the command line: the JSON contract, people, re-runs and killed runs."""

from __future__ import annotations

import csv
import gzip
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.helpers import DATA, new_workspace, run_cli
from tests.sources.gitrepo import build_history, git


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    new_workspace(tmp_path / "ws")
    return tmp_path / "ws"


def status(ws: Path) -> dict[str, object]:
    data = run_cli("status", "-w", ws, "--json").json()
    return {"tables": data["tables"], "database": data["database"], "batches": data["batches"]}


def test_ingest_git_json_contract_and_people(ws: Path, tmp_path: Path) -> None:
    repo = build_history(tmp_path / "repo")
    result = run_cli("ingest", "git", repo.path, "-w", ws, "--json")
    assert result.exit_code == 0, result.stderr
    data = result.json()
    in_ref = int(git(repo.path, "rev-list", "--count", "HEAD"))
    assert data["commits_added"] == data["commits_total"] == in_ref
    assert data["missing_blobs"] == 0
    emails = set(git(repo.path, "log", "--use-mailmap", "--format=%aE%n%cE").lower().split())
    assert data["identities"] == len(emails)

    people = run_cli("people", "list", "-w", ws, "--json").json()["people"]
    keys = {i["identity_key"]: p for p in people for i in p["identities"]}
    assert set(keys) == {f"email:{e}" for e in emails}
    assert "email:alice@old.example.org" not in keys  # .mailmap folded it into alice@example.com
    bots = [p["display_name"] for p in people if p["is_bot"]]
    assert bots == ["dependabot[bot]"]

    again = run_cli("ingest", "git", repo.path, "-w", ws, "--json").json()
    assert again["commits_added"] == 0
    assert again["people"]["identities_added"] == 0
    assert again["commits_total"] == in_ref


def test_ingest_events_json_contract(ws: Path) -> None:
    path = DATA / "sepsis.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    result = run_cli("ingest", "events", path, "-w", ws, "--json")
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["events_added"] == data["events"] == len(rows)
    assert data["cases"] == len({r["case_id"] for r in rows})
    assert data["activities"] == len({r["activity"] for r in rows})
    assert status(ws)["tables"]["events"] == len(rows)  # type: ignore[index]
    assert run_cli("ingest", "events", path, "-w", ws, "--json").json()["events_added"] == 0


def test_bad_input_through_the_cli_is_one_line_exit_2_and_changes_nothing(
    ws: Path, tmp_path: Path
) -> None:
    before = status(ws)
    bad = tmp_path / "log.csv"
    bad.write_text("case_id,activity,timestamp\nc1,Open,2024-01-01 10:00\nc1,Close,yesterday\n")
    result = run_cli("ingest", "events", bad, "-w", ws)
    assert result.exit_code == 2
    assert str(bad) in result.stderr
    assert "line 3" in result.stderr or "row" in result.stderr
    assert "Traceback" not in result.stderr
    not_repo = run_cli("ingest", "git", tmp_path, "-w", ws)
    assert not_repo.exit_code == 2
    assert str(tmp_path) in not_repo.stderr
    assert status(ws) == before


# Runs the real CLI in a child process that SIGKILLs itself at a chosen point of the lake write:
# right after the first rows are staged, or with every new file written but before the manifest
# names them. The point is reached on any machine, however fast or loaded: no timing involved.
KILLED_CLI = textwrap.dedent(
    """
    import os, signal, sys
    from tandem.cli.app import main
    from tandem.lake import store, writer

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    point = sys.argv.pop(1)
    if point == "while-staging":
        stage = writer.Batch.write

        def stage_then_die(self, *args, **kwargs):
            stage(self, *args, **kwargs)
            assert any(self.staging.iterdir())
            die()

        writer.Batch.write = stage_then_die
    elif point == "before-manifest":
        store.Lake.write_manifest = die
    sys.argv[0] = "tandem"
    main()
    """
)
KILL_POINTS = ["while-staging", "before-manifest"]


def _run_killed(point: str, *args: str | Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_CLI, point, *map(str, args)], capture_output=True
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()


def _copied_event_log(path: Path, copies: int, source: str = "sepsis.csv.gz") -> int:
    """A real log repeated with case ids none of the original has; returns its row count."""
    with gzip.open(DATA / source, "rt", encoding="utf-8", newline="") as src:
        reader = csv.reader(src)
        header = next(reader)
        rows = list(reader)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for copy in range(copies):
            writer.writerows([f"{r[0]}-copy{copy}", *r[1:]] for r in rows)
    return len(rows) * copies


@pytest.mark.parametrize("point", KILL_POINTS)
def test_an_event_ingest_killed_midway_leaves_status_as_before(
    ws: Path, tmp_path: Path, point: str
) -> None:
    run_cli("ingest", "events", DATA / "sepsis.csv.gz", "-w", ws)
    before = status(ws)
    log = tmp_path / "copied.csv"
    rows = _copied_event_log(log, copies=1)
    _run_killed(point, "ingest", "events", log, "-w", ws)
    assert status(ws) == before
    done = run_cli("ingest", "events", log, "-w", ws, "--json")
    assert done.exit_code == 0, done.stderr
    assert done.json()["events_added"] == rows


def _long_history(path: Path, commits: int) -> None:
    """A repository with ``commits`` commits, written quickly with git fast-import."""
    git_dir = path
    path.mkdir()
    git(git_dir, "init", "-q", "-b", "main")
    lines = []
    for n in range(commits):
        body = f"line {n}\n".encode()
        message = f"change {n}".encode()
        who = f"Dev {n % 7} <dev{n % 7}@example.com> {1_600_000_000 + n * 60} +0000"
        lines.append(
            b"commit refs/heads/main\n"
            + f"committer {who}\n".encode()
            + b"data %d\n%s\n" % (len(message), message)
            + b"M 100644 inline file%d.txt\ndata %d\n%s\n" % (n % 50, len(body), body)
        )
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=git_dir, input=b"".join(lines), check=True
    )


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_git_ingest_killed_midway_leaves_status_as_before(
    ws: Path, tmp_path: Path, point: str
) -> None:
    small = build_history(tmp_path / "small")
    run_cli("ingest", "git", small.path, "-w", ws)
    before = status(ws)
    repo = tmp_path / "long"
    _long_history(repo, 300)
    _run_killed(point, "ingest", "git", repo, "-w", ws)
    assert status(ws) == before
    done = run_cli("ingest", "git", repo, "-w", ws, "--json").json()
    assert done["commits_added"] == 300
