"""Trend pages over a real workspace: the demo's SYNTHETIC organisation with a second closed
cycle (the first cycle's answers again, every vision answer about Chiara raised by 2, capped at
5). Who sees what is attacked as each role would (DESIGN §7)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from tandem.db.session import session_scope
from tandem.people.models import Person
from tandem.profile import trend_service
from tandem.review import service as review_service
from tandem.review.items import load_item_bank
from tandem.review.models import ReviewAssignment, ReviewResponse
from tandem.web.app import create_app
from tandem.workspace import Workspace
from tests.helpers import V1
from tests.web.people_org import PeopleOrg, as_user, fresh

LATER = "demo-2027-h1-synthetic"


def _second_cycle(workspace: Workspace, org: PeopleOrg, bank: str = V1) -> None:
    """A second closed cycle: the first one's answers, vision about Chiara raised by 2.

    ``bank``: the second cycle's item bank version; answers to items it lacks are left out."""
    member = org.person_ids["member"]
    kept = {item.id for item in load_item_bank(bank).items}
    with session_scope(workspace.engine) as session:
        first = review_service.get_cycle(session=session, name=org.cycle)
        review_service.create_cycle(session=session, name=LATER, item_bank_version=bank)
        later = review_service.get_cycle(session=session, name=LATER)
        rows = session.execute(
            select(
                ReviewResponse.ratee_id,
                ReviewResponse.rater_id,
                ReviewResponse.relation,
                ReviewResponse.item_id,
                ReviewResponse.value,
            ).where(ReviewResponse.cycle_id == first.id)
        ).all()
        raised = [
            (e, r, rel, item, v + 2 if v is not None and e == member and item == "vision-1" else v)
            for e, r, rel, item, v in rows
            if item in kept
        ]
        session.execute(
            insert(ReviewAssignment),
            [
                {"cycle_id": later.id, "ratee_id": e, "rater_id": r, "relation": rel}
                for e, r, rel in sorted({(e, r, rel) for e, r, rel, _, _ in raised})
            ],
        )
        session.execute(
            insert(ReviewResponse),
            [
                {
                    "cycle_id": later.id,
                    "ratee_id": e,
                    "rater_id": r,
                    "relation": rel,
                    "item_id": item,
                    "value": None if v is None else min(5, v),
                }
                for e, r, rel, item, v in raised
            ],
        )
        session.flush()
        review_service.close_cycle(session=session, name=LATER)


@pytest.fixture
def setup(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, PeopleOrg]:
    workspace, org = fresh(tmp_path, tmp_path_factory)
    _second_cycle(workspace, org)
    return workspace, org


@pytest.fixture
def client(setup: tuple[Workspace, PeopleOrg]) -> Iterator[TestClient]:
    with TestClient(create_app(setup[0])) as test_client:
        yield test_client


def _share(client: TestClient, setup: tuple[Workspace, PeopleOrg], cycle: str) -> None:
    token = as_user(client, setup, "member")
    shared = client.post(
        "/api/people/me/share",
        json={"cycle": cycle, "shared": True},
        headers={"X-CSRF-Token": token},
    )
    assert shared.status_code == 200 and shared.json()["shared_with_manager"] is True


def _chart(page: str) -> dict[str, object]:
    found = re.search(r'id="trend-chart-spec">(.*?)</script>', page, re.S)
    assert found is not None
    spec: dict[str, object] = json.loads(found.group(1))
    return spec


def test_my_trend_has_the_services_numbers_a_chart_and_a_link_from_my_profile(
    client: TestClient, setup: tuple[Workspace, PeopleOrg]
) -> None:
    workspace, org = setup
    as_user(client, setup, "member")
    answer = client.get("/api/people/me/trend")
    assert answer.status_code == 200
    with session_scope(workspace.engine) as session:
        person = session.get_one(Person, org.person_ids["member"])
        expected = trend_service.person_trend(session=session, person=person)
    assert answer.json() == expected.model_dump(mode="json")
    assert [c["cycle"] for c in answer.json()["cycles"]] == [org.cycle, LATER]
    vision = answer.json()["steps"][0]["practices"]["vision"]
    assert vision["difference"] > 0  # one of vision's items raised by 2
    page = client.get("/people/me/trend")
    assert page.status_code == 200 and "My trend across review cycles" in page.text
    chart = _chart(page.text)
    cycles = {row["cycle"] for row in chart["data"]["values"]}  # type: ignore[index]
    assert cycles == {org.cycle, LATER}
    assert f"{org.cycle} → {LATER}" in page.text
    assert 'href="/people/me/trend"' in client.get("/people/me").text


def test_the_manager_sees_only_the_cycles_shared_and_no_change_across_an_unshared_one(
    client: TestClient, setup: tuple[Workspace, PeopleOrg]
) -> None:
    _, org = setup
    member = org.person_ids["member"]
    as_user(client, setup, "leader")  # Ada is Chiara's line manager
    assert client.get(f"/api/people/{member}/trend").status_code == 403
    assert client.get(f"/people/{member}/trend").status_code == 403
    _share(client, setup, LATER)  # the later cycle only
    as_user(client, setup, "leader")
    body = client.get(f"/api/people/{member}/trend").json()
    assert [c["cycle"] for c in body["cycles"]] == [LATER]
    assert body["steps"] == [] and body["plans"] == [] and body["viewer_is_owner"] is False
    page = client.get(f"/people/{member}/trend")
    assert page.status_code == 200 and org.cycle not in page.text
    assert {row["cycle"] for row in _chart(page.text)["data"]["values"]} == {LATER}  # type: ignore[index]
    _share(client, setup, org.cycle)  # both: the step appears
    as_user(client, setup, "leader")
    body = client.get(f"/api/people/{member}/trend").json()
    assert [c["cycle"] for c in body["cycles"]] == [org.cycle, LATER] and len(body["steps"]) == 1
    link = f'href="/people/{member}/trend"'
    assert link in client.get(f"/people/{member}?cycle={LATER}").text
    # each cycle read is audited for the manager
    as_user(client, setup, "admin")
    events = client.get("/api/admin/audit", params={"action": "report.read"}).json()["events"]
    assert sum(e["subject_person_id"] == member for e in events) >= 3  # 1 + 2 cycles read


@pytest.mark.parametrize("viewer", ["peer", "manager", "director", "admin"])
def test_peers_directors_and_admins_never_see_a_trend(
    client: TestClient, setup: tuple[Workspace, PeopleOrg], viewer: str
) -> None:
    _, org = setup
    member = org.person_ids["member"]
    for cycle in (org.cycle, LATER):
        _share(client, setup, cycle)
    as_user(client, setup, viewer)
    assert client.get(f"/api/people/{member}/trend").status_code == 403
    assert client.get(f"/people/{member}/trend").status_code == 403


def test_a_director_who_received_a_share_still_sees_no_trend(
    client: TestClient, setup: tuple[Workspace, PeopleOrg]
) -> None:
    """The reorg: the director becomes Chiara's line manager and she shares both cycles. The
    guard refuses a director however a share names them (aggregates only), and so would the
    service behind it (tests/profile/test_trend_service.py)."""
    workspace, org = setup
    member = org.person_ids["member"]
    with session_scope(workspace.engine) as session:
        session.get_one(Person, member).manager_id = org.person_ids["director"]
    for cycle in (org.cycle, LATER):
        _share(client, setup, cycle)
    as_user(client, setup, "director")
    refused = client.get(f"/api/people/{member}/trend")
    assert refused.status_code == 403 and "score" not in refused.text
    assert client.get(f"/people/{member}/trend").status_code == 403


def test_a_step_between_item_banks_shows_both_cycles_on_the_shared_items(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The later cycle on bank v2: the step is compared on the shared items and the page says
    so, with both cycles' shared-item scores beside the change (the API's numbers)."""
    workspace, org = fresh(tmp_path, tmp_path_factory)
    _second_cycle(workspace, org, bank="2")
    with TestClient(create_app(workspace)) as client:
        as_user(client, (workspace, org), "member")
        body = client.get("/api/people/me/trend").json()
        [step] = body["steps"]
        assert step["basis"] == "shared items (32 of 46)"
        figures = step["later_figures"]["practices"]
        assert figures["vision"]["value"] > step["earlier_figures"]["practices"]["vision"]["value"]
        page = client.get("/people/me/trend")
    assert page.status_code == 200
    assert f"{org.cycle} → {LATER} on shared items (32 of 46)" in page.text
    assert "these scores differ from each cycle&#39;s report" in page.text
    assert "(on shared items, below)" in page.text
