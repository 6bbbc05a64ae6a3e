"""Step facts and case-complete files: a case extended by a later batch moves into its file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tandem.lake import Lake
from tandem.lake.schema import TABLES, conform
from tandem.lake.steps import STEP_COLUMNS, join_trace, split_trace, with_step_facts

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    (tmp_path / "lake").mkdir()
    return Lake(tmp_path / "lake")


def events(rows: list[tuple[str, str, str, int, int]]) -> pa.Table:
    """Rows of (event id, case, activity, minute, ordinal)."""
    return pa.table(
        {
            "event_id": [r[0] for r in rows],
            "object_id": [r[1] for r in rows],
            "activity": [r[2] for r in rows],
            "timestamp": [T0 + dt.timedelta(minutes=r[3]) for r in rows],
            "source": ["s"] * len(rows),
            "ordinal": [r[4] for r in rows],
        }
    )


def facts(lake: Lake) -> dict[str, tuple[object, ...]]:
    """event id -> (file, prev activity, prev wait µs, is last, trace, trace µs)."""
    seen = {}
    for path in lake.files("events"):
        for row in pq.read_table(path).to_pylist():
            seen[row["event_id"]] = (
                path.name,
                row["prev_activity"],
                row["prev_wait_us"],
                row["is_last"],
                row["trace"],
                row["trace_us"],
            )
    return seen


def test_facts_follow_time_then_file_order(lake: Lake) -> None:
    with lake.batch(label="one") as batch:
        # case x: B and C tie at minute 5 and keep file order (ordinal); listed out of order
        batch.write(
            "events",
            events([("3", "x", "C", 5, 2), ("1", "x", "A", 0, 0), ("2", "x", "B", 5, 1)]),
        )
        batch.write("events", events([("4", "y", "A", 1, 3)]))
    got = facts(lake)
    minute = 60_000_000
    assert [got[e][1:] for e in ("1", "2", "3")] == [
        (None, None, False, None, None),
        ("A", 5 * minute, False, None, None),
        ("B", 0, True, "A\x1fB\x1fC", 5 * minute),
    ]
    assert got["4"][1:] == (None, None, True, "A", 0)


def test_a_batch_extending_a_case_moves_it_whole_into_the_new_file(lake: Lake) -> None:
    with lake.batch(label="first") as batch:
        batch.write("events", events([("1", "x", "A", 0, 0), ("2", "y", "A", 0, 0)]))
    first = lake.files("events")[0].name
    with lake.batch(label="second") as batch:
        batch.write("events", events([("1", "x", "A", 0, 0), ("3", "x", "B", 10, 1)]))
    assert batch.result.added == {"events": 1}
    got = facts(lake)
    files = [p.name for p in lake.files("events")]
    assert len(files) == 2 and first not in files  # the first file was rewritten without x
    assert got["1"][0] == got["3"][0] == files[1]
    assert got["2"][0] == files[0]
    assert got["3"][1:] == ("A", 10 * 60_000_000, True, "A\x1fB", 10 * 60_000_000)
    assert got["1"][3] is False
    assert lake.row_counts()["events"] == 3
    assert {p.name for p in (lake.root / "events").glob("*.parquet")} == set(files)


def test_reingesting_the_same_events_rewrites_nothing(lake: Lake) -> None:
    rows = events([("1", "x", "A", 0, 0), ("2", "x", "B", 1, 1)])
    with lake.batch(label="first") as batch:
        batch.write("events", rows)
    before = [p.name for p in lake.files("events")]
    with lake.batch(label="again") as batch:
        batch.write("events", rows)
    assert batch.result.added.get("events", 0) == 0
    assert [p.name for p in lake.files("events")] == before


def test_a_file_left_empty_by_a_move_leaves_the_manifest(lake: Lake) -> None:
    with lake.batch(label="first") as batch:
        batch.write("events", events([("1", "x", "A", 0, 0)]))
    with lake.batch(label="second") as batch:
        batch.write("events", events([("2", "x", "B", 1, 1)]))
    assert len(lake.files("events")) == 1
    assert facts(lake)["2"][1:] == ("A", 60_000_000, True, "A\x1fB", 60_000_000)


def test_a_trace_decodes_to_its_activities_whatever_they_contain(lake: Lake) -> None:
    names = ["a\\b", "c\x1fd", "\\u001f", "plain", ""]
    with lake.batch(label="odd names") as batch:
        batch.write("events", events([(str(i), "x", n, i, i) for i, n in enumerate(names)]))
        batch.write("events", events([("9", "y", "c", 0, 9), ("10", "y", "d", 1, 10)]))
    traces = {row[1]: row[4] for row in facts(lake).values() if row[4] is not None}
    assert sorted(split_trace(t) for t in traces.values()) == sorted([tuple(names), ("c", "d")])


def naive_facts(rows: list[tuple[str, str, int]]) -> list[tuple[object, ...]]:
    """The facts by definition, case by case (rows sorted by case and time)."""
    out: list[tuple[object, ...]] = []
    for i, (case, _, at) in enumerate(rows):
        first = i == 0 or rows[i - 1][0] != case
        last = i == len(rows) - 1 or rows[i + 1][0] != case
        members = [r for r in rows if r[0] == case]
        out.append(
            (
                None if first else rows[i - 1][1],
                None if first else at - rows[i - 1][2],
                last,
                join_trace(r[1] for r in members) if last else None,
                members[-1][2] - members[0][2] if last else None,
            )
        )
    return out


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 100])
def test_facts_are_the_same_whatever_the_chunking(chunk: int) -> None:
    rows = [  # sorted by case, then time; case b spans several chunks, c is one event
        ("a", "X", 0), ("a", "Y", 5), ("b", "X", 1), ("b", "X", 1), ("b", "Z\\", 9),
        ("b", "Q\x1f", 20), ("b", "X", 21), ("c", "Y", 3), ("d", "X", 0), ("d", "Y", 7),
    ]  # fmt: skip
    schema = pa.schema(
        [(name, TABLES["events"].schema.field(name).type) for name in TABLES["events"].schema.names]
    )
    full = conform(
        pa.table(
            {
                "event_id": [str(i) for i in range(len(rows))],
                "object_id": [r[0] for r in rows],
                "activity": [r[1] for r in rows],
                "timestamp": [T0 + dt.timedelta(microseconds=r[2]) for r in rows],
                "source": ["s"] * len(rows),
                "ordinal": list(range(len(rows))),
            }
        ),
        TABLES["events"],
    )
    batches = full.to_batches(max_chunksize=chunk)
    got = pa.concat_tables(list(with_step_facts(batches))).cast(schema)
    assert got["event_id"].to_pylist() == full["event_id"].to_pylist()
    columns = [got[c].to_pylist() for c in STEP_COLUMNS]
    assert list(zip(*columns, strict=True)) == naive_facts(rows)
