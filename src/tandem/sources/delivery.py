"""Rows of delivery objects (docs/connectors.md): collected as plain values, written as Arrow.

Connectors that read an API or an export (GitLab, incident files) map each record to objects,
events, relations and identities with :class:`LakeRows`, then write the collected rows into one
lake batch with :meth:`LakeRows.write`. Keys are deterministic, so a record mapped twice (a page
fetched again after a killed sync, a file imported twice) adds nothing to the lake.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from tandem.lake.schema import TABLES
from tandem.lake.writer import Batch

SEPARATOR = "\x1f"  # unit separator: cannot be confused with text inside a value


def event_key(*parts: str) -> str:
    """A deterministic event id from the parts that make an event unique."""
    return hashlib.md5(SEPARATOR.join(parts).encode("utf-8"), usedforsecurity=False).hexdigest()


def commit_object(sha: str) -> str:
    """The object name of a commit in relations (the sha is the key of ``commits``)."""
    return f"@commit:{sha}"


def as_json(values: dict[str, Any]) -> str:
    """Attributes as the lake stores them: a JSON object, keys sorted, times in ISO 8601."""
    return json.dumps(values, sort_keys=True, default=_json_default, ensure_ascii=False)


def _json_default(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


@dataclass
class LakeRows:
    """Rows for one batch, table by table, in the order they were added."""

    objects: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    relations: list[dict[str, Any]] = field(default_factory=list)
    identities: list[dict[str, Any]] = field(default_factory=list)

    def add_object(
        self,
        *,
        object_id: str,
        object_type: str,
        source: str,
        external_key: str,
        title: str | None,
        created_at: dt.datetime | None,
        attributes: dict[str, Any],
        item_type: str | None = None,
    ) -> None:
        self.objects.append(
            {
                "object_id": object_id,
                "object_type": object_type,
                "source": source,
                "external_key": external_key,
                "title": title,
                "item_type": item_type,
                "created_at": created_at,
                "attributes": as_json(attributes),
            }
        )

    def add_event(
        self,
        *,
        object_id: str,
        activity: str,
        timestamp: dt.datetime,
        source: str,
        ordinal: int,
        key: tuple[str, ...],
        resource_key: str | None = None,
        attributes: dict[str, Any] | None = None,
    ) -> None:
        """One completed event; ``key`` are the parts that identify it within its object."""
        self.events.append(
            {
                "event_id": event_key(source, object_id, activity, *key),
                "object_id": object_id,
                "activity": activity,
                "timestamp": timestamp,
                "lifecycle": "complete",
                "resource_key": resource_key,
                "source": source,
                "ordinal": ordinal,
                "attributes": as_json(attributes) if attributes else None,
            }
        )

    def add_relation(self, from_object: str, to_object: str, kind: str) -> None:
        self.relations.append({"from_object": from_object, "to_object": to_object, "kind": kind})

    def add_identity(
        self, *, identity_key: str, source: str, kind: str, display_name: str | None, is_bot: bool
    ) -> None:
        self.identities.append(
            {
                "identity_key": identity_key,
                "source": source,
                "kind": kind,
                "display_name": display_name,
                "is_bot": is_bot,
            }
        )

    def counts(self) -> dict[str, int]:
        """Rows held per table."""
        return {table: len(getattr(self, table)) for table in TABLE_ORDER}

    def write(self, batch: Batch) -> None:
        """Stage every held row into ``batch`` (the batch deduplicates by key on commit)."""
        for table in TABLE_ORDER:
            rows = getattr(self, table)
            if rows:
                batch.write(table, pa.Table.from_pylist(rows, schema=_schema(table)))

    def clear(self) -> None:
        for table in TABLE_ORDER:
            getattr(self, table).clear()


TABLE_ORDER = ("objects", "events", "relations", "identities")


def _schema(table: str) -> pa.Schema:
    """The source columns of a lake table (the writer computes the events' step facts)."""
    spec = TABLES[table]
    if table != "events":
        return spec.schema
    return pa.schema([f for f in spec.schema if f.name not in STEP_FACTS])


STEP_FACTS = frozenset({"prev_activity", "prev_wait_us", "is_last", "trace", "trace_us"})
