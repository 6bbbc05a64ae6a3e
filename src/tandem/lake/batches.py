"""The lake's batches: list what each ingest brought, and remove a bad one atomically.

Every file listed in the manifest belongs to one batch (its entry's ``batch``; files from
before that was recorded belong to the batch named in the file name). A batch's record lists
the state keys it set and the older batches it ``extends`` (for records written before that,
every events batch of one source is assumed tied to the others): because the lake keeps each case
whole in one file (:mod:`tandem.lake.steps`), a batch that adds events to a case of an older
batch moves that case's older events into its own file and recomputes their step facts. The
two batches' events then share a file, so neither can be removed alone without losing or
keeping the other's events: **tied batches are dropped together or not at all**. A drop that
names only part of a group is refused with the full command to run (nothing is recomputed
behind the user's back, and nothing is lost).

A drop removes the batches' files and records in one manifest swap under the lake lock (a crash
leaves the lake as it was), and:

* clears the source state the batches set (e.g. the last ingested git tip), so that ingesting
  the source again brings back exactly what is missing;
* keeps the rows of ``objects`` and ``identities`` that data in other batches still refers to
  (a later batch that met the same case or person did not write them again), in a file of
  their own that no later drop removes.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import duckdb
from pydantic import BaseModel

from tandem.errors import ConflictError, InputError, NotFoundError
from tandem.lake.schema import TABLES
from tandem.lake.steps import sql_list
from tandem.lake.store import WRITER_MEMORY_SHARE, Lake, Manifest, fsync_dir, memory_limit
from tandem.lake.writer import _write_query, file_owner

KEPT = "(kept)"
"""Owner of the rows a drop keeps because other batches refer to them."""


class BatchInfo(BaseModel):
    """One committed batch as ``tandem lake batches`` shows it."""

    id: str
    kind: str
    source: str
    label: str
    committed_at: str
    rows: dict[str, int]
    tied_to: list[str]


class BatchListing(BaseModel):
    """Every batch in the lake, oldest first."""

    batches: list[BatchInfo]


class DropReport(BaseModel):
    """What ``tandem lake drop`` removed."""

    dropped: list[str]
    labels: list[str]
    rows_removed: dict[str, int]
    rows_kept: dict[str, int]
    state_cleared: list[str]
    generation: int


def list_batches(*, lake: Lake) -> BatchListing:
    """The lake's batches with their source, the rows their files hold now and their ties."""
    manifest = lake.manifest()
    rows = _rows_by_owner(manifest)
    groups = _groups(manifest)
    return BatchListing(
        batches=[
            BatchInfo(
                id=record["id"],
                kind=_kind_and_source(record["label"])[0],
                source=_kind_and_source(record["label"])[1],
                label=record["label"],
                committed_at=record["committed_at"],
                rows=rows.get(record["id"], {}),
                tied_to=[b for b in groups[record["id"]] if b != record["id"]],
            )
            for record in manifest.batches
        ]
    )


def drop_batches(*, lake: Lake, batch_ids: list[str]) -> DropReport:
    """Remove the batches ``batch_ids`` (and nothing else) in one atomic manifest swap."""
    if not batch_ids:
        raise InputError("name at least one batch to drop (`tandem lake batches` lists them)")
    with lake.locked():
        manifest = lake.manifest()
        order = [record["id"] for record in manifest.batches]
        for batch_id in batch_ids:
            if batch_id not in order:
                raise NotFoundError(
                    f"no batch {batch_id!r} in the lake; `tandem lake batches` lists them"
                )
        groups = _groups(manifest)
        chosen = set(batch_ids)
        needed = set().union(*(groups[b] for b in chosen))
        if needed != chosen:
            together = [b for b in order if b in needed]
            missing = [b for b in together if b not in chosen]
            raise ConflictError(
                f"batch {', '.join(missing)} shares cases with the batches named (a later batch "
                "added events to cases of an earlier one, so their events share files): drop "
                f"them together with `tandem lake drop {' '.join(together)}`"
            )
        drop_id = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-drop-" + uuid.uuid4().hex[:8]
        removed = {
            table: [e for e in entries if file_owner(e["file"], e.get("batch")) in chosen]
            for table, entries in manifest.tables.items()
        }
        remaining = {
            table: [e for e in entries if e not in removed[table]]
            for table, entries in manifest.tables.items()
        }
        kept = _keep_referenced(lake, removed, remaining, drop_id)
        records = [r for r in manifest.batches if r["id"] in chosen]
        cleared = sorted({k for r in records for k in _state_keys(r) if k in manifest.state})
        for table, entry in kept.items():
            remaining.setdefault(table, []).append(entry)
        manifest.tables = {table: entries for table, entries in remaining.items() if entries}
        for key in cleared:
            manifest.state.pop(key, None)
        manifest.batches = [r for r in manifest.batches if r["id"] not in chosen]
        manifest.generation += 1
        lake.write_manifest(manifest)
        for entries in removed.values():
            for entry in entries:
                (lake.root / entry["file"]).unlink(missing_ok=True)
        lake.remove_orphans()
    return DropReport(
        dropped=[r["id"] for r in records],
        labels=[r["label"] for r in records],
        rows_removed={
            t: sum(int(e["rows"]) for e in entries) for t, entries in removed.items() if entries
        },
        rows_kept={t: int(e["rows"]) for t, e in kept.items()},
        state_cleared=cleared,
        generation=manifest.generation,
    )


def _kind_and_source(label: str) -> tuple[str, str]:
    """``("events", "sepsis")`` from ``events sepsis sepsis.csv.gz``; git: the repository."""
    kind, _, rest = label.partition(" ")
    if kind == "git":
        return kind, rest.rsplit(" ", 1)[0]
    return kind, rest.split(" ", 1)[0]


def _state_keys(record: dict[str, Any]) -> list[str]:
    """The state keys a batch set (read from a git batch's label for older manifests)."""
    if "state" in record:
        return list(record["state"])
    kind, _, rest = record["label"].partition(" ")
    if kind == "git" and " " in rest:
        repo, ref = rest.rsplit(" ", 1)
        return [f"git:{repo}:{ref}"]
    return []


def _rows_by_owner(manifest: Manifest) -> dict[str, dict[str, int]]:
    rows: dict[str, dict[str, int]] = {}
    for table, entries in manifest.tables.items():
        for entry in entries:
            owner = rows.setdefault(file_owner(entry["file"], entry.get("batch")), {})
            owner[table] = owner.get(table, 0) + int(entry["rows"])
    return rows


def _groups(manifest: Manifest) -> dict[str, set[str]]:
    """Each batch's group: the batches tied to it through ``extends``, itself included."""
    order = [record["id"] for record in manifest.batches]
    parent = {b: b for b in order}

    def find(b: str) -> str:
        while parent[b] != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        return b

    legacy: dict[tuple[str, str], str] = {}
    for record in manifest.batches:
        if "extends" in record:
            extended = [b for b in record["extends"] if b in parent]
        elif "events" in record.get("added", {}):
            # an older manifest did not record which batches one extended: a batch can only
            # extend cases of its own source, so tie it to every older one of that source
            first = legacy.setdefault(_kind_and_source(record["label"]), record["id"])
            extended = [first]
        else:
            extended = []
        for other in extended:
            parent[find(other)] = find(record["id"])
    groups: dict[str, set[str]] = {}
    for b in order:
        groups.setdefault(find(b), set()).add(b)
    return {b: groups[find(b)] for b in order}


def _keep_referenced(
    lake: Lake,
    removed: dict[str, list[dict[str, Any]]],
    remaining: dict[str, list[dict[str, Any]]],
    drop_id: str,
) -> dict[str, dict[str, Any]]:
    """Write the removed objects and identities that remaining rows refer to; their entries."""

    def files(entries: dict[str, list[dict[str, Any]]], table: str) -> list[str]:
        return [str(lake.root / e["file"]) for e in entries.get(table, [])]

    references = {
        "objects": [
            ("events", "object_id"),
            ("relations", "from_object"),
            ("relations", "to_object"),
        ],
        "identities": [
            ("events", "resource_key"),
            ("commits", "author_key"),
            ("commits", "committer_key"),
        ],
    }
    kept: dict[str, dict[str, Any]] = {}
    con = duckdb.connect(config={"memory_limit": memory_limit(WRITER_MEMORY_SHARE)})
    try:
        for table, refs in references.items():
            key = TABLES[table].key[0]
            sources = files(removed, table)
            used = [
                f"SELECT {column} AS k FROM read_parquet({sql_list(files(remaining, t))})"
                for t, column in refs
                if files(remaining, t)
            ]
            if not sources or not used:
                continue
            rel = f"{table}/{drop_id}-kept.parquet"
            query = (
                f"SELECT * FROM read_parquet({sql_list(sources)}) "
                f"WHERE {key} IN ({' UNION '.join(used)}) ORDER BY {key}"
            )
            rows = _write_query(con, query, lake.root / rel, TABLES[table])
            if rows:
                kept[table] = {"file": rel, "rows": rows, "batch": KEPT}
                fsync_dir(lake.root / table)
            else:
                (lake.root / rel).unlink()
    finally:
        con.close()
    return kept
