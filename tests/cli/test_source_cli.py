"""`tandem source` and `tandem sync` through the command line, against the replay server."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tandem.sources.http import SystemClock
from tandem.sources.replay import Fault, ReplayServer, github_server
from tandem.workspace import Workspace
from tests.helpers import new_workspace, run_cli

TOKEN = "ghp_TandemFakeToken_7b1f0c9e42d8a6_DO_NOT_LEAK"


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    new_workspace(tmp_path / "ws")
    return tmp_path / "ws"


@pytest.fixture(scope="module")
def server() -> Iterator[ReplayServer]:
    with github_server() as running:
        yield running


def add(ws: Path, server: ReplayServer, *extra: str) -> None:
    result = run_cli(
        "source",
        "add",
        "github",
        "--repo",
        "panjf2000/ants",
        "--url",
        server.url,
        "-w",
        ws,
        "--json",
        *extra,
    )
    assert result.exit_code == 0, result.stderr


def test_add_list_remove_keep_the_rest_of_tandem_toml(ws: Path, server: ReplayServer) -> None:
    before = (ws / "tandem.toml").read_text()
    add(ws, server, "--incident-label", "sev")
    text = (ws / "tandem.toml").read_text()
    assert text.startswith(before.rstrip("\n"))  # comments and settings kept
    config = tomllib.loads(text)["sources"]["ants"]
    assert config["repo"] == "panjf2000/ants" and config["token_env"] == "GITHUB_TOKEN"
    assert config["options"]["incident_label"] == "sev"
    add(ws, server, "--incident-label", "outage")  # the same name replaces, never duplicates
    assert (
        tomllib.loads((ws / "tandem.toml").read_text())["sources"]["ants"]["options"][
            "incident_label"
        ]
        == "outage"
    )
    listed = run_cli("source", "list", "-w", ws, "--json").json()["sources"]
    assert [(s["name"], s["kind"], s["synced_until"]) for s in listed] == [("ants", "github", None)]
    assert run_cli("source", "remove", "ants", "-w", ws, "--json").json() == {"removed": "ants"}
    assert (ws / "tandem.toml").read_text().rstrip("\n") == before.rstrip("\n")
    missing = run_cli("source", "remove", "ants", "-w", ws)
    assert missing.exit_code == 2 and "no source 'ants'" in missing.stderr


def test_bad_config_names_the_field_and_writes_nothing(ws: Path, server: ReplayServer) -> None:
    before = (ws / "tandem.toml").read_text()
    bad = run_cli("source", "add", "github", "--repo", "not a repo", "-w", ws, "--name", "x")
    assert bad.exit_code == 2
    assert "sources.x.repo" in bad.stderr and "owner/name" in bad.stderr
    bad_url = run_cli("source", "add", "github", "--repo", "a/b", "--url", "ftp://x", "-w", ws)
    assert bad_url.exit_code == 2 and "sources.b.url" in bad_url.stderr
    bad_name = run_cli("source", "add", "github", "--repo", "a/b", "--name", "@x", "-w", ws)
    assert bad_name.exit_code == 2 and "'name'" in bad_name.stderr
    assert (ws / "tandem.toml").read_text() == before
    (ws / "tandem.toml").write_text(before + '\n[sources.y]\nkind = "gitlub"\nurl = "x"\n')
    unknown = run_cli("sync", "-w", ws)
    assert unknown.exit_code == 2 and "sources.y.kind" in unknown.stderr


def test_missing_token_variable_stops_before_anything_is_written(
    ws: Path, server: ReplayServer
) -> None:
    add(ws, server, "--token-env", "TANDEM_TEST_NO_SUCH_TOKEN")
    result = run_cli("sync", "-w", ws, env={"TANDEM_TEST_NO_SUCH_TOKEN": None})
    assert result.exit_code == 2
    assert "sources.ants.token_env" in result.stderr
    assert "TANDEM_TEST_NO_SUCH_TOKEN" in result.stderr
    status = run_cli("status", "-w", ws, "--json").json()
    assert sum(status["tables"].values()) == 0 and status["batches"] == 0


def test_sync_writes_no_secret_anywhere(
    ws: Path, server: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the failing sync below retries on the wall clock: its backoff must not really sleep
    monkeypatch.setattr(SystemClock, "sleep", lambda _self, _seconds: None)
    add(ws, server)
    server.requests.clear()
    env = {"GITHUB_TOKEN": TOKEN, "COLUMNS": "200"}
    first = run_cli("sync", "-w", ws, "--json", env=env)
    assert first.exit_code == 0, first.stderr
    report = first.json()["sources"][0]
    assert report["fetched"]["pulls"] > 0 and report["added"]["events"] > 0
    assert first.json()["people"]["identities_added"] > 0
    assert all(r.headers.get("authorization") == "<present>" for r in server.requests)
    text = run_cli("sync", "-w", ws, env=env)
    assert text.exit_code == 0 and "unchanged (304)" in text.stdout
    listed = run_cli("source", "list", "-w", ws, "--json", env=env)
    server.faults.add(Fault("status", at=1, status=500, times=100))
    failed = run_cli("sync", "-w", ws, env=env)
    server.faults.clear()
    assert failed.exit_code == 2 and "HTTP 500" in failed.stderr
    outputs = [first, text, listed, failed]
    assert not any(TOKEN in o.stdout or TOKEN in o.stderr for o in outputs)
    leaked = [p for p in ws.rglob("*") if p.is_file() and TOKEN.encode() in p.read_bytes()]
    assert leaked == []
    lake = Workspace.open(ws).lake  # Parquet is compressed: read the rows too
    con = lake.connect()
    for table in lake.row_counts():
        assert TOKEN not in repr(con.execute(f"SELECT * FROM {table}").fetchall()), table
    con.close()
    # the sync did use the token: a request without it would not carry Authorization
    assert any(r.headers.get("authorization") == "<present>" for r in server.requests)


def test_dry_run_and_a_bad_interval(ws: Path, server: ReplayServer) -> None:
    add(ws, server, "--token-env", "")
    dry = run_cli("sync", "--dry-run", "-w", ws, env={"COLUMNS": "200"})
    assert dry.exit_code == 0 and "dry run: nothing was written" in dry.stdout
    assert run_cli("status", "-w", ws, "--json").json()["batches"] == 0
    bad = run_cli("sync", "--every", "5s", "-w", ws)
    assert bad.exit_code == 2 and "'every'" in bad.stderr


def test_intervals_and_unknown_names(ws: Path, server: ReplayServer) -> None:
    from tandem.cli.sync import parse_every

    assert [parse_every(t) for t in ("15m", "1h", "2d", "90s")] == [900, 3600, 172800, 90]
    add(ws, server, "--token-env", "")
    unknown = run_cli("sync", "nope", "-w", ws)
    assert (
        unknown.exit_code == 2 and "no source 'nope'" in unknown.stderr and "ants" in unknown.stderr
    )


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--token-env", TOKEN),  # the token pasted where its variable's name belongs
        ("--url", f"https://x:{TOKEN}@api.github.example"),
        ("--url", f"https://api.github.example/?access_token={TOKEN}"),
    ],
)
def test_a_token_given_in_place_of_a_name_or_in_the_url_is_refused_unechoed(
    ws: Path, option: str, value: str
) -> None:
    before = (ws / "tandem.toml").read_text()
    args = ["source", "add", "github", "--repo", "panjf2000/ants", option, value, "-w", ws]
    result = run_cli(*args)
    assert result.exit_code == 2
    assert TOKEN not in result.stdout + result.stderr
    assert (ws / "tandem.toml").read_text() == before
