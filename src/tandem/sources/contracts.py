"""What each source's ingest returns, so surfaces can print and serialise it uniformly."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class GitIngestReport:
    """One repository's ingest."""

    repo: str
    rev: str
    head: str | None
    commits_in_ref: int
    commits_added: int
    commits_total: int
    files_added: int
    identities: int
    identities_added: int
    missing_blobs: int
    incremental: bool
    tags: int = 0  # tags that peel to a commit (each a release)
    deployments: int = 0  # production deployments by the [git.deployments] rule, read this run
    objects_added: int = 0  # release and deployment objects new to the lake

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ColumnMapping:
    """Which column of an event log holds what; ``None`` means detect it from standard names."""

    case: str | None = None
    activity: str | None = None
    timestamp: str | None = None
    resource: str | None = None
    lifecycle: str | None = None


@dataclass
class EventLogIngestReport:
    """One event log file's ingest."""

    source: str
    file: str
    format: str
    columns: dict[str, str | None]
    cases: int
    events: int
    events_added: int
    objects_added: int
    activities: int
    attributes: list[str] = field(default_factory=list)
    identities: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
