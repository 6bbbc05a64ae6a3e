"""Jira's REST endpoints, answered from the recorded Jira Cloud payloads (DevLake raw tables).

Served:

- ``GET /rest/api/{2,3}/search``: ``jql`` of the form ``project = KEY [AND updated >= "yyyy-MM-dd
  HH:mm"] ORDER BY updated ASC`` (times in UTC), ``startAt`` / ``maxResults`` (at most 100),
  ``expand=changelog``: each issue's inline changelog holds at most ``inline_changelog`` entries
  (Jira's limit is 100; a test lowers it to make the connector fetch the rest);
- ``GET /rest/api/{2,3}/issue/{id}/changelog``: the issue's whole changelog (the recorded
  changelog pages, else the histories of its recorded payload), by ``startAt`` / ``maxResults``;
- ``GET /rest/api/{2,3}/status``: the site's statuses with their categories.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import gzip
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tandem.sources.replay.server import Reply, Request, Router

_JQL = re.compile(
    r'^\s*project\s*=\s*"?(?P<project>[A-Za-z0-9_]+)"?'
    r'(?:\s+AND\s+updated\s*>=\s*"(?P<since>[0-9-]+ [0-9:]+)")?'
    r"\s+ORDER\s+BY\s+updated\s+ASC\s*$",
    re.IGNORECASE,
)


def _rows(path: Path) -> list[dict[str, str]]:
    csv.field_size_limit(10**9)
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _utc(value: str) -> dt.datetime:
    return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z").astimezone(dt.UTC)


def register(
    router: Router, folder: Path, *, inline_changelog: int = 100, server: bool = False
) -> None:
    """Add the Jira routes over the recording in ``folder`` to ``router``; ``server``: answer as
    a Jira Server / Data Center site would (no paged changelog endpoint; ``/issue/{id}`` with
    ``expand=changelog`` returns the whole history)."""
    issues = [json.loads(r["data"]) for r in _rows(folder / "_raw_jira_api_issues.csv.gz")]
    statuses = [json.loads(r["data"]) for r in _rows(folder / "_raw_jira_api_status.csv.gz")]
    changelogs: dict[str, list[Any]] = defaultdict(list)
    for row in _rows(folder / "_raw_jira_api_issue_changelogs.csv.gz"):
        changelogs[urlsplit(row["url"]).path.rstrip("/").split("/")[-2]].append(
            json.loads(row["data"])
        )
    for issue in issues:
        changelogs.setdefault(str(issue["id"]), list(issue["changelog"]["histories"]))
    ordered = sorted(issues, key=lambda i: (_utc(i["fields"]["updated"]), i["key"]))

    def search(request: Request) -> Reply:
        found = _JQL.match(request.query.get("jql", ""))
        if found is None:
            return Reply({"errorMessages": ["the replay answers project/updated JQL only"]}, 400)
        since = (
            dt.datetime.strptime(found["since"], "%Y-%m-%d %H:%M").replace(tzinfo=dt.UTC)
            if found["since"]
            else None
        )
        project = found["project"].upper()
        picked = [
            i
            for i in ordered
            if i["fields"]["project"]["key"].upper() == project
            and (since is None or _utc(i["fields"]["updated"]) >= since)
        ]
        start = max(int(request.query.get("startAt", "0") or 0), 0)
        size = min(max(int(request.query.get("maxResults", "50") or 50), 1), 100)
        page = [copy.deepcopy(i) for i in picked[start : start + size]]
        expand = "changelog" in request.query.get("expand", "")
        for issue in page:
            if not expand:
                issue.pop("changelog", None)
                continue
            histories = issue["changelog"]["histories"]
            issue["changelog"] = {
                "startAt": 0,
                "maxResults": min(len(histories), inline_changelog),
                "total": len(histories),
                "histories": histories[:inline_changelog],
            }
        body = {"startAt": start, "maxResults": size, "total": len(picked), "issues": page}
        return Reply(body)

    def changelog(request: Request) -> Reply:
        values = changelogs.get(request.params["issue"])
        if values is None:
            return Reply({"errorMessages": ["Issue does not exist"]}, 404)
        start = max(int(request.query.get("startAt", "0") or 0), 0)
        size = min(max(int(request.query.get("maxResults", "100") or 100), 1), 100)
        part = values[start : start + size]
        return Reply(
            {
                "startAt": start,
                "maxResults": size,
                "total": len(values),
                "isLast": start + len(part) >= len(values),
                "values": part,
            }
        )

    by_id = {str(issue["id"]): issue for issue in issues}

    def issue_with_history(request: Request) -> Reply:
        found = by_id.get(request.params["issue"])
        if found is None:
            return Reply({"errorMessages": ["Issue does not exist"]}, 404)
        whole = copy.deepcopy(found)
        histories = changelogs[str(found["id"])]
        whole["changelog"] = {"startAt": 0, "maxResults": len(histories), "total": len(histories),
                              "histories": histories}  # fmt: skip
        return Reply(whole)

    def no_such_endpoint(_request: Request) -> Reply:
        return Reply({"errorMessages": ["null for uri"]}, 404)

    for version in ("2", "3"):
        router.add("GET", f"/rest/api/{version}/search", search)
        router.add(
            "GET",
            f"/rest/api/{version}/issue/{{issue}}/changelog",
            no_such_endpoint if server else changelog,
        )
        router.add("GET", f"/rest/api/{version}/issue/{{issue}}", issue_with_history)
        router.add("GET", f"/rest/api/{version}/status", lambda _request: Reply(statuses))
