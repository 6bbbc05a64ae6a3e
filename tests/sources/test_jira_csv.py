"""Jira's CSV export: items with their current status, honest about the missing history.

The sample (tests/data/jira/export_sample.csv) was written for these tests in the format of
Jira Cloud's "Export CSV (all fields)": no real export was available.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from tandem.csvfile import BadRowsError
from tandem.errors import InputError
from tandem.sources.jira.csv_export import DateFormat, map_export
from tests.helpers import new_workspace, run_cli

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "jira" / "export_sample.csv"


def _sample_rows() -> tuple[list[str], list[list[str]]]:
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        records = list(csv.reader(handle))
    return records[0], records[1:]


def _column(header: list[str], name: str) -> int:
    return header.index(name)


def test_every_row_is_one_item_flagged_truncated() -> None:
    header, rows = _sample_rows()
    mapped = map_export(SAMPLE)
    assert [o["external_key"] for o in mapped.objects] == [
        r[_column(header, "Issue key")] for r in rows
    ]
    for obj, row in zip(mapped.objects, rows, strict=True):
        attributes = json.loads(obj["attributes"])
        assert attributes["history_truncated"] is True
        assert attributes["status"] == row[_column(header, "Status")]
        assert obj["item_type"] == row[_column(header, "Issue Type")]
        labels = [row[i] for i, name in enumerate(header) if name == "Labels" and row[i]]
        assert attributes["labels"] == labels
        sprints = [row[i] for i, name in enumerate(header) if name == "Sprint" and row[i]]
        assert attributes["sprints"] == sprints


def test_events_run_from_created_to_the_current_status() -> None:
    header, rows = _sample_rows()
    mapped = map_export(SAMPLE)
    dates = DateFormat()
    for row in rows:
        key = row[_column(header, "Issue key")]
        events = [e for e in mapped.events if e["object_id"].endswith(f":{key}")]
        status, category = row[_column(header, "Status")], row[_column(header, "Status Category")]
        created = dates.parse(row[_column(header, "Created")])
        assert events[0]["timestamp"] == created
        if category == "To Do":  # never left the start: one event, the status it is in
            assert [e["activity"] for e in events] == [status]
            continue
        assert [e["activity"] for e in events] == ["Created", status]
        resolved = row[_column(header, "Resolved")]
        entered = resolved if category == "Done" and resolved else row[
            _column(header, "Status Category Changed")]  # fmt: skip
        assert events[1]["timestamp"] == dates.parse(entered)


def test_dates_follow_the_format_language_and_time_zone() -> None:
    assert DateFormat().parse("03/Dec/26 4:15 PM") == dt.datetime(
        2026, 12, 3, 16, 15, tzinfo=dt.UTC
    )
    german = DateFormat(locale="de", timezone="Europe/Berlin")
    assert german.parse("03/Dez/26 4:15 PM") == dt.datetime(2026, 12, 3, 15, 15, tzinfo=dt.UTC)
    iso = DateFormat(pattern="%Y-%m-%d %H:%M")
    assert iso.parse("2026-12-03 16:15") == dt.datetime(2026, 12, 3, 16, 15, tzinfo=dt.UTC)
    with pytest.raises(InputError, match="locale"):
        DateFormat(locale="xx")
    with pytest.raises(InputError, match="timezone"):
        DateFormat(timezone="Mars/Olympus")


def test_bad_rows_are_named_by_line_and_column_and_nothing_is_written(tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        text.replace("28/Nov/26 2:30 PM", "28.11.2026").replace("SHOP-104", "not a key"),
        encoding="utf-8",
    )
    with pytest.raises(BadRowsError) as caught:
        map_export(bad)
    _header, _rows = _sample_rows()
    lines = [line for line, _ in caught.value.problems]
    # the header is line 1; the first item spans lines 2-4 (a multi-line description)
    assert lines == [5, 7]
    message = str(caught.value)
    assert (
        "line 5: column 'Created': '28.11.2026' is not a date like '03/Dec/26 04:15 PM'" in message
    )
    assert "line 7: column 'Issue Key'" in message

    ws = new_workspace(tmp_path / "ws")
    result = run_cli("ingest", "jira-csv", bad, "-w", ws.root)
    assert result.exit_code == 2
    assert "line 5" in result.stderr and "nothing imported" in result.stderr
    tables = run_cli("status", "-w", ws.root, "--json").json()["tables"]
    assert tables.get("objects", 0) == 0 and tables.get("events", 0) == 0


def test_a_repeated_key_is_refused(tmp_path: Path) -> None:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    twice = tmp_path / "twice.csv"
    twice.write_text("".join(lines) + lines[-1], encoding="utf-8")
    with pytest.raises(BadRowsError, match="SHOP-105 again"):
        map_export(twice)


def test_not_an_export_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text("case,activity,timestamp\n1,a,2026-01-01\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing column 'Issue Key'"):
        map_export(other)


def test_cli_ingests_once(tmp_path: Path) -> None:
    ws = new_workspace(tmp_path / "ws")
    first = run_cli("ingest", "jira-csv", SAMPLE, "-w", ws.root, "--json")
    assert first.exit_code == 0, first.stderr
    data = first.json()
    _, rows = _sample_rows()
    assert data["source"] == "jira-csv:export_sample"
    assert data["items"] == data["objects_added"] == data["history_truncated"] == len(rows)
    assert data["events_added"] == data["events"]
    again = run_cli("ingest", "jira-csv", SAMPLE, "-w", ws.root, "--json").json()
    assert again["objects_added"] == again["events_added"] == 0
    text = run_cli("ingest", "jira-csv", SAMPLE, "-w", ws.root, env={"COLUMNS": "200"})
    assert "history_truncated" in text.stdout
