"""The event lake: immutable Parquet batches under ``<workspace>/lake``, read with DuckDB."""

from typing import TYPE_CHECKING, Any

from tandem.lake.schema import SCHEMA_VERSION, TABLES, TableSpec
from tandem.lake.store import Lake

if TYPE_CHECKING:
    from tandem.lake.writer import Batch, BatchResult

__all__ = ["SCHEMA_VERSION", "TABLES", "Batch", "BatchResult", "Lake", "TableSpec"]


def __getattr__(name: str) -> Any:
    """``Batch`` and ``BatchResult`` on first use: the writer (DuckDB) stays out of start-up."""
    if name in ("Batch", "BatchResult"):
        from tandem.lake import writer

        return getattr(writer, name)
    raise AttributeError(f"module 'tandem.lake' has no attribute {name!r}")
