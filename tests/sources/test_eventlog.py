"""Ingesting CSV, CSV.gz and Parquet event logs: counts against pandas, keys, order, re-ingest."""

from __future__ import annotations

import gzip
import json
from datetime import UTC
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tandem.sources.contracts import ColumnMapping
from tandem.sources.eventlog import ingest_event_log
from tandem.sources.eventlog.files import default_source
from tests.sources.eventlogs import (
    BPIC14,
    HOSPITAL,
    SEPSIS,
    TRAFFIC,
    lake_events,
    new_lake,
    read_frame,
)

BPIC14_MAPPING = ColumnMapping(
    case="incident_id",
    activity="incident_activity_type",
    timestamp="data_stamp",
    resource="assignment_group",
)


@pytest.mark.parametrize(
    ("path", "mapping", "case", "activity", "resource"),
    [
        (SEPSIS, ColumnMapping(), "case_id", "activity", "resource"),
        (BPIC14, BPIC14_MAPPING, "incident_id", "incident_activity_type", "assignment_group"),
        (TRAFFIC, ColumnMapping(), "case_id", "activity", "resource"),
        (HOSPITAL, ColumnMapping(), "case_id", "activity", "resource"),
    ],
    ids=["sepsis", "bpic14", "traffic_fines", "hospital_billing"],
)
def test_real_log_matches_an_independent_count(
    tmp_path: Path, path: Path, mapping: ColumnMapping, case: str, activity: str, resource: str
) -> None:
    frame = read_frame(path)
    lake = new_lake(tmp_path)

    report = ingest_event_log(lake=lake, path=path, columns=mapping)

    assert report.events == report.events_added == len(frame)
    assert report.cases == report.objects_added == frame[case].nunique()
    assert report.activities == frame[activity].nunique()
    resources = set(frame[resource]) - {""}
    assert report.identities == len(resources)
    assert lake.row_counts()["events"] == len(frame)
    assert lake.row_counts()["objects"] == frame[case].nunique()
    assert lake.row_counts()["identities"] == len(resources)

    events = lake_events(lake)
    assert events["ordinal"] == list(range(len(frame)))  # file order, 0-based
    source = report.source
    assert events["object_id"] == [f"{source}:{c}" for c in frame[case]]
    assert events["activity"] == frame[activity].tolist()
    assert len(set(events["event_id"])) == len(frame)
    expected_keys = [f"account:{source}:{r}" if r else None for r in frame[resource]]
    assert events["resource_key"] == expected_keys

    again = ingest_event_log(lake=lake, path=path, columns=mapping)
    assert (again.events_added, again.objects_added) == (0, 0)
    assert lake.row_counts()["events"] == len(frame)
    assert lake.row_counts()["objects"] == frame[case].nunique()
    assert lake.row_counts()["identities"] == len(resources)


def test_bpic14_timestamps_attributes_and_objects(tmp_path: Path) -> None:
    frame = read_frame(BPIC14)
    lake = new_lake(tmp_path)

    report = ingest_event_log(lake=lake, path=BPIC14, columns=BPIC14_MAPPING, source="bpic14")

    assert report.source == "bpic14"
    assert report.columns["lifecycle"] == "lifecycle"
    assert report.attributes == ["incident_activity_number", "km_number", "interaction_id"]
    events = lake_events(lake)
    expected = pd.to_datetime(frame["data_stamp"]).dt.tz_localize("UTC")
    assert events["timestamp"] == expected.dt.to_pydatetime().tolist()
    assert json.loads(events["attributes"][0]) == {
        "incident_activity_number": frame["incident_activity_number"][0],
        "km_number": frame["km_number"][0],
        "interaction_id": frame["interaction_id"][0],
    }
    with lake.connect() as con:
        objects = con.sql("SELECT * FROM objects").df().set_index("external_key")
    created = frame.assign(ts=expected).groupby("incident_id")["ts"].min()
    assert (objects.loc[created.index, "created_at"] == created).all()
    assert set(objects["object_type"]) == {"case"}
    assert objects.loc["IM0000013", "object_id"] == "bpic14:IM0000013"
    assert objects.loc["IM0000013", "title"] == "IM0000013"


def write_csv(path: Path, text: str) -> Path:
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_ties_duplicates_na_and_empty_values(tmp_path: Path) -> None:
    log = write_csv(
        tmp_path / "ties.csv",
        "Case ID,Activity,Timestamp,User,note\n"
        "NA,b,2024-01-01 10:00:00,ann,\n"
        "NA,a,2024-01-01 10:00:00,,x\n"
        "NA,a,2024-01-01 10:00:00,,x\n"  # an exact duplicate row is still an event
        ",c,2024-01-01T09:00:00Z,NA,NA\n",
    )
    lake = new_lake(tmp_path)

    report = ingest_event_log(lake=lake, path=log, columns=ColumnMapping())

    assert report.columns == {
        "case": "Case ID",
        "activity": "Activity",
        "timestamp": "Timestamp",
        "resource": "User",
        "lifecycle": None,
    }
    assert (report.events, report.events_added, report.cases) == (4, 4, 2)
    events = lake_events(lake)
    assert events["activity"] == ["b", "a", "a", "c"]  # tie order kept
    assert events["object_id"] == ["ties:NA"] * 3 + ["ties:"]
    assert len(set(events["event_id"])) == 4
    assert events["attributes"] == [None, '{"note":"x"}', '{"note":"x"}', '{"note":"NA"}']
    assert events["resource_key"] == ["account:ties:ann", None, None, "account:ties:NA"]
    assert ingest_event_log(lake=lake, path=log, columns=ColumnMapping()).events_added == 0


def test_timezone_for_naive_timestamps_and_formats(tmp_path: Path) -> None:
    log = write_csv(
        tmp_path / "zones.csv.gz",
        "case,activity,time\n"
        "1,naive,2024-07-01 12:00:00\n"
        "1,fraction,2024-07-01T12:00:00.250\n"
        "1,offset,2024-07-01T12:00:00+05:00\n"
        "1,utc,2024-07-01T12:00:00Z\n"
        "1,date,2024-07-01\n",
    )
    lake = new_lake(tmp_path)

    ingest_event_log(lake=lake, path=log, columns=ColumnMapping(), timezone="Europe/Amsterdam")

    stamps = [t.astimezone(UTC).isoformat() for t in lake_events(lake)["timestamp"]]
    assert stamps == [
        "2024-07-01T10:00:00+00:00",
        "2024-07-01T10:00:00.250000+00:00",
        "2024-07-01T07:00:00+00:00",
        "2024-07-01T12:00:00+00:00",
        "2024-06-30T22:00:00+00:00",
    ]


def test_parquet_re_export_adds_nothing(tmp_path: Path) -> None:
    frame = read_frame(SEPSIS)
    lake = new_lake(tmp_path)
    first = ingest_event_log(lake=lake, path=SEPSIS, columns=ColumnMapping())
    table = pa.Table.from_pandas(frame.drop(columns=["age", "crp"]), preserve_index=False)
    stamps = pa.array(pd.to_datetime(frame["timestamp"]))
    table = table.set_column(table.column_names.index("timestamp"), "timestamp", stamps)
    export = tmp_path / "sepsis.parquet"
    pq.write_table(table, export)

    report = ingest_event_log(lake=lake, path=export, columns=ColumnMapping())

    assert report.format == "parquet"
    assert (report.events, report.cases) == (first.events, first.cases)
    assert (report.events_added, report.objects_added) == (0, 0)
    assert lake.row_counts()["events"] == len(frame)


def test_bot_resources_are_flagged(tmp_path: Path) -> None:
    log = write_csv(
        tmp_path / "bots.csv",
        "case_id,activity,timestamp,resource\n"
        "1,a,2024-01-01,dependabot[bot]\n"
        "1,b,2024-01-02,Alice\n",
    )
    lake = new_lake(tmp_path)

    report = ingest_event_log(lake=lake, path=log, columns=ColumnMapping(), source="ops")

    assert report.identities == 2
    with lake.connect() as con:
        rows = con.sql(
            "SELECT identity_key, kind, display_name, is_bot FROM identities ORDER BY 1"
        ).fetchall()
    assert rows == [
        ("account:ops:Alice", "account", "Alice", False),
        ("account:ops:dependabot[bot]", "account", "dependabot[bot]", True),
    ]


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("sepsis.csv.gz", "sepsis"),
        ("BPIC.2012.xes.gz", "BPIC.2012"),
        ("log.parquet", "log"),
        ("a.b.csv", "a.b"),
    ],
)
def test_default_source_strips_the_extensions(name: str, source: str) -> None:
    assert default_source(Path(name)) == source
