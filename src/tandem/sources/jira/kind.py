"""The ``jira`` source kind for the registry: ``tandem.sources.jira.sync`` behind a SyncReport."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tandem.sources.http import ApiClient, Credentials
from tandem.sources.jira.config import JiraConfig
from tandem.sources.jira.sync import JiraSyncReport, sync_project
from tandem.sources.registry import SourceKind, SyncReport, SyncRequest


def credentials(config: JiraConfig, request: SyncRequest) -> Credentials:
    """Basic (user + token), bearer (a personal access token) or none (``token_env = ""``)."""
    if not config.token_env:
        return Credentials.anonymous()
    if config.auth == "bearer":
        return Credentials.bearer(config.token_env, environ=request.environ)
    return Credentials.basic(config.user or "", config.token_env, environ=request.environ)


def sync(request: SyncRequest) -> SyncReport:
    """Sync the project ``request.config`` names, one lake batch per search page."""
    config = request.config
    assert isinstance(config, JiraConfig)
    report = SyncReport(
        name=request.name, kind="jira", source=config.source, dry_run=request.dry_run
    )
    with ApiClient(
        base_url=config.url,
        credentials=credentials(config, request),
        clock=request.clock,
        transport=request.transport,
        headers={"Accept": "application/json"},
    ) as client:
        try:
            done = sync_project(
                lake=request.lake,
                client=client,
                url=config.url,
                project=config.project,
                api_version=config.options.api_version,
                bots=request.bots,
                page_size=config.options.page_size,
                inline_changelog=config.options.inline_changelog,
                dry_run=request.dry_run,
                progress=request.progress,
            )
            _fill(report, done)
        finally:
            report.take_stats(client.stats)
    return report


def _fill(report: SyncReport, done: JiraSyncReport) -> None:
    report.fetched = {"issues": done.issues, "changelogs": done.changelogs_fetched}
    report.staged = dict(done.rows)
    report.added = dict(done.added)
    report.batches = done.batches


def synced_until(state: Mapping[str, Any]) -> str | None:
    """The search cursor: the latest ``updated`` seen (UTC, to the minute)."""
    cursor = state.get("updated_since")
    return str(cursor) if cursor else None


KIND = SourceKind(
    kind="jira",
    config=JiraConfig,
    sync=sync,
    help="A Jira project: issues as work items with every status change, links, epics.",
    synced_until=synced_until,
)
