"""The ``github`` source kind for the registry."""

from __future__ import annotations

from tandem.sources.github.config import GitHubConfig
from tandem.sources.github.sync import sync
from tandem.sources.registry import SourceKind

KIND = SourceKind(
    kind="github",
    config=GitHubConfig,
    sync=sync,
    help="A GitHub repository: pull requests, issues, incidents, runs, releases, deployments.",
)
