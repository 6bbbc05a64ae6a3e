"""API sources (GitHub, GitLab, Jira): configure them in ``tandem.toml``, sync them.

``sync_sources`` runs each source's sync (``tandem.sources.registry``) into the lake, then copies
the identities it wrote into the app database (``sync_people``), as the file ingests do. Every
chosen source's token is checked before anything is fetched, so a missing variable stops the
whole run with nothing written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tandem.errors import NotFoundError
from tandem.ingest.service import sync_people
from tandem.progress import NoProgress, Progress
from tandem.sources import registry
from tandem.sources.bots import BotRules
from tandem.sources.config import (
    SourceConfig,
    check_name,
    load_sources,
    remove_source,
    save_source,
    validate,
)
from tandem.sources.http.auth import read_token
from tandem.workspace import Workspace

if TYPE_CHECKING:
    import httpx2

    from tandem.sources.http import Clock


def add_source(
    *, workspace: Workspace, name: str, kind: str, values: dict[str, Any]
) -> dict[str, Any]:
    """Validate a source and write it to ``tandem.toml`` (replacing one of the same name)."""
    check_name(name)
    source_kind = registry.get(kind)
    data = {"kind": kind, **{k: v for k, v in values.items() if v is not None}}
    config = validate(source_kind.config, name, data, None)
    load_sources(workspace.config_path)  # the file's other sources must be valid too
    save_source(workspace.config_path, name, config)
    return {"name": name, **config.model_dump(mode="json")}


def list_sources(*, workspace: Workspace) -> list[dict[str, Any]]:
    """Every configured source with what the lake holds of it (its cursors' last times)."""
    state = workspace.lake.manifest().state
    listed = []
    for name, config in sorted(load_sources(workspace.config_path).items()):
        source = getattr(config, "source", None)
        held = state.get(source) if isinstance(source, str) else None
        listed.append(
            {
                "name": name,
                **config.model_dump(mode="json"),
                "source": source,
                "synced_until": (
                    registry.get(config.kind).synced_until(held) if isinstance(held, dict) else None
                ),
            }
        )
    return listed


def drop_source(*, workspace: Workspace, name: str) -> dict[str, Any]:
    """Remove a source from ``tandem.toml`` (what it wrote stays in the lake)."""
    remove_source(workspace.config_path, name)
    return {"removed": name}


def sync_sources(
    *,
    workspace: Workspace,
    names: Sequence[str] = (),
    dry_run: bool = False,
    progress: Progress | None = None,
    environ: Mapping[str, str] | None = None,
    clock: Clock | None = None,
    transport: httpx2.BaseTransport | None = None,
) -> dict[str, Any]:
    """Sync the named sources (default: all), then their identities; one report per source."""
    configs = load_sources(workspace.config_path)
    if not configs:
        raise NotFoundError(
            f"no sources in {workspace.config_path}; add one with `tandem source add`"
        )
    unknown = [n for n in names if n not in configs]
    if unknown:
        known = ", ".join(sorted(configs))
        raise NotFoundError(f"no source {', '.join(map(repr, unknown))} (configured: {known})")
    chosen: list[tuple[str, SourceConfig]] = [(n, configs[n]) for n in (names or sorted(configs))]
    for name, config in chosen:
        if config.token_env:
            read_token(
                config.token_env,
                environ=environ,
                field=f"sources.{name}.token_env",
                path=str(workspace.config_path),
            )
    bots = BotRules.from_settings(workspace.settings.bots)
    reports = []
    for name, config in chosen:
        kind = registry.get(config.kind)
        request = registry.SyncRequest(
            lake=workspace.lake,
            name=name,
            config=config,
            bots=bots,
            progress=progress or NoProgress(),
            dry_run=dry_run,
            environ=environ,
            clock=clock,
            transport=transport,
        )
        reports.append(kind.sync(request).to_dict())
    people = None if dry_run else sync_people(workspace=workspace).model_dump()
    return {"dry_run": dry_run, "sources": reports, "people": people}
