"""Sync one Jira project over REST into the lake (Cloud and Server / Data Center).

``search`` with ``jql = project = KEY AND updated >= "<cursor>" ORDER BY updated ASC`` and
``expand=changelog``, paged by ``startAt`` / ``maxResults``; an issue whose inline changelog Jira
cut is completed from ``/issue/{id}/changelog``. Each page is one lake batch, committed with the
source state (``batch.set_state``): the cursor (the latest ``updated`` seen, in UTC, to the
minute), the site URL and the statuses' categories from ``/status``. A killed sync resumes from
the last committed page; keys being deterministic, what it fetches again adds nothing.

JQL reads dates in the API user's time zone, which the cursor (UTC) does not know: the next
sync asks from ``overlap`` before the cursor (a day by default covers every UTC offset).
A dry run fetches and maps every page and counts the rows, but writes nothing (no rows, no state).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from tandem.lake import Lake
from tandem.progress import NoProgress, Progress
from tandem.sources.bots import DEFAULT_BOT_RULES, BotRules
from tandem.sources.http import ApiClient, ApiError, offset_pages
from tandem.sources.jira import shape
from tandem.sources.jira.mapping import (
    Site,
    check_issue,
    inline_history,
    map_issues,
    needs_changelog,
    parse_time,
    source_name,
)
from tandem.sources.shape import check

CURSOR_FORMAT = "%Y-%m-%d %H:%M"


@dataclass
class JiraSyncReport:
    """One project's sync."""

    source: str
    dry_run: bool = False
    issues: int = 0
    pages: int = 0
    batches: int = 0
    changelogs_fetched: int = 0
    objects_added: int = 0
    events_added: int = 0
    identities: int = 0
    cursor: str | None = None
    since: str | None = None
    statuses: int = 0
    rows: dict[str, int] = field(default_factory=dict)  # rows mapped (a dry run: only these)
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
    inline_changelog: int | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> JiraSyncReport:
    """Fetch the project's issues updated since the cursor; one lake batch per page.

    An issue whose inline changelog Jira says it cut (``total`` above the histories returned),
    or that holds ``inline_changelog`` entries or more, is completed from its changelog endpoint.
    """
    progress = progress or NoProgress()
    site = Site.from_url(url)
    source = source_name(site.host, project)
    api = f"/rest/api/{api_version}"
    previous = lake.state(source) or {}
    cursor = previous.get("updated_since") if isinstance(previous, dict) else None
    report = JiraSyncReport(source=source, dry_run=dry_run, cursor=cursor)
    statuses = client.get(f"{api}/status").json()
    check(list[shape.Status], statuses, what=f"{api}/status")
    categories = {
        str(s["name"]): str((s.get("statusCategory") or {}).get("key"))
        for s in statuses
        if s.get("name")
    }
    report.statuses = len(categories)
    jql = f"project = {project}"
    if cursor:
        since = dt.datetime.strptime(cursor, CURSOR_FORMAT).replace(tzinfo=dt.UTC) - overlap
        report.since = since.strftime(CURSOR_FORMAT)
        jql += f' AND updated >= "{report.since}"'
    jql += " ORDER BY updated ASC"
    params = {"jql": jql, "expand": "changelog", "fields": "*all"}
    progress.start(f"{source}: issues")
    for page in offset_pages(
        client, f"{api}/search", params=params, items_key="issues", page_size=page_size
    ):
        if not page.items:
            continue
        changelogs = {}
        for number, issue in enumerate(page.items, start=1):
            check_issue(issue, number)
            if needs_changelog(issue) or (
                inline_changelog is not None
                and len(inline_history(issue).histories) >= inline_changelog
            ):
                changelogs[str(issue["id"])] = whole_changelog(client, api, str(issue["id"]))
        report.changelogs_fetched += len(changelogs)
        rows = map_issues(page.items, changelogs=changelogs, bots=bots, site=site)
        latest = max(
            parse_time(str(i["fields"].get("updated") or i["fields"]["created"]))
            for i in page.items
        )
        newest = max(filter(None, [cursor, latest.strftime(CURSOR_FORMAT)]))
        state = {
            "kind": "jira",
            "url": site.base_url,
            "project": project,
            "updated_since": newest,
            "status_categories": categories,
            "synced_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        report.pages += 1
        report.issues += len(page.items)
        report.identities += len(rows.identities)
        for table, count in rows.counts().items():
            report.rows[table] = report.rows.get(table, 0) + count
        progress.advance(len(page.items))
        if dry_run:
            continue
        added = rows.commit(lake, label=f"jira {source} page {page.number}", state={source: state})
        cursor = newest
        report.batches += 1
        for table, count in added.items():
            report.added[table] = report.added.get(table, 0) + count
    progress.finish()
    report.objects_added = report.added.get("objects", 0)
    report.events_added = report.added.get("events", 0)
    report.cursor = cursor
    return report


def whole_changelog(client: ApiClient, api: str, issue_id: str) -> list[Any]:
    """An issue's whole changelog: Jira Cloud's paged ``/issue/{id}/changelog``; a Server or
    Data Center site has no such endpoint (404) but returns the whole history with the issue
    itself (``/issue/{id}?expand=changelog``)."""
    try:
        return [
            entry
            for part in offset_pages(
                client, f"{api}/issue/{issue_id}/changelog", items_key="values"
            )
            for entry in part.items
        ]
    except ApiError as exc:
        if exc.http_status != 404:
            raise
    issue = client.get(
        f"{api}/issue/{issue_id}", params={"expand": "changelog", "fields": "created"}
    ).json()
    check(shape.Issue, issue, what=f"{api}/issue/{issue_id}")
    histories: list[Any] = (issue.get("changelog") or {}).get("histories") or []
    return histories
