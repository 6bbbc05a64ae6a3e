"""The pyarrow-free table names (read by ``tandem status``) are the schemas' tables."""

from __future__ import annotations

from tandem.lake import SCHEMA_VERSION, TABLES
from tandem.lake import schema as lake_schema
from tandem.lake.names import TABLE_NAMES


def test_table_names_are_the_schemas_tables_in_order() -> None:
    assert tuple(TABLES) == TABLE_NAMES
    assert lake_schema.SCHEMA_VERSION == SCHEMA_VERSION
