"""The lake's last day: the one rule every "as of the lake's end" reads (goals, achievements,
experiments): the UTC day of the latest event, commit (committed) or created object."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from tandem.lake import Lake

UTC = dt.UTC
PLUS_TWO = dt.timezone(dt.timedelta(hours=2))


def events(*rows: tuple[str, dt.datetime]) -> pa.Table:
    return pa.table(
        {
            "event_id": [f"e{i}" for i in range(len(rows))],
            "object_id": [obj for obj, _ in rows],
            "activity": ["Open"] * len(rows),
            "timestamp": [at for _, at in rows],
            "source": ["test"] * len(rows),
            "ordinal": list(range(len(rows))),
        }
    )


def commit(sha: str, authored: dt.datetime, committed: dt.datetime) -> pa.Table:
    return pa.table(
        {
            "sha": [sha],
            "repo": ["repo"],
            "author_key": ["git:a"],
            "committer_key": ["git:a"],
            "authored_at": [authored],
            "committed_at": [committed],
            "author_utc_offset_minutes": pa.array([0], pa.int16()),
            "committer_utc_offset_minutes": pa.array([0], pa.int16()),
            "parents": pa.array([[]], pa.list_(pa.string())),
            "is_merge": [False],
            "summary": ["a change"],
        }
    )


def deployment(object_id: str, created: dt.datetime) -> pa.Table:
    return pa.table(
        {
            "object_id": [object_id],
            "object_type": ["deployment"],
            "source": ["test"],
            "external_key": [object_id],
            "created_at": [created],
        }
    )


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    root = tmp_path / "lake"
    root.mkdir()
    return Lake(root)


def write(lake: Lake, table: str, data: pa.Table) -> None:
    with lake.batch(label=f"{table}-{lake.generation()}") as batch:
        batch.write(table, data)


def test_an_empty_lake_has_no_last_day(lake: Lake) -> None:
    assert lake.last_day() is None


def test_the_last_event_gives_the_day_in_utc(lake: Lake) -> None:
    # 00:30 on 2024-03-11 at UTC+2 is still 2024-03-10 in UTC
    late = dt.datetime(2024, 3, 11, 0, 30, tzinfo=PLUS_TWO)
    write(lake, "events", events(("1", dt.datetime(2024, 3, 2, 9, tzinfo=UTC)), ("2", late)))
    assert lake.last_day() == dt.date(2024, 3, 10)


def test_a_delivery_objects_event_counts_as_an_event(lake: Lake) -> None:
    write(lake, "events", events(("1", dt.datetime(2024, 3, 2, 9, tzinfo=UTC)),
                                 ("@pr/7", dt.datetime(2024, 3, 20, 9, tzinfo=UTC))))  # fmt: skip
    assert lake.last_day() == dt.date(2024, 3, 20)


def test_a_later_commit_counts_by_when_it_was_committed(lake: Lake) -> None:
    write(lake, "events", events(("1", dt.datetime(2024, 3, 2, 9, tzinfo=UTC))))
    write(lake, "commits", commit("c1", authored=dt.datetime(2024, 4, 30, tzinfo=UTC),
                                  committed=dt.datetime(2024, 4, 5, 12, tzinfo=UTC)))  # fmt: skip
    assert lake.last_day() == dt.date(2024, 4, 5)  # committed, not authored (Apr 30)


def test_a_later_created_object_counts(lake: Lake) -> None:
    write(lake, "commits", commit("c1", authored=dt.datetime(2024, 4, 1, tzinfo=UTC),
                                  committed=dt.datetime(2024, 4, 1, tzinfo=UTC)))  # fmt: skip
    write(lake, "objects", deployment("@deploy/1", dt.datetime(2024, 5, 6, 23, 59, tzinfo=UTC)))
    assert lake.last_day() == dt.date(2024, 5, 6)


def test_an_earlier_commit_leaves_the_events_day(lake: Lake) -> None:
    write(lake, "events", events(("1", dt.datetime(2024, 6, 1, 9, tzinfo=UTC))))
    write(lake, "commits", commit("c1", authored=dt.datetime(2024, 5, 1, tzinfo=UTC),
                                  committed=dt.datetime(2024, 5, 1, tzinfo=UTC)))  # fmt: skip
    assert lake.last_day() == dt.date(2024, 6, 1)


def test_the_day_is_remembered_per_commit_and_asked_again_after_one(
    lake: Lake, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page asks the last day several times: one lake read per commit, and a commit that
    moves it on is seen at once (the memo is keyed on the committed manifest)."""
    write(lake, "events", events(("1", dt.datetime(2024, 3, 2, 9, tzinfo=UTC))))
    reads = []
    real = Lake._last_day

    def counted(self: Lake) -> dt.date | None:
        reads.append(self.root)
        return real(self)

    monkeypatch.setattr(Lake, "_last_day", counted)
    assert [lake.last_day() for _ in range(3)] == [dt.date(2024, 3, 2)] * 3
    assert Lake(lake.root).last_day() == dt.date(2024, 3, 2)  # another handle, same commit
    assert len(reads) == 1
    write(lake, "commits", commit("c1", authored=dt.datetime(2024, 3, 9, tzinfo=UTC),
                                  committed=dt.datetime(2024, 3, 9, 9, tzinfo=UTC)))  # fmt: skip
    assert lake.last_day() == dt.date(2024, 3, 9)
    assert len(reads) == 2
