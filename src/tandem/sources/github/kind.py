"""The ``github`` source kind for the registry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tandem.sources.github.config import GitHubConfig
from tandem.sources.github.sync import sync
from tandem.sources.registry import SourceKind


def synced_until(state: Mapping[str, Any]) -> str | None:
    """The newest cursor of the source's endpoints."""
    cursors = [e.get("cursor") for e in state.values() if isinstance(e, dict)]
    return max((str(c) for c in cursors if c), default=None)


KIND = SourceKind(
    kind="github",
    config=GitHubConfig,
    sync=sync,
    help="A GitHub repository: pull requests, issues, incidents, runs, releases, deployments.",
    synced_until=synced_until,
)
