"""The GitHub connector against the replay server: the contract, counted from the raw files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tandem.ingest import sources as service
from tandem.sources.http import ApiError, ManualClock
from tandem.sources.replay import Fault, ReplayServer, github_server
from tandem.sources.shape import PayloadShapeError
from tandem.workspace import Workspace
from tests.helpers import new_workspace
from tests.sources.recorded import ANTS, OPENBIC, expected_ants, expected_openbic, raw

SOURCE = f"github:{ANTS}"


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with github_server() as running:
        yield running


def add(
    ws: Workspace, server: ReplayServer, repo: str = ANTS, name: str = "ants", **options: Any
) -> None:
    service.add_source(
        workspace=ws,
        name=name,
        kind="github",
        values={"url": server.url, "repo": repo, "token_env": "", "options": options},
    )


def sync(
    ws: Workspace, *names: str, clock: ManualClock | None = None, **kwargs: Any
) -> dict[str, Any]:
    return service.sync_sources(workspace=ws, names=names, clock=clock or ManualClock(), **kwargs)


def counts(ws: Workspace, source: str = SOURCE) -> dict[str, int]:
    con = ws.lake.connect()
    try:
        rows = con.execute(
            "SELECT object_type, count(*) FROM objects WHERE source = ? GROUP BY 1 "
            "UNION ALL SELECT activity, count(*) FROM events WHERE source = ? GROUP BY 1 "
            "UNION ALL SELECT kind, count(*) FROM relations WHERE starts_with(from_object, '@') "
            "AND (position(? IN from_object) > 0) GROUP BY 1",
            [source, source, source],
        ).fetchall()
    finally:
        con.close()
    return {name: int(n) for name, n in rows}


def table_rows(ws: Workspace) -> dict[str, int]:
    return ws.lake.row_counts()


def test_recorded_payloads_give_the_contract_counted_from_the_raw_files(
    workspace: Workspace, server: ReplayServer
) -> None:
    add(workspace, server, per_page=10, pages_per_batch=3)
    add(workspace, server, repo=OPENBIC, name="openbic", per_page=2)
    result = sync(workspace)
    got = counts(workspace)
    expected = expected_ants()
    for key in (
        "pull_request",
        "work_item",
        "ci_run",
        "created",
        "commit",
        "contains",
        "review",
        "comment",
        "merged",
        "merged_as",
        "open",
        "run_started",
        "run_completed",
    ):
        assert got.get(key, 0) == expected[key], key
    deployments = counts(workspace, f"github:{OPENBIC}")
    for key, value in expected_openbic().items():
        assert deployments.get(key, 0) == value, key
    ants = result["sources"][0]
    assert ants["fetched"]["pulls"] == expected["pull_request"]
    assert ants["batches"] > 1  # committed every few pages, not once at the end
    # identities reached the app database, PR authors among them, bots flagged
    people = result["people"]
    assert people["identities_added"] >= expected["identities_min"]
    con = workspace.lake.connect(tables=("identities",))
    bots = con.execute("SELECT identity_key FROM identities WHERE is_bot").fetchall()
    con.close()
    assert all("bot" in key.lower() for (key,) in bots)


def test_event_and_object_shapes_follow_the_contract(
    workspace: Workspace, server: ReplayServer
) -> None:
    add(workspace, server)
    sync(workspace)
    con = workspace.lake.connect()
    pr = con.execute(
        "SELECT object_id, attributes FROM objects WHERE object_type = 'pull_request' "
        "AND json_extract_string(attributes, '$.state') = 'merged' ORDER BY object_id LIMIT 1"
    ).fetchone()
    assert pr is not None
    object_id, attributes = pr
    number = json.loads(attributes)["number"]
    assert object_id == f"@pr:{SOURCE}:{number}"
    attrs = json.loads(attributes)
    assert attrs["author"].startswith("login:github:") and attrs["merge_commit_sha"]
    relation = con.execute(
        "SELECT to_object FROM relations WHERE from_object = ? AND kind = 'merged_as'", [object_id]
    ).fetchone()
    assert relation == (f"@commit:{attrs['merge_commit_sha']}",)
    reviews = con.execute(
        "SELECT DISTINCT json_extract_string(attributes, '$.state') FROM events "
        "WHERE activity = 'review'"
    ).fetchall()
    assert {s for (s,) in reviews} <= {"approved", "changes_requested", "commented"}
    lifecycles = con.execute("SELECT DISTINCT lifecycle FROM events").fetchall()
    assert lifecycles == [("complete",)]
    work = con.execute(
        "SELECT DISTINCT object_id FROM objects WHERE object_type = 'work_item'"
    ).fetchall()
    assert all(o.startswith(f"{SOURCE}:") for (o,) in work)
    con.close()


def test_incidents_are_issues_with_the_label(workspace: Workspace, server: ReplayServer) -> None:
    add(workspace, server, incident_label="enhancement")  # a label the recording has
    sync(workspace)
    labelled = {
        i["number"]
        for _, i in raw("api_issues")
        if "pull_request" not in i and any(tag["name"] == "enhancement" for tag in i["labels"])
    }
    got = counts(workspace)
    assert got["incident"] == len(labelled) > 0
    assert got["incident_opened"] == len(labelled)


def test_without_work_items_only_delivery_objects_and_labelled_incidents_are_read(
    tmp_path: Path, server: ReplayServer
) -> None:
    full = new_workspace(tmp_path / "full")
    add(full, server, incident_label="enhancement")
    sync(full)
    lean = new_workspace(tmp_path / "lean")
    add(lean, server, incident_label="enhancement", work_items=False)
    sync(lean)
    everything, delivery = counts(full), counts(lean)
    assert everything["work_item"] > 0 and "work_item" not in delivery
    for kind in ("pull_request", "incident", "ci_run", "merged", "review", "incident_opened"):
        assert delivery[kind] == everything[kind] > 0, kind


def test_a_second_sync_gets_304s_and_adds_nothing(
    workspace: Workspace, server: ReplayServer
) -> None:
    add(workspace, server)
    sync(workspace)
    before = (table_rows(workspace), len(workspace.lake.manifest().batches))
    again = sync(workspace)["sources"][0]
    assert again["added"] == {}
    assert again["not_modified"] >= 7
    assert (table_rows(workspace), len(workspace.lake.manifest().batches)) == before


def test_a_502_is_retried_and_a_rate_limit_waited_on_the_clock(
    workspace: Workspace, server: ReplayServer
) -> None:
    add(workspace, server, per_page=10)
    server.faults.add(Fault("status", at=4, status=502))
    server.faults.add(Fault("rate_limit", at=9, retry_after=90))
    clock = ManualClock()
    report = sync(workspace, clock=clock)["sources"][0]
    assert report["retries"] == 1 and report["rate_limit_waits"] == 1
    assert 90 in clock.sleeps
    assert counts(workspace)["pull_request"] == expected_ants()["pull_request"]


def test_a_killed_sync_resumes_without_duplicates(tmp_path: Path, server: ReplayServer) -> None:
    clean = new_workspace(tmp_path / "clean")
    add(clean, server, per_page=10, pages_per_batch=10)
    sync(clean)
    server.requests.clear()

    killed = new_workspace(tmp_path / "killed")
    add(killed, server, per_page=10, pages_per_batch=10)
    server.faults.add(Fault("kill", at=40))
    with pytest.raises(ApiError, match="no answer"):
        sync(killed)
    partial = table_rows(killed)
    state = killed.lake.state(SOURCE)
    assert 0 < partial["events"] < table_rows(clean)["events"]
    assert any("pending" in endpoint for endpoint in state.values())  # a resume point
    server.faults.clear()
    resumed = sync(killed)["sources"][0]
    assert resumed["fetched"]["pulls"] < expected_ants()["pull_request"]  # resumed, not restarted
    assert table_rows(killed) == table_rows(clean)
    assert counts(killed) == counts(clean)


def test_a_payload_of_another_shape_stops_the_sync_naming_it_and_a_rerun_completes(
    tmp_path: Path, server: ReplayServer
) -> None:
    clean = new_workspace(tmp_path / "clean")
    add(clean, server, per_page=10, pages_per_batch=10)
    sync(clean)

    def reshape(body: Any) -> Any:
        return [{**body[0], "labels": "bug"}, *body[1:]]  # a string where a list belongs

    hostile = new_workspace(tmp_path / "hostile")
    add(hostile, server, per_page=10, pages_per_batch=10)
    server.faults.add(Fault("reshape", at=2, path=f"/repos/{ANTS}/issues", reshape=reshape))
    with pytest.raises(PayloadShapeError) as caught:
        sync(hostile)
    assert caught.value.field == "labels"
    assert f"/repos/{ANTS}/issues" in caught.value.message
    assert caught.value.status == 502
    assert table_rows(hostile)["events"] < table_rows(clean)["events"]  # what came before stays
    server.faults.clear()
    sync(hostile)
    assert table_rows(hostile) == table_rows(clean)
    assert counts(hostile) == counts(clean)


def test_dry_run_fetches_and_writes_nothing(workspace: Workspace, server: ReplayServer) -> None:
    add(workspace, server)
    config = workspace.config_path.read_text()
    result = sync(workspace, dry_run=True)
    report = result["sources"][0]
    assert report["fetched"]["pulls"] == expected_ants()["pull_request"]
    assert report["staged"]["objects"] > 0 and report["added"] == {}
    assert workspace.lake.manifest().generation == 0
    assert list(workspace.lake.root.rglob("*.parquet")) == []
    assert result["people"] is None
    assert workspace.config_path.read_text() == config


def test_rest_deployments_match_the_graphql_ones(
    workspace: Workspace, server: ReplayServer
) -> None:
    add(workspace, server, repo=OPENBIC, name="openbic", deployments="rest")
    sync(workspace)
    got = counts(workspace, f"github:{OPENBIC}")
    for key, value in expected_openbic().items():
        assert got.get(key, 0) == value, key
