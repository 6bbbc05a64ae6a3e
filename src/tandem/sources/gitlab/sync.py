"""``tandem sync`` for a GitLab project: REST v4 listings, page by page, into lake batches.

Each listing is read in ``updated_at`` order from the cursor the lake manifest holds for it
(``updated_after``, inclusive: the boundary items come again and add nothing, keys being
deterministic). Every page becomes one lake batch committed together with the advanced cursor,
so a sync killed at any point resumes after the last committed page. When a listing ends, its
cursor is set no later than the server's time at its first page: an item updated while the
listing ran may have shifted between pages unseen, and the next sync takes it.
Releases have no ``updated_after``; they are listed whole each time (few, and deduplicated).
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from tandem.lake import Lake
from tandem.progress import NoProgress, Progress
from tandem.sources.bots import DEFAULT_BOT_RULES, BotRules
from tandem.sources.gitlab import shape
from tandem.sources.gitlab.config import GitLabConfig
from tandem.sources.gitlab.mapping import Mapper, Project, when
from tandem.sources.http import (
    ApiClient,
    ApiError,
    Clock,
    Credentials,
    RetryPolicy,
    numbered_pages,
)
from tandem.sources.rows import LakeRows
from tandem.sources.shape import Open, check

if TYPE_CHECKING:
    import httpx2

#: The listings synced, in order, with their query parameters (cursor listings first).
LISTINGS: dict[str, dict[str, str]] = {
    "merge_requests": {"scope": "all", "state": "all", "order_by": "updated_at", "sort": "asc"},
    "issues": {"scope": "all", "state": "all", "order_by": "updated_at", "sort": "asc"},
    "deployments": {"order_by": "updated_at", "sort": "asc"},
    "pipelines": {"order_by": "updated_at", "sort": "asc"},
    "releases": {"order_by": "released_at", "sort": "asc"},
}
UNCURSORED = frozenset({"releases"})


@dataclass
class GitLabSyncReport:
    """One sync of one project."""

    source: str
    dry_run: bool
    items: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    added: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    cursors: dict[str, str] = field(default_factory=dict)
    requests: int = 0
    retries: int = 0
    rate_limit_waits: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def open_client(
    config: GitLabConfig,
    *,
    environ: Mapping[str, str] | None = None,
    clock: Clock | None = None,
    retry: RetryPolicy | None = None,
    transport: httpx2.BaseTransport | None = None,
) -> ApiClient:
    """An API client for the project's instance with ``PRIVATE-TOKEN`` from ``token_env``."""
    return ApiClient(
        base_url=config.api_url,
        credentials=Credentials.header("PRIVATE-TOKEN", config.token_env, environ=environ),
        clock=clock,
        retry=retry,
        transport=transport,
    )


def sync_gitlab(
    *,
    lake: Lake,
    config: GitLabConfig,
    client: ApiClient,
    bots: BotRules = DEFAULT_BOT_RULES,
    dry_run: bool = False,
    per_page: int = 100,
    progress: Progress | None = None,
) -> GitLabSyncReport:
    """Sync merge requests, issues (incidents among them), deployments, pipelines and releases.

    ``dry_run`` fetches and maps everything but writes nothing (no rows, no cursor).
    """
    progress = progress or NoProgress()
    project = Project(source=config.source, path=config.project)
    state: dict[str, Any] = dict(lake.state(config.source) or {})
    report = GitLabSyncReport(source=config.source, dry_run=dry_run)
    base = f"/projects/{config.project_ref}"
    client.get(base)  # the project exists and the token may read it: fail before any listing
    for listing, params in LISTINGS.items():
        cursor = None if listing in UNCURSORED or dry_run else state.get(listing)
        query = {**params, **({"updated_after": cursor} if cursor else {})}
        newest: dt.datetime | None = when(cursor, what="cursor") if cursor else None
        started: dt.datetime | None = None
        report.items.setdefault(listing, 0)
        progress.start(f"{config.project}: {listing.replace('_', ' ')}")
        for page in numbered_pages(client, f"{base}/{listing}", params=query, per_page=per_page):
            if started is None:
                started = _server_time(page.response.headers.get("date"))
            mapper = Mapper(project, bots)
            for item in page.items:
                check(shape.LISTED[listing], item, what=f"an item of GET {base}/{listing}")
                _map_item(client, base, listing, item, mapper, per_page)
                updated = when(item.get("updated_at"), what=f"{listing} updated_at")
                if updated is not None and (newest is None or updated > newest):
                    newest = updated
            report.items[listing] += len(page.items)
            progress.advance(len(page.items))
            if listing not in UNCURSORED and newest is not None:
                state[listing] = _iso(newest)
            _commit(lake, config, mapper.rows, state, report, label=f"{listing} page {page.number}")
        progress.finish()
        if listing not in UNCURSORED and newest is not None:
            end = min(newest, started) if started is not None else newest
            if state.get(listing) != _iso(end):
                state[listing] = _iso(end)
                _commit(lake, config, LakeRows(), state, report, label=f"{listing} done")
    report.cursors = {k: v for k, v in state.items() if isinstance(v, str)}
    report.requests = client.stats.requests
    report.retries = client.stats.retries
    report.rate_limit_waits = client.stats.rate_limit_waits
    return report


def _map_item(
    client: ApiClient,
    base: str,
    listing: str,
    item: dict[str, Any],
    mapper: Mapper,
    per_page: int,
) -> None:
    if listing == "merge_requests":
        mr = f"{base}/merge_requests/{item['iid']}"
        notes = {"sort": "asc", "order_by": "created_at"}
        mapper.merge_request(
            item,
            commits=_checked(shape.Commit, client, f"{mr}/commits", per_page),
            approvals=_checked_object(shape.Approvals, client, f"{mr}/approvals"),
            notes=_checked(shape.Note, client, f"{mr}/notes", per_page, notes),
        )
    elif listing == "issues":
        events = f"{base}/issues/{item['iid']}/resource_state_events"
        state_events = _checked(shape.StateEvent, client, events, per_page)
        mapper.issue(item, state_events=state_events)
    elif listing == "deployments":
        mapper.deployment(item)
    elif listing == "pipelines":
        path = f"{base}/pipelines/{item['id']}"
        detail = _checked_object(shape.Pipeline, client, path) or {}
        mapper.pipeline({**item, **detail})
    else:
        mapper.release(item)


def _checked(
    model: type[Open],
    client: ApiClient,
    path: str,
    per_page: int,
    params: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Every item of a listing, each checked against ``model``."""
    found = list(_all(client, path, per_page, params))
    for item in found:
        check(model, item, what=f"an item of GET {path}")
    return found


def _checked_object(model: type[Open], client: ApiClient, path: str) -> dict[str, Any] | None:
    body = _object(client, path)
    check(model, body, what=f"GET {path}")
    return body


def _all(
    client: ApiClient, path: str, per_page: int, params: dict[str, str] | None = None
) -> Iterator[dict[str, Any]]:
    for page in numbered_pages(client, path, params=params, per_page=per_page):
        yield from page.items


def _object(client: ApiClient, path: str) -> dict[str, Any] | None:
    body = client.get(path).json()
    if not isinstance(body, dict):
        raise ApiError("expected a JSON object", url=client.url(path))
    return body


def _commit(
    lake: Lake,
    config: GitLabConfig,
    rows: LakeRows,
    state: dict[str, Any],
    report: GitLabSyncReport,
    *,
    label: str,
) -> None:
    for table, count in rows.counts().items():
        report.rows[table] = report.rows.get(table, 0) + count
    if report.dry_run:
        return
    added = rows.commit(
        lake, label=f"gitlab {config.source} {label}", state={config.source: dict(state)}
    )
    report.batches += 1
    for table, count in added.items():
        report.added[table] = report.added.get(table, 0) + count


def _server_time(header: str | None) -> dt.datetime | None:
    if not header:
        return None
    try:
        return email.utils.parsedate_to_datetime(header).astimezone(dt.UTC)
    except (TypeError, ValueError):
        return None


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
