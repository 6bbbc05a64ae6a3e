"""Sync one Jira project over REST into the lake (Cloud and Server / Data Center).

``search`` with ``jql = project = KEY AND updated >= "<cursor>" ORDER BY updated ASC`` and
``expand=changelog``, paged by ``startAt`` / ``maxResults``; an issue whose inline changelog Jira
cut is completed from ``/issue/{id}/changelog``. Each page is one lake batch, committed with the
source state (``batch.set_state``): the cursor (the latest ``updated`` seen, in UTC, to the
minute), the site URL and the statuses' categories from ``/status``. A killed sync resumes from
the last committed page; keys being deterministic, what it fetches again adds nothing.

JQL reads dates in the API user's time zone, which the cursor (UTC) does not know: the next
sync asks from ``overlap`` before the cursor (a day by default covers every UTC offset).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from tandem.lake import Lake
from tandem.sources.bots import DEFAULT_BOT_RULES, BotRules
from tandem.sources.http import ApiClient, offset_pages
from tandem.sources.jira.mapping import (
    Site,
    map_issues,
    needs_changelog,
    parse_time,
    source_name,
)

CURSOR_FORMAT = "%Y-%m-%d %H:%M"


@dataclass
class JiraSyncReport:
    """One project's sync."""

    source: str
    issues: int = 0
    pages: int = 0
    changelogs_fetched: int = 0
    objects_added: int = 0
    events_added: int = 0
    identities: int = 0
    cursor: str | None = None
    since: str | None = None
    statuses: int = 0
    added: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def sync_project(
    *,
    lake: Lake,
    client: ApiClient,
    url: str,
    project: str,
    api_version: str = "2",
    bots: BotRules = DEFAULT_BOT_RULES,
    page_size: int = 50,
    overlap: dt.timedelta = dt.timedelta(days=1),
) -> JiraSyncReport:
    """Fetch the project's issues updated since the cursor; one lake batch per page."""
    site = Site.from_url(url)
    source = source_name(site.host, project)
    api = f"/rest/api/{api_version}"
    previous = lake.state(source) or {}
    cursor = previous.get("updated_since") if isinstance(previous, dict) else None
    report = JiraSyncReport(source=source, cursor=cursor)
    categories = {
        str(s["name"]): str((s.get("statusCategory") or {}).get("key"))
        for s in client.get(f"{api}/status").json()
        if isinstance(s, dict) and s.get("name")
    }
    report.statuses = len(categories)
    jql = f"project = {project}"
    if cursor:
        since = dt.datetime.strptime(cursor, CURSOR_FORMAT).replace(tzinfo=dt.UTC) - overlap
        report.since = since.strftime(CURSOR_FORMAT)
        jql += f' AND updated >= "{report.since}"'
    jql += " ORDER BY updated ASC"
    params = {"jql": jql, "expand": "changelog", "fields": "*all"}
    for page in offset_pages(
        client, f"{api}/search", params=params, items_key="issues", page_size=page_size
    ):
        if not page.items:
            continue
        changelogs = {}
        for issue in page.items:
            if needs_changelog(issue):
                changelogs[str(issue["id"])] = [
                    entry
                    for part in offset_pages(
                        client, f"/rest/api/3/issue/{issue['id']}/changelog", items_key="values"
                    )
                    for entry in part.items
                ]
        report.changelogs_fetched += len(changelogs)
        rows = map_issues(page.items, changelogs=changelogs, bots=bots, site=site)
        latest = max(parse_time(str(i["fields"]["updated"])) for i in page.items)
        newest = max(filter(None, [cursor, latest.strftime(CURSOR_FORMAT)]))
        state = {
            "kind": "jira",
            "url": site.base_url,
            "project": project,
            "updated_since": newest,
            "status_categories": categories,
            "synced_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        with lake.batch(label=f"jira {source} page {page.number}") as batch:
            rows.write(batch)
            batch.set_state(source, state)
        cursor = newest
        report.pages += 1
        report.issues += len(page.items)
        report.identities += len(rows.identities)
        for table, added in batch.result.added.items():
            report.added[table] = report.added.get(table, 0) + added
    report.objects_added = report.added.get("objects", 0)
    report.events_added = report.added.get("events", 0)
    report.cursor = cursor
    return report
