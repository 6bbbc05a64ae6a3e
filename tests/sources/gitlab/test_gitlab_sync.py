"""GitLab sync against the replay server: the contract's rows, pages, retries, limits, resume.

No recorded GitLab traffic exists: ``fixtures/`` holds payloads written after GitLab's documented
REST v4 shapes. Every expected count below is computed from those files, not typed in.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tandem.errors import InputError
from tandem.lake import Lake
from tandem.sources.gitlab import GitLabConfig, open_client, sync_gitlab
from tandem.sources.gitlab.sync import GitLabSyncReport
from tandem.sources.http import ApiError, ManualClock, RetryPolicy
from tandem.sources.replay import Fault, ReplayServer
from tandem.sources.replay.gitlab import GitLabFixtures, gitlab_server
from tests.sources.eventlogs import new_lake

FIXTURES = Path(__file__).parent / "fixtures"
TOKEN = "glpat-FAKE0123456789SECRETxyz"
ENV = {"GITLAB_TOKEN": TOKEN}
PROJECT = "acme/payments-api"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture
def served() -> Iterator[tuple[ReplayServer, GitLabFixtures]]:
    server, routes = gitlab_server(FIXTURES, token=TOKEN)
    with server:
        yield server, routes


def config_for(server: ReplayServer) -> GitLabConfig:
    return GitLabConfig.parse(url=server.url, project=PROJECT, token_env="GITLAB_TOKEN")


def run(
    server: ReplayServer,
    lake: Lake,
    *,
    per_page: int = 100,
    dry_run: bool = False,
    clock: ManualClock | None = None,
) -> GitLabSyncReport:
    config = config_for(server)
    with open_client(
        config, environ=ENV, clock=clock or ManualClock(), retry=RetryPolicy(attempts=3)
    ) as client:
        return sync_gitlab(
            lake=lake, config=config, client=client, per_page=per_page, dry_run=dry_run
        )


def rows(lake: Lake, table: str) -> list[dict[str, Any]]:
    columns = {
        "objects": "*",
        "events": "event_id, object_id, activity, timestamp, resource_key, source, ordinal, "
        "attributes",
        "relations": "*",
        "identities": "*",
    }[table]
    with contextlib.closing(lake.connect()) as con:
        return con.sql(f"SELECT {columns} FROM {table} ORDER BY ALL").to_arrow_table().to_pylist()


def snapshot(lake: Lake) -> dict[str, list[dict[str, Any]]]:
    return {table: rows(lake, table) for table in ("objects", "events", "relations", "identities")}


def users_in(value: Any) -> set[str]:
    """Every GitLab username anywhere in a payload."""
    if isinstance(value, dict):
        found = {str(value["username"])} if "username" in value else set()
        return found.union(*(users_in(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(users_in(v) for v in value))
    return set()


def test_sync_writes_the_contract_from_the_fixtures(
    served: tuple[ReplayServer, GitLabFixtures], tmp_path: Path
) -> None:
    server, _ = served
    lake = new_lake(tmp_path)
    report = run(server, lake)
    source = f"gitlab:{server.url.removeprefix('http://')}/{PROJECT}"
    assert report.source == source

    mrs, issues = load("merge_requests.json"), load("issues.json")
    commits = load("merge_request_commits.json")
    notes = load("merge_request_notes.json")
    approvals = load("merge_request_approvals.json")
    deployments, pipelines = load("deployments.json"), load("pipelines.json")
    details, releases = load("pipeline_details.json"), load("releases.json")
    incidents = [i for i in issues if i["issue_type"] == "incident"]
    work_items = [i for i in issues if i["issue_type"] != "incident"]

    objects = {o["object_id"]: o for o in rows(lake, "objects")}
    assert Counter(o["object_type"] for o in objects.values()) == {
        "pull_request": len(mrs),
        "work_item": len(work_items),
        "incident": len(incidents),
        "deployment": len(deployments),
        "ci_run": len(pipelines),
        "release": len([r for r in releases if not r["upcoming_release"]]),
    }
    assert report.items == {
        "merge_requests": len(mrs),
        "issues": len(issues),
        "deployments": len(deployments),
        "pipelines": len(pipelines),
        "releases": len(releases),
    }

    # merged_as: the merge commit, else the squash commit, else (fast-forward) the head
    relations = rows(lake, "relations")
    merged_as = {r["from_object"]: r["to_object"] for r in relations if r["kind"] == "merged_as"}
    expected_merged = {
        f"@pr:{source}:{m['iid']}": "@commit:"
        + (m["merge_commit_sha"] or m["squash_commit_sha"] or m["sha"])
        for m in mrs
        if m["state"] == "merged"
    }
    assert merged_as == expected_merged
    for m in mrs:
        attributes = json.loads(objects[f"@pr:{source}:{m['iid']}"]["attributes"])
        assert attributes["state"] == {"opened": "open"}.get(m["state"], m["state"])
        assert attributes["author"] == f"login:gitlab:{m['author']['username']}"
        assert attributes["base"] == m["target_branch"] and attributes["draft"] == m["draft"]
    contains = Counter(r["from_object"] for r in relations if r["kind"] == "contains")
    assert contains == {f"@pr:{source}:{iid}": len(c) for iid, c in commits.items()}
    assert Counter(r["kind"] for r in relations) == {
        "contains": sum(len(c) for c in commits.values()),
        "merged_as": len(expected_merged),
        "deploys": len(deployments),
        "fixes": 2,  # "Closes #57" (!101), "Fixes #58" (!102)
        "mentions": 2,  # "relates to #61" (!102), "See #58" (!103)
    }
    assert {(r["from_object"], r["to_object"]) for r in relations if r["kind"] == "fixes"} == {
        (f"@pr:{source}:101", f"{source}:57"),
        (f"@pr:{source}:102", f"{source}:58"),
    }

    events = rows(lake, "events")
    activities = Counter(e["activity"] for e in events)
    authors = {str(m["iid"]): m["author"]["username"] for m in mrs}
    human_notes = [(iid, n) for iid, listed in notes.items() for n in listed if not n["system"]]
    by_author = sum(1 for iid, n in human_notes if n["author"]["username"] == authors[iid])
    system_bodies = Counter(n["body"] for listed in notes.values() for n in listed if n["system"])
    approved = sum(len(a["approved_by"]) for a in approvals.values())
    final_pipelines = {"success", "failed", "canceled", "skipped"}
    assert activities == {
        "created": len(mrs),
        "commit": sum(len(c) for c in commits.values()),
        "merged": sum(1 for m in mrs if m["state"] == "merged"),
        "closed": sum(1 for m in mrs if m["state"] == "closed")
        + sum(
            1
            for events_of in load("issue_state_events.json").values()
            for e in events_of
            if e["state"] == "closed"
            and next(i for i in issues if i["id"] == e["resource_id"])["issue_type"] == "issue"
        ),
        "ready_for_review": system_bodies["marked this merge request as **ready**"],
        "review": len(human_notes) - by_author + approved + system_bodies["requested changes"],
        "comment": by_author,
        "open": len(work_items)
        + sum(
            1
            for events_of in load("issue_state_events.json").values()
            for e in events_of
            if e["state"] == "reopened"
        ),
        "incident_opened": len(incidents),
        "incident_resolved": sum(1 for i in incidents if i["state"] == "closed"),
        "deployment_created": len(deployments),
        "deployed": sum(1 for d in deployments if d["status"] == "success"),
        "deployment_failed": sum(1 for d in deployments if d["status"] == "failed"),
        "run_started": len(pipelines),
        "run_completed": sum(1 for p in pipelines if p["status"] in final_pipelines),
        "released": len([r for r in releases if not r["upcoming_release"]]),
    }
    assert all(e["source"] == source for e in events)

    # approvals take the time of their system note; one without a note takes updated_at
    reviews = {
        (e["object_id"], e["resource_key"]): e
        for e in events
        if e["activity"] == "review" and json.loads(e["attributes"])["state"] == "approved"
    }
    note_101 = next(n for n in notes["101"] if n["body"] == "approved this merge request")
    approval = reviews[(f"@pr:{source}:101", f"login:gitlab:{note_101['author']['username']}")]
    assert approval["timestamp"].isoformat() == "2026-09-02T12:59:30+00:00"
    mr_106 = next(m for m in mrs if m["iid"] == 106)
    fallback = reviews[(f"@pr:{source}:106", "login:gitlab:bob.okafor")]
    assert json.loads(fallback["attributes"]) == {"state": "approved", "time": "updated_at"}
    assert fallback["timestamp"].isoformat().startswith(mr_106["updated_at"][:19])

    # the pipeline's completion comes from its detail (finished_at), not the listing
    completed = {e["object_id"]: e["timestamp"] for e in events if e["activity"] == "run_completed"}
    for p in pipelines:
        if p["status"] in final_pipelines:
            finished = details[str(p["id"])]["finished_at"]
            assert completed[f"@run:{source}:{p['id']}"].isoformat()[:19] == finished[:19]

    critical = json.loads(objects[f"@incident:{source}:59"]["attributes"])
    assert critical["severity"] == "critical" and critical["service"] == "payments"
    assert json.loads(objects[f"@incident:{source}:60"]["attributes"])["resolved_at"] is None
    assert objects[f"{source}:57"]["item_type"] == "bug"
    reopened = sorted(
        (e["timestamp"], e["activity"]) for e in events if e["object_id"] == f"{source}:58"
    )
    assert [a for _, a in reopened] == ["open", "closed", "open"]

    identities = {i["identity_key"]: i for i in rows(lake, "identities")}
    logins = {k for k in identities if k.startswith("login:gitlab:")}
    everything = [mrs, issues, notes, approvals, deployments, details, releases]
    everything.append(load("issue_state_events.json"))
    assert logins == {f"login:gitlab:{u}" for u in users_in(everything)}
    emails = {c["author_email"].lower() for listed in commits.values() for c in listed}
    assert {k for k in identities if k.startswith("email:")} == {f"email:{e}" for e in emails}
    bots = {k for k, i in identities.items() if i["is_bot"] and k.startswith("login:")}
    assert bots == {"login:gitlab:renovate-runner", "login:gitlab:project_4217_bot_3f9a1c"}
    assert json.loads(objects[f"@pr:{source}:105"]["attributes"])["author_is_bot"] is True


def test_a_second_sync_starts_at_the_cursors_and_adds_nothing(
    served: tuple[ReplayServer, GitLabFixtures], tmp_path: Path
) -> None:
    server, _ = served
    lake = new_lake(tmp_path)
    first = run(server, lake)
    before = snapshot(lake)
    state = lake.state(first.source)
    newest_mr = max(m["updated_at"] for m in load("merge_requests.json"))
    assert state["merge_requests"][:19] == newest_mr[:19]
    assert "releases" not in state
    server.requests.clear()
    second = run(server, lake)
    assert sum(second.added.values()) == 0
    assert snapshot(lake) == before
    listing = next(r for r in server.requests if r.path.endswith("/merge_requests"))
    assert listing.query["updated_after"] == state["merge_requests"]
    # only the boundary items come again
    assert second.items["merge_requests"] == sum(
        1 for m in load("merge_requests.json") if m["updated_at"][:19] >= newest_mr[:19]
    )


def test_pages_of_two_give_the_same_lake_one_batch_per_page(
    served: tuple[ReplayServer, GitLabFixtures], tmp_path: Path
) -> None:
    server, _ = served
    whole = new_lake(tmp_path / "whole")
    run(server, whole)
    server.requests.clear()
    paged = new_lake(tmp_path / "paged")
    report = run(server, paged, per_page=2)
    assert snapshot(paged) == snapshot(whole)
    mr_pages = [r.query["page"] for r in server.requests if r.path.endswith("/merge_requests")]
    count = len(load("merge_requests.json"))
    assert mr_pages == [str(n) for n in range(1, (count + 1) // 2 + 1)]
    assert all(r.query["per_page"] == "2" for r in server.requests if "page" in r.query)
    listed = sum(
        (len(load(f"{n}.json")) + 1) // 2
        for n in ("merge_requests", "issues", "deployments", "pipelines", "releases")
    )
    assert report.batches >= listed
    assert len(paged.manifest().batches) == report.batches


def test_server_errors_are_retried(
    served: tuple[ReplayServer, GitLabFixtures], tmp_path: Path
) -> None:
    server, _ = served
    whole = new_lake(tmp_path / "whole")
    run(server, whole)
    server.faults.add(Fault("status", at=2, path="/notes", status=502, times=2))
    server.faults.add(Fault("status", at=3, path="/pipelines/", status=503))
    lake = new_lake(tmp_path / "retried")
    clock = ManualClock()
    report = run(server, lake, clock=clock)
    assert report.retries == 3
    assert len(clock.sleeps) == 3
    assert snapshot(lake) == snapshot(whole)


def test_rate_limits_are_waited_out(tmp_path: Path) -> None:
    server, routes = gitlab_server(FIXTURES, token=TOKEN, limit_every=6, retry_after=7)
    with server:
        whole = new_lake(tmp_path / "whole")
        clock = ManualClock()
        report = run(server, whole, clock=clock)
        assert routes.refused > 0
        assert report.rate_limit_waits == routes.refused
        assert clock.sleeps.count(7.0) == routes.refused
        limited = [r for r in server.requests if r.status == 429]
        assert len(limited) == routes.refused
    plain, _ = gitlab_server(FIXTURES, token=TOKEN)
    with plain:
        reference = new_lake(tmp_path / "reference")
        run(plain, reference)
        counts = {t: len(r) for t, r in snapshot(reference).items()}
    assert {t: len(r) for t, r in snapshot(whole).items()} == counts


def test_a_killed_sync_resumes_after_its_last_page_without_duplicates(
    served: tuple[ReplayServer, GitLabFixtures], tmp_path: Path
) -> None:
    server, _ = served
    reference = new_lake(tmp_path / "reference")
    run(server, reference, per_page=2)

    lake = new_lake(tmp_path / "lake")
    # the server dies while the second page of merge requests (2 a page) reads its approvals
    server.faults.add(Fault("kill", at=3, path="/approvals"))
    with pytest.raises(ApiError) as died:
        run(server, lake, per_page=2)
    assert TOKEN not in died.value.message
    source = f"gitlab:{server.url.removeprefix('http://')}/{PROJECT}"
    cursor = lake.state(source)["merge_requests"]
    first_page = sorted(load("merge_requests.json"), key=lambda m: m["updated_at"])[:2]
    assert cursor[:19] == first_page[-1]["updated_at"][:19]
    pr_objects = [o for o in rows(lake, "objects") if o["object_type"] == "pull_request"]
    assert len(pr_objects) == 2

    server.faults.clear()
    server.requests.clear()
    run(server, lake, per_page=2)
    resumed = next(r for r in server.requests if r.path.endswith("/merge_requests"))
    assert resumed.query["updated_after"] == cursor
    assert snapshot(lake) == snapshot(reference)
    event_ids = [e["event_id"] for e in rows(lake, "events")]
    assert len(event_ids) == len(set(event_ids))


def test_dry_run_fetches_and_maps_but_writes_nothing(
    served: tuple[ReplayServer, GitLabFixtures], tmp_path: Path
) -> None:
    server, _ = served
    lake = new_lake(tmp_path)
    dry = run(server, lake, dry_run=True)
    assert dry.dry_run and dry.batches == 0 and dry.added == {}
    assert lake.manifest().generation == 0 and lake.manifest().state == {}
    real = run(server, lake)
    assert dry.rows == real.rows
    assert dry.items == real.items
    assert real.added["objects"] == sum(1 for _ in rows(lake, "objects"))


def test_the_token_never_reaches_the_lake(
    served: tuple[ReplayServer, GitLabFixtures], tmp_path: Path
) -> None:
    server, _ = served
    lake = new_lake(tmp_path)
    run(server, lake)
    for path in (tmp_path / "lake").rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path
    assert all(r.headers.get("private-token") == "<present>" for r in server.requests)


def test_bad_configuration_is_named_by_its_field() -> None:
    with pytest.raises(InputError) as url:
        GitLabConfig.parse(url="gitlab.example.com", project=PROJECT, token_env="T")
    assert url.value.field == "url"
    with pytest.raises(InputError) as creds:
        GitLabConfig.parse(url="https://me:pw@gitlab.example.com", project=PROJECT, token_env="T")
    assert creds.value.field == "url"
    with pytest.raises(InputError) as project:
        GitLabConfig.parse(url="https://gitlab.example.com", project="payments", token_env="T")
    assert project.value.field == "project"
    with pytest.raises(InputError) as env:
        GitLabConfig.parse(url="https://gitlab.example.com", project=PROJECT, token_env="A-B")
    assert env.value.field == "token_env"
    config = GitLabConfig.parse(
        url="https://GitLab.example.com/", project="/group/sub/name/", token_env="GITLAB_TOKEN"
    )
    assert config.source == "gitlab:gitlab.example.com/group/sub/name"
    assert config.api_url == "https://GitLab.example.com/api/v4"
    assert config.project_ref == "group%2Fsub%2Fname"
    with pytest.raises(InputError) as unset:
        open_client(config, environ={})
    assert "GITLAB_TOKEN" in unset.value.message


def test_a_wrong_token_or_project_fails_before_any_listing(
    served: tuple[ReplayServer, GitLabFixtures], tmp_path: Path
) -> None:
    server, _ = served
    lake = new_lake(tmp_path)
    config = config_for(server)
    with (
        open_client(config, environ={"GITLAB_TOKEN": "glpat-wrong-SECRET"}) as client,
        pytest.raises(ApiError) as denied,
    ):
        sync_gitlab(lake=lake, config=config, client=client)
    assert denied.value.http_status == 401
    assert "glpat-wrong-SECRET" not in denied.value.message
    other = GitLabConfig.parse(url=server.url, project="acme/nothing", token_env="GITLAB_TOKEN")
    with open_client(other, environ=ENV) as client, pytest.raises(ApiError) as missing:
        sync_gitlab(lake=lake, config=other, client=client)
    assert missing.value.http_status == 404
    assert lake.manifest().generation == 0
    assert not any("/merge_requests" in r.path for r in server.requests)
