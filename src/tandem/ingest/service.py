"""Ingest orchestration: run a source into the lake, then sync its identities to the app database.

The surfaces (CLI, the demo, later the web admin) call these. Sources write the lake and know
nothing of the app database; the people service takes identity rows and never reads the lake.
This module reads the lake's identities and hands them over.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tandem.db.session import session_scope
from tandem.lake import Lake
from tandem.people import service as people_service
from tandem.people.schemas import IdentitySeen, SyncReport
from tandem.progress import NoProgress, Progress
from tandem.sources.bots import BotRules
from tandem.sources.contracts import ColumnMapping
from tandem.sources.eventlog import ingest_event_log
from tandem.sources.git import ingest_repository
from tandem.sources.incidents import ingest_incidents as ingest_incident_file
from tandem.sources.jira.csv_export import DateFormat, ingest_jira_csv
from tandem.workspace import Workspace


def ingest_git(
    *,
    workspace: Workspace,
    paths: Sequence[Path],
    rev: str | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Ingest the history of each repository, then sync identities; totals over all of them."""
    bots = BotRules.from_settings(workspace.settings.bots)
    reports = [
        ingest_repository(
            lake=workspace.lake,
            path=path,
            rev=rev or workspace.settings.git.rev,
            bots=bots,
            progress=progress or NoProgress(),
            deployments=workspace.settings.git.deployments,
        )
        for path in paths
    ]
    sync = sync_people(workspace=workspace)
    identities = _distinct_identities(workspace, [r.repo for r in reports])
    return {
        "repos": [r.to_dict() for r in reports],
        "commits_added": sum(r.commits_added for r in reports),
        "commits_total": sum(r.commits_total for r in reports),
        "commits_in_ref": sum(r.commits_in_ref for r in reports),
        "files_added": sum(r.files_added for r in reports),
        "identities": identities,
        "missing_blobs": sum(r.missing_blobs for r in reports),
        "people": sync.model_dump(),
    }


def _distinct_identities(workspace: Workspace, repos: list[str]) -> int:
    """Distinct author and committer identities over ``repos`` (repos may share people)."""
    con = workspace.lake.connect(tables=("commits",))
    try:
        row = con.execute(
            "SELECT count(DISTINCT k) FROM (SELECT author_key AS k, repo FROM commits "
            "UNION ALL SELECT committer_key, repo FROM commits) WHERE list_contains(?, repo)",
            [repos],
        ).fetchone()
    finally:
        con.close()
    return int(row[0]) if row else 0


def ingest_events(
    *,
    workspace: Workspace,
    path: Path,
    columns: ColumnMapping,
    source: str | None = None,
    timezone: str = "UTC",
    object_type: str = "case",
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Ingest one event log file, then sync its resource identities."""
    report = ingest_event_log(
        lake=workspace.lake,
        path=path,
        columns=columns,
        source=source,
        timezone=timezone,
        object_type=object_type,
        bots=BotRules.from_settings(workspace.settings.bots),
        progress=progress or NoProgress(),
        limits=workspace.settings.ingest,
    )
    sync = sync_people(workspace=workspace)
    return {**report.to_dict(), "people": sync.model_dump()}


def ingest_jira_export(
    *,
    workspace: Workspace,
    path: Path,
    source: str | None = None,
    dates: DateFormat | None = None,
) -> dict[str, Any]:
    """Ingest one Jira CSV export (all or nothing), then sync its people's identities."""
    report = ingest_jira_csv(
        lake=workspace.lake,
        path=path,
        source=source,
        dates=dates,
        bots=BotRules.from_settings(workspace.settings.bots),
        limits=workspace.settings.ingest,
    )
    sync = sync_people(workspace=workspace)
    return {**report.to_dict(), "people": sync.model_dump()}


def ingest_incidents(
    *,
    workspace: Workspace,
    path: Path,
    source: str | None = None,
    overrides: dict[str, str] | None = None,
    timezone: str | None = None,
) -> dict[str, Any]:
    """Import one incident export (PagerDuty/Opsgenie-style CSV); incidents carry no identities."""
    report = ingest_incident_file(
        lake=workspace.lake,
        path=path,
        source=source,
        overrides=overrides,
        timezone=timezone,
        limits=workspace.settings.ingest,
    )
    return report.to_dict()


def lake_identities(lake: Lake) -> list[IdentitySeen]:
    """Every identity the sources have seen, as rows for the people service."""
    con = lake.connect(tables=("identities",))
    try:
        rows = con.execute(
            "SELECT identity_key, source, kind, display_name, is_bot FROM identities "
            "ORDER BY identity_key"
        ).fetchall()
    finally:
        con.close()
    return [
        IdentitySeen(
            identity_key=key, source=source, kind=kind, display_name=name, is_bot=bool(is_bot)
        )
        for key, source, kind, name, is_bot in rows
    ]


def sync_people(*, workspace: Workspace) -> SyncReport:
    """Copy the lake's new identities into the app database (one transaction)."""
    identities = lake_identities(workspace.lake)
    with session_scope(workspace.engine) as session:
        return people_service.sync_identities(session=session, identities=identities)
