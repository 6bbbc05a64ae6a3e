"""Lake rows of a connector, collected as plain values and written as one lake batch.

Every source that maps records of an API or an export (GitHub, GitLab, Jira, incident files)
adds objects, events, relations and identities to a :class:`LakeRows`, then writes them with
:meth:`LakeRows.write` into a batch of its own or with :meth:`LakeRows.commit`, which commits
them together with the source state, so a sync killed between two commits resumes from the last
one. Keys are deterministic: a record mapped twice adds nothing to the lake.

The Arrow tables are built from buffers: pyarrow's conversion of Python values
(``Table.from_pylist``) imports pandas first, seconds on a busy machine.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from array import array
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import accumulate
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from tandem.lake.schema import TABLES

if TYPE_CHECKING:
    from tandem.lake import Lake
    from tandem.lake.writer import Batch

TABLE_ORDER = ("objects", "events", "relations", "identities")
SEPARATOR = "\x1f"  # unit separator: cannot be confused with text inside a value
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def event_key(*parts: str) -> str:
    """A deterministic event id from the parts that make an event unique."""
    return hashlib.md5(SEPARATOR.join(parts).encode("utf-8"), usedforsecurity=False).hexdigest()


def commit_object(sha: str) -> str:
    """The object name of a commit in relations (the sha is the key of ``commits``)."""
    return f"@commit:{sha}"


def as_json(values: Mapping[str, Any]) -> str:
    """Attributes as the lake stores them: a JSON object, keys sorted, times in ISO 8601."""
    return json.dumps(values, sort_keys=True, default=_json_default, ensure_ascii=False)


def _json_default(value: object) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


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


@dataclass
class LakeRows:
    """Rows for the next batch, table by table, in the order they were added; an identity
    added twice keeps its first row."""

    objects: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    relations: list[dict[str, Any]] = field(default_factory=list)
    identities: list[dict[str, Any]] = field(default_factory=list)
    _identity_keys: set[str] = field(default_factory=set, repr=False)

    def __len__(self) -> int:
        return sum(len(getattr(self, table)) for table in TABLE_ORDER)

    def add_object(
        self,
        *,
        object_id: str,
        object_type: str,
        source: str,
        external_key: str,
        title: str | None,
        created_at: dt.datetime | None,
        attributes: Mapping[str, Any],
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
        key: tuple[str, ...] = (),
        event_id: str | None = None,
        resource_key: str | None = None,
        attributes: Mapping[str, Any] | None = None,
    ) -> None:
        """One completed event, ``event_id`` given or hashed from the source, object, activity
        and ``key`` (the parts that identify it within its object)."""
        self.events.append(
            {
                "event_id": event_id or event_key(source, object_id, activity, *key),
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
        """A relation between two objects (an object related to itself is dropped)."""
        if from_object != to_object:
            self.relations.append(
                {"from_object": from_object, "to_object": to_object, "kind": kind}
            )

    def add_identity(
        self, *, identity_key: str, source: str, kind: str, display_name: str | None, is_bot: bool
    ) -> None:
        if identity_key in self._identity_keys:
            return
        self._identity_keys.add(identity_key)
        self.identities.append(
            {
                "identity_key": identity_key,
                "source": source,
                "kind": kind,
                "display_name": display_name,
                "is_bot": is_bot,
            }
        )

    def extend(self, other: LakeRows) -> None:
        """Add ``other``'s rows (identities already held keep their first row)."""
        self.objects.extend(other.objects)
        self.events.extend(other.events)
        self.relations.extend(other.relations)
        for row in other.identities:
            self.add_identity(**row)

    def counts(self) -> dict[str, int]:
        """Rows held per non-empty table."""
        return {table: len(getattr(self, table)) for table in TABLE_ORDER if getattr(self, table)}

    def tables(self) -> dict[str, pa.Table]:
        """Each non-empty table as Arrow, in the lake's schema."""
        return {table: to_arrow(table, getattr(self, table)) for table in self.counts()}

    def write(self, batch: Batch) -> None:
        """Stage every held row into ``batch`` (the batch deduplicates by key on commit)."""
        for table, rows in self.tables().items():
            batch.write(table, rows)

    def commit(self, lake: Lake, *, label: str, state: Mapping[str, Any]) -> dict[str, int]:
        """Write the rows and ``state`` (state key → value) as one lake batch, then clear;
        the rows the lake added, per table."""
        with lake.batch(label=label) as batch:
            self.write(batch)
            for key, value in state.items():
                batch.set_state(key, value)
        self.clear()
        return {table: n for table, n in batch.result.added.items() if n}

    def clear(self) -> None:
        for table in TABLE_ORDER:
            getattr(self, table).clear()
        self._identity_keys.clear()


def to_arrow(table: str, rows: list[dict[str, Any]]) -> pa.Table:
    """``rows`` as an Arrow table of the lake table's schema, built from buffers."""
    schema = TABLES[table].schema
    columns = []
    for column in schema:
        values = [row.get(column.name) for row in rows]
        if pa.types.is_string(column.type):
            columns.append(_strings(values))
        elif pa.types.is_timestamp(column.type):
            columns.append(_int64s([_micros(v) for v in values]).view(column.type))
        elif pa.types.is_int64(column.type):
            columns.append(_int64s(values))
        elif pa.types.is_boolean(column.type):
            columns.append(_booleans(values))
        else:  # pragma: no cover - the four tables hold only these types
            raise TypeError(f"{table}.{column.name}: {column.type} is not built here")
    return pa.Table.from_arrays(columns, schema=schema)


def _micros(value: dt.datetime | None) -> int | None:
    """Microseconds since the epoch, exactly; a time without a zone is read as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return (value - _EPOCH) // _MICROSECOND


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
