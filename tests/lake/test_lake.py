"""The lake: atomic batches, deterministic dedupe, clustering, crash safety, schema version."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa
import pytest

from tandem.errors import ConflictError, WorkspaceError
from tandem.lake import SCHEMA_VERSION, Lake
from tandem.lake.store import MANIFEST, STAGING

T0 = dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC)


def events(ids: list[str], objects: list[str], minutes: list[int]) -> pa.Table:
    return pa.table(
        {
            "event_id": ids,
            "object_id": objects,
            "activity": [f"act-{i}" for i in ids],
            "timestamp": [T0 + dt.timedelta(minutes=m) for m in minutes],
            "source": ["test"] * len(ids),
            "ordinal": list(range(len(ids))),
        }
    )


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    root = tmp_path / "lake"
    root.mkdir()
    return Lake(root)


def snapshot(lake: Lake) -> dict[str, object]:
    """Everything a reader can see."""
    con = lake.connect()
    seen = {
        name: sorted(con.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
        for name in lake.row_counts()
    }
    con.close()
    return {"counts": lake.row_counts(), "rows": seen}


def test_batch_adds_rows_and_reingest_adds_nothing(lake: Lake) -> None:
    with lake.batch(label="first") as batch:
        batch.write("events", events(["a", "b", "c"], ["x", "x", "y"], [3, 1, 2]))
    assert batch.result.added == {"events": 3}
    with lake.batch(label="again") as again:
        again.write("events", events(["a", "b", "c"], ["x", "x", "y"], [3, 1, 2]))
    assert again.result.added == {"events": 0}
    assert again.result.staged == {"events": 3}
    assert lake.row_counts()["events"] == 3
    assert len(lake.files("events")) == 1


def test_first_occurrence_of_a_key_wins_within_a_batch(lake: Lake) -> None:
    first = events(["k"], ["x"], [1])
    second = events(["k"], ["x"], [99])
    with lake.batch(label="dupes") as batch:
        batch.write("events", first)
        batch.write("events", second)
    con = lake.connect()
    rows = con.execute("SELECT event_id, timestamp FROM events").fetchall()
    assert rows == [("k", T0 + dt.timedelta(minutes=1))]


def test_events_are_clustered_by_case_then_time_then_ordinal(lake: Lake) -> None:
    table = events(["1", "2", "3", "4"], ["b", "a", "b", "a"], [5, 7, 5, 1])
    with lake.batch(label="sort") as batch:
        batch.write("events", table)
    con = lake.connect()
    order = [r[0] for r in con.execute("SELECT event_id FROM events").fetchall()]
    # a@1 (4), a@7 (2), b@5 ordinal 0 (1), b@5 ordinal 2 (3): ties keep source order.
    assert order == ["4", "2", "1", "3"]


def test_only_new_keys_are_added_across_batches(lake: Lake) -> None:
    with lake.batch(label="one") as batch:
        batch.write("events", events(["a", "b"], ["x", "x"], [1, 2]))
    with lake.batch(label="two") as batch:
        batch.write("events", events(["b", "c", "d"], ["x", "x", "x"], [2, 3, 4]))
    assert batch.result.added == {"events": 2}
    con = lake.connect()
    assert [r[0] for r in con.execute("SELECT event_id FROM events ORDER BY 1").fetchall()] == [
        "a",
        "b",
        "c",
        "d",
    ]


def test_an_exception_inside_the_batch_changes_nothing(lake: Lake) -> None:
    with lake.batch(label="ok") as batch:
        batch.write("events", events(["a"], ["x"], [1]))
    before = snapshot(lake)
    with pytest.raises(RuntimeError), lake.batch(label="boom") as batch:
        batch.write("events", events(["b"], ["x"], [2]))
        raise RuntimeError("source failed midway")
    assert snapshot(lake) == before
    assert not any((lake.root / STAGING).iterdir())
    assert len(list((lake.root / "events").glob("*.parquet"))) == 1


def test_state_is_committed_with_the_rows(lake: Lake) -> None:
    with lake.batch(label="s") as batch:
        batch.write("events", events(["a"], ["x"], [1]))
        batch.set_state("git:/repo:HEAD", {"head": "abc"})
    assert lake.state("git:/repo:HEAD") == {"head": "abc"}
    with pytest.raises(ValueError), lake.batch(label="s2") as batch:
        batch.set_state("git:/repo:HEAD", {"head": "def"})
        raise ValueError
    assert lake.state("git:/repo:HEAD") == {"head": "abc"}


def test_missing_required_column_is_refused(lake: Lake) -> None:
    with pytest.raises(ValueError, match="activity"), lake.batch(label="bad") as batch:
        batch.write("events", pa.table({"event_id": ["a"], "object_id": ["x"]}))
    assert lake.row_counts()["events"] == 0


def test_a_lake_from_a_newer_tandem_is_refused(lake: Lake) -> None:
    (lake.root / MANIFEST).write_text(json.dumps({"schema_version": SCHEMA_VERSION + 1}))
    with pytest.raises(ConflictError, match="newer Tandem"):
        lake.manifest()
    with pytest.raises(ConflictError), lake.batch(label="x"):
        pass


def test_a_lake_from_an_older_tandem_asks_for_a_new_ingest(lake: Lake) -> None:
    old = {"schema_version": 1, "tables": {"events": [{"file": "events/a.parquet", "rows": 1}]}}
    (lake.root / MANIFEST).write_text(json.dumps(old))
    with pytest.raises(WorkspaceError, match=r"older Tandem .* ingest the sources again"):
        lake.manifest()
    # an old manifest that lists nothing is simply upgraded
    (lake.root / MANIFEST).write_text(json.dumps({"schema_version": 1}))
    assert lake.manifest().schema_version == SCHEMA_VERSION


def test_empty_lake_reads_as_empty_tables_with_the_schema(lake: Lake) -> None:
    con = lake.connect()
    assert con.execute("SELECT count(*) FROM commits").fetchone() == (0,)
    columns = [row[0] for row in con.execute("DESCRIBE commits").fetchall()]
    assert columns[:3] == ["sha", "repo", "author_key"]


CRASH_SCRIPT = textwrap.dedent(
    """
    import datetime as dt, os, signal, sys
    from pathlib import Path
    import pyarrow as pa
    from tandem.lake import Lake
    from tandem.lake import store, writer

    lake = Lake(Path(sys.argv[1]))
    point = sys.argv[2]

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    if point == "before-manifest":
        store.Lake.write_manifest = die
    elif point == "during-dedupe":
        writer._write_query = die
    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    table = pa.table({"event_id": ["n1", "n2"], "object_id": ["z", "z"], "activity": ["A", "B"],
                      "timestamp": [t0, t0], "source": ["s", "s"], "ordinal": [0, 1]})
    with lake.batch(label="doomed") as batch:
        batch.write("events", table)
        batch.set_state("k", 2)
        if point == "while-staging":
            die()
    """
)


@pytest.mark.parametrize("point", ["while-staging", "during-dedupe", "before-manifest"])
def test_a_writer_killed_at_any_point_leaves_the_lake_as_before(lake: Lake, point: str) -> None:
    with lake.batch(label="ok") as batch:
        batch.write("events", events(["a"], ["x"], [1]))
        batch.set_state("k", 1)
    before = snapshot(lake)
    proc = subprocess.run(
        [sys.executable, "-c", CRASH_SCRIPT, str(lake.root), point], capture_output=True
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    assert snapshot(lake) == before
    assert lake.state("k") == 1
    # The next writer cleans up what the killed one left and works normally.
    with lake.batch(label="after") as batch:
        batch.write("events", events(["b"], ["x"], [2]))
    assert lake.row_counts()["events"] == 2
    assert not any((lake.root / STAGING).iterdir())
    listed = {Path(f).name for f in lake.files("events")}
    assert {p.name for p in (lake.root / "events").glob("*.parquet")} == listed


def test_the_lock_survives_a_killed_holder(lake: Lake) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from tandem.lake import Lake\n"
            "with Lake(Path(sys.argv[1])).locked():\n"
            "    print('locked', flush=True); time.sleep(60)",
            str(lake.root),
        ],
        stdout=subprocess.PIPE,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == b"locked"
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    holder.stdout.close()
    with lake.batch(label="after-kill") as batch:
        batch.write("events", events(["a"], ["x"], [1]))
    assert lake.row_counts()["events"] == 1
