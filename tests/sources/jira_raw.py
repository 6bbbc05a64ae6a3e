"""The recorded Jira Cloud payloads (apache/incubator-devlake's e2e raw tables, Apache-2.0):
each row's ``data`` column is one JSON item of one API response."""

from __future__ import annotations

import csv
import gzip
import json
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tandem.sources.replay import JIRA_RECORDING as DATA

ISSUES = DATA / "_raw_jira_api_issues.csv.gz"
CHANGELOGS = DATA / "_raw_jira_api_issue_changelogs.csv.gz"
STATUSES = DATA / "_raw_jira_api_status.csv.gz"


def raw_rows(path: Path) -> list[dict[str, str]]:
    csv.field_size_limit(10**9)
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def issues() -> list[dict[str, Any]]:
    return [json.loads(row["data"]) for row in raw_rows(ISSUES)]


def changelogs() -> dict[str, list[dict[str, Any]]]:
    """Issue id → its changelog entries, from the ``/issue/{id}/changelog`` rows' URLs."""
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in raw_rows(CHANGELOGS):
        issue_id = urlsplit(row["url"]).path.rstrip("/").split("/")[-2]
        found[issue_id].append(json.loads(row["data"]))
    return dict(found)


def statuses() -> list[dict[str, Any]]:
    return [json.loads(row["data"]) for row in raw_rows(STATUSES)]


def status_items(histories: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The status changes of histories, oldest first (independent of the code under test)."""
    ordered = sorted(histories, key=lambda h: (h["created"], int(h["id"])))
    return [item for h in ordered for item in h["items"] if item["field"] == "status"]
