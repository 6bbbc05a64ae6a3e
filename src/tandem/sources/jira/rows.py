"""Lake rows a tracker source produces, gathered in plain lists and written as Arrow tables."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from tandem.lake.schema import TABLES

if TYPE_CHECKING:
    from tandem.lake.writer import Batch


@dataclass(frozen=True)
class IdentityRow:
    """One identity as the lake's ``identities`` table holds it."""

    identity_key: str
    source: str
    kind: str
    display_name: str | None
    is_bot: bool


def _json(value: Mapping[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@dataclass
class LakeRows:
    """Objects, events, relations and identities of one mapping run, in the lake's columns."""

    objects: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    relations: list[dict[str, Any]] = field(default_factory=list)
    identities: list[IdentityRow] = field(default_factory=list)

    def add_object(
        self,
        *,
        object_id: str,
        object_type: str,
        source: str,
        external_key: str,
        title: str | None,
        item_type: str | None,
        created_at: dt.datetime | None,
        attributes: Mapping[str, Any],
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
                "attributes": _json(attributes),
            }
        )

    def add_event(
        self,
        *,
        event_id: str,
        object_id: str,
        activity: str,
        timestamp: dt.datetime,
        resource_key: str | None,
        source: str,
        ordinal: int,
        attributes: Mapping[str, Any],
    ) -> None:
        self.events.append(
            {
                "event_id": event_id,
                "object_id": object_id,
                "activity": activity,
                "timestamp": timestamp,
                "lifecycle": "complete",
                "resource_key": resource_key,
                "source": source,
                "ordinal": ordinal,
                "attributes": _json(attributes),
            }
        )

    def add_relation(self, from_object: str, to_object: str, kind: str) -> None:
        if from_object != to_object:
            self.relations.append(
                {"from_object": from_object, "to_object": to_object, "kind": kind}
            )

    def extend(self, other: LakeRows) -> None:
        """Add ``other``'s rows (identities already seen keep their first row)."""
        self.objects.extend(other.objects)
        self.events.extend(other.events)
        self.relations.extend(other.relations)
        seen = {row.identity_key for row in self.identities}
        self.identities.extend(row for row in other.identities if row.identity_key not in seen)

    def tables(self) -> dict[str, pa.Table]:
        """Each non-empty table as Arrow, in the lake's schema."""
        columns = {
            "objects": self.objects,
            "events": self.events,
            "relations": self.relations,
            "identities": [asdict(row) for row in self.identities],
        }
        out: dict[str, pa.Table] = {}
        for name, rows in columns.items():
            if rows:
                schema = TABLES[name].schema
                present = pa.schema([f for f in schema if f.name in rows[0]])
                out[name] = pa.Table.from_pylist(rows, schema=present)
        return out

    def write(self, batch: Batch) -> None:
        """Stage every table in ``batch`` (the writer conforms and deduplicates them)."""
        for name, table in self.tables().items():
            batch.write(name, table)
