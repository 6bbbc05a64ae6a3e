"""The lake on disk: a manifest names the visible batch files; readers see nothing else.

Layout::

    lake/
      _manifest.json        schema version, files per table (with row counts), source state
      <table>/<batch>.parquet
      _staging/<batch>/     batches being written (invisible; removed when a writer next starts)
      .lock                 held by the one writer at a time

A batch becomes visible when ``_manifest.json`` is atomically replaced (``os.replace``), so a
crash at any point leaves the previous state intact.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tandem.errors import ConflictError, WorkspaceError
from tandem.lake.names import SCHEMA_VERSION, TABLE_NAMES

if TYPE_CHECKING:
    import duckdb

    from tandem.lake.writer import Batch

READER_MEMORY_SHARE = 0.5
WRITER_MEMORY_SHARE = 0.35
STAGING_MEMORY_SHARE = 0.3
MANIFEST = "_manifest.json"
STAGING = "_staging"
SPILL = "_spill"
LOCK = ".lock"
#: Where the lake's instants are: work events, commits, and objects such as deployments.
INSTANTS = (("events", "timestamp"), ("commits", "committed_at"), ("objects", "created_at"))


# manifest path → (its file's stamp, its generation), shared by every Lake object of the process
_generations: dict[Path, tuple[tuple[int, int, int], int]] = {}
_generations_lock = threading.Lock()
# Lake.last_day() per committed manifest (its path and stat stamp): a page asks it several times
# and each answer opens a DuckDB connection over the lake; a commit changes the stamp.
_last_days: dict[tuple[Path, tuple[int, int, int]], dt.date | None] = {}
_LAST_DAYS_KEPT = 64


@dataclass
class Manifest:
    """The committed state of the lake."""

    schema_version: int = SCHEMA_VERSION
    generation: int = 0
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)
    batches: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(
            {
                "schema_version": self.schema_version,
                "generation": self.generation,
                "tables": self.tables,
                "state": self.state,
                "batches": self.batches,
            },
            indent=1,
            sort_keys=True,
        )


class Lake:
    """Read access to the lake at ``root``; writes go through :meth:`batch`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    # -- manifest -------------------------------------------------------------------------------

    def manifest(self) -> Manifest:
        """The committed manifest (an empty one for a lake never written)."""
        path = self.root / MANIFEST
        if not self.root.is_dir():
            raise WorkspaceError(f"{self.root}: the lake folder is missing; run `tandem init`")
        if not path.exists():
            return Manifest()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise WorkspaceError(f"{path}: unreadable lake manifest ({exc})") from None
        manifest = Manifest(
            schema_version=int(raw["schema_version"]),
            generation=int(raw.get("generation", 0)),
            tables=raw.get("tables", {}),
            state=raw.get("state", {}),
            batches=raw.get("batches", []),
        )
        if manifest.schema_version > SCHEMA_VERSION:
            raise ConflictError(
                f"{path}: lake schema version {manifest.schema_version} was written by a newer "
                f"Tandem (this one reads version {SCHEMA_VERSION})"
            )
        if manifest.schema_version < SCHEMA_VERSION and manifest.tables:
            raise WorkspaceError(
                f"{path}: lake schema version {manifest.schema_version} was written by an older "
                f"Tandem (this one reads version {SCHEMA_VERSION}); move the lake folder aside "
                "and ingest the sources again"
            )
        manifest.schema_version = SCHEMA_VERSION
        return manifest

    def generation(self) -> int:
        """The committed manifest's generation (0 for a lake never written); it grows with
        every commit. Costs one ``stat``: the manifest is parsed again only when its file
        changed (a commit replaces it atomically, so its inode, size or mtime change)."""
        path = self.root / MANIFEST
        try:
            info = path.stat()
        except FileNotFoundError:
            return self.manifest().generation  # never written: 0 (or the missing-lake error)
        stamp = (info.st_ino, info.st_size, info.st_mtime_ns)
        with _generations_lock:
            known = _generations.get(path)
        if known is not None and known[0] == stamp:
            return known[1]
        generation = self.manifest().generation
        with _generations_lock:
            _generations[path] = (stamp, generation)
        return generation

    def write_manifest(self, manifest: Manifest) -> None:
        """Atomically replace the manifest (write aside, fsync, rename, fsync the folder)."""
        path = self.root / MANIFEST
        tmp = path.with_suffix(".json.tmp")
        with tmp.open("w", encoding="utf-8") as handle:
            handle.write(manifest.to_json())
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)
        fsync_dir(self.root)

    def files(self, table: str) -> list[Path]:
        """Visible Parquet files of ``table``, oldest batch first."""
        return [self.root / entry["file"] for entry in self.manifest().tables.get(table, [])]

    def row_counts(self) -> dict[str, int]:
        """Rows per table, from the manifest (no data is read)."""
        tables = self.manifest().tables
        return {name: sum(int(e["rows"]) for e in tables.get(name, [])) for name in TABLE_NAMES}

    def last_day(self) -> dt.date | None:
        """The lake's last day (UTC): the day of its latest instant — an event (of a work item
        or of a delivery object), a commit or a created object (a deployment, an incident …);
        ``None`` for a lake holding none. The why's "as of the lake's end" (goals, achievements,
        experiments) is this day."""
        path = self.root / MANIFEST
        try:
            info = path.stat()
        except FileNotFoundError:
            return self._last_day()  # never written: nothing to remember
        key = (path, (info.st_ino, info.st_size, info.st_mtime_ns))
        with _generations_lock:
            if key in _last_days:
                return _last_days[key]
        last = self._last_day()
        with _generations_lock:
            if len(_last_days) >= _LAST_DAYS_KEPT:
                _last_days.clear()
            _last_days[key] = last
        return last

    def _last_day(self) -> dt.date | None:
        counts = self.row_counts()
        present = [(table, column) for table, column in INSTANTS if counts.get(table)]
        if not present:
            return None
        query = " UNION ALL ".join(f"SELECT max({c}) AS last FROM {t}" for t, c in present)
        con = self.connect(tables=tuple(table for table, _ in present))
        try:
            row = con.execute(f"SELECT max(last) FROM ({query})").fetchone()
        finally:
            con.close()
        if row is None or row[0] is None:
            return None
        last: dt.datetime = row[0]
        return last.astimezone(dt.UTC).date() if last.tzinfo else last.date()

    def state(self, key: str) -> Any:
        """Source state committed with the data (e.g. the last ingested git tip), or ``None``."""
        return self.manifest().state.get(key)

    # -- writing --------------------------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the lake's writer lock (released by the OS even when the process is killed)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / LOCK).open("a") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def batch(self, *, label: str) -> Batch:
        """A new write batch (a context manager): see :class:`tandem.lake.writer.Batch`."""
        from tandem.lake.writer import Batch

        return Batch(self, label=label)

    def remove_orphans(self) -> None:
        """Delete staged or unlisted files left by a crashed writer (call under the lock)."""
        listed = {entry["file"] for entries in self.manifest().tables.values() for entry in entries}
        staging = self.root / STAGING
        if staging.exists():
            for path in sorted(staging.rglob("*"), reverse=True):
                path.rmdir() if path.is_dir() else path.unlink()
        for name in TABLE_NAMES:
            folder = self.root / name
            if folder.is_dir():
                for path in folder.glob("*.parquet"):
                    if f"{name}/{path.name}" not in listed:
                        path.unlink()

    # -- reading --------------------------------------------------------------------------------

    def connect(self, *, tables: tuple[str, ...] | None = None) -> duckdb.DuckDBPyConnection:
        """An in-process DuckDB connection with one view per lake table (one per thread)."""
        import duckdb  # loaded by the commands that read the lake, not by every start-up

        con = duckdb.connect(config={"memory_limit": memory_limit(READER_MEMORY_SHARE)})
        con.execute("SET TimeZone = 'UTC'")
        # Large sorts spill next to the lake (DuckDB's default is ./.tmp in the current folder).
        con.execute("SET temp_directory = ?", [str(self.root / SPILL)])
        manifest = self.manifest()
        for name in tables or TABLE_NAMES:
            files = [str(self.root / entry["file"]) for entry in manifest.tables.get(name, [])]
            create_view(con, name, files)
        return con


def memory_limit(share: float) -> str:
    """A DuckDB ``memory_limit`` of ``share`` of this machine's physical memory.

    DuckDB's default is 80 % per database instance; an ingest holds two at once (the staging
    database and the lake writer) next to Python's own buffers, so each gets a share and spills
    to disk beyond it (sorts, windows, aggregates and joins all run out of core).
    """
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{max(int(total * share) // 2**20, 256)}MB"


def create_view(con: duckdb.DuckDBPyConnection, name: str, files: list[str]) -> None:
    """View ``name`` over ``files``; an empty table of the right schema when there are none."""
    if files:
        listing = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
        con.execute(f'CREATE OR REPLACE VIEW "{name}" AS SELECT * FROM read_parquet([{listing}])')
    else:
        import pyarrow as pa

        from tandem.lake.schema import TABLES

        empty = pa.Table.from_batches([], schema=TABLES[name].schema)
        con.register(f"__empty_{name}", empty)
        con.execute(f'CREATE OR REPLACE VIEW "{name}" AS SELECT * FROM "__empty_{name}"')


def fsync_dir(path: Path) -> None:
    """Make a rename inside ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
