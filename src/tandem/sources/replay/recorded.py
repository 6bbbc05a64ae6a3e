"""Recorded API payloads: DevLake's raw tables (one JSON item per row), by repository and table.

DevLake's collectors store each item an API returned as one row of ``_raw_<plugin>_<table>``:
``params`` (JSON naming the repository, ``{"Name": "owner/repo", …}``), ``data`` (the item),
``url`` (the request) and ``input`` (the parent, e.g. ``{"Number": 23}`` for a PR's commits).
:meth:`Recording.load` reads every ``_raw_*.csv`` or ``.csv.gz`` of a folder; an item recorded
twice (by two DevLake connections) is kept once, at its first row.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tandem.errors import InputError

_NAME = re.compile(r"^_raw_(?P<plugin>[a-z]+)_(?P<table>.+?)\.csv(\.gz)?$")


@dataclass(frozen=True)
class Row:
    """One recorded item with its request's parent (``input``, ``{}`` when none)."""

    item: Any
    input: dict[str, Any]


@dataclass
class Recording:
    """Rows per ``(plugin, table)`` and repository (``params.Name``), in recorded order."""

    tables: dict[tuple[str, str], dict[str, list[Row]]] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path) -> Recording:
        """Every DevLake raw table in ``folder`` (see the module docstring)."""
        recording = cls()
        files = (
            sorted(p for p in folder.iterdir() if _NAME.match(p.name)) if folder.is_dir() else []
        )
        if not files:
            raise InputError("no DevLake raw tables (_raw_*.csv[.gz]) here", path=folder)
        for path in files:
            match = _NAME.match(path.name)
            assert match is not None
            key = (match["plugin"], match["table"])
            by_repo = recording.tables.setdefault(key, {})
            seen: set[tuple[str, str]] = set()
            for line, raw in _rows(path):
                params = _loose_json(raw.get("params", ""), path, line, "params")
                item = _loose_json(raw.get("data", ""), path, line, "data")
                parent = _loose_json(raw.get("input") or "null", path, line, "input") or {}
                repo = str((params or {}).get("Name", ""))
                identity = (repo, _identity(item, parent))
                if identity in seen:
                    continue
                seen.add(identity)
                by_repo.setdefault(repo, []).append(
                    Row(item=item, input=parent if isinstance(parent, dict) else {})
                )
        return recording

    def rows(self, plugin: str, table: str, repo: str) -> list[Row]:
        """The rows of one table for one repository (``[]`` when none were recorded)."""
        return self.tables.get((plugin, table), {}).get(repo, [])

    def items(self, plugin: str, table: str, repo: str) -> list[Any]:
        return [row.item for row in self.rows(plugin, table, repo)]

    def repos(self, plugin: str) -> set[str]:
        """Every repository with at least one recorded row of ``plugin``."""
        return {
            repo
            for (name, _table), by_repo in self.tables.items()
            if name == plugin
            for repo, rows in by_repo.items()
            if rows
        }


def _identity(item: Any, parent: Any) -> str:
    if isinstance(item, dict):
        key = item.get("id", item.get("Id", item.get("sha")))
        if key is not None:
            return f"{json.dumps(parent, sort_keys=True)}|{key}"
    return json.dumps([parent, item], sort_keys=True)


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    csv.field_size_limit(10**9)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as binary, io.TextIOWrapper(binary, "utf-8", newline="") as text:
        reader = csv.DictReader(text)
        for row in reader:
            yield reader.line_num, row


def _loose_json(text: str, path: Path, line: int, column: str) -> Any:
    """JSON as DevLake wrote it (it may leave a value out: ``{"ConnectionId":,…}``)."""
    try:
        return json.loads(re.sub(r":\s*,", ":null,", text))
    except ValueError:
        raise InputError("not valid JSON", path=path, line=line, field=column) from None
