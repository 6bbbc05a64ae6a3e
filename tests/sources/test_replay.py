"""The replay server answers GitHub's API from the recorded DevLake tables, as GitHub would."""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from tandem.errors import InputError
from tandem.sources.http import ApiClient, link_pages
from tandem.sources.replay import GITHUB_RECORDING, ReplayServer, github_server

REPO = "/repos/panjf2000/ants"


def raw_items(table: str, repo: str = "panjf2000/ants") -> list[dict[str, object]]:
    """The distinct items of a recorded table, read straight from the shipped CSV."""
    csv.field_size_limit(10**9)
    seen: dict[str, dict[str, object]] = {}
    with gzip.open(GITHUB_RECORDING / f"_raw_github_{table}.csv.gz", "rt", newline="") as handle:
        for row in csv.DictReader(handle):
            if f'"Name":"{repo}"' not in row["params"]:
                continue
            item = json.loads(row["data"])
            key = f"{row['input']}|{item.get('id', item.get('Id', item.get('sha')))}"
            seen.setdefault(key, item)
    return list(seen.values())


@pytest.fixture(scope="module")
def server() -> Iterator[ReplayServer]:
    with github_server() as running:
        yield running


def test_pulls_are_paged_with_link_headers(server: ReplayServer) -> None:
    with ApiClient(base_url=server.url) as api:
        pages = list(link_pages(api, f"{REPO}/pulls", params={"state": "all", "per_page": 20}))
    numbers = [item["number"] for page in pages for item in page.items]
    assert len(pages) == (len(raw_items("api_pull_requests")) + 19) // 20
    assert sorted(numbers) == sorted(i["number"] for i in raw_items("api_pull_requests"))


def test_since_keeps_items_updated_after_it(server: ReplayServer) -> None:
    items = raw_items("api_issues")
    cut = sorted(str(i["updated_at"]) for i in items)[len(items) // 2]
    with ApiClient(base_url=server.url) as api:
        since = api.get(f"{REPO}/issues", params={"state": "all", "since": cut, "per_page": 100})
    assert {i["id"] for i in since.json()} == {
        i["id"] for i in items if str(i["updated_at"]) >= cut
    }


def test_per_pr_and_per_run_endpoints(server: ReplayServer) -> None:
    with ApiClient(base_url=server.url) as api:
        commits = api.get(f"{REPO}/pulls/23/commits").json()
        runs = api.get(f"{REPO}/actions/runs", params={"per_page": 5})
        run_id = runs.json()["workflow_runs"][0]["id"]
        jobs = api.get(f"{REPO}/actions/runs/{run_id}/jobs").json()
    assert commits and all(isinstance(c["sha"], str) for c in commits)
    assert runs.json()["total_count"] == len(raw_items("api_runs"))
    assert all(job["run_id"] == run_id for job in jobs["jobs"])


def test_unknown_repository_is_404(server: ReplayServer) -> None:
    response = httpx2.get(f"{server.url}/repos/nobody/nothing/pulls")
    assert response.status_code == 404


def test_graphql_deployments_in_graphql_names_and_pages(server: ReplayServer) -> None:
    query = (
        "query($owner:String!,$name:String!,$pageSize:Int!,$skipCursor:String){"
        "repository(owner:$owner,name:$name){deployments(first:$pageSize,after:$skipCursor){"
        "totalCount,pageInfo{endCursor,hasNextPage},nodes{databaseId}}}}"
    )
    expected = raw_items("graphql_deployment", "facebook/OpenBIC")
    seen, cursor = [], None
    with ApiClient(base_url=server.url) as api:
        while True:
            variables = {
                "owner": "facebook",
                "name": "OpenBIC",
                "pageSize": 3,
                "skipCursor": cursor,
            }
            connection = api.graphql(query, variables)["repository"]["deployments"]
            seen += connection["nodes"]
            if not connection["pageInfo"]["hasNextPage"]:
                break
            cursor = connection["pageInfo"]["endCursor"]
    assert connection["totalCount"] == len(expected)
    assert sorted(n["databaseId"] for n in seen) == sorted(i["DatabaseId"] for i in expected)
    assert "commitOid" in seen[0] and "latestStatus" in seen[0]


def test_a_folder_without_raw_tables_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no DevLake raw tables"):
        github_server(tmp_path)
