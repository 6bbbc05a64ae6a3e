"""`tandem source add jira|gitlab` and `tandem sync` end to end, against the replay servers.

Jira answers from the recorded Jira Cloud payloads, GitLab from the fixtures written after its
documented REST v4 shapes; every expected count is computed from those files.
"""

from __future__ import annotations

import base64
import contextlib
import tomllib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tandem.sources.replay import ReplayServer, jira_server
from tandem.sources.replay.gitlab import gitlab_server
from tandem.workspace import Workspace
from tests.helpers import CliResult, new_workspace, run_cli
from tests.sources import jira_raw
from tests.sources.gitlab.test_gitlab_sync import FIXTURES, PROJECT, load

JIRA_TOKEN = "ATATT3xFakeJiraToken_9c1d_DO_NOT_LEAK"
GITLAB_TOKEN = "glpat-FakeGitLabToken_55e2_DO_NOT_LEAK"
JIRA_USER = "sync-bot@example.com"


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    new_workspace(tmp_path / "ws")
    return tmp_path / "ws"


@pytest.fixture(scope="module")
def jira() -> Iterator[ReplayServer]:
    with jira_server() as running:
        yield running


@pytest.fixture(scope="module")
def gitlab() -> Iterator[ReplayServer]:
    server, _ = gitlab_server(FIXTURES, token=GITLAB_TOKEN)
    with server:
        yield server


def add_jira(ws: Path, server: ReplayServer, *extra: str) -> CliResult:
    return run_cli(
        "source", "add", "jira", "--url", server.url, "--project", "ee", "--user", JIRA_USER,
        "-w", ws, "--json", *extra,
    )  # fmt: skip


def add_gitlab(ws: Path, server: ReplayServer, *extra: str) -> CliResult:
    return run_cli(
        "source", "add", "gitlab", "--url", server.url, "--project", PROJECT, "-w", ws, "--json",
        *extra,
    )  # fmt: skip


def sync(ws: Path, *extra: str, env: dict[str, str | None] | None = None) -> CliResult:
    environment = {"JIRA_TOKEN": JIRA_TOKEN, "GITLAB_TOKEN": GITLAB_TOKEN, "COLUMNS": "200"}
    return run_cli("sync", "-w", ws, *extra, env={**environment, **(env or {})})


def jira_expected() -> dict[str, int]:
    """Issues of the project EE, and their events: the status at creation and every change."""
    issues = [i for i in jira_raw.issues() if i["fields"]["project"]["key"] == "EE"]
    changes = sum(len(jira_raw.status_items(i["changelog"]["histories"])) for i in issues)
    return {"objects": len(issues), "events": len(issues) + changes}


def gitlab_expected() -> dict[str, Any]:
    """Items per listing and objects per type, from the fixtures."""
    issues, releases = load("issues.json"), load("releases.json")
    listings = ("merge_requests", "issues", "deployments", "pipelines", "releases")
    return {
        "fetched": {name: len(load(f"{name}.json")) for name in listings},
        "types": {
            "pull_request": len(load("merge_requests.json")),
            "work_item": sum(1 for i in issues if i["issue_type"] != "incident"),
            "incident": sum(1 for i in issues if i["issue_type"] == "incident"),
            "deployment": len(load("deployments.json")),
            "ci_run": len(load("pipelines.json")),
            "release": sum(1 for r in releases if not r["upcoming_release"]),
        },
    }


def lake_rows(ws: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    lake = Workspace.open(ws).lake
    with contextlib.closing(lake.connect()) as con:
        return con.execute(sql, list(params)).fetchall()


def nothing_written(ws: Path) -> bool:
    status = run_cli("status", "-w", ws, "--json").json()
    return sum(status["tables"].values()) == 0 and status["batches"] == 0


def test_add_jira_and_gitlab_write_their_tables(
    ws: Path, jira: ReplayServer, gitlab: ReplayServer
) -> None:
    before = (ws / "tandem.toml").read_text()
    assert add_jira(ws, jira).json()["name"] == "ee"
    bearer = add_jira(ws, jira, "--bearer", "--name", "dc", "--token-env", "JIRA_PAT").json()
    assert bearer["auth"] == "bearer" and bearer["project"] == "EE"
    assert add_gitlab(ws, gitlab).exit_code == 0
    text = (ws / "tandem.toml").read_text()
    assert text.startswith(before.rstrip("\n"))
    sources = tomllib.loads(text)["sources"]
    assert sources["ee"] == {
        "kind": "jira", "url": jira.url, "project": "EE", "user": JIRA_USER,
        "token_env": "JIRA_TOKEN", "auth": "basic",
    }  # fmt: skip
    assert sources["payments-api"] == {
        "kind": "gitlab",
        "url": gitlab.url,
        "project": PROJECT,
        "token_env": "GITLAB_TOKEN",
    }
    listed = run_cli("source", "list", "-w", ws, "--json").json()["sources"]
    host = jira.url.removeprefix("http://")
    assert {s["name"]: s["source"] for s in listed} == {
        "dc": f"jira:{host}/EE",
        "ee": f"jira:{host}/EE",
        "payments-api": f"gitlab:{gitlab.url.removeprefix('http://')}/{PROJECT}",
    }


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("jira", "--url", "ftp://x", "--project", "EE", "--user", "u"), "sources.ee.url"),
        (("jira", "--url", "https://x.atlassian.net", "--project", "E-1", "--user", "u"),
         "sources.e-1.project"),
        (("jira", "--url", "https://x.atlassian.net", "--project", "EE"), "sources.ee.user"),
        (("gitlab", "--url", "https://gitlab.example.com", "--project", "lonely"),
         "sources.lonely.project"),
        (("gitlab", "--url", "https://u:p@gitlab.example.com", "--project", "a/b"),
         "sources.b.url"),
        (("gitlab", "--url", "https://gitlab.example.com", "--project", "a/b", "--token-env",
          ""), "sources.b.token_env"),
    ],
)  # fmt: skip
def test_bad_settings_name_the_field_and_write_nothing(
    ws: Path, args: tuple[str, ...], field: str
) -> None:
    before = (ws / "tandem.toml").read_text()
    bad = run_cli("source", "add", *args, "-w", ws)
    assert bad.exit_code == 2 and field in bad.stderr, bad.stderr
    assert (ws / "tandem.toml").read_text() == before


def test_jira_syncs_every_issue_then_nothing_new(ws: Path, jira: ReplayServer) -> None:
    add_jira(ws, jira)
    expected = jira_expected()
    dry = sync(ws, "--dry-run", "--json")
    assert dry.exit_code == 0, dry.stderr
    assert nothing_written(ws)
    jira.requests.clear()
    first = sync(ws, "--json")
    assert first.exit_code == 0, first.stderr
    report = first.json()["sources"][0]
    assert report["kind"] == "jira" and report["fetched"]["issues"] == expected["objects"]
    assert {t: report["added"][t] for t in expected} == expected
    assert dry.json()["sources"][0]["staged"] == report["staged"]
    assert report["batches"] == -(-expected["objects"] // 50)  # one batch per page of 50
    assert report["requests"] == len(jira.requests)
    assert first.json()["people"]["identities_added"] > 0
    source = report["source"]
    counted = lake_rows(
        ws, "SELECT count(DISTINCT object_id), count(*) FROM events WHERE source = ?", source
    )
    assert counted == [(expected["objects"], expected["events"])]
    basic = base64.b64encode(f"{JIRA_USER}:{JIRA_TOKEN}".encode()).decode()
    assert all(r.headers.get("authorization") == "<present>" for r in jira.requests)
    second = sync(ws, "--json").json()["sources"][0]
    assert second["fetched"]["issues"] > 0  # the day of overlap is read again …
    assert sum(second["added"].values()) == 0  # … and adds nothing
    listed = run_cli("source", "list", "-w", ws, "--json").json()["sources"]
    assert listed[0]["synced_until"] == Workspace.open(ws).lake.state(source)["updated_since"]
    assert_no_secret(ws, [first], (JIRA_TOKEN, basic))


def test_gitlab_syncs_every_listing_then_nothing_new(ws: Path, gitlab: ReplayServer) -> None:
    add_gitlab(ws, gitlab)
    expected = gitlab_expected()
    dry = sync(ws, "--dry-run", "--json")
    assert dry.exit_code == 0, dry.stderr
    assert nothing_written(ws)
    first = sync(ws, "--json")
    assert first.exit_code == 0, first.stderr
    report = first.json()["sources"][0]
    assert report["kind"] == "gitlab" and report["fetched"] == expected["fetched"]
    assert dry.json()["sources"][0]["staged"] == report["staged"]
    assert report["added"]["objects"] == sum(expected["types"].values())
    types = lake_rows(
        ws, "SELECT object_type, count(*) FROM objects WHERE source = ? GROUP BY ALL",
        report["source"],
    )  # fmt: skip
    assert Counter(dict(types)) == Counter(expected["types"])
    second = sync(ws, "--json").json()["sources"][0]
    assert sum(second["added"].values()) == 0
    assert_no_secret(ws, [first], (GITLAB_TOKEN,))


@pytest.mark.parametrize("kind", ["jira", "gitlab"])
def test_a_missing_token_stops_before_anything_is_written(
    ws: Path, jira: ReplayServer, gitlab: ReplayServer, kind: str
) -> None:
    added = (
        add_jira(ws, jira, "--token-env", "TANDEM_TEST_NO_TOKEN", "--name", "tracker")
        if kind == "jira"
        else add_gitlab(ws, gitlab, "--token-env", "TANDEM_TEST_NO_TOKEN", "--name", "tracker")
    )
    assert added.exit_code == 0, added.stderr
    result = sync(ws, env={"TANDEM_TEST_NO_TOKEN": None})
    assert result.exit_code == 2
    assert "sources.tracker.token_env" in result.stderr and "TANDEM_TEST_NO_TOKEN" in result.stderr
    assert nothing_written(ws)


def test_a_wrong_gitlab_token_fails_without_a_secret_in_the_message(
    ws: Path, gitlab: ReplayServer
) -> None:
    add_gitlab(ws, gitlab)
    wrong = "glpat-WrongToken_0000_DO_NOT_LEAK"
    result = sync(ws, env={"GITLAB_TOKEN": wrong})
    assert result.exit_code == 2 and "401" in result.stderr
    assert wrong not in result.stderr + result.stdout
    assert nothing_written(ws)


def test_jira_gitlab_and_github_together_write_no_secret_anywhere(
    ws: Path, jira: ReplayServer, gitlab: ReplayServer
) -> None:
    from tandem.sources.replay import github_server

    github_token = "ghp_FakeGitHubToken_31aa_DO_NOT_LEAK"
    with github_server() as github:
        add_jira(ws, jira)
        add_gitlab(ws, gitlab)
        run_cli(
            "source", "add", "github", "--repo", "panjf2000/ants", "--url", github.url, "-w", ws
        )
        first = sync(ws, "--json", env={"GITHUB_TOKEN": github_token})
        assert first.exit_code == 0, first.stderr
        kinds = {r["kind"]: r for r in first.json()["sources"]}
        assert set(kinds) == {"github", "gitlab", "jira"}
        assert all(sum(r["added"].values()) > 0 for r in kinds.values())
        text = sync(ws, env={"GITHUB_TOKEN": github_token})
        assert text.exit_code == 0 and "unchanged (304)" in text.stdout
    listed = run_cli("source", "list", "-w", ws)
    basic = base64.b64encode(f"{JIRA_USER}:{JIRA_TOKEN}".encode()).decode()
    assert_no_secret(ws, [first, text, listed], (JIRA_TOKEN, basic, GITLAB_TOKEN, github_token))


def assert_no_secret(ws: Path, outputs: list[CliResult], secrets: tuple[str, ...]) -> None:
    """No secret in any output, any workspace file, or any lake row (Parquet is compressed)."""
    for secret in secrets:
        assert not any(secret in o.stdout or secret in o.stderr for o in outputs)
        leaked = [p for p in ws.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]
        assert leaked == []
    lake = Workspace.open(ws).lake
    with contextlib.closing(lake.connect()) as con:
        for table in lake.row_counts():
            dump = repr(con.execute(f"SELECT * FROM {table}").fetchall())
            assert not [s for s in secrets if s in dump], table
