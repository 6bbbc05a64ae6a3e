"""Incident exports into the lake: detection, times, open incidents, all-or-nothing, re-import.

No real PagerDuty or Opsgenie export was available: the samples in samples/ are hand-written after
the columns those tools document for their CSV exports (PagerDuty's incident export, Opsgenie's
alert export); counts are computed from the samples with the csv module, not hard-coded.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gzip
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tandem.csvfile import BadRowsError
from tandem.errors import InputError
from tandem.lake import Lake
from tandem.settings import IngestSettings
from tandem.sources.incidents import ingest_incidents
from tests.helpers import new_workspace, run_cli
from tests.sources.eventlogs import new_lake

SAMPLES = Path(__file__).parent / "samples"

PAGERDUTY = (SAMPLES / "pagerduty-incidents.csv").read_text(encoding="utf-8")

OPSGENIE = (SAMPLES / "opsgenie-alerts.csv").read_text(encoding="utf-8")


def write(folder: Path, name: str, text: str, *, gzipped: bool = False, bom: bool = False) -> Path:
    path = folder / name
    data = ("\ufeff" if bom else "").encode("utf-8") + text.encode("utf-8")
    path.write_bytes(gzip.compress(data) if gzipped else data)
    return path


def sample_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def lake_rows(lake: Lake, table: str) -> list[dict[str, Any]]:
    with contextlib.closing(lake.connect()) as con:
        return con.sql(f"SELECT * FROM {table} ORDER BY ALL").to_arrow_table().to_pylist()


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)


def test_pagerduty_export_becomes_incidents_with_opened_and_resolved_events(
    tmp_path: Path,
) -> None:
    lake = new_lake(tmp_path)
    path = write(tmp_path, "pagerduty-2024-03.csv", PAGERDUTY)
    sample = sample_rows(PAGERDUTY)
    report = ingest_incidents(lake=lake, path=path)

    resolved = [r for r in sample if r["resolved_on"]]
    assert report.source == "incidents:pagerduty-2024-03"
    assert report.columns["id"] == "id" and report.columns["title"] == "title"
    assert report.columns["opened"] == "created_on" and report.columns["severity"] == "urgency"
    assert (report.incidents, report.resolved, report.open) == (
        len(sample),
        len(resolved),
        len(sample) - len(resolved),
    )
    assert report.objects_added == len(sample)
    assert report.events_added == len(sample) + len(resolved)

    objects = {o["object_id"]: o for o in lake_rows(lake, "objects")}
    assert set(objects) == {f"@incident:incidents:pagerduty-2024-03:{r['id']}" for r in sample}
    first = objects["@incident:incidents:pagerduty-2024-03:Q1RZ5WEQ8N0T4A"]
    assert first["object_type"] == "incident"
    assert first["title"] == "Checkout latency above SLO"
    assert first["created_at"] == utc("2024-03-04T14:12:44+00:00")
    attributes = json.loads(first["attributes"])
    assert attributes == {
        "service": "checkout-api",
        "environment": None,
        "severity": "high",
        "status": "resolved",
        "resolved_at": "2024-03-04T15:03:10+00:00",
        "url": "https://acme.pagerduty.com/incidents/Q1RZ5WEQ8N0T4A",
        "labels": [],
    }

    events = lake_rows(lake, "events")
    by_object: dict[str, list[str]] = {}
    for event in sorted(events, key=lambda e: (e["object_id"], e["ordinal"])):
        by_object.setdefault(event["object_id"], []).append(event["activity"])
        assert event["lifecycle"] == "complete"
        assert event["source"] == "incidents:pagerduty-2024-03"
    for row in sample:
        expected = ["incident_opened"] + (["incident_resolved"] if row["resolved_on"] else [])
        assert by_object[f"@incident:incidents:pagerduty-2024-03:{row['id']}"] == expected
    still_open = json.loads(
        objects["@incident:incidents:pagerduty-2024-03:Q9KD8S3A2MZX1P"]["attributes"]
    )
    assert still_open["resolved_at"] is None and still_open["status"] == "triggered"


def test_reimport_adds_nothing_and_a_later_resolution_adds_its_event(tmp_path: Path) -> None:
    lake = new_lake(tmp_path)
    path = write(tmp_path, "pd.csv", PAGERDUTY)
    ingest_incidents(lake=lake, path=path)
    counts = lake.row_counts()
    again = ingest_incidents(lake=lake, path=path)
    assert (again.objects_added, again.events_added) == (0, 0)
    assert lake.row_counts() == counts

    later = PAGERDUTY.replace(
        "acknowledged,low,search,2024-03-08T08:00:00+00:00,,",
        "resolved,low,search,2024-03-08T08:00:00+00:00,2024-03-08T09:30:00+00:00,",
    )
    report = ingest_incidents(lake=lake, path=write(tmp_path, "pd.csv", later))
    assert (report.objects_added, report.events_added) == (0, 1)
    resolved = [
        e
        for e in lake_rows(lake, "events")
        if e["object_id"] == "@incident:incidents:pd:Q2B7YV0R4N1MZD"
    ]
    assert [e["activity"] for e in sorted(resolved, key=lambda e: e["ordinal"])] == [
        "incident_opened",
        "incident_resolved",
    ]


def test_opsgenie_export_needs_a_time_zone_for_its_naive_times(tmp_path: Path) -> None:
    lake = new_lake(tmp_path)
    path = write(tmp_path, "opsgenie.csv", OPSGENIE)
    with pytest.raises(BadRowsError) as caught:
        ingest_incidents(lake=lake, path=path)
    assert f"{path}: 3 bad rows, nothing imported" in caught.value.message
    assert "line 2: column 'CreatedAt': timestamp '2024-04-02 07:15:03' has no time zone" in (
        caught.value.message
    )
    assert "name the zone the export was written in" in caught.value.message
    assert sum(lake.row_counts().values()) == 0

    report = ingest_incidents(lake=lake, path=path, timezone="Europe/Berlin")
    sample = sample_rows(OPSGENIE)
    assert report.columns["id"] == "Alias" and report.columns["service"] == "Teams"
    assert report.columns["resolved"] == "ClosedAt" and report.columns["updated"] == "UpdatedAt"
    closed = [r for r in sample if r["Status"] == "closed"]
    assert (report.incidents, report.resolved) == (len(sample), len(closed))
    objects = {o["external_key"]: o for o in lake_rows(lake, "objects")}
    checkout = objects["9c1f2e4a-checkout-latency"]
    assert checkout["created_at"] == utc("2024-04-02T05:15:03+00:00")  # CEST is UTC+2
    attributes = json.loads(checkout["attributes"])
    assert attributes["labels"] == ["checkout", "slo", "prod"]
    assert attributes["service"] == "Payments" and attributes["severity"] == "P1"
    assert attributes["resolved_at"] == "2024-04-02T06:01:40+00:00"
    # closed without ClosedAt: the last update is when it was closed
    disk = json.loads(objects["disk-db-2"]["attributes"])
    assert disk["resolved_at"] == "2024-04-03T22:02:13+00:00"
    assert disk["labels"] == ["infra", "db"]
    # open: its update is not a resolution
    assert json.loads(objects["queue-depth-orders"]["attributes"])["resolved_at"] is None


def test_bad_timestamp_is_named_by_file_line_and_column_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    lake = new_lake(tmp_path)
    ingest_incidents(lake=lake, path=write(tmp_path, "good.csv", PAGERDUTY))
    generation, counts = lake.manifest().generation, lake.row_counts()
    bad = PAGERDUTY.replace("2024-03-08T11:30:27.512+00:00", "08/03/2024 11h30")
    path = write(tmp_path, "bad.csv", bad)
    with pytest.raises(BadRowsError) as caught:
        ingest_incidents(lake=lake, path=path)
    # the payments incident's description spans two lines, so the last row starts on line 7
    assert caught.value.problems == [
        (
            7,
            "column 'created_on': unparseable timestamp '08/03/2024 11h30' (expected ISO 8601 "
            "such as 2024-05-01T13:45:00+02:00, '2024-05-01 11:45:00 UTC' or epoch)",
        )
    ]
    assert str(path) in caught.value.message
    assert (lake.manifest().generation, lake.row_counts()) == (generation, counts)


def test_every_bad_row_is_listed_duplicates_with_the_first_line(tmp_path: Path) -> None:
    text = (
        "id,title,created_at,resolved_at,status\n"
        "INC-1,a,2024-01-01T10:00:00Z,2024-01-01T11:00:00Z,resolved\n"
        "INC-1,a again,2024-01-02T10:00:00Z,,open\n"
        ",no id,2024-01-02T10:00:00Z,,open\n"
        "INC-3,backwards,2024-01-03T10:00:00Z,2024-01-03T09:00:00Z,resolved\n"
        "INC-4,closed without time,2024-01-04T10:00:00Z,,resolved\n"
        "INC-5,no start,,,open\n"
        "INC-6,future,2999-01-01T00:00:00Z,,open\n"
        "INC-7,too few fields\n"
    )
    lake = new_lake(tmp_path)
    with pytest.raises(BadRowsError) as caught:
        ingest_incidents(lake=lake, path=write(tmp_path, "x.csv", text))
    problems = dict(caught.value.problems)
    assert problems[3] == "column 'id': duplicate id 'INC-1' (first on line 2)"
    assert problems[4] == "column 'id': no incident id"
    assert problems[5].startswith("column 'resolved_at': resolved at 2024-01-03T09:00:00+00:00")
    assert problems[6] == (
        "column 'status': status 'resolved' but no resolution time (looked in resolved_at)"
    )
    assert problems[7] == "column 'created_at': no creation time"
    assert problems[8].startswith("column 'created_at': timestamp '2999-01-01T00:00:00Z' lies")
    assert problems[9].startswith("expected 5 fields")
    assert sum(lake.row_counts().values()) == 0


def test_bom_and_gzip_are_read(tmp_path: Path) -> None:
    lake = new_lake(tmp_path)
    path = write(tmp_path, "pd-march.csv.gz", PAGERDUTY, gzipped=True, bom=True)
    report = ingest_incidents(lake=lake, path=path)
    assert report.source == "incidents:pd-march"
    assert report.columns["id"] == "id"  # not "\ufeffid"
    assert report.incidents == len(sample_rows(PAGERDUTY))


def test_gzip_beyond_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "big.csv.gz", PAGERDUTY + "x" * 10_000 + "\n", gzipped=True)
    assert path.stat().st_size < 2_000
    with pytest.raises(InputError) as caught:
        ingest_incidents(lake=new_lake(tmp_path), path=path, limits=IngestSettings(max_bytes=5_000))
    assert "the decompressed data exceeds ingest.max_bytes = 5,000" in caught.value.message


def test_corrupt_gzip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv.gz"
    path.write_bytes(gzip.compress(PAGERDUTY.encode())[:60])
    with pytest.raises(InputError) as caught:
        ingest_incidents(lake=new_lake(tmp_path), path=path)
    assert "corrupt gzip data" in caught.value.message


def test_columns_named_by_the_user_win_and_unknown_ones_are_refused(tmp_path: Path) -> None:
    text = (
        "Key,Summary,Start,End,Component\n"
        "OPS-1,db down,2024-02-01T10:00:00Z,2024-02-01T10:20:00Z,db\n"
    )
    path = write(tmp_path, "ops.csv", text)
    lake = new_lake(tmp_path)
    with pytest.raises(InputError) as caught:
        ingest_incidents(lake=lake, path=path)
    assert caught.value.field == "opened"
    assert "no opened column" in caught.value.message
    assert "columns found: Key, Summary, Start, End, Component" in caught.value.message

    with pytest.raises(InputError) as missing:
        ingest_incidents(lake=lake, path=path, overrides={"opened": "Begin"})
    assert "the opened column 'Begin' is not in the file" in missing.value.message

    report = ingest_incidents(
        lake=lake,
        path=path,
        source="ops-export",
        overrides={"opened": "start", "resolved": "End", "service": "Component"},
    )
    assert report.source == "incidents:ops-export"
    assert report.columns["id"] == "Key" and report.columns["title"] == "Summary"
    (obj,) = lake_rows(lake, "objects")
    assert obj["object_id"] == "@incident:incidents:ops-export:OPS-1"
    assert json.loads(obj["attributes"])["service"] == "db"


def test_epoch_and_utc_suffixed_times(tmp_path: Path) -> None:
    text = (
        "id,created_at,resolved_at\n"
        "a,1709287200,1709290800000\n"
        "b,2024-03-01 10:00:00 UTC,2024/03/01 11:30:00Z\n"
    )
    lake = new_lake(tmp_path)
    ingest_incidents(lake=lake, path=write(tmp_path, "e.csv", text))
    times = {(e["object_id"][-1], e["activity"]): e["timestamp"] for e in lake_rows(lake, "events")}
    assert times[("a", "incident_opened")] == utc("2024-03-01T10:00:00+00:00")
    assert times[("a", "incident_resolved")] == utc("2024-03-01T11:00:00+00:00")
    assert times[("b", "incident_resolved")] == utc("2024-03-01T11:30:00+00:00")


def test_unknown_time_zone_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        ingest_incidents(
            lake=new_lake(tmp_path), path=write(tmp_path, "o.csv", OPSGENIE), timezone="Mars/Base"
        )
    assert caught.value.field == "timezone"


def test_cli_json_contract_and_errors(tmp_path: Path) -> None:
    new_workspace(tmp_path / "ws")
    path = write(tmp_path, "opsgenie.csv", OPSGENIE)
    result = run_cli("ingest", "incidents", path, "-w", tmp_path / "ws", "--json")
    assert result.exit_code == 2
    assert "line 2: column 'CreatedAt'" in result.stderr

    result = run_cli(
        "ingest",
        "incidents",
        path,
        "--timezone",
        "UTC",
        "--column",
        "id=TinyId",
        "-w",
        tmp_path / "ws",
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["source"] == "incidents:opsgenie"
    assert data["columns"]["id"] == "TinyId"
    assert data["incidents"] == len(sample_rows(OPSGENIE))
    assert data["objects_added"] == data["incidents"]

    bad = run_cli("ingest", "incidents", path, "--column", "when", "-w", tmp_path / "ws")
    assert bad.exit_code == 2
    assert "expected ROLE=COLUMN" in bad.stderr

    text = run_cli(
        "ingest",
        "incidents",
        path,
        "--timezone",
        "UTC",
        "-w",
        tmp_path / "ws",
        env={"COLUMNS": "200"},
    )
    assert text.exit_code == 0, text.stderr
    assert "incidents:opsgenie" in text.stdout
