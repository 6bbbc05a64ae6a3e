"""/manage/one-on-ones and its API: the pair alone, private notes their author's alone, .ics."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from icalendar import Calendar

from tandem.workspace import Workspace
from tests.web.conftest import Org, sign_in_directly
from tests.web.manage_org import link_reports

PRIVATE = "SYNTHETIC-member-private-note"
SHARED = "SYNTHETIC-shared-note"


def as_user(client: TestClient, workspace: Workspace, email: str) -> dict[str, str]:
    client.cookies.clear()
    return {"X-CSRF-Token": sign_in_directly(client, workspace, email)}


def make_pair(client: TestClient, workspace: Workspace, org: Org) -> tuple[int, list[int]]:
    """The manager and the member: two meetings, a carried item, a private and a shared note."""
    link_reports(workspace, org)
    headers = as_user(client, workspace, org.users["manager"])
    pair = client.post("/api/manage/one-on-ones", json={"other": org.person_ids["member"]},
                       headers=headers)  # fmt: skip
    assert pair.status_code == 201, pair.text
    pair_id = int(pair.json()["id"])
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    meetings = []
    for days in (-14, 2):
        starts = (now + dt.timedelta(days=days)).isoformat()
        made = client.post(f"/api/manage/one-on-ones/{pair_id}/meetings", headers=headers,
                           json={"starts_at": starts})  # fmt: skip
        assert made.status_code == 201, made.text
        meetings.append(int(made.json()["id"]))
    item = client.post(f"/api/manage/one-on-ones/{pair_id}/agenda", headers=headers,
                       json={"text": "Career path", "meeting_id": meetings[0]})  # fmt: skip
    assert item.status_code == 201
    shared = client.post(f"/api/manage/one-on-one-meetings/{meetings[0]}/notes", headers=headers,
                         json={"text": SHARED})  # fmt: skip
    assert shared.status_code == 201
    member = as_user(client, workspace, org.users["member"])
    note = client.post(f"/api/manage/one-on-one-meetings/{meetings[0]}/notes", headers=member,
                       json={"text": PRIVATE, "private": True})  # fmt: skip
    assert note.status_code == 201 and note.json()["private"]
    return pair_id, meetings


def test_private_notes_are_their_authors_alone_on_every_surface(
    client: TestClient, workspace: Workspace, org: Org
) -> None:
    pair_id, meetings = make_pair(client, workspace, org)
    as_user(client, workspace, org.users["member"])
    assert PRIVATE in client.get(f"/manage/one-on-ones/{pair_id}").text
    assert PRIVATE in client.get(f"/api/manage/one-on-ones/{pair_id}").text
    as_user(client, workspace, org.users["manager"])  # the partner
    surfaces = [
        f"/manage/one-on-ones/{pair_id}",
        f"/api/manage/one-on-ones/{pair_id}",
        f"/api/manage/one-on-one-meetings/{meetings[0]}",
        f"/manage/one-on-ones/{pair_id}/calendar.ics",
        "/manage/one-on-ones",
    ]
    for url in surfaces:
        response = client.get(url)
        assert response.status_code == 200, url
        assert PRIVATE not in response.text, url
    assert SHARED in client.get(f"/manage/one-on-ones/{pair_id}").text
    for role in ("admin", "director"):
        as_user(client, workspace, org.users[role])
        audit = client.get("/api/admin/audit")
        assert PRIVATE not in audit.text and SHARED not in audit.text


def test_a_pair_is_readable_by_the_pair_only(
    client: TestClient, workspace: Workspace, org: Org
) -> None:
    pair_id, meetings = make_pair(client, workspace, org)
    reads = [
        f"/manage/one-on-ones/{pair_id}",
        f"/api/manage/one-on-ones/{pair_id}",
        f"/api/manage/one-on-one-meetings/{meetings[0]}",
        f"/manage/one-on-ones/{pair_id}/calendar.ics",
    ]
    headers = as_user(client, workspace, org.users["leader"])  # a peer of both
    for url in reads:
        response = client.get(url)
        assert response.status_code == 404 and SHARED not in response.text, url
    note = client.post(f"/api/manage/one-on-one-meetings/{meetings[0]}/notes", headers=headers,
                       json={"text": "intrusion"})  # fmt: skip
    assert note.status_code == 404
    assert client.get("/api/manage/one-on-ones").json()["pairs"] == []
    for role in ("director", "admin"):  # the manager's manager is the director here
        as_user(client, workspace, org.users[role])
        for url in reads:
            response = client.get(url)
            assert response.status_code == 403 and SHARED not in response.text, url
        counts = client.get("/api/manage/counts/one-on-ones").json()
        assert counts["pairs"] is None and counts["withheld"]


def test_the_page_shows_carried_items_and_the_ics_parses(
    client: TestClient, workspace: Workspace, org: Org
) -> None:
    pair_id, meetings = make_pair(client, workspace, org)
    as_user(client, workspace, org.users["manager"])
    page = client.get(f"/manage/one-on-ones/{pair_id}").text
    upcoming = page[
        page.index(f'id="meeting-{meetings[1]}"') : page.index(f'id="meeting-{meetings[0]}"')
    ]
    assert "Career path" in upcoming and "carried over from" in upcoming
    ics = client.get(f"/manage/one-on-ones/{pair_id}/calendar.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    assert b"\r\n" in ics.content
    event = Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "1:1 The manager & The member"
    assert event["RRULE"].to_ical() == b"FREQ=WEEKLY;INTERVAL=2"
    assert str(event["UID"]) == f"one-on-one-{pair_id}@tandem.invalid"


def test_the_forms_write_through_the_service(
    client: TestClient, workspace: Workspace, org: Org
) -> None:
    link_reports(workspace, org)
    csrf = as_user(client, workspace, org.users["member"])["X-CSRF-Token"]
    form = {"csrf_token": csrf, "other": str(org.person_ids["manager"])}
    started = client.post("/manage/one-on-ones", follow_redirects=False, data=form)
    assert started.status_code == 303
    pair_id = int(started.headers["location"].rsplit("/", 1)[1])
    base = f"/manage/one-on-ones/{pair_id}"
    bad = client.post(f"{base}/meetings", data={"csrf_token": csrf, "starts_at": "tomorrow"})
    assert bad.status_code == 400 and "starts_at" in bad.text
    ok = client.post(f"{base}/meetings", follow_redirects=False,
                     data={"csrf_token": csrf, "starts_at": "2030-01-07T10:00"})  # fmt: skip
    assert ok.status_code == 303
    for url, data in (
        (f"{base}/agenda", {"text": "Conference budget"}),
        (f"{base}/actions", {"text": "Send the link", "owner": str(org.person_ids["member"]),
                             "due_date": "2030-01-10"}),
        (f"{base}/cadence", {"cadence_days": "7"}),
    ):  # fmt: skip
        response = client.post(url, data={"csrf_token": csrf, **data}, follow_redirects=False)
        assert response.status_code == 303, (url, response.text)
    detail = client.get(f"/api/manage/one-on-ones/{pair_id}").json()
    assert detail["pair"]["cadence_days"] == 7
    assert [a["text"] for a in detail["open_actions"]] == ["Send the link"]
    assert [i["text"] for i in detail["meetings"][0]["agenda"]] == ["Conference budget"]
    too_long = client.post(f"{base}/cadence", data={"csrf_token": csrf, "cadence_days": "91"})
    assert too_long.status_code == 400 and "cadence_days" in too_long.text
