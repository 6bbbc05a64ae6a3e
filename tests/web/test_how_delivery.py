"""The HOW panel's Delivery section: PR stages and the four keys, behind five people."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tandem.db.session import session_scope
from tandem.delivery import service as delivery_service
from tandem.flow.engine import Filters, FlowEngine
from tandem.ingest.service import lake_identities
from tandem.people import service as people_service
from tandem.people.models import Identity
from tandem.web.app import create_app
from tandem.web.how.charts import pr_stages_chart
from tests.delivery.fixture import build
from tests.web.conftest import sign_in_directly
from tests.web.how_fixtures import FlowOrg, alpha_filters, key, make_flow_org

# the delivery fixture's authors, linked to the people behind sepsis resources A–E (team Alpha)
AUTHORS = {"alice": "A", "bob": "B", "carol": "C", "dave": "D", "erin": "E"}


@pytest.fixture(scope="module")
def flow(tmp_path_factory: pytest.TempPathFactory) -> FlowOrg:
    root = tmp_path_factory.mktemp("how-delivery")
    flow = make_flow_org(root / "ws")
    build(root / "fixture", flow.workspace.lake)
    with session_scope(flow.workspace.engine) as session:
        people_service.sync_identities(
            session=session, identities=lake_identities(flow.workspace.lake)
        )
    return flow


def link(flow: FlowOrg, *names: str) -> None:
    with session_scope(flow.workspace.engine) as session:
        people = {row.identity_key: row.person_id for row in session.scalars(select(Identity))}
        for name in names:
            people_service.link_identity(
                session=session,
                identity_key=f"login:github:{name}",
                person=str(people[key(AUTHORS[name])]),
            )


@pytest.fixture
def client_for(flow: FlowOrg) -> Iterator[Any]:
    app = create_app(flow.workspace)
    clients: list[TestClient] = []

    def make(role: str) -> TestClient:
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        sign_in_directly(client, flow.workspace, flow.org.users[role])
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def expected(flow: FlowOrg, filters: Filters) -> dict[str, Any]:
    production = flow.workspace.settings.flow.delivery.production
    with FlowEngine(flow.workspace.lake) as engine:
        prs = delivery_service.pull_request_flow(engine=engine, filters=filters)
        dora = delivery_service.dora_metrics(engine=engine, filters=filters, production=production)
    return {
        "prs": prs.model_dump(mode="json", exclude={"rows"}),
        "dora": dora.model_dump(mode="json", exclude={"changes"}),
    }


def delivery_html(page: str) -> str:
    found = re.search(r'<section[^>]*id="delivery".*?</section>', page, re.S)
    assert found, "no Delivery section"
    return found.group(0)


def test_a_team_with_four_authors_is_withheld_and_with_five_is_shown(
    flow: FlowOrg, client_for: Any
) -> None:
    link(flow, "alice", "bob", "carol", "dave")
    manager = client_for("manager")
    page = manager.get("/how")
    assert page.status_code == 200, page.text
    assert 'id="summary"' in page.text  # the work items' sections stand (Alpha has ≥ 5)
    section = delivery_html(page.text)
    assert "withheld" in section and "from fewer than 5 people" in section
    # nothing a member could subtract: no stage, no key, no chart
    assert "data-p50" not in section and "chart-prs" not in section
    for name in ("prs", "dora"):
        refused = manager.get(f"/api/how/{name}")
        assert refused.status_code == 409, name
        assert refused.json()["error"]["code"] == "too_few_people"

    link(flow, "erin")
    with session_scope(flow.workspace.engine) as session:
        keys = people_service.team_identity_keys(session=session, teams=["Alpha"])
    want = expected(flow, dataclasses.replace(alpha_filters(flow), teams=keys))
    assert want["prs"]["people"] == 5 and want["dora"]["people"] == 5
    for role in ("leader", "manager", "member"):
        client = client_for(role)
        section = delivery_html(client.get("/how").text)
        coding = want["prs"]["coding"]["p50_seconds"]
        assert coding is not None and want["prs"]["coding"]["people"] == 5
        assert re.search(rf'<tr data-stage="coding">.*?data-p50="{coding}"', section, re.S)
        # the whole PRs (1–4, alice to dave) rest on four people: the total alone is withheld
        assert want["prs"]["total"]["withheld"] is not None
        assert re.search(
            r'<tr data-stage="total" data-withheld>.*?withheld: the total of team Alpha comes '
            r"from fewer than 5 people",
            section,
            re.S,
        )
        share = want["dora"]["change_lead_time"]["unlinked_share"]
        assert f'data-unlinked="{share}"' in section
        assert "Changes linked to deployments by: ancestry: " in section
        spec = re.search(r'id="chart-prs"[^>]* data-vega-chart="([^"]*)"', section)
        assert spec is not None
        shown = json.loads(spec.group(1).replace("&#34;", '"'))
        assert shown == pr_stages_chart(want["prs"])
        for name in ("prs", "dora"):
            answer = client.get(f"/api/how/{name}")
            assert answer.status_code == 200, answer.text
            assert answer.json() == want[name], name
            assert "rows" not in answer.json() and "changes" not in answer.json()


def test_director_sees_all_delivery_and_another_team_is_refused(
    flow: FlowOrg, client_for: Any
) -> None:
    director = client_for("director")
    want = expected(flow, Filters())
    got = director.get("/api/how/dora", params={"team": "all"}).json()
    assert got == want["dora"] and got["people"] is None
    assert got["deployment_frequency"]["deployments"] == 6
    window = {"team": "all", "from": "2024-06-03", "to": "2024-06-09"}
    week = director.get("/api/how/dora", params=window).json()
    assert week["deployment_frequency"]["per_week"] == 4.0  # tests/delivery/test_dora.py
    manager = client_for("manager")
    for name in ("prs", "dora"):
        other = manager.get(f"/api/how/{name}", params={"team": flow.org.other_team_id})
        assert other.status_code == 403
    assert client_for("admin").get("/api/how/dora").status_code == 403


def test_an_empty_delivery_lake_shows_dashes_not_zeros(tmp_path: Path) -> None:
    flow = make_flow_org(tmp_path / "ws")
    with TestClient(create_app(flow.workspace)) as client:
        sign_in_directly(client, flow.workspace, flow.org.users["director"])
        section = delivery_html(client.get("/how", params={"team": "all"}).text)
    assert "0 pull requests created" in section
    assert re.search(r'data-key="change_failure_rate">.*?data-value="">—', section, re.S)
    assert "chart-prs" not in section


@pytest.mark.parametrize(
    ("field", "params"),
    [
        ("from", {"from": "0001-01-01", "to": "0001-01-05"}),
        ("to", {"from": "2024-01-01", "to": "9999-12-31"}),
    ],
)
def test_days_outside_the_calendar_s_range_are_refused_by_field_not_a_crash(
    client_for: Any, field: str, params: dict[str, str]
) -> None:
    director = client_for("director")
    for path in ("/api/how/prs", "/api/how/dora", "/api/how/git"):
        answer = director.get(path, params={"team": "all", **params})
        assert answer.status_code == 400, (path, answer.text)
        assert answer.json()["error"]["field"] == field
    assert director.get("/how", params={"team": "all", **params}).status_code == 400


def test_delivery_stands_on_its_own_people_when_the_work_items_are_withheld(
    flow: FlowOrg, client_for: Any
) -> None:
    """June 2024 holds no sepsis event (the team's work items are withheld for too few people)
    but the pull requests of five linked people: Delivery is shown, gated by its own checks."""
    link(flow, *AUTHORS)
    window = {"from": "2024-06-01", "to": "2024-06-14"}
    manager = client_for("manager")
    page = manager.get("/how", params=window)
    assert page.status_code == 200, page.text
    assert "Withheld: too few people" in page.text and 'id="summary"' not in page.text
    section = delivery_html(page.text)
    prs = manager.get("/api/how/prs", params=window)
    assert prs.status_code == 200, prs.text
    assert prs.json()["people"] == 5 and prs.json()["coding"]["withheld"] is None
    coding = prs.json()["coding"]["p50_seconds"]
    assert re.search(rf'<tr data-stage="coding">.*?data-p50="{coding}"', section, re.S)
    assert manager.get("/api/how/dora", params=window).status_code == 200
    assert manager.get("/api/how/summary", params=window).status_code == 409  # work items


def test_a_team_window_shorter_than_a_week_is_refused_naming_the_window(
    flow: FlowOrg, client_for: Any
) -> None:
    link(flow, *AUTHORS)
    short = {"from": "2024-06-03", "to": "2024-06-05"}
    manager = client_for("manager")
    for name in ("prs", "dora"):
        refused = manager.get(f"/api/how/{name}", params=short)
        assert refused.status_code == 400, (name, refused.text)
        assert refused.json()["error"]["field"] == "window"
        assert "window 2024-06-03 to 2024-06-05 is 3 days" in refused.text
    section = delivery_html(manager.get("/how", params=short).text)
    assert "at least 7 days" in section and "data-stage" not in section
    # all work data (no team) has nobody to single out: any window is answered
    director = client_for("director")
    assert director.get("/api/how/prs", params={"team": "all", **short}).status_code == 200
