"""The one row writer of the connectors (``tandem.sources.rows``)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

from tandem.sources.rows import LakeRows, event_key
from tests.sources.eventlogs import new_lake

WHEN = dt.datetime(2026, 3, 1, 12, 0, 0, 999_999, tzinfo=dt.UTC)


def sample() -> LakeRows:
    rows = LakeRows()
    rows.add_object(object_id="s:1", object_type="work_item", source="s", external_key="1",
                    title="Ünïcode", created_at=WHEN,
                    attributes={"at": WHEN, "labels": []})  # fmt: skip
    rows.add_event(object_id="s:1", activity="open", timestamp=WHEN, source="s", ordinal=0,
                   key=("0",))  # fmt: skip
    rows.add_event(object_id="s:1", activity="closed", timestamp=WHEN, source="s", ordinal=1,
                   event_id="given", attributes={"by": "x"})  # fmt: skip
    rows.add_relation("s:1", "s:1", "mentions")  # itself: dropped
    rows.add_relation("s:1", "s:2", "mentions")
    for name in ("first", "second"):
        rows.add_identity(identity_key="login:x", source="s", kind="login", display_name=name,
                          is_bot=False)  # fmt: skip
    return rows


def test_rows_land_in_the_lake_exactly(tmp_path: Path) -> None:
    rows = sample()
    assert rows.counts() == {"objects": 1, "events": 2, "relations": 1, "identities": 1}
    lake = new_lake(tmp_path)
    added = rows.commit(lake, label="rows", state={"s": {"cursor": "x"}})
    assert added == {"objects": 1, "events": 2, "relations": 1, "identities": 1}
    assert len(rows) == 0 and lake.state("s") == {"cursor": "x"}
    con = lake.connect()
    events = con.execute("SELECT event_id, timestamp FROM events ORDER BY ordinal").fetchall()
    names = con.execute("SELECT display_name FROM identities").fetchall()
    title, attributes = con.execute("SELECT title, attributes FROM objects").fetchone() or ()
    con.close()
    assert events == [(event_key("s", "s:1", "open", "0"), WHEN), ("given", WHEN)]
    assert names == [("first",)] and title == "Ünïcode"
    assert attributes == '{"at": "2026-03-01T12:00:00.999999+00:00", "labels": []}'
    again = sample().commit(lake, label="again", state={})
    assert again == {}


def test_building_arrow_does_not_import_pandas() -> None:
    code = (
        "import datetime as dt, sys\n"
        "from tandem.sources.rows import LakeRows\n"
        "rows = LakeRows()\n"
        "when = dt.datetime.now(dt.UTC)\n"
        "rows.add_object(object_id='s:1', object_type='work_item', source='s',\n"
        "    external_key='1', title=None, created_at=when, attributes={})\n"
        "rows.add_event(object_id='s:1', activity='open', timestamp=when, source='s',\n"
        "    ordinal=0, key=('0',))\n"
        "rows.add_identity(identity_key='x', source='s', kind='login', display_name=None,\n"
        "    is_bot=True)\n"
        "assert sum(t.num_rows for t in rows.tables().values()) == 3\n"
        "print('pandas' in sys.modules)\n"
    )
    root = Path(__file__).parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"
