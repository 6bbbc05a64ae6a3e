"""The demo's GitHub data: the recorded payloads synced through the replay server, offline.

The replay server answers GitHub's API on 127.0.0.1 from ``data/recorded/github-ants/`` (real
payloads recorded by Apache DevLake); each recorded repository is synced by the real connector,
exactly as ``tandem sync`` would a live one. The sources are not written to ``tandem.toml``: the
server's address lives only while the demo is built.
"""

from __future__ import annotations

from typing import Any

from tandem.ingest.service import sync_people
from tandem.progress import NoProgress, Progress
from tandem.sources import registry
from tandem.sources.bots import BotRules
from tandem.sources.github.config import GitHubConfig, GitHubOptions
from tandem.sources.replay import github_server
from tandem.workspace import Workspace

DEMO_REPOS = ("panjf2000/ants", "facebook/OpenBIC")


def build_demo_github(*, workspace: Workspace, progress: Progress | None = None) -> dict[str, Any]:
    """Sync the recorded repositories into the demo's lake; re-running adds nothing."""
    kind = registry.get("github")
    bots = BotRules.from_settings(workspace.settings.bots)
    reports = []
    with github_server() as server:
        for repo in DEMO_REPOS:
            # Pull requests, runs and deployments only: the recorded issues (2018–2022) would
            # move the how panel's "now" years past the incident log the demo teams work in.
            config = GitHubConfig(
                url=server.url, repo=repo, token_env="", options=GitHubOptions(work_items=False)
            )
            request = registry.SyncRequest(
                lake=workspace.lake,
                name=repo.rsplit("/", 1)[-1].lower(),
                config=config,
                bots=bots,
                progress=progress or NoProgress(),
            )
            reports.append(kind.sync(request).to_dict())
    people = sync_people(workspace=workspace)
    return {"repos": reports, "people": people.model_dump()}
