"""Kinds of API sources: each maps its name to its configuration model and its sync function.

A kind lives in its own package and is named here by ``module:attribute`` (imported on first
use), so adding one is one line in :data:`BUILTIN`. A kind's ``sync`` takes a
:class:`SyncRequest` and returns a :class:`SyncReport`; ``tandem.ingest.sources`` runs it and
then syncs the identities it wrote into the app database.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from tandem.errors import InputError
from tandem.progress import NoProgress, Progress
from tandem.sources.bots import DEFAULT_BOT_RULES, BotRules
from tandem.sources.config import SourceConfig

if TYPE_CHECKING:
    import httpx2

    from tandem.lake import Lake
    from tandem.sources.http import Clock
    from tandem.sources.http.client import ClientStats

BUILTIN: dict[str, str] = {
    "github": "tandem.sources.github.kind:KIND",
    "gitlab": "tandem.sources.gitlab.kind:KIND",
    "jira": "tandem.sources.jira.kind:KIND",
}


@dataclass
class SyncRequest:
    """One source to sync: where to write, its configuration and how to reach it."""

    lake: Lake
    name: str
    config: SourceConfig
    bots: BotRules = DEFAULT_BOT_RULES
    progress: Progress = field(default_factory=NoProgress)
    dry_run: bool = False
    environ: Mapping[str, str] | None = None  # default: os.environ (tokens)
    clock: Clock | None = None
    transport: httpx2.BaseTransport | None = None


@dataclass
class SyncReport:
    """What a sync did: items fetched per endpoint, rows added per lake table, the HTTP work."""

    name: str
    kind: str
    source: str
    dry_run: bool
    fetched: dict[str, int] = field(default_factory=dict)
    staged: dict[str, int] = field(default_factory=dict)  # rows prepared (a dry run: only these)
    added: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    requests: int = 0
    not_modified: int = 0
    retries: int = 0
    rate_limit_waits: int = 0
    waited_seconds: float = 0.0

    def take_stats(self, stats: ClientStats) -> None:
        """Copy the HTTP work of a sync's client into this report."""
        self.requests = stats.requests
        self.not_modified = stats.not_modified
        self.retries = stats.retries
        self.rate_limit_waits = stats.rate_limit_waits
        self.waited_seconds = round(stats.waited_seconds, 3)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def no_cursor(state: Mapping[str, Any]) -> str | None:
    """A kind that keeps no cursor in its state."""
    return None


@dataclass(frozen=True)
class SourceKind:
    """One kind: its configuration model, its sync function, a line of help, and how far a
    source has been read by its state in the lake manifest (``synced_until``)."""

    kind: str
    config: type[SourceConfig]
    sync: Callable[[SyncRequest], SyncReport]
    help: str
    synced_until: Callable[[Mapping[str, Any]], str | None] = no_cursor


def kinds() -> dict[str, SourceKind]:
    """Every known kind (imports their packages)."""
    return {name: get(name) for name in BUILTIN}


def get(kind: str, *, field: str = "kind") -> SourceKind:
    """The kind named ``kind``; an error naming ``field`` and the known kinds otherwise."""
    target = BUILTIN.get(kind)
    if target is None:
        known = ", ".join(sorted(BUILTIN))
        raise InputError(f"unknown source kind {kind!r} (known: {known})", field=field)
    module, attribute = target.split(":")
    found = getattr(importlib.import_module(module), attribute)
    assert isinstance(found, SourceKind)
    return found
