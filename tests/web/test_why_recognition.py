"""The recognition page and its JSON twins on a real workspace (the sepsis log, team Alpha).

Privacy checks try to read what a role may not: another person's personal achievement (HTML and
JSON, any role), the nudges as a member or director, another team's recognition, a director's
write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tandem.db.session import session_scope
from tandem.people import service as people_service
from tandem.web.app import create_app
from tandem.why.recognition.achievements import personal_achievements
from tests.web.conftest import sign_in_directly
from tests.web.how_fixtures import FlowOrg, key, make_flow_org

PAGE = "/why/recognition"
API = "/api/why/recognition"


@dataclass(frozen=True)
class Setup:
    flow: FlowOrg
    app: FastAPI
    items: dict[str, str]  # role -> the item id of their own first item shipped


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Setup:
    flow = make_flow_org(tmp_path_factory.mktemp("recognition-web") / "ws")
    with session_scope(flow.workspace.engine) as session:
        people_service.link_identity(
            session=session, identity_key=key("L"), person=str(flow.org.person_ids["member"])
        )
    items: dict[str, str] = {}
    with session_scope(flow.workspace.engine) as session:
        for role in ("leader", "member"):
            found = personal_achievements(
                session=session, workspace=flow.workspace, person_id=flow.org.person_ids[role]
            )
            [achievement] = found.achievements
            assert achievement.item_id is not None
            items[role] = achievement.item_id
    assert items["leader"] != items["member"]
    return Setup(flow, create_app(flow.workspace), items)


@pytest.fixture
def client_for(setup: Setup) -> Iterator[Any]:
    clients: list[TestClient] = []

    def make(role: str) -> tuple[TestClient, str]:
        client = TestClient(setup.app)
        client.__enter__()
        clients.append(client)
        token = sign_in_directly(client, setup.flow.workspace, setup.flow.org.users[role])
        return client, token

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def alpha(setup: Setup) -> str:
    return f"?team={setup.flow.org.own_team_id}"


def form(token: str, **values: Any) -> dict[str, Any]:
    return {"csrf_token": token, "what": "Paired on the outage",
            "impact": "The ward had its results in an hour", "link": "practice:championing",
            **values}  # fmt: skip


def test_kudos_given_on_the_page_show_on_the_wall(setup: Setup, client_for: Any) -> None:
    client, token = client_for("member")
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Give kudos" in page.text and "Kudos wall" in page.text
    leader = setup.flow.org.person_ids["leader"]
    sent = client.post(
        PAGE + "/kudos" + alpha(setup),
        data=form(token, recipients=[str(leader)], what="Unblocked the release XYZZY"),
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    wall = client.get(sent.headers["location"])
    assert "Unblocked the release XYZZY" in wall.text
    listed = client.get(API + "/kudos").json()
    assert listed["kudos"][0]["what"] == "Unblocked the release XYZZY"
    assert listed["kudos"][0]["giver"]["id"] == setup.flow.org.person_ids["member"]
    # one person's received kudos: theirs, and the team's leader's and manager's
    assert client.get(f"{API}/people/{leader}/kudos").status_code == 403
    lead, _ = client_for("leader")
    for bad in ("99999999999", "x", str(setup.flow.org.other_person_id)):
        assert lead.get(f"{API}/people/{bad}/kudos").status_code == 404
    received = lead.get(f"{API}/people/{leader}/kudos").json()
    assert "Unblocked the release XYZZY" in {k["what"] for k in received["kudos"]}


def test_kudos_outside_the_team_or_only_to_oneself_are_refused_with_the_field(
    setup: Setup, client_for: Any
) -> None:
    client, token = client_for("member")
    org = setup.flow.org
    outsider = client.post(PAGE + "/kudos", data=form(token, recipients=[str(org.other_person_id)]))
    assert outsider.status_code == 400 and "recipients" in outsider.text
    myself = client.post(
        PAGE + "/kudos", data=form(token, recipients=[str(org.person_ids["member"])])
    )
    assert myself.status_code == 400 and "not only yourself" in myself.text
    body = {"recipients": [org.other_person_id], "what": "x", "impact": "y", "practice": "vision"}
    refused = client.post(API + "/kudos", json=body, headers={"X-CSRF-Token": token})
    assert refused.status_code == 400
    assert refused.json()["error"]["field"] == "recipients"
    body["recipients"] = [org.person_ids["manager"]]
    body["practice"] = "nonsense"
    refused = client.post(API + "/kudos", json=body, headers={"X-CSRF-Token": token})
    assert refused.json()["error"]["field"] == "practice"
    body["practice"] = "vision"
    made = client.post(API + "/kudos", json=body, headers={"X-CSRF-Token": token})
    assert made.status_code == 201 and made.json()["practice"] == "vision"


def test_a_member_sees_no_nudges_and_the_leader_and_manager_do(
    setup: Setup, client_for: Any
) -> None:
    member, _ = client_for("member")
    assert "Nudges" not in member.get(PAGE).text
    refused = member.get(API + "/nudges")
    assert refused.status_code == 403
    for role in ("leader", "manager"):
        client, _ = client_for(role)
        assert 'id="nudges"' in client.get(PAGE).text
        found = client.get(API + "/nudges", params={"today": "2030-01-01"}).json()
        names = {n["person"]["name"] for n in found["nudges"]}
        assert "The member" in names  # no kudos in the 14 days to 2030-01-01


def test_personal_achievements_are_shown_to_their_person_only(
    setup: Setup, client_for: Any
) -> None:
    for role in ("leader", "manager", "member", "director"):
        client, _ = client_for(role)
        page = client.get(PAGE + alpha(setup)).text
        data = client.get(API + "/achievements" + alpha(setup)).text
        digest = client.get(API + "/digest" + alpha(setup)).text
        markdown = client.get(API + "/digest.md" + alpha(setup)).text
        own = setup.items.get(role)
        for other, item in setup.items.items():
            if other == role:
                continue
            for text in (page, data, digest, markdown):
                assert item not in text, (role, other)
        mine = client.get(API + "/achievements" + alpha(setup)).json()
        assert all(a["scope"] == "team" for a in mine["team"]["achievements"])
        if role == "director":  # not in the team: no personal box at all
            assert mine["mine"] is None and "only you see this" not in page
        else:
            assert "only you see this" in page
            shown = [a["item_id"] for a in mine["mine"]["achievements"]]
            assert shown == ([own] if own else [])
            assert own is None or own in page
        assert "first_item_shipped" not in digest and "First item shipped" not in markdown


def test_a_director_reads_any_team_and_writes_nothing(setup: Setup, client_for: Any) -> None:
    client, token = client_for("director")
    page = client.get(PAGE + alpha(setup))
    assert page.status_code == 200
    assert "Give kudos" not in page.text and 'id="nudges"' not in page.text
    assert client.get(API + "/kudos" + alpha(setup)).status_code == 403  # counts only
    assert client.get(API + "/counts" + alpha(setup)).status_code == 200
    assert client.get(API + "/nudges" + alpha(setup)).status_code == 403
    sent = client.post(
        PAGE + "/kudos" + alpha(setup),
        data=form(token, recipients=[str(setup.flow.org.person_ids["member"])]),
    )
    assert sent.status_code == 403
    assert client.get(API + "/achievements" + alpha(setup)).json()["mine"] is None


def test_another_team_is_refused(setup: Setup, client_for: Any) -> None:
    client, token = client_for("member")
    beta = f"?team={setup.flow.org.other_team_id}"
    assert client.get(PAGE + beta).status_code == 403
    for path in ("/kudos", "/counts", "/achievements", "/digest", "/digest.md", "/nudges"):
        assert client.get(API + path + beta).status_code == 403, path
    sent = client.post(
        PAGE + "/kudos" + beta,
        data=form(token, recipients=[str(setup.flow.org.other_person_id)]),
    )
    assert sent.status_code == 403


def test_the_digest_downloads_as_markdown_with_its_ids(setup: Setup, client_for: Any) -> None:
    manager, manager_token = client_for("manager")
    agreed = manager.post(
        "/api/why/stories/consent", json={"named": True}, headers={"X-CSRF-Token": manager_token}
    )
    assert agreed.status_code == 200, agreed.text  # the digest tells kudos to people who agreed
    client, token = client_for("leader")
    body = {"recipients": [setup.flow.org.person_ids["manager"]], "what": "Wrote the runbook",
            "impact": "Night calls halved", "practice": "communication"}  # fmt: skip
    made = client.post(API + "/kudos", json=body, headers={"X-CSRF-Token": token}).json()
    download = client.get(API + "/digest.md")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/markdown")
    assert "attachment" in download.headers["content-disposition"]
    assert f"kudos {made['id']}" in download.text and "Wrote the runbook" in download.text
    digest = client.get(
        API + "/digest", params={"days": 30, "last": dt.datetime.now(dt.UTC).date().isoformat()}
    )
    assert made["id"] in {k["id"] for k in digest.json()["kudos"]}
    assert "download" in client.get(PAGE).text


def test_a_nudge_day_past_the_calendar_is_a_400_naming_it(setup: Setup, client_for: Any) -> None:
    leader, _ = client_for("leader")
    answer = leader.get(API + "/nudges", params={"today": "0001-01-01"})
    assert answer.status_code == 400 and answer.json()["error"]["field"] == "today"


def test_a_team_period_under_seven_days_is_a_400_naming_days(setup: Setup, client_for: Any) -> None:
    leader, _ = client_for("leader")
    for path in (API + "/achievements", API + "/digest", API + "/digest.md", PAGE):
        for days in (1, 6):
            answer = leader.get(path, params={"days": days})
            assert answer.status_code == 400, (path, days)
            assert "7 to 366 days" in answer.text
    refused = leader.get(API + "/achievements", params={"days": 6})
    assert refused.json()["error"]["field"] == "days"
    assert leader.get(API + "/achievements", params={"days": 7}).status_code == 200
