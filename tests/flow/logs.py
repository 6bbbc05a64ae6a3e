"""Tiny hand-computed logs for the flow metric tests (no tests here; imported by the others).

THE_LOG, days from Friday 2024-03-01 (d1) to Tuesday 2024-03-05 (d5); "now" = d5 10:00:

====  =======  =============================================================  ===================
case  type     events (category)                                              outcome
====  =======  =============================================================  ===================
A     bug      Open d1 9 (new), Start d1 10, Pending d1 12 (waiting),         done d2 9
               Work d1 13, Closed d2 9 (done)                                 lead 24 h, cycle 23 h
B     story    Open d1 8, Work d1 9, Closed d1 11, Reopen d2 8, Closed d3 8   reopened; done d3 8
                                                                              lead 48 h, cycle 47 h
C     bug      Open d1 8, Closed d1 9                                         never active:
                                                                              lead 1 h, cycle null
D     story    Open d1 8, Work d2 10                                          open (Work, 72 h)
E     bug      Open d1 8, Work d1 9, Cancelled d2 12                          canceled
G     story    Open d4 9, Work d4 10, Closed d5 10 (by the bot ``ci-bot``)    lead 25 h, cycle 24 h
====  =======  =============================================================  ===================
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa

from tandem.lake import Lake

D1 = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
HOUR = 3600.0

Row = tuple[str, str, dt.datetime] | tuple[str, str, dt.datetime, str | None]


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """Day ``day`` (1 = Friday 2024-03-01) at ``hour:minute`` UTC."""
    return D1 + dt.timedelta(days=day - 1, hours=hour, minutes=minute)


THE_LOG: list[Row] = [
    ("A", "Open", at(1, 9)),
    ("A", "Start", at(1, 10)),
    ("A", "Pending", at(1, 12)),
    ("A", "Work", at(1, 13)),
    ("A", "Closed", at(2, 9)),
    ("B", "Open", at(1, 8)),
    ("B", "Work", at(1, 9)),
    ("B", "Closed", at(1, 11)),
    ("B", "Reopen", at(2, 8)),
    ("B", "Closed", at(3, 8)),
    ("C", "Open", at(1, 8)),
    ("C", "Closed", at(1, 9)),
    ("D", "Open", at(1, 8)),
    ("D", "Work", at(2, 10)),
    ("E", "Open", at(1, 8)),
    ("E", "Work", at(1, 9)),
    ("E", "Cancelled", at(2, 12)),
    ("G", "Open", at(4, 9)),
    ("G", "Work", at(4, 10)),
    ("G", "Closed", at(5, 10), "ci-bot"),
]
THE_TYPES = {"A": "bug", "B": "story", "C": "bug", "D": "story", "E": "bug", "G": "story"}
BOTS = {"ci-bot"}


def write_log(
    lake: Lake,
    rows: Sequence[Row],
    item_types: dict[str, str] | None = None,
    *,
    source: str = "tiny",
) -> None:
    """Write ``rows`` (case, activity, time[, resource]) in file order, with objects and
    identities, as one lake batch."""
    resources = [row[3] if len(row) > 3 else None for row in rows]
    events = pa.table(
        {
            "event_id": [f"{source}-{i}" for i in range(len(rows))],
            "object_id": [row[0] for row in rows],
            "activity": [row[1] for row in rows],
            "timestamp": pa.array([row[2] for row in rows], pa.timestamp("us", tz="UTC")),
            "source": [source] * len(rows),
            "ordinal": list(range(len(rows))),
            "resource_key": pa.array(resources, pa.string()),
        }
    )
    cases = sorted({row[0] for row in rows})
    objects = pa.table(
        {
            "object_id": cases,
            "object_type": ["case"] * len(cases),
            "source": [source] * len(cases),
            "external_key": cases,
            "item_type": pa.array([(item_types or {}).get(c) for c in cases], pa.string()),
        }
    )
    keys = sorted({r for r in resources if r is not None})
    with lake.batch(label=f"test {source}") as batch:
        batch.write("events", events)
        batch.write("objects", objects)
        if keys:
            batch.write(
                "identities",
                pa.table(
                    {
                        "identity_key": keys,
                        "source": [source] * len(keys),
                        "kind": ["name"] * len(keys),
                        "is_bot": [k in BOTS for k in keys],
                    }
                ),
            )


def new_lake(folder: Path) -> Lake:
    root = folder / "lake"
    root.mkdir(parents=True, exist_ok=True)
    return Lake(root)


def the_lake(folder: Path) -> Lake:
    """A lake holding THE_LOG."""
    lake = new_lake(folder)
    write_log(lake, THE_LOG, THE_TYPES)
    return lake
