"""Write batches: rows are staged aside, deduplicated by key, then made visible atomically.

Usage::

    with lake.batch(label="git /src/repo") as batch:
        batch.write("commits", record_batch)      # any number of times, streamed to disk
        batch.set_state("git:/src/repo", {...})   # committed together with the rows
    batch.result.added                             # {"commits": 12, ...}

On leaving the ``with`` block normally, each staged table is deduplicated (first occurrence of a
key wins, then keys already in the lake are dropped), clustered by the table's sort order, written
as one new Parquet file and listed in a new manifest. An exception (or a crash) discards the batch.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from tandem.lake.schema import TABLES, TableSpec, conform
from tandem.lake.store import STAGING, fsync_dir

if TYPE_CHECKING:
    from tandem.lake.store import Lake

ROW_GROUP_SIZE = 256 * 1024
COMPRESSION = "zstd"


@dataclass
class BatchResult:
    """What a committed batch did: rows offered and rows added, per table."""

    batch_id: str
    staged: dict[str, int] = field(default_factory=dict)
    added: dict[str, int] = field(default_factory=dict)


class Batch:
    """One atomic write to the lake (see the module docstring)."""

    def __init__(self, lake: Lake, *, label: str) -> None:
        self.lake = lake
        self.label = label
        self.batch_id = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + uuid.uuid4().hex[:8]
        self.staging = lake.root / STAGING / self.batch_id
        self._writers: dict[str, pq.ParquetWriter] = {}
        self._staged: dict[str, int] = {}
        self._state: dict[str, Any] = {}
        self._lock: Any = None
        self.result = BatchResult(batch_id=self.batch_id)

    def __enter__(self) -> Batch:
        self._lock = self.lake.locked()
        self._lock.__enter__()
        try:
            self.lake.manifest()  # refuse a lake written by a newer Tandem before writing anything
            self.lake.remove_orphans()
            self.staging.mkdir(parents=True)
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self._close_writers()
            if exc_type is None:
                self._commit()
        finally:
            self.lake.remove_orphans()
            self._lock.__exit__(None, None, None)

    def write(self, table: str, data: pa.Table | pa.RecordBatch) -> None:
        """Stage rows for ``table`` (columns are conformed to the table's schema)."""
        spec = TABLES[table]
        rows = conform(data, spec)
        if rows.num_rows == 0:
            return
        writer = self._writers.get(table)
        if writer is None:
            writer = pq.ParquetWriter(self.staging / f"{table}.parquet", spec.schema)
            self._writers[table] = writer
        writer.write_table(rows, row_group_size=ROW_GROUP_SIZE)
        self._staged[table] = self._staged.get(table, 0) + rows.num_rows

    def set_state(self, key: str, value: Any) -> None:
        """Record source state (JSON-serialisable) to commit together with the rows."""
        self._state[key] = value

    def _close_writers(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()

    def _commit(self) -> None:
        manifest = self.lake.manifest()
        con = duckdb.connect()
        con.execute(f"SET temp_directory = '{self.staging / 'spill'}'")
        con.execute("SET preserve_insertion_order = true")
        new_entries: dict[str, dict[str, Any]] = {}
        for table, staged in self._staged.items():
            spec = TABLES[table]
            existing = [str(self.lake.root / e["file"]) for e in manifest.tables.get(table, [])]
            target_rel = f"{table}/{self.batch_id}.parquet"
            target = self.lake.root / target_rel
            target.parent.mkdir(exist_ok=True)
            added = _dedupe_into(con, self.staging / f"{table}.parquet", existing, target, spec)
            self.result.staged[table] = staged
            self.result.added[table] = added
            if added:
                new_entries[table] = {"file": target_rel, "rows": added}
            else:
                target.unlink(missing_ok=True)
        con.close()
        for table in new_entries:
            fsync_dir(self.lake.root / table)
        if not new_entries and not self._state:
            return
        for table, entry in new_entries.items():
            manifest.tables.setdefault(table, []).append(entry)
        manifest.state.update(self._state)
        manifest.generation += 1
        manifest.batches.append(
            {
                "id": self.batch_id,
                "label": self.label,
                "committed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "added": {t: e["rows"] for t, e in new_entries.items()},
            }
        )
        self.lake.write_manifest(manifest)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_list(paths: list[str]) -> str:
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


def _dedupe_into(
    con: duckdb.DuckDBPyConnection,
    staged: Path,
    existing: list[str],
    target: Path,
    spec: TableSpec,
) -> int:
    """Write the staged rows whose key is new (first occurrence wins) to ``target``; count them."""
    keys = ", ".join(_quote(k) for k in spec.key)
    columns = ", ".join(_quote(f.name) for f in spec.schema)
    query = (
        f"SELECT {columns} FROM read_parquet('{staged}', file_row_number = true) "
        f"QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY file_row_number) = 1"
    )
    if existing:
        query = (
            f"SELECT * FROM ({query}) AS s ANTI JOIN "
            f"(SELECT DISTINCT {keys} FROM read_parquet({_sql_list(existing)})) AS e USING ({keys})"
        )
    query += " ORDER BY " + ", ".join(_quote(c) for c in spec.sort)
    reader = con.sql(query).to_arrow_reader(ROW_GROUP_SIZE)
    written = 0
    with pq.ParquetWriter(target, spec.schema, compression=COMPRESSION) as writer:
        for chunk in reader:
            if chunk.num_rows:
                writer.write_table(conform(chunk, spec), row_group_size=ROW_GROUP_SIZE)
                written += chunk.num_rows
    with target.open("rb") as handle:
        os.fsync(handle.fileno())
    return written
