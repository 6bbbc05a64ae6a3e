"""The event lake: immutable Parquet batches under ``<workspace>/lake``, read with DuckDB."""

from typing import TYPE_CHECKING, Any

from tandem.lake.names import SCHEMA_VERSION
from tandem.lake.store import Lake

if TYPE_CHECKING:
    from tandem.lake.schema import TABLES, TableSpec
    from tandem.lake.writer import Batch, BatchResult

__all__ = ["SCHEMA_VERSION", "TABLES", "Batch", "BatchResult", "Lake", "TableSpec"]


def __getattr__(name: str) -> Any:
    """The schemas (pyarrow) and the writer (DuckDB) on first use, not at every start-up."""
    if name in ("TABLES", "TableSpec"):
        from tandem.lake import schema

        return getattr(schema, name)
    if name in ("Batch", "BatchResult"):
        from tandem.lake import writer

        return getattr(writer, name)
    raise AttributeError(f"module 'tandem.lake' has no attribute {name!r}")
