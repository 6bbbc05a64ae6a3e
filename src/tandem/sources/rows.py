"""Lake rows an API connector collects between two commits, and the commit itself.

Connectors add objects, events, relations and identities as plain dicts; :meth:`RowBuffer.commit`
writes them as one lake batch together with the source state, so a sync killed between two
commits resumes from the last one (keys are deterministic: rows fetched again add nothing).
"""

from __future__ import annotations

import datetime as dt
import json
from array import array
from itertools import accumulate
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from tandem.lake.schema import TABLES

if TYPE_CHECKING:
    from tandem.lake import Lake

TABLE_ORDER = ("objects", "events", "relations", "identities")


def parse_time(text: Any) -> dt.datetime | None:
    """An ISO-8601 timestamp of an API (``Z`` or an offset) in UTC; ``None`` for none."""
    if not text:
        return None
    value = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def ordinal_of(moment: dt.datetime) -> int:
    """An event's ordinal from its time (microseconds): the same event always gets the same."""
    return int(moment.timestamp() * 1_000_000)


class RowBuffer:
    """Rows waiting for the next commit (identities deduplicated by key, first one kept)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.rows: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLE_ORDER}
        self._identities: set[str] = set()
        self.added: dict[str, int] = {}
        self.batches = 0

    def __len__(self) -> int:
        return sum(len(rows) for rows in self.rows.values())

    def object(
        self,
        *,
        object_id: str,
        object_type: str,
        external_key: str,
        title: str | None,
        created_at: dt.datetime | None,
        attributes: dict[str, Any],
        item_type: str | None = None,
    ) -> None:
        self.rows["objects"].append(
            {
                "object_id": object_id,
                "object_type": object_type,
                "source": self.source,
                "external_key": external_key,
                "title": title,
                "item_type": item_type,
                "created_at": created_at,
                "attributes": json.dumps(attributes, sort_keys=True, default=str),
            }
        )

    def event(
        self,
        *,
        object_id: str,
        activity: str,
        timestamp: dt.datetime | None,
        key: str,
        resource_key: str | None = None,
        attributes: dict[str, Any] | None = None,
        ordinal: int | None = None,
    ) -> None:
        """An event, id ``<object>:<activity>:<key>``: ``key`` makes it unique in its object."""
        if timestamp is None:
            return
        self.rows["events"].append(
            {
                "event_id": f"{object_id}:{activity}:{key}",
                "object_id": object_id,
                "activity": activity,
                "timestamp": timestamp,
                "lifecycle": "complete",
                "resource_key": resource_key,
                "source": self.source,
                "ordinal": ordinal_of(timestamp) if ordinal is None else ordinal,
                "attributes": json.dumps(attributes, sort_keys=True) if attributes else None,
            }
        )

    def relation(self, from_object: str, to_object: str, kind: str) -> None:
        self.rows["relations"].append(
            {"from_object": from_object, "to_object": to_object, "kind": kind}
        )

    def identity(self, *, key: str, kind: str, display_name: str | None, is_bot: bool) -> None:
        if key in self._identities:
            return
        self._identities.add(key)
        self.rows["identities"].append(
            {
                "identity_key": key,
                "source": self.source,
                "kind": kind,
                "display_name": display_name,
                "is_bot": is_bot,
            }
        )

    def counts(self) -> dict[str, int]:
        return {table: len(rows) for table, rows in self.rows.items() if rows}

    def commit(self, lake: Lake, *, label: str, state: dict[str, Any]) -> None:
        """Write the rows and ``state`` (under the source's name) as one lake batch; clear."""
        with lake.batch(label=label) as batch:
            for table in TABLE_ORDER:
                if self.rows[table]:
                    batch.write(table, to_arrow(table, self.rows[table]))
            batch.set_state(self.source, state)
        for table, added in batch.result.added.items():
            if added:
                self.added[table] = self.added.get(table, 0) + added
        self.batches += 1
        self.clear()

    def clear(self) -> None:
        self.rows = {t: [] for t in TABLE_ORDER}
        self._identities.clear()


def to_arrow(table: str, rows: list[dict[str, Any]]) -> pa.Table:
    """``rows`` as an Arrow table of the lake table's schema, built from buffers: pyarrow's
    conversion of Python values would import pandas first (seconds on a busy machine)."""
    schema = TABLES[table].schema
    columns = []
    for field in schema:
        values = [row.get(field.name) for row in rows]
        if pa.types.is_string(field.type):
            columns.append(_strings(values))
        elif pa.types.is_timestamp(field.type):
            micros = [None if v is None else int(v.timestamp() * 1_000_000) for v in values]
            columns.append(_int64s(micros).view(field.type))
        elif pa.types.is_int64(field.type):
            columns.append(_int64s(values))
        elif pa.types.is_boolean(field.type):
            columns.append(_booleans(values))
        else:  # pragma: no cover - the four tables hold only these types
            raise TypeError(f"{table}.{field.name}: {field.type} is not built here")
    return pa.Table.from_arrays(columns, schema=schema)


def _validity(values: list[Any]) -> tuple[pa.Buffer | None, int]:
    nulls = sum(1 for v in values if v is None)
    if not nulls:
        return None, 0
    bits = bytearray((len(values) + 7) // 8)
    for index, value in enumerate(values):
        if value is not None:
            bits[index >> 3] |= 1 << (index & 7)
    return pa.py_buffer(bytes(bits)), nulls


def _strings(values: list[Any]) -> pa.Array:
    encoded = [b"" if v is None else str(v).encode("utf-8") for v in values]
    offsets = array("q", [0])
    offsets.extend(accumulate(len(v) for v in encoded))
    validity, nulls = _validity(values)
    buffers = [validity, pa.py_buffer(offsets.tobytes()), pa.py_buffer(b"".join(encoded))]
    large = pa.Array.from_buffers(pa.large_string(), len(values), buffers, null_count=nulls)
    return large.cast(pa.string())


def _int64s(values: list[Any]) -> pa.Array:
    data = pa.py_buffer(array("q", [0 if v is None else int(v) for v in values]).tobytes())
    validity, nulls = _validity(values)
    return pa.Array.from_buffers(pa.int64(), len(values), [validity, data], null_count=nulls)


def _booleans(values: list[Any]) -> pa.Array:
    bits = bytearray((len(values) + 7) // 8)
    for index, value in enumerate(values):
        if value:
            bits[index >> 3] |= 1 << (index & 7)
    validity, nulls = _validity(values)
    buffers = [validity, pa.py_buffer(bytes(bits))]
    return pa.Array.from_buffers(pa.bool_(), len(values), buffers, null_count=nulls)
