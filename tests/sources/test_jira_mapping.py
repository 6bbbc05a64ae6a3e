"""Jira REST payloads → lake rows, checked against the recorded payloads' own counts."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from tandem.errors import InputError
from tandem.lake import Lake
from tandem.settings import BotSettings
from tandem.sources.bots import BotRules
from tandem.sources.jira.mapping import map_issues, needs_changelog, parse_time
from tests.sources import jira_raw

HOST = "merico.atlassian.net"


def _accounts(user: dict | None) -> str | None:
    if not user:
        return None
    return user.get("accountId") or None


def test_counts_match_the_raw_files() -> None:
    issues = jira_raw.issues()
    rows = map_issues(issues)
    status_changes = sum(len(jira_raw.status_items(i["changelog"]["histories"])) for i in issues)
    assert len(rows.objects) == len(issues) == len({i["key"] for i in issues})
    # one event per status entered, plus the status each issue was created in
    assert len(rows.events) == len(issues) + status_changes
    people = {
        _accounts(i["fields"].get(role))
        for i in issues
        for role in ("assignee", "creator", "reporter")
    }
    people |= {
        _accounts(h.get("author"))
        for i in issues
        for h in i["changelog"]["histories"]
        if any(item["field"] == "status" for item in h["items"])
    }
    keys = {r["identity_key"] for r in rows.identities}
    assert keys == {f"account:jira:{p}" for p in people if p}
    assert not any(json.loads(o["attributes"])["history_truncated"] for o in rows.objects)


def test_each_item_enters_its_statuses_in_changelog_order() -> None:
    issues = jira_raw.issues()
    rows = map_issues(issues)
    for issue in issues:
        oid = f"jira:{HOST}/{issue['fields']['project']['key']}:{issue['key']}"
        events = sorted(
            (e for e in rows.events if e["object_id"] == oid), key=lambda e: e["ordinal"]
        )
        changes = jira_raw.status_items(issue["changelog"]["histories"])
        initial = changes[0]["fromString"] if changes else issue["fields"]["status"]["name"]
        assert [e["activity"] for e in events] == [initial] + [c["toString"] for c in changes]
        assert events[0]["timestamp"] == parse_time(issue["fields"]["created"])
        assert [e["timestamp"] for e in events] == sorted(e["timestamp"] for e in events)
        assert all(
            e["source"] == f"jira:{HOST}/{issue['fields']['project']['key']}" for e in events
        )


def test_objects_carry_the_contract_attributes() -> None:
    issues = {i["key"]: i for i in jira_raw.issues()}
    rows = map_issues(issues.values())
    for obj in rows.objects:
        issue = issues[obj["external_key"]]
        attributes = json.loads(obj["attributes"])
        assert obj["object_type"] == "work_item"
        assert obj["item_type"] == issue["fields"]["issuetype"]["name"]
        assert obj["title"] == issue["fields"]["summary"]
        assert attributes["status"] == issue["fields"]["status"]["name"]
        assert attributes["labels"] == issue["fields"]["labels"]
        assert attributes["url"] == f"https://{HOST}/browse/{issue['key']}"
        parent = (issue["fields"].get("parent") or {}).get("key")
        assert attributes["parent"] == parent
        assignee = _accounts(issue["fields"].get("assignee"))
        assert attributes["assignee"] == (f"account:jira:{assignee}" if assignee else None)
    parents = {(r["from_object"], r["to_object"]) for r in rows.relations if r["kind"] == "parent"}
    for issue in issues.values():
        parent = (issue["fields"].get("parent") or {}).get("key")
        if parent:
            child = f"jira:{HOST}/{issue['fields']['project']['key']}:{issue['key']}"
            assert (child, f"jira:{HOST}/{parent.split('-')[0]}:{parent}") in parents


def test_an_issue_never_moved_starts_and_stays_in_its_status() -> None:
    never = [i for i in jira_raw.issues() if not jira_raw.status_items(i["changelog"]["histories"])]
    assert never  # the recording holds such issues (K5-*)
    rows = map_issues(never)
    assert [e["activity"] for e in rows.events] == [i["fields"]["status"]["name"] for i in never]


def _cut(issue: dict, keep: int) -> dict:
    """The issue as Jira returns it when its inline changelog holds more than ``keep`` entries."""
    cut = copy.deepcopy(issue)
    histories = cut["changelog"]["histories"]
    cut["changelog"] = {"startAt": 0, "maxResults": keep, "total": len(histories),
                        "histories": histories[:keep]}  # fmt: skip
    return cut


def test_a_truncated_changelog_is_completed_from_the_changelog_pages() -> None:
    issue = max(
        jira_raw.issues(), key=lambda i: len(jira_raw.status_items(i["changelog"]["histories"]))
    )
    full = map_issues([issue])
    cut = _cut(issue, 5)
    assert needs_changelog(cut) and not needs_changelog(issue)
    flagged = map_issues([cut])
    assert json.loads(flagged.objects[0]["attributes"])["history_truncated"] is True
    assert len(flagged.events) < len(full.events)
    completed = map_issues([cut], changelogs={issue["id"]: issue["changelog"]["histories"]})
    assert completed.events == full.events
    assert completed.objects == full.objects


def test_the_recorded_changelog_pages_give_one_event_per_status_change() -> None:
    pages = jira_raw.changelogs()
    issues = [
        {
            "id": issue_id,
            "key": f"EE-{issue_id}",
            "self": f"https://{HOST}/rest/api/3/issue/{issue_id}",
            "fields": {
                "created": "2020-01-01T00:00:00.000+0000",
                "summary": "s",
                "status": {"name": "Done"},
                "project": {"key": "EE"},
            },
            "changelog": {"startAt": 0, "maxResults": 0, "total": len(values), "histories": []},
        }
        for issue_id, values in pages.items()
    ]
    rows = map_issues(issues, changelogs=pages)
    changes = sum(len(jira_raw.status_items(values)) for values in pages.values())
    assert len(rows.events) == len(issues) + changes
    assert changes > 0


def test_apps_and_bot_rules_flag_bots() -> None:
    issue = copy.deepcopy(jira_raw.issues()[0])
    history = next(h for h in issue["changelog"]["histories"]
                   if any(i["field"] == "status" for i in h["items"]))  # fmt: skip
    history["author"] = {"accountId": "app-1", "displayName": "Automation for Jira",
                         "accountType": "app"}  # fmt: skip
    issue["fields"]["assignee"] = {"accountId": "x-1", "displayName": "release-bot"}
    rows = map_issues([issue], bots=BotRules.from_settings(BotSettings()))
    bots = {r["identity_key"]: r["is_bot"] for r in rows.identities}
    assert bots["account:jira:app-1"] is True
    assert bots["account:jira:x-1"] is True
    assert bots[f"account:jira:{issue['fields']['creator']['accountId']}"] is False


def test_issue_links_become_mentions() -> None:
    issue = copy.deepcopy(jira_raw.issues()[0])
    issue["fields"]["issuelinks"] = [
        {"type": {"name": "Blocks"}, "outwardIssue": {"key": "OPS-7"}},
        {"type": {"name": "Relates"}, "inwardIssue": {"key": "EE-2"}},
    ]
    rows = map_issues([issue])
    mentions = {r["to_object"] for r in rows.relations if r["kind"] == "mentions"}
    assert mentions == {f"jira:{HOST}/OPS:OPS-7", f"jira:{HOST}/EE:EE-2"}


def test_a_bad_timestamp_names_its_field() -> None:
    issue = copy.deepcopy(jira_raw.issues()[0])
    issue["fields"]["created"] = "yesterday"
    with pytest.raises(InputError) as caught:
        map_issues([issue])
    assert caught.value.field == "fields.created"


def test_writing_twice_adds_nothing(tmp_path: Path) -> None:
    (tmp_path / "lake").mkdir()
    lake = Lake(tmp_path / "lake")
    rows = map_issues(jira_raw.issues())
    with lake.batch(label="jira") as batch:
        rows.write(batch)
    assert batch.result.added["objects"] == len(rows.objects)
    assert batch.result.added["events"] == len(rows.events)
    with lake.batch(label="jira again") as again:
        map_issues(jira_raw.issues()).write(again)
    assert sum(again.result.added.values()) == 0
