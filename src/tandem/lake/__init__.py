"""The event lake: immutable Parquet batches under ``<workspace>/lake``, read with DuckDB."""

from tandem.lake.schema import SCHEMA_VERSION, TABLES, TableSpec
from tandem.lake.store import Lake
from tandem.lake.writer import Batch, BatchResult

__all__ = ["SCHEMA_VERSION", "TABLES", "Batch", "BatchResult", "Lake", "TableSpec"]
