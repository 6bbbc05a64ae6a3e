"""The ``gitlab`` source kind for the registry: ``tandem.sources.gitlab.sync`` behind a
SyncReport."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tandem.sources.gitlab.config import GitLabSource
from tandem.sources.gitlab.sync import open_client, sync_gitlab
from tandem.sources.registry import SourceKind, SyncReport, SyncRequest


def sync(request: SyncRequest) -> SyncReport:
    """Sync the project ``request.config`` names, one lake batch per page."""
    config = request.config
    assert isinstance(config, GitLabSource)
    gitlab = config.gitlab()
    report = SyncReport(
        name=request.name, kind="gitlab", source=gitlab.source, dry_run=request.dry_run
    )
    with open_client(
        gitlab, environ=request.environ, clock=request.clock, transport=request.transport
    ) as client:
        try:
            done = sync_gitlab(
                lake=request.lake,
                config=gitlab,
                client=client,
                bots=request.bots,
                dry_run=request.dry_run,
                per_page=config.options.per_page,
                progress=request.progress,
            )
            report.fetched = dict(done.items)
            report.staged = dict(done.rows)
            report.added = dict(done.added)
            report.batches = done.batches
        finally:
            report.take_stats(client.stats)
    return report


def synced_until(state: Mapping[str, Any]) -> str | None:
    """The newest ``updated_after`` cursor of the listings."""
    return max((str(v) for k, v in state.items() if isinstance(v, str)), default=None)


KIND = SourceKind(
    kind="gitlab",
    config=GitLabSource,
    sync=sync,
    help="A GitLab project: merge requests, issues, incidents, deployments, pipelines, releases.",
    synced_until=synced_until,
)
