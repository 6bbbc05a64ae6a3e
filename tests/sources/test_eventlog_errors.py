"""Bad input: an InputError naming the file and the line, row or field; the lake is untouched."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tandem.errors import InputError
from tandem.settings import IngestSettings
from tandem.sources.contracts import ColumnMapping
from tandem.sources.eventlog import ingest_event_log
from tandem.sources.eventlog.columns import resolve_columns
from tests.sources.eventlogs import SEPSIS, new_lake

GOOD_XES = """<?xml version="1.0" encoding="UTF-8"?>
<log>
  <trace>
    <string key="concept:name" value="c1"/>
    <event>
      <string key="concept:name" value="a"/>
      <date key="time:timestamp" value="2024-01-01T00:00:00Z"/>
    </event>
    <event>
      <string key="concept:name" value="b"/>
      <date key="time:timestamp" value="{stamp}"/>
    </event>
  </trace>
</log>
"""


def ingest_fails(tmp_path: Path, path: Path, columns: ColumnMapping | None = None) -> InputError:
    """Ingest ``path`` into a lake holding sepsis; assert it fails and changes nothing."""
    lake = new_lake(tmp_path)
    ingest_event_log(lake=lake, path=SEPSIS, columns=ColumnMapping())
    before = lake.row_counts()
    generation = lake.manifest().generation
    with pytest.raises(InputError) as caught:
        ingest_event_log(lake=lake, path=path, columns=columns or ColumnMapping())
    assert lake.row_counts() == before
    assert lake.manifest().generation == generation
    assert str(path) in caught.value.message
    return caught.value


def test_missing_file(tmp_path: Path) -> None:
    error = ingest_fails(tmp_path, tmp_path / "nope.csv")
    assert "cannot read" in error.message


def test_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "log.json"
    path.write_text("{}")
    assert "unknown event log format" in ingest_fails(tmp_path, path).message


def test_missing_mandatory_column_is_named_with_the_columns_found(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("case_id,activity,when\n1,a,2024-01-01\n")
    error = ingest_fails(tmp_path, path)
    assert error.field == "timestamp"
    assert "no timestamp column" in error.message
    assert "columns found: case_id, activity, when" in error.message


def test_explicit_column_that_does_not_exist(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("case_id,activity,timestamp\n1,a,2024-01-01\n")
    error = ingest_fails(tmp_path, path, columns=ColumnMapping(resource="owner"))
    assert error.field == "owner"
    assert "the resource column 'owner' is not in the file" in error.message


def test_unparseable_csv_timestamp_names_row_and_value(tmp_path: Path) -> None:
    path = tmp_path / "log.csv.gz"
    path.write_bytes(
        gzip.compress(b"case,activity,timestamp\n1,a,2024-01-01\n1,b,01/02/2024 10:00\n")
    )
    error = ingest_fails(tmp_path, path)
    assert (error.line, error.field) == (3, "timestamp")
    assert "'01/02/2024 10:00'" in error.message
    assert "line 3" in error.message


def test_empty_csv_timestamp(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("case,activity,timestamp\n1,a,2024-01-01\n1,b,2024-01-02\n2,c,\n")
    error = ingest_fails(tmp_path, path)
    assert error.line == 4
    assert "an empty value" in error.message


def test_unparseable_xes_timestamp_names_line_and_value(tmp_path: Path) -> None:
    path = tmp_path / "log.xes"
    path.write_text(GOOD_XES.format(stamp="yesterday"))
    error = ingest_fails(tmp_path, path)
    assert (error.line, error.field) == (9, "time:timestamp")
    assert "'yesterday'" in error.message


def test_corrupt_xes_names_the_parser_line(tmp_path: Path) -> None:
    path = tmp_path / "log.xes"
    text = GOOD_XES.format(stamp="2024-01-02T00:00:00Z").replace("</event>\n  </trace>", "\n")
    path.write_text(text)
    error = ingest_fails(tmp_path, path)
    assert "not well-formed XML" in error.message
    assert error.line == 14  # </log> closes an open <event>


def test_xes_event_without_activity(tmp_path: Path) -> None:
    path = tmp_path / "log.xes"
    text = GOOD_XES.format(stamp="2024-01-02T00:00:00Z").replace('value="b"', 'value="b" x="1"')
    path.write_text(text.replace('<string key="concept:name" value="b" x="1"/>', ""))
    error = ingest_fails(tmp_path, path)
    assert error.line == 9
    assert "has no activity" in error.message


@pytest.mark.parametrize("name", ["log.xes.gz", "log.csv.gz"])
def test_corrupt_gzip(tmp_path: Path, name: str) -> None:
    body = (
        GOOD_XES.format(stamp="2024-01-02T00:00:00Z")
        if "xes" in name
        else ("case,activity,timestamp\n" + "1,a,2024-01-01\n" * 5000)
    )
    data = gzip.compress(body.encode())
    path = tmp_path / name
    path.write_bytes(data[: len(data) // 2])  # truncated stream
    error = ingest_fails(tmp_path, path)
    assert "gzip" in error.message.lower() or "cannot read" in error.message


def test_gz_suffix_without_gzip_magic(tmp_path: Path) -> None:
    path = tmp_path / "log.csv.gz"
    path.write_text("case,activity,timestamp\n1,a,2024-01-01\n")
    assert "bad magic bytes" in ingest_fails(tmp_path, path).message


def test_standard_names_are_detected_case_insensitively() -> None:
    columns = resolve_columns(
        ["CASE:CONCEPT:NAME", "Concept:Name", "Time:Timestamp", "Org:Resource", "extra"],
        ColumnMapping(),
        path=Path("x.csv"),
    )
    assert columns.as_dict() == {
        "case": "CASE:CONCEPT:NAME",
        "activity": "Concept:Name",
        "timestamp": "Time:Timestamp",
        "resource": "Org:Resource",
        "lifecycle": None,
    }


def test_explicit_mapping_wins_over_standard_names() -> None:
    columns = resolve_columns(
        ["case_id", "activity", "timestamp", "start_timestamp", "ticket"],
        ColumnMapping(case="ticket", timestamp="start_timestamp"),
        path=Path("x.csv"),
    )
    assert (columns.case, columns.activity, columns.timestamp) == (
        "ticket",
        "activity",
        "start_timestamp",
    )


def test_xes_timestamp_outside_the_window_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "log.xes"
    path.write_text(GOOD_XES.format(stamp="9999-01-02T00:00:00Z"))
    error = ingest_fails(tmp_path, path)
    assert (error.line, error.field) == (9, "time:timestamp")
    assert "'9999-01-02T00:00:00Z' lies outside 1970-01-01 .. " in error.message


@pytest.mark.parametrize("name", ["log.xes", "log.xes.gz"])
def test_xes_beyond_ingest_max_bytes_is_refused(tmp_path: Path, name: str) -> None:
    text = GOOD_XES.format(stamp="2024-01-02T00:00:00Z").encode()
    path = tmp_path / name
    path.write_bytes(gzip.compress(text) if name.endswith(".gz") else text)
    lake = new_lake(tmp_path)
    with pytest.raises(InputError) as caught:
        ingest_event_log(
            lake=lake, path=path, columns=ColumnMapping(), limits=IngestSettings(max_bytes=100)
        )
    data = "decompressed data" if name.endswith(".gz") else "data"
    assert caught.value.message == (
        f"{path}: the {data} exceeds ingest.max_bytes = 100; raise it in tandem.toml"
    )
    assert lake.row_counts()["events"] == 0


def test_parquet_beyond_ingest_max_bytes_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "log.parquet"
    pq.write_table(
        pa.table(
            {"case": ["1"] * 1000, "activity": ["a"] * 1000, "timestamp": ["2024-01-01"] * 1000}
        ),
        path,
    )
    with pytest.raises(InputError) as caught:
        ingest_event_log(
            lake=new_lake(tmp_path),
            path=path,
            columns=ColumnMapping(),
            limits=IngestSettings(max_bytes=100),
        )
    assert caught.value.message.startswith(f"{path}: the data has ")
    assert caught.value.message.endswith(
        " bytes uncompressed, which exceeds ingest.max_bytes = 100; raise it in tandem.toml"
    )
