"""Duo pages over the SYNTHETIC demo organisation: suggestions, a human confirms, one duo each."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tandem.db.session import session_scope
from tandem.duos import service as duos_service
from tandem.web.app import create_app
from tandem.workspace import Workspace
from tests.web.conftest import csrf_from, sign_in_directly
from tests.web.people_org import PeopleOrg, fresh

Setup = tuple[Workspace, PeopleOrg]


@pytest.fixture
def setup(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Setup:
    return fresh(tmp_path, tmp_path_factory)


@pytest.fixture
def client(setup: Setup) -> Iterator[TestClient]:
    with TestClient(create_app(setup[0])) as test_client:
        yield test_client


def as_user(client: TestClient, setup: Setup, key: str) -> str:
    client.cookies.clear()
    return sign_in_directly(client, setup[0], setup[1].email(key))


def test_the_team_sees_suggestions_with_explanations(client: TestClient, setup: Setup) -> None:
    workspace, org = setup
    as_user(client, setup, "leader")
    body = client.get("/api/duos").json()
    with session_scope(workspace.engine) as session:
        expected = duos_service.suggest(session=session, cycle=org.cycle, teams=["Atlas"])
    assert body["team"] == "Atlas"
    assert body["suggestions"] == expected.model_dump(mode="json")
    assert body["suggestions"]["pairs"] and body["confirmed"] == []
    page = client.get("/duos")
    assert page.status_code == 200
    assert expected.pairs[0].a.name in page.text
    assert "Confirm " in page.text and 'name="tie_breaker"' in page.text


def test_confirm_stores_a_duo_and_a_second_for_the_same_person_is_refused(
    client: TestClient, setup: Setup
) -> None:
    workspace, org = setup
    as_user(client, setup, "manager")
    page = client.get("/duos")
    pair = client.get("/api/duos").json()["suggestions"]["pairs"][0]
    a, b = pair["a"]["id"], pair["b"]["id"]
    data = {
        "csrf_token": csrf_from(page.text),
        "a": str(a),
        "b": str(b),
        "tie_breaker": org.email("leader"),
        "review_date": "2099-01-31",
    }
    confirmed = client.post("/duos/confirm", data=data)
    assert confirmed.status_code == 200  # back on the duo page
    with session_scope(workspace.engine) as session:
        listed = duos_service.list_duos(session=session, cycle=org.cycle)
    assert listed.count == 1
    duo = listed.duos[0]
    assert {duo.a.id, duo.b.id} == {a, b}
    assert duo.confirmed_by == org.email("manager")
    assert str(duo.review_date) == "2099-01-31"
    assert "Ada Fernhollow" in duo.tie_breaker
    assert client.get("/api/duos").json()["confirmed"][0]["id"] == duo.id

    others = [p for p in org.person_ids.values() if p not in (a, b)]
    third = next(p for p in others if p in _atlas(client))
    second = client.post(
        "/api/duos/confirm",
        json={"a": str(a), "b": str(third), "tie_breaker": "the leader decides"},
        headers={"X-CSRF-Token": data["csrf_token"]},
    )
    assert second.status_code == 409
    error = second.json()["error"]
    assert error["code"] == "conflict"
    assert "already in a confirmed duo" in error["message"]
    again = client.post("/duos/confirm", data=data | {"b": str(third)})
    assert again.status_code == 409 and "already in a confirmed duo" in again.text


def _atlas(client: TestClient) -> set[int]:
    body = client.get("/api/duos").json()["suggestions"]
    return {p["person"]["id"] for p in body["unpaired"]} | {
        x["id"] for pair in body["pairs"] for x in (pair["a"], pair["b"])
    }


def test_a_pair_outside_the_team_is_refused(client: TestClient, setup: Setup) -> None:
    _, org = setup
    token = as_user(client, setup, "leader")
    refused = client.post(
        "/api/duos/confirm",
        json={
            "a": str(org.person_ids["member"]),
            "b": str(org.person_ids["outsider"]),
            "tie_breaker": "the leader decides",
        },
        headers={"X-CSRF-Token": token},
    )
    assert refused.status_code == 403
    assert "not a member of team Atlas" in refused.json()["error"]["message"]
    other_team = client.get(f"/api/duos?team_id={org.team_ids['Beacon']}")
    assert other_team.status_code == 403


def test_directors_see_any_team_and_members_none(client: TestClient, setup: Setup) -> None:
    _, org = setup
    as_user(client, setup, "director")
    beacon = client.get(f"/api/duos?team_id={org.team_ids['Beacon']}")
    assert beacon.status_code == 200 and beacon.json()["team"] == "Beacon"
    assert "Pick a team" in client.get("/duos").text
    as_user(client, setup, "member")
    assert client.get("/api/duos").status_code == 403
