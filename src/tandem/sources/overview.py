"""Every source a workspace knows: configured ones and those with data in the lake.

For the admin's sources page and its JSON twin. Each row is named as the lake names the source
(``github:owner/repo``, ``jira:host/PROJ`` …) and holds its name in ``tandem.toml`` when it is
configured there, its kind, its URL, the *name* of the environment variable holding its token
(never the token: it is not read here), the last sync (the latest batch whose state names the
source) and its counts in the lake.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from tandem.errors import InputError

if TYPE_CHECKING:
    from tandem.workspace import Workspace

# state keys that may name where a source lives (never a credential)
_URL_KEYS = ("url", "base_url")


@dataclass(frozen=True)
class SourceRow:
    """One source as the admin sees it."""

    name: str
    kind: str
    url: str | None
    token_env: str | None
    configured: bool
    configured_as: str | None
    last_sync: str | None
    items: int
    events: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def kind_of(name: str) -> str:
    """``jira`` of ``jira:host/PROJ``; the whole name when it has no prefix."""
    return name.split(":", 1)[0] if ":" in name else name


def configured_sources(workspace: Workspace) -> list[Mapping[str, Any]]:
    """Sources configured in ``tandem.toml`` (``[sources.<name>]``), each named as the lake
    names it; a table its kind's model refuses is listed as written, under its own name."""
    from tandem.sources import registry
    from tandem.sources.config import read_tables, validate

    try:
        tables = read_tables(workspace.config_path)
    except InputError:
        return []
    found: list[Mapping[str, Any]] = []
    for name, table in sorted(tables.items()):
        if not isinstance(table, dict):
            continue
        kind = str(table.get("kind") or "unknown")
        row = {
            "name": name,
            "configured_as": name,
            "kind": kind,
            "url": table.get("url"),
            "token_env": table.get("token_env"),
        }
        try:
            config = validate(registry.get(kind).config, name, table, None)
        except InputError:
            found.append(row)
            continue
        source = getattr(config, "source", None)
        row.update(name=source if isinstance(source, str) else name, url=config.url)
        row["token_env"] = config.token_env
        found.append(row)
    return found


def list_sources(workspace: Workspace) -> list[SourceRow]:
    """Configured sources and sources with data, by name."""
    lake = workspace.lake
    manifest = lake.manifest()
    with contextlib.closing(lake.connect(tables=("events",))) as con:
        counts = {
            str(source): (int(items), int(events))
            for source, items, events in con.execute(
                "SELECT source, count(DISTINCT object_id), count(*) FROM events GROUP BY source"
            ).fetchall()
        }
    last: dict[str, str] = {}
    for batch in manifest.batches:
        for key in batch.get("state") or []:
            last[str(key)] = str(batch.get("committed_at"))
    configured = {str(c["name"]): c for c in configured_sources(workspace)}
    names = sorted(set(counts) | set(configured) | set(manifest.state))
    rows = []
    for name in names:
        config = configured.get(name, {})
        state = manifest.state.get(name)
        state = state if isinstance(state, Mapping) else {}
        url = config.get("url") or next((state[k] for k in _URL_KEYS if state.get(k)), None)
        items, events = counts.get(name, (0, 0))
        rows.append(
            SourceRow(
                name=name,
                kind=str(config.get("kind") or kind_of(name)),
                url=str(url) if url else None,
                token_env=str(config["token_env"]) if config.get("token_env") else None,
                configured=name in configured,
                configured_as=str(config["configured_as"]) if config else None,
                last_sync=last.get(name),
                items=items,
                events=events,
            )
        )
    return rows
