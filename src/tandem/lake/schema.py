"""Lake tables (DESIGN §4, OCEL-inspired): their Arrow schemas, keys and clustering order.

Keys are deterministic (derived from the source data, never random), so writing the same rows
twice adds nothing. ``sort`` is the order rows are clustered in inside each batch file: events by
case and time, and each case in one file with its step facts (``tandem.lake.steps``), so that
directly-follows passes group instead of re-sorting.
Attributes are kept as a JSON object in a string column: engine-neutral and schema-free.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from tandem.lake.names import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "TABLES", "UTC_TIMESTAMP", "TableSpec", "conform"]

UTC_TIMESTAMP = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True)
class TableSpec:
    """One lake table: its schema, the columns that identify a row, and its clustering order."""

    name: str
    schema: pa.Schema
    key: tuple[str, ...]
    sort: tuple[str, ...]


def _schema(*fields: tuple[str, pa.DataType, bool]) -> pa.Schema:
    return pa.schema([pa.field(name, dtype, nullable=nullable) for name, dtype, nullable in fields])


OBJECTS = TableSpec(
    name="objects",
    schema=_schema(
        ("object_id", pa.string(), False),
        ("object_type", pa.string(), False),
        ("source", pa.string(), False),
        ("external_key", pa.string(), False),
        ("title", pa.string(), True),
        ("item_type", pa.string(), True),
        ("created_at", UTC_TIMESTAMP, True),
        ("attributes", pa.string(), True),
    ),
    key=("object_id",),
    sort=("object_id",),
)

EVENTS = TableSpec(
    name="events",
    schema=_schema(
        ("event_id", pa.string(), False),
        ("object_id", pa.string(), False),
        ("activity", pa.string(), False),
        ("timestamp", UTC_TIMESTAMP, False),
        ("lifecycle", pa.string(), True),
        ("resource_key", pa.string(), True),
        ("source", pa.string(), False),
        ("ordinal", pa.int64(), False),
        ("attributes", pa.string(), True),
        # step facts, computed by the writer (tandem.lake.steps); sources leave them null
        ("prev_activity", pa.string(), True),
        ("prev_wait_us", pa.int64(), True),
        ("is_last", pa.bool_(), True),
        ("trace", pa.string(), True),
        ("trace_us", pa.int64(), True),
    ),
    key=("event_id",),
    sort=("object_id", "timestamp", "ordinal"),
)

RELATIONS = TableSpec(
    name="relations",
    schema=_schema(
        ("from_object", pa.string(), False),
        ("to_object", pa.string(), False),
        ("kind", pa.string(), False),
    ),
    key=("from_object", "to_object", "kind"),
    sort=("from_object", "to_object", "kind"),
)

COMMITS = TableSpec(
    name="commits",
    schema=_schema(
        ("sha", pa.string(), False),
        ("repo", pa.string(), False),
        ("author_key", pa.string(), False),
        ("committer_key", pa.string(), False),
        ("authored_at", UTC_TIMESTAMP, False),
        ("committed_at", UTC_TIMESTAMP, False),
        ("author_utc_offset_minutes", pa.int16(), False),
        ("committer_utc_offset_minutes", pa.int16(), False),
        ("parents", pa.list_(pa.string()), False),
        ("is_merge", pa.bool_(), False),
        ("files_changed", pa.int32(), True),
        ("insertions", pa.int64(), True),
        ("deletions", pa.int64(), True),
        ("summary", pa.string(), False),
    ),
    key=("repo", "sha"),
    sort=("repo", "committed_at", "sha"),
)

COMMIT_FILES = TableSpec(
    name="commit_files",
    schema=_schema(
        ("repo", pa.string(), False),
        ("sha", pa.string(), False),
        ("path", pa.string(), False),
        ("old_path", pa.string(), True),
        ("insertions", pa.int64(), True),
        ("deletions", pa.int64(), True),
    ),
    key=("repo", "sha", "path"),
    sort=("repo", "sha", "path"),
)

IDENTITIES = TableSpec(
    name="identities",
    schema=_schema(
        ("identity_key", pa.string(), False),
        ("source", pa.string(), False),
        ("kind", pa.string(), False),
        ("display_name", pa.string(), True),
        ("is_bot", pa.bool_(), False),
    ),
    key=("identity_key",),
    sort=("identity_key",),
)

TABLES: dict[str, TableSpec] = {
    spec.name: spec for spec in (OBJECTS, EVENTS, RELATIONS, COMMITS, COMMIT_FILES, IDENTITIES)
}


def conform(data: pa.Table | pa.RecordBatch, spec: TableSpec) -> pa.Table:
    """``data`` with exactly the table's columns, in order and types; absent nullable ones null."""
    table = pa.Table.from_batches([data]) if isinstance(data, pa.RecordBatch) else data
    columns = []
    for field in spec.schema:
        if field.name in table.column_names:
            columns.append(table.column(field.name).cast(field.type))
        elif field.nullable:
            columns.append(pa.nulls(table.num_rows, type=field.type))
        else:
            raise ValueError(f"lake table {spec.name!r}: column {field.name!r} is required")
    return pa.Table.from_arrays(columns, schema=spec.schema)
