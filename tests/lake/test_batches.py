"""Listing and dropping lake batches: whole batches, tied ones together, references kept."""

from __future__ import annotations

import datetime as dt
import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa
import pytest

from tandem.errors import ConflictError, NotFoundError
from tandem.lake import Lake
from tandem.lake.batches import drop_batches, list_batches
from tandem.lake.store import MANIFEST

T0 = dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC)


def events(rows: list[tuple[str, str, int, str | None]]) -> pa.Table:
    """Events from ``(event_id, case, minute, resource_key)``."""
    return pa.table(
        {
            "event_id": [r[0] for r in rows],
            "object_id": [r[1] for r in rows],
            "activity": [f"act-{r[0]}" for r in rows],
            "timestamp": [T0 + dt.timedelta(minutes=r[2]) for r in rows],
            "resource_key": pa.array([r[3] for r in rows], pa.string()),
            "source": ["s"] * len(rows),
            "ordinal": list(range(len(rows))),
        }
    )


def identities(keys: list[str]) -> pa.Table:
    return pa.table(
        {
            "identity_key": keys,
            "source": ["s"] * len(keys),
            "kind": ["account"] * len(keys),
            "is_bot": [False] * len(keys),
        }
    )


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    (tmp_path / "lake").mkdir()
    return Lake(tmp_path / "lake")


def ingest(lake: Lake, label: str, rows: list[tuple[str, str, int, str | None]]) -> str:
    with lake.batch(label=label) as batch:
        batch.write("events", events(rows))
        keys = sorted({r[3] for r in rows if r[3]})
        if keys:
            batch.write("identities", identities(keys))
        batch.set_state(f"state:{label}", 1)
    return batch.batch_id


def visible(lake: Lake, sql: str) -> list[tuple[object, ...]]:
    con = lake.connect()
    try:
        return sorted(con.execute(sql).fetchall())
    finally:
        con.close()


def test_dropping_an_independent_batch_removes_exactly_its_rows(lake: Lake) -> None:
    a = ingest(lake, "events s a.csv", [("a1", "x", 1, "k:amy"), ("a2", "x", 2, None)])
    before = visible(lake, "SELECT event_id, prev_activity, trace FROM events")
    state_before = lake.manifest().state
    b = ingest(lake, "events s b.csv", [("b1", "y", 1, None)])
    assert [(i.id, i.rows, i.tied_to) for i in list_batches(lake=lake).batches] == [
        (a, {"events": 2, "identities": 1}, []),
        (b, {"events": 1}, []),
    ]
    report = drop_batches(lake=lake, batch_ids=[b])
    assert (report.dropped, report.rows_removed, report.state_cleared) == (
        [b],
        {"events": 1},
        ["state:events s b.csv"],
    )
    assert visible(lake, "SELECT event_id, prev_activity, trace FROM events") == before
    assert lake.manifest().state == state_before
    assert [i.id for i in list_batches(lake=lake).batches] == [a]
    assert {p.name for p in (lake.root / "events").glob("*.parquet")} == {
        Path(f).name for f in lake.files("events")
    }


def test_a_batch_that_extended_older_cases_is_tied_to_them(lake: Lake) -> None:
    a = ingest(lake, "events s a.csv", [("a1", "x", 1, None), ("a2", "z", 1, None)])
    b = ingest(lake, "events s b.csv", [("b1", "x", 2, None)])  # case x moves to b's file
    c = ingest(lake, "events s c.csv", [("c1", "w", 1, None)])
    tied = {i.id: i.tied_to for i in list_batches(lake=lake).batches}
    assert tied == {a: [b], b: [a], c: []}
    generation = lake.manifest().generation
    for alone in (a, b):
        with pytest.raises(ConflictError) as caught:
            drop_batches(lake=lake, batch_ids=[alone])
        assert f"`tandem lake drop {a} {b}`" in caught.value.message
    assert lake.manifest().generation == generation
    drop_batches(lake=lake, batch_ids=[b, a])
    assert visible(lake, "SELECT event_id FROM events") == [("c1",)]


def test_rows_other_batches_still_refer_to_are_kept(lake: Lake) -> None:
    a = ingest(lake, "events s a.csv", [("a1", "x", 1, "k:amy")])
    ingest(lake, "events s b.csv", [("b1", "y", 1, "k:amy")])  # amy is not written again
    report = drop_batches(lake=lake, batch_ids=[a])
    assert report.rows_kept == {"identities": 1}
    assert visible(lake, "SELECT identity_key FROM identities") == [("k:amy",)]
    assert visible(lake, "SELECT event_id FROM events") == [("b1",)]


def test_an_unknown_batch_changes_nothing(lake: Lake) -> None:
    ingest(lake, "events s a.csv", [("a1", "x", 1, None)])
    manifest = (lake.root / MANIFEST).read_text()
    with pytest.raises(NotFoundError):
        drop_batches(lake=lake, batch_ids=["nope"])
    assert (lake.root / MANIFEST).read_text() == manifest


def test_an_older_manifest_ties_a_moving_batch_to_every_earlier_events_batch(
    lake: Lake,
) -> None:
    """Without recorded provenance a ``<batch>-moved-<n>`` file could hold any older events."""
    a = ingest(lake, "events s a.csv", [("a1", "x", 1, None)])
    b = ingest(lake, "events s b.csv", [("b1", "y", 1, None)])
    c = ingest(lake, "events s c.csv", [("c1", "x", 2, None)])
    d = ingest(lake, "git /r HEAD", [("d1", "v", 1, None)])
    raw = json.loads((lake.root / MANIFEST).read_text())
    for entries in raw["tables"].values():
        for entry in entries:
            del entry["batch"]
    for record in raw["batches"]:
        del record["extends"], record["state"]
    raw["state"]["git:/r:HEAD"] = {"head": "abc"}
    (lake.root / MANIFEST).write_text(json.dumps(raw))
    tied = {i.id: set(i.tied_to) for i in list_batches(lake=lake).batches}
    assert tied == {a: {b, c}, b: {a, c}, c: {a, b}, d: set()}
    report = drop_batches(lake=lake, batch_ids=[d])
    assert report.state_cleared == ["git:/r:HEAD"]


KILL_BEFORE_SWAP = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from tandem.lake import Lake, store
    from tandem.lake.batches import drop_batches

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    store.Lake.write_manifest = die
    drop_batches(lake=Lake(Path(sys.argv[1])), batch_ids=[sys.argv[2]])
    """
)


def test_a_drop_killed_before_the_swap_leaves_the_lake_as_it_was(lake: Lake) -> None:
    a = ingest(lake, "events s a.csv", [("a1", "x", 1, "k:amy")])
    ingest(lake, "events s b.csv", [("b1", "y", 1, "k:amy")])  # makes the drop keep a row
    manifest = (lake.root / MANIFEST).read_text()
    rows = visible(lake, "SELECT event_id, resource_key FROM events")
    proc = subprocess.run(
        [sys.executable, "-c", KILL_BEFORE_SWAP, str(lake.root), a], capture_output=True
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    assert (lake.root / MANIFEST).read_text() == manifest
    assert visible(lake, "SELECT event_id, resource_key FROM events") == rows
    drop_batches(lake=lake, batch_ids=[a])  # the next drop cleans up and works
    assert visible(lake, "SELECT event_id FROM events") == [("b1",)]
    listed = {Path(f).name for t in ("events", "identities") for f in lake.files(t)}
    on_disk = {p.name for t in ("events", "identities") for p in (lake.root / t).glob("*")}
    assert on_disk == listed
