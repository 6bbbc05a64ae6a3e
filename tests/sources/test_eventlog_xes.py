"""Streaming XES: golden comparison with pm4py.read_xes, gzip, the XES features, chunk seams."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tandem.errors import InputError
from tandem.sources.contracts import ColumnMapping
from tandem.sources.eventlog import ingest_event_log, read_xes, xes_check
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


PROM = """<?xml version="1.0" encoding="UTF-8" ?>
<!-- This file has been generated with the OpenXES library. It conforms -->
<!-- OpenXES is available from http://www.openxes.org/ -->
<log xes.version="1.0" xes.features="nested-attributes" openxes.version="1.0RC7" \
xmlns="http://www.xes-standard.org/">
\t<extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
\t<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
\t<global scope="trace">
\t\t<string key="concept:name" value="__INVALID__"/>
\t</global>
\t<global scope="event">
\t\t<string key="concept:name" value="__INVALID__"/>
\t\t<string key="lifecycle:transition" value="complete"/>
\t</global>
\t<classifier name="Event Name" keys="concept:name"/>
\t<string key="concept:name" value="BPI Challenge 2012"/>
{traces}</log>
"""
PROM_TRACE = """\t<trace>
\t\t<date key="REG_DATE" value="2011-10-01T00:38:44.546+02:00"/>
\t\t<string key="concept:name" value="{case}"/>
\t\t<string key="AMOUNT_REQ" value="20000"/>
\t\t<event>
\t\t\t<string key="org:resource" value="112"/>
\t\t\t<string key="lifecycle:transition" value="COMPLETE"/>
\t\t\t<string key="concept:name" value="A_SUBMITTED"/>
\t\t\t<date key="time:timestamp" value="2011-10-01T00:38:44.546+02:00"/>
\t\t</event>
\t\t<event>
\t\t\t<string key="lifecycle:transition" value="SCHEDULE"/>
\t\t\t<string key="concept:name" value="W_Completeren aanvraag"/>
\t\t\t<date key="time:timestamp" value="2011-11-02T09:00:01.001+01:00"/>
\t\t</event>
\t</trace>
"""


def prom_log(tmp_path: Path, traces: int = 40) -> Path:
    path = tmp_path / "prom.xes"
    body = "".join(PROM_TRACE.format(case=173688 + n) for n in range(traces))
    path.write_text(PROM.format(traces=body), encoding="utf-8")
    return path


@pytest.mark.parametrize("chunk", [xes_module.CHUNK_SIZE, 1_000, 97])
def test_prom_layout_matches_pm4py(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    path = prom_log(tmp_path)
    reference = read_xes_with_pm4py(path)
    monkeypatch.setattr(xes_module, "CHUNK_SIZE", chunk)

    table = read_xes(path).to_pydict()

    assert table["case_id"] == reference["case:concept:name"].tolist()
    assert table["activity"] == reference["concept:name"].tolist()
    assert table["lifecycle"] == reference["lifecycle:transition"].tolist()
    expected = pd.to_datetime(reference["time:timestamp"], utc=True).dt.to_pydatetime().tolist()
    assert table["timestamp"] == expected
    assert table["resource"] == ["112", None] * 40
    assert table["attributes"] == [None] * 80


def test_case_attributes_and_the_child_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = prom_log(tmp_path, traces=3)
    inline = read_xes(path)
    monkeypatch.setattr(xes_check, "CHILD_CHECK_PLAIN", 0)  # the check runs in a child process
    assert read_xes(path) == inline
    lake = new_lake(tmp_path)
    ingest_event_log(lake=lake, path=path, columns=ColumnMapping(), source="prom")
    with lake.connect() as con:
        attributes = con.sql("SELECT attributes FROM objects ORDER BY external_key").fetchall()
    assert json.loads(attributes[0][0]) == {
        "REG_DATE": "2011-10-01T00:38:44.546+02:00",
        "AMOUNT_REQ": "20000",
    }

    broken = tmp_path / "broken.xes"
    broken.write_text(path.read_text().replace("</event>", "</evnt>", 2), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_xes(broken)
    assert "not well-formed XML" in caught.value.message
    assert caught.value.line == 25  # the first </event> turned </evnt>


def test_a_later_key_changing_the_columns_rescans(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first chunk only knows ``transition``; ``lifecycle:transition`` (preferred) is later."""
    event = (
        '<event><string key="concept:name" value="a"/>{extra}'
        '<string key="transition" value="t"/>'
        '<date key="time:timestamp" value="2024-01-01T00:00:00Z"/></event>\n'
    )
    text = (
        '<?xml version="1.0"?><log><trace><string key="concept:name" value="c"/>\n'
        + event.format(extra="")
        + event.format(extra='<string key="lifecycle:transition" value="complete"/>') * 3
        + "</trace></log>\n"
    )
    path = tmp_path / "late.xes"
    path.write_text(text, encoding="utf-8")
    whole = read_xes(path).to_pydict()
    monkeypatch.setattr(xes_module, "CHUNK_SIZE", 64)

    table = read_xes(path).to_pydict()

    assert table == whole
    assert table["lifecycle"] == [None, "complete", "complete", "complete"]
    assert [json.loads(a) for a in table["attributes"]] == [{"transition": "t"}] * 4


def test_reading_does_not_import_pandas(tmp_path: Path) -> None:
    """pyarrow imports pandas on its first conversion of a Python value (0.4 s per process)."""
    path = prom_log(tmp_path)
    script = (
        "import sys; from pathlib import Path; from tandem.sources.eventlog import read_xes; "
        f"read_xes(Path({str(path)!r})); print('pandas' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_pm4py_and_prom_layouts_take_the_vectorised_path(
    xes_logs: dict[str, Path], tmp_path: Path
) -> None:
    from tandem.sources.eventlog.xes_tokens import ScanState, tokenize_flat

    for path in (xes_logs["sepsis"], prom_log(tmp_path)):
        tokens = tokenize_flat(path.read_bytes(), ScanState())
        assert tokens is not None and tokens.arrays, path.name
    nested = FEATURES.encode()
    assert tokenize_flat(nested, ScanState()) is None  # lists, containers: the slow path
