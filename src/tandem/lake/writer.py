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
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from tandem.lake import steps
from tandem.lake.schema import TABLES, TableSpec, conform
from tandem.lake.store import STAGING, WRITER_MEMORY_SHARE, fsync_dir, memory_limit

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
        self._owners: dict[str, str] = {}  # rewritten file -> the batch its rows came from
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
        con = duckdb.connect(config={"memory_limit": memory_limit(WRITER_MEMORY_SHARE)})
        con.execute(f"SET temp_directory = '{self.staging / 'spill'}'")
        con.execute("SET preserve_insertion_order = true")
        new_entries: dict[str, dict[str, Any]] = {}
        rewritten: dict[str, dict[str, Any]] = {}  # old file -> its entry without moved cases
        for table, staged in self._staged.items():
            spec = TABLES[table]
            entries = manifest.tables.get(table, [])
            existing = [str(self.lake.root / e["file"]) for e in entries]
            target_rel = f"{table}/{self.batch_id}.parquet"
            target = self.lake.root / target_rel
            target.parent.mkdir(exist_ok=True)
            new_rows = _new_rows(self.staging / f"{table}.parquet", existing, spec)
            if spec.name == "events":
                moved = self._move_cases(con, new_rows, entries, rewritten)
                rows, carried = _with_moved_cases(new_rows, moved), len(moved)
            else:
                rows, carried = new_rows, 0
            query = f"SELECT * FROM ({rows}) ORDER BY {_order(spec)}"
            written = _write_query(con, query, target, spec, stepped=spec.name == "events")
            added = written - _moved_rows(con) if carried else written
            self.result.staged[table] = staged
            self.result.added[table] = added
            if written:
                new_entries[table] = {"file": target_rel, "rows": written, "batch": self.batch_id}
            else:
                target.unlink(missing_ok=True)
        con.close()
        for table in {*new_entries, *(old.split("/")[0] for old in rewritten)}:
            fsync_dir(self.lake.root / table)
        if not new_entries and not self._state:
            return
        for table, files in manifest.tables.items():
            manifest.tables[table] = [
                rewritten.get(entry["file"], entry)
                for entry in files
                if rewritten.get(entry["file"], entry)["rows"]
            ]
        for table, entry in new_entries.items():
            manifest.tables.setdefault(table, []).append(entry)
        manifest.state.update(self._state)
        manifest.generation += 1
        manifest.batches.append(
            {
                "id": self.batch_id,
                "label": self.label,
                "committed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "added": {t: self.result.added[t] for t in new_entries},
                # provenance for `tandem lake drop` (tandem.lake.batches)
                "state": sorted(self._state),
                "extends": sorted(
                    {
                        owner
                        for old in rewritten
                        if (owner := file_owner(old, self._owners.get(old))) != self.batch_id
                    }
                ),
            }
        )
        self.lake.write_manifest(manifest)

    def _move_cases(
        self,
        con: duckdb.DuckDBPyConnection,
        new_rows: str,
        entries: list[dict[str, Any]],
        rewritten: dict[str, dict[str, Any]],
    ) -> list[str]:
        """Rewrite older event files without the cases this batch extends; return those files.

        The moved cases' older events are copied into the temporary table ``moved_events`` so
        that the new file holds each case whole (``tandem.lake.steps``).
        """
        touched = steps.touched_files(con, new_rows, entries, str(self.lake.root))
        spec = TABLES["events"]
        paths = [t.path for t in touched]
        if paths:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE moved_events AS SELECT * FROM "
                f"read_parquet({steps.sql_list(paths)}) "
                "WHERE object_id IN (SELECT object_id FROM moved_cases)"
            )
        for number, file in enumerate(touched):
            rel = f"events/{self.batch_id}-moved-{number}.parquet"
            query = (
                f"SELECT * FROM read_parquet({steps.sql_list([file.path])}) "
                "WHERE object_id NOT IN (SELECT object_id FROM moved_cases) "
                f"ORDER BY {_order(spec)}"
            )
            rows = _write_query(con, query, self.lake.root / rel, spec)
            owner = file_owner(file.entry["file"], file.entry.get("batch"))
            self._owners[file.entry["file"]] = owner
            rewritten[file.entry["file"]] = {"file": rel, "rows": rows, "batch": owner}
            if not rows:
                (self.lake.root / rel).unlink()
        return paths


def file_owner(file: str, recorded: str | None) -> str:
    """The batch whose rows ``file`` holds: as recorded, else read from the file's name.

    Manifests written before provenance was recorded name a rewritten events file after the
    batch that rewrote it (``<batch>-moved-<n>``); that batch is then its owner.
    """
    if recorded:
        return recorded
    stem = file.rsplit("/", 1)[-1].removesuffix(".parquet")
    return stem.split("-moved-", 1)[0]


def _moved_rows(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT count(*) FROM moved_events").fetchall()[0][0])


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _order(spec: TableSpec) -> str:
    return ", ".join(_quote(c) for c in spec.sort)


def _new_rows(staged: Path, existing: list[str], spec: TableSpec) -> str:
    """A query of the staged rows whose key is new (first occurrence wins)."""
    keys = ", ".join(_quote(k) for k in spec.key)
    columns = ", ".join(_quote(f.name) for f in spec.schema)
    query = (
        f"SELECT {columns} FROM read_parquet('{staged}', file_row_number = true) "
        f"QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY file_row_number) = 1"
    )
    if existing:
        query = (
            f"SELECT * FROM ({query}) AS s ANTI JOIN (SELECT DISTINCT {keys} "
            f"FROM read_parquet({steps.sql_list(existing)})) AS e USING ({keys})"
        )
    return query


def _with_moved_cases(new_rows: str, moved: list[str]) -> str:
    """The new rows plus the older events of the cases they extend."""
    if not moved:
        return new_rows
    return f"SELECT * FROM ({new_rows}) UNION ALL BY NAME SELECT * FROM moved_events"


def _write_query(
    con: duckdb.DuckDBPyConnection,
    query: str,
    target: Path,
    spec: TableSpec,
    *,
    stepped: bool = False,
) -> int:
    """Stream ``query`` into the Parquet file ``target`` (fsynced); return its row count.

    ``stepped``: the rows are events sorted by case and time; their step facts are computed on
    the way (:func:`tandem.lake.steps.with_step_facts`).
    """
    reader = con.sql(query).to_arrow_reader(ROW_GROUP_SIZE)
    chunks: Iterable[pa.RecordBatch | pa.Table] = (
        steps.with_step_facts(reader) if stepped else reader
    )
    written = 0
    with pq.ParquetWriter(target, spec.schema, compression=COMPRESSION) as writer:
        for chunk in chunks:
            if chunk.num_rows:
                writer.write_table(conform(chunk, spec), row_group_size=ROW_GROUP_SIZE)
                written += chunk.num_rows
    with target.open("rb") as handle:
        os.fsync(handle.fileno())
    return written
