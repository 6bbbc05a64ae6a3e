"""The replay server: recorded API payloads answered over local HTTP (offline demo and tests).

``ReplayServer(router)`` runs on 127.0.0.1 with an ephemeral port; route modules register what
they answer (``github.register(router, recording)``; ``octokit.register(router, fixture)``).
:func:`github_server` is the usual one: the recorded GitHub payloads the demo ships.
"""

from __future__ import annotations

from pathlib import Path

from tandem.sources.replay import github, jira
from tandem.sources.replay.recorded import Recording, Row
from tandem.sources.replay.server import (
    Fault,
    Faults,
    Listing,
    ReplayServer,
    Reply,
    Request,
    Router,
)

RECORDED = Path(__file__).parents[2] / "demo" / "data" / "recorded"
GITHUB_RECORDING = RECORDED / "github-ants"
JIRA_RECORDING = RECORDED / "jira-merico"


def github_server(folder: Path | None = None, **options: object) -> ReplayServer:
    """A (not yet started) server answering GitHub's API from the DevLake tables in ``folder``
    (default: the recording the demo ships); ``options`` go to :class:`ReplayServer`."""
    router = Router()
    github.register(router, Recording.load(folder or GITHUB_RECORDING))
    return ReplayServer(router, **options)  # type: ignore[arg-type]


def jira_server(
    folder: Path | None = None,
    *,
    inline_changelog: int = 100,
    server: bool = False,
    **options: object,
) -> ReplayServer:
    """A (not yet started) server answering Jira's REST API from the recorded Jira Cloud
    payloads (default: the recording the demo ships); ``server``: as a Jira Server site would
    (no paged changelog endpoint); see :mod:`tandem.sources.replay.jira`."""
    router = Router()
    jira.register(
        router, folder or JIRA_RECORDING, inline_changelog=inline_changelog, server=server
    )
    return ReplayServer(router, **options)  # type: ignore[arg-type]


__all__ = [
    "GITHUB_RECORDING",
    "JIRA_RECORDING",
    "RECORDED",
    "Fault",
    "Faults",
    "Listing",
    "Recording",
    "ReplayServer",
    "Reply",
    "Request",
    "Router",
    "Row",
    "github_server",
    "jira_server",
]
