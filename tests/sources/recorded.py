"""What the recorded GitHub payloads hold, counted straight from the shipped DevLake CSVs.

The connector tests compare the lake with these counts; they follow the contract
(docs/connectors.md) in plain Python over the raw rows, never the connector's code.
"""

from __future__ import annotations

import csv
import gzip
import json
from typing import Any

from tandem.sources.replay import GITHUB_RECORDING

ANTS = "panjf2000/ants"
OPENBIC = "facebook/OpenBIC"


def raw(table: str, repo: str = ANTS) -> list[tuple[dict[str, Any], Any]]:
    """(input, item) of each distinct recorded item of ``table`` for ``repo``."""
    csv.field_size_limit(10**9)
    seen: dict[str, tuple[dict[str, Any], Any]] = {}
    with gzip.open(GITHUB_RECORDING / f"_raw_github_{table}.csv.gz", "rt", newline="") as handle:
        for row in csv.DictReader(handle):
            if f'"Name":"{repo}"' not in row["params"]:
                continue
            item = json.loads(row["data"])
            parent = json.loads(row["input"] or "null") or {}
            identity = item.get("id", item.get("Id", item.get("sha")))
            key = f"{json.dumps(parent, sort_keys=True)}|{identity}"
            seen.setdefault(key, (parent, item))
    return list(seen.values())


def expected_ants() -> dict[str, int]:
    """Objects, events and relations the ants recording must give."""
    prs = {item["number"]: item for _, item in raw("api_pull_requests")}
    commits = {
        (p["Number"], c["sha"]) for p, c in raw("api_pull_request_commits") if p["Number"] in prs
    }
    reviews = {
        r["id"]
        for p, r in raw("api_pull_request_reviews")
        if p["Number"] in prs and r["state"] != "PENDING"
    }
    issues = {i["number"] for _, i in raw("api_issues") if "pull_request" not in i}
    issues |= {
        e["issue"]["number"] for _, e in raw("api_events") if "pull_request" not in e["issue"]
    }
    runs = [r for _, r in raw("api_runs")]
    comments = {
        c["id"] for _, c in raw("api_comments") if int(c["issue_url"].rsplit("/", 1)[-1]) in prs
    } | {
        c["id"]
        for _, c in raw("api_pull_request_review_comments")
        if int(c["pull_request_url"].rsplit("/", 1)[-1]) in prs
    }
    merged = [p for p in prs.values() if p["merged_at"]]
    return {
        "pull_request": len(prs),
        "work_item": len(issues),
        "ci_run": len({r["id"] for r in runs}),
        "created": len(prs),
        "commit": len(commits),
        "contains": len(commits),
        "review": len(reviews),
        "comment": len(comments),
        "merged": len(merged),
        "merged_as": len({(p["number"], p["merge_commit_sha"]) for p in merged}),
        "open": len(issues),
        "run_started": len(runs),
        "run_completed": sum(1 for r in runs if r["status"] == "completed"),
        "identities_min": len({p["user"]["login"] for p in prs.values()}),
    }


def expected_openbic() -> dict[str, int]:
    deployments = [d for _, d in raw("graphql_deployment", OPENBIC)]
    succeeded = [
        d for d in deployments if d["LatestStatus"]["State"] in ("SUCCESS", "ACTIVE", "INACTIVE")
    ]
    return {
        "deployment": len({d["DatabaseId"] for d in deployments}),
        "deployment_created": len(deployments),
        "deployed": len(succeeded),
        "deploys": len({(d["DatabaseId"], d["CommitOid"]) for d in deployments}),
    }
