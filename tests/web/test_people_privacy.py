"""The 360 privacy holes through the web: open-cycle differencing, frozen answers, reorg.

Over the demo organisation of :mod:`tests.web.people_org` (a closed cycle with answers and an
open one with raters assigned from team Atlas).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tandem.db.session import session_scope
from tandem.people import privacy
from tandem.people.models import Person
from tandem.review import service as review_service
from tandem.review.items import load_item_bank
from tandem.web.app import create_app
from tandem.workspace import Workspace
from tests.helpers import V1
from tests.web.people_org import PeopleOrg, as_user, fresh


@pytest.fixture
def setup(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, PeopleOrg]:
    return fresh(tmp_path, tmp_path_factory)


@pytest.fixture
def client(setup: tuple[Workspace, PeopleOrg]) -> Iterator[TestClient]:
    with TestClient(create_app(setup[0])) as test_client:
        yield test_client


def rate(client: TestClient, token: str, ratee: int, cycle: str, value: int) -> Any:
    items = {item.id: value for item in load_item_bank(V1).items}
    return client.post(
        f"/api/people/rate/{ratee}",
        json={"cycle": cycle, "answers": items},
        headers={"X-CSRF-Token": token},
    )


def test_an_open_cycle_shows_completion_only_however_often_it_is_read(
    client: TestClient, setup: tuple[Workspace, PeopleOrg]
) -> None:
    """Chiara reloads her profile before and after Dev rates her: nothing to subtract."""
    _, org = setup
    me = org.person_ids["member"]
    as_user(client, setup, "member")
    before = client.get("/api/people/me", params={"cycle": org.open_cycle})
    assert before.status_code == 200
    token = as_user(client, setup, "peer")
    assert rate(client, token, me, org.open_cycle, 5).status_code == 200
    as_user(client, setup, "member")
    after = client.get("/api/people/me", params={"cycle": org.open_cycle})
    page = client.get("/people/me", params={"cycle": org.open_cycle})
    for read in (before.json(), after.json()):
        assert read["profile"] is None and read["chart"] is None
        assert read["locked"]["results"] == "locked"
    assert before.json()["locked"]["completion"]["raters_answered"] == 0
    assert after.json()["locked"]["completion"]["raters_answered"] == 1
    # the two reads differ only in the count, never in a score
    assert {k: v for k, v in before.json()["locked"].items() if k != "completion"} == {
        k: v for k, v in after.json()["locked"].items() if k != "completion"
    }
    assert page.status_code == 200 and "Results locked until the cycle closes" in page.text
    assert "Scores by rater group" not in page.text and "profile-chart-spec" not in page.text
    # the plan, built from the profile, waits for the close too
    plan = client.get("/api/people/me/plan", params={"cycle": org.open_cycle})
    assert plan.status_code == 409 and "locked" in plan.json()["error"]["message"]
    # the default is still the latest closed cycle, with its numbers
    closed = client.get("/api/people/me").json()
    assert closed["profile"]["cycle"] == org.cycle and closed["locked"] is None


def test_a_closed_cycle_refuses_ratings_and_then_shows_its_results(
    client: TestClient, setup: tuple[Workspace, PeopleOrg]
) -> None:
    workspace, org = setup
    me = org.person_ids["member"]
    token = as_user(client, setup, "peer")
    assert rate(client, token, me, org.open_cycle, 4).status_code == 200
    with session_scope(workspace.engine) as session:
        review_service.close_cycle(session=session, name=org.open_cycle)
    refused = rate(client, token, me, org.open_cycle, 1)
    assert refused.status_code in (403, 409)
    form = client.post(
        f"/people/rate/{me}", data={"csrf_token": token, "cycle": org.open_cycle, "vision-1": "1"}
    )
    assert form.status_code in (403, 409)
    with session_scope(workspace.engine) as session:
        answers = review_service.answers_by_ratee(session=session, cycle=org.open_cycle)
    assert {a.value for a in answers[me]} == {4}  # frozen as they were at the close
    as_user(client, setup, "member")
    shown = client.get("/api/people/me", params={"cycle": org.open_cycle}).json()
    assert shown["locked"] is None and shown["profile"]["cycle"] == org.open_cycle


def test_a_shared_report_stays_with_the_person_it_was_shared_with(
    client: TestClient, setup: tuple[Workspace, PeopleOrg]
) -> None:
    """Chiara shares with her manager Ada; a reorg makes Bram her manager. Bram used to read
    it and Ada lost it; now Ada keeps it and Bram needs Chiara to share it with him."""
    workspace, org = setup
    me = org.person_ids["member"]
    token = as_user(client, setup, "member")
    headers = {"X-CSRF-Token": token}
    shared = client.post("/api/people/me/share", json={"shared": True}, headers=headers)
    assert shared.json()["shared_with_id"] == org.person_ids["leader"]
    with session_scope(workspace.engine) as session:
        session.get_one(Person, me).manager_id = org.person_ids["manager"]  # the reorg
    as_user(client, setup, "manager")
    assert client.get(f"/api/people/{me}").status_code == 403
    assert client.get(f"/people/{me}").status_code == 403
    as_user(client, setup, "leader")
    assert client.get(f"/api/people/{me}").status_code == 200
    token = as_user(client, setup, "member")
    page = client.get("/people/me")
    assert "no longer your line manager" in page.text
    assert "Stop sharing with Ada Fernhollow" in page.text
    moved = client.post(
        "/api/people/me/share", json={"shared": True}, headers={"X-CSRF-Token": token}
    )
    assert moved.json()["shared_with_id"] == org.person_ids["manager"]
    as_user(client, setup, "manager")
    assert client.get(f"/api/people/{me}").status_code == 200
    as_user(client, setup, "leader")
    assert client.get(f"/api/people/{me}").status_code == 403


def test_a_director_who_was_shared_a_report_still_sees_no_individual(
    client: TestClient, setup: tuple[Workspace, PeopleOrg]
) -> None:
    """Chiara's line manager becomes Ines, a director, and Chiara shares with her. Directors
    see aggregates only (DESIGN §7): the share names her, but opens no profile, page or API."""
    workspace, org = setup
    me = org.person_ids["member"]
    with session_scope(workspace.engine) as session:
        session.get_one(Person, me).manager_id = org.person_ids["director"]
    token = as_user(client, setup, "member")
    shared = client.post("/api/people/me/share", json={"shared": True},
                         headers={"X-CSRF-Token": token})  # fmt: skip
    assert shared.json()["shared_with_id"] == org.person_ids["director"]
    as_user(client, setup, "director")
    for path in (f"/api/people/{me}", f"/people/{me}", f"/api/people/{me}/trend"):
        assert client.get(path).status_code == 403, path


def test_shown_scores_have_two_decimals_in_json_and_html(
    client: TestClient, setup: tuple[Workspace, PeopleOrg]
) -> None:
    as_user(client, setup, "member")
    body = client.get("/api/people/me").json()["profile"]
    floats: list[float] = []

    def walk(value: object) -> None:
        if isinstance(value, float):
            floats.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk({k: v for k, v in body.items() if k != "notes"})
    assert len(floats) > 20 and all(round(f, 2) == f for f in floats)


def test_a_forgotten_persons_stand_in_has_no_report_to_open(
    client: TestClient, setup: tuple[Workspace, PeopleOrg]
) -> None:
    """Dev shared his report with Ada, then was forgotten: the closed cycle keeps his answers
    under "a former member", and that stand-in's report opens for nobody, Ada included."""
    workspace, org = setup
    dev = org.person_ids["peer"]
    token = as_user(client, setup, "peer")
    client.post("/api/people/me/share", json={"shared": True}, headers={"X-CSRF-Token": token})
    as_user(client, setup, "leader")
    assert client.get(f"/api/people/{dev}").status_code == 200
    with session_scope(workspace.engine) as session:
        report = privacy.forget_person(session=session, ref=str(dev), actor="cli:tester")
    assert report.former_member_id is not None and report.shares_kept == 1
    # Answered as a person who does not exist, whoever asks (no report, no existence oracle).
    for key in ("leader", "director", "admin"):
        as_user(client, setup, key)
        for prefix in ("/api/people/", "/people/"):
            nobody = client.get(f"{prefix}2147483647")
            assert nobody.status_code in (403, 404)
            for pid in (report.former_member_id, dev):
                found = client.get(f"{prefix}{pid}")
                assert found.status_code == nobody.status_code, (key, prefix, pid)
