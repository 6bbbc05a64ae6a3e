"""Streaming XES: golden comparison with pm4py.read_xes, gzip, the XES features, chunk seams."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest

from tandem.sources.contracts import ColumnMapping
from tandem.sources.eventlog import ingest_event_log, read_xes
from tandem.sources.eventlog import xes as xes_module
from tests.sources.eventlogs import (
    SEPSIS,
    TRAFFIC,
    lake_events,
    new_lake,
    read_frame,
    read_xes_with_pm4py,
    write_xes_with_pm4py,
)


@pytest.fixture(scope="module")
def xes_logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Sepsis and the first 1,500 traffic fines cases, written as XES (and .xes.gz) by pm4py."""
    folder = tmp_path_factory.mktemp("xes")
    sepsis = write_xes_with_pm4py(
        read_frame(SEPSIS),
        folder / "sepsis.xes",
        case="case_id",
        activity="activity",
        timestamp="timestamp",
        resource="resource",
    )
    traffic = read_frame(TRAFFIC)
    traffic = traffic[traffic["case_id"].isin(traffic["case_id"].unique()[:1500])]
    fines = write_xes_with_pm4py(
        traffic,
        folder / "fines.xes",
        case="case_id",
        activity="activity",
        timestamp="timestamp",
        resource="resource",
    )
    fines_gz = folder / "fines.xes.gz"
    fines_gz.write_bytes(gzip.compress(fines.read_bytes()))
    return {"sepsis": sepsis, "fines": fines, "fines_gz": fines_gz}


@pytest.mark.parametrize("name", ["sepsis", "fines", "fines_gz"])
def test_reader_matches_pm4py(xes_logs: dict[str, Path], name: str) -> None:
    path = xes_logs[name]
    reference = read_xes_with_pm4py(path)

    table = read_xes(path).to_pydict()

    assert len(table["case_id"]) == len(reference)
    assert table["case_id"] == reference["case:concept:name"].tolist()
    assert table["activity"] == reference["concept:name"].tolist()
    assert len(set(table["case_id"])) == reference["case:concept:name"].nunique()
    assert len(set(table["activity"])) == reference["concept:name"].nunique()
    expected = pd.to_datetime(reference["time:timestamp"], utc=True).dt.to_pydatetime().tolist()
    assert table["timestamp"] == expected
    resources = reference["org:resource"].where(reference["org:resource"] != "", None)
    assert table["resource"] == [None if pd.isna(r) else r for r in resources]


def test_xes_ingest_keys_match_the_csv_ingest(xes_logs: dict[str, Path], tmp_path: Path) -> None:
    lake = new_lake(tmp_path)
    csv_report = ingest_event_log(lake=lake, path=SEPSIS, columns=ColumnMapping())

    report = ingest_event_log(lake=lake, path=xes_logs["sepsis"], columns=ColumnMapping())

    assert report.format == "xes"
    assert report.source == "sepsis"
    assert report.columns["case"] == "case:concept:name"
    assert report.columns["resource"] == "org:resource"
    assert (report.events, report.cases, report.activities) == (
        csv_report.events,
        csv_report.cases,
        csv_report.activities,
    )
    assert (report.events_added, report.objects_added) == (0, 0)  # a re-export adds nothing
    again = ingest_event_log(lake=lake, path=xes_logs["sepsis"], columns=ColumnMapping())
    assert (again.events_added, again.objects_added) == (0, 0)


FEATURES = """<?xml version="1.0" encoding="UTF-8"?>
<!-- written by hand: every XES feature the reader must handle -->
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <global scope="event"><string key="concept:name" value="__INVALID__"/></global>
  <classifier name="Activity" keys="concept:name"/>
  <string key="concept:name" value="the log"/>
  <trace>
    <string key="concept:name" value="c&amp;1"/>
    <int key="priority" value="3"/>
    <event>
      <string key="concept:name" value="Fish &amp; &lt;chips&gt; &#233;"/>
      <date key="time:timestamp" value="2024-03-01T10:00:00.123+01:00"/>
      <string key="org:resource" value="ann"/>
      <int key="cost" value="12"/>
      <float key="ratio" value="0.5"/>
      <boolean key="urgent" value="true"/>
      <id key="ref" value="6b0f"/>
      <string value="reversed" key="order"/>
      <string key='quoted' value='single "q"'/>
      <string key="empty" value=""/>
      <list key="tags">
        <values>
          <string key="tag" value="x"/>
        </values>
      </list>
      <container key="box"><int key="n" value="1"/></container>
      <string key="meta" value="m"><string key="note" value="inner"/></string>
    </event>
    <!-- <event><string key="concept:name" value="commented out"/></event> -->
    <event>
      <string key="concept:name" value="second"/>
      <date key="time:timestamp" value="2024-03-01T10:00:00"/>
    </event>
  </trace>
  <trace>
    <event>
      <date key="time:timestamp" value="2024-03-02"/>
      <string key="concept:name" value="first of c2"/>
    </event>
    <string key="concept:name" value="c2"/>
  </trace>
</log>
"""


def test_xes_features(tmp_path: Path) -> None:
    path = tmp_path / "features.xes"
    path.write_text(FEATURES, encoding="utf-8")

    table = read_xes(path, timezone="Europe/Amsterdam").to_pydict()

    assert table["case_id"] == ["c&1", "c&1", "c2"]
    assert table["activity"] == ["Fish & <chips> é", "second", "first of c2"]
    assert [t.isoformat() for t in table["timestamp"]] == [
        "2024-03-01T09:00:00.123000+00:00",
        "2024-03-01T09:00:00+00:00",  # naive: read in the given time zone
        "2024-03-01T23:00:00+00:00",
    ]
    assert table["resource"] == ["ann", None, None]
    assert json.loads(table["attributes"][0]) == {
        "cost": 12,
        "ratio": 0.5,
        "urgent": True,
        "ref": "6b0f",
        "order": "reversed",
        "quoted": 'single "q"',
        "tags.tag": "x",
        "box.n": 1,
        "meta": "m",
        "meta.note": "inner",
    }
    assert table["attributes"][1] is None

    lake = new_lake(tmp_path)
    report = ingest_event_log(lake=lake, path=path, columns=ColumnMapping(), source="hand")
    assert (report.cases, report.events, report.activities) == (2, 3, 3)
    with lake.connect() as con:
        objects = dict(con.sql("SELECT external_key, attributes FROM objects").fetchall())
    assert objects == {"c&1": '{"priority":3}', "c2": None}


def test_chunk_seams_do_not_change_the_result(
    xes_logs: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "features.xes"
    path.write_text(FEATURES, encoding="utf-8")
    whole = read_xes(path)
    monkeypatch.setattr(xes_module, "CHUNK_SIZE", 7)

    assert read_xes(path) == whole
    monkeypatch.setattr(xes_module, "CHUNK_SIZE", 65_537)
    assert read_xes(xes_logs["fines_gz"]) == read_xes(xes_logs["fines"])


def test_explicit_mapping_for_xes(tmp_path: Path) -> None:
    path = tmp_path / "features.xes"
    path.write_text(FEATURES, encoding="utf-8")
    lake = new_lake(tmp_path)

    report = ingest_event_log(
        lake=lake,
        path=path,
        columns=ColumnMapping(lifecycle="ORDER", resource="ref"),
        source="hand",
    )

    assert report.columns["lifecycle"] == "order"  # matched case-insensitively
    assert report.columns["resource"] == "ref"
    assert "org:resource" in report.attributes  # no longer the resource: kept as an attribute
    assert report.events == 3
    events = lake_events(lake)
    assert events["lifecycle"] == ["reversed", None, None]
    assert events["resource_key"] == ["account:hand:6b0f", None, None]
    assert json.loads(events["attributes"][0])["org:resource"] == "ann"
