"""The Jira REST sync against the replay server of the recorded Jira Cloud payloads."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from tandem.lake import Lake
from tandem.sources.http import ApiClient, Credentials, ManualClock
from tandem.sources.jira.sync import sync_project
from tandem.sources.replay import jira_server
from tests.sources import jira_raw


def _lake(folder: Path) -> Lake:
    (folder / "lake").mkdir(parents=True, exist_ok=True)
    return Lake(folder / "lake")


def _counts(lake: Lake, source: str) -> tuple[int, int]:
    with contextlib.closing(lake.connect()) as con:
        row = con.execute(
            "SELECT count(DISTINCT object_id), count(*) FROM events WHERE source = ?", [source]
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def _expected(project: str) -> tuple[int, int]:
    issues = [i for i in jira_raw.issues() if i["fields"]["project"]["key"] == project]
    changes = sum(len(jira_raw.status_items(i["changelog"]["histories"])) for i in issues)
    return len(issues), len(issues) + changes


@pytest.mark.parametrize("inline", [100, 3])
def test_a_sync_lands_every_issue_and_status_change(tmp_path: Path, inline: int) -> None:
    lake = _lake(tmp_path)
    with (
        jira_server(inline_changelog=inline) as server,
        ApiClient(
            base_url=server.url, credentials=Credentials.anonymous(), clock=ManualClock()
        ) as client,
    ):
        report = sync_project(lake=lake, client=client, url=server.url, project="EE", page_size=7)
        changelog_calls = server.count("/changelog")
    items, events = _expected("EE")
    assert report.issues == items and report.pages == -(-items // 7)
    assert _counts(lake, report.source) == (items, events)
    # with Jira's inline limit lowered, every longer changelog was fetched in full
    longer = sum(1 for i in jira_raw.issues() if i["fields"]["project"]["key"] == "EE"
                 and len(i["changelog"]["histories"]) > inline)  # fmt: skip
    assert report.changelogs_fetched == longer and changelog_calls >= longer
    with contextlib.closing(lake.connect()) as con:
        flagged = con.execute(
            "SELECT count(*) FROM objects WHERE json_extract(attributes, '$.history_truncated')"
            "::VARCHAR = 'true'"
        ).fetchone()
    assert flagged == (0,)
    state = lake.state(report.source)
    assert state["updated_since"] == report.cursor and state["status_categories"]


def test_a_server_site_without_the_changelog_endpoint_gives_the_same_lake(
    tmp_path: Path,
) -> None:
    """Jira Server / Data Center has no paged ``/issue/{id}/changelog``: a cut changelog is
    completed from the issue itself (``expand=changelog``), to the same rows."""
    lakes = {}
    for flavour in ("cloud", "server"):
        lake = _lake(tmp_path / flavour)
        with (
            jira_server(inline_changelog=3, server=flavour == "server") as server,
            ApiClient(base_url=server.url, clock=ManualClock()) as client,
        ):
            report = sync_project(lake=lake, client=client, url=server.url, project="EE")
            issue_reads = server.count("/issue/")
        assert report.changelogs_fetched > 0
        lakes[flavour] = (_counts(lake, report.source), issue_reads, report.changelogs_fetched)
    assert lakes["server"][0] == lakes["cloud"][0] == _expected("EE")
    # the server answered 404 on the changelog endpoint, then gave each cut issue whole
    assert lakes["server"][1] == 2 * lakes["server"][2]


def test_a_second_sync_resumes_from_the_cursor_and_adds_nothing(tmp_path: Path) -> None:
    lake = _lake(tmp_path)
    with jira_server() as server, ApiClient(base_url=server.url, clock=ManualClock()) as client:
        first = sync_project(lake=lake, client=client, url=server.url, project="EE", page_size=10)
        second = sync_project(lake=lake, client=client, url=server.url, project="EE", page_size=10)
        searches = [r for r in server.requests if r.path.endswith("/search")]
    assert first.events_added == _expected("EE")[1]
    assert second.since is not None and f'updated >= "{second.since}"' in searches[-1].query["jql"]
    assert second.events_added == second.objects_added == 0
    assert _counts(lake, first.source) == _expected("EE")


def test_a_sync_killed_midway_resumes_without_duplicates(tmp_path: Path) -> None:
    from tandem.sources.http import ApiError
    from tandem.sources.replay import Fault

    lake = _lake(tmp_path)
    with jira_server() as server, ApiClient(base_url=server.url, clock=ManualClock()) as client:
        server.faults.add(Fault("status", at=3, path="/search", status=500, times=50))
        with pytest.raises(ApiError):
            sync_project(lake=lake, client=client, url=server.url, project="EE", page_size=5)
        partial = _counts(lake, f"jira:{server.url.split('//')[1]}/EE")
        assert 0 < partial[0] < _expected("EE")[0]  # two pages committed, then the failure
        server.faults.clear()
        sync_project(lake=lake, client=client, url=server.url, project="EE", page_size=5)
        assert _counts(lake, f"jira:{server.url.split('//')[1]}/EE") == _expected("EE")
