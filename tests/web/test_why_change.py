"""WHY panel, change: experiments with their metric before and after, and the radar, per role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tandem.db.session import session_scope
from tandem.flow.engine import FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.people.models import Membership
from tandem.sources.bots import DEFAULT_BOT_RULES
from tandem.sources.git import ingest_repository
from tandem.web.app import create_app
from tandem.why.change import service
from tandem.why.goals.metrics import measure, parse_spec
from tests.web.conftest import csrf_from, sign_in_directly
from tests.web.how_fixtures import FlowOrg, alpha_filters, make_flow_org
from tests.why.change.manifest_repo import build_manifest_repo

SPEC = "cycle_time:p85,window=60"


@pytest.fixture(scope="module")
def flow_org(tmp_path_factory: pytest.TempPathFactory) -> FlowOrg:
    root = tmp_path_factory.mktemp("change")
    flow = make_flow_org(root / "ws")
    build_manifest_repo(root / "shop")
    ingest_repository(lake=flow.workspace.lake, path=root / "shop", rev=None,
                      bots=DEFAULT_BOT_RULES)  # fmt: skip
    return flow


@pytest.fixture(scope="module")
def last_day(flow_org: FlowOrg) -> dt.date:
    """The sepsis work's last day: the experiments here lie in the work data. (The shop
    repository's commits run on for years, and so does the lake's last day, which caps an
    experiment's "after" window: ``Lake.last_day``, tests/lake/test_last_day.py.)"""
    with FlowEngine(flow_org.workspace.lake) as engine:
        now = engine.now()
    assert now is not None
    lake_end = flow_org.workspace.lake.last_day()
    assert lake_end is not None and lake_end > now.date()  # the commits are the lake's end
    return now.date()


@pytest.fixture(scope="module")
def app(flow_org: FlowOrg) -> FastAPI:
    return create_app(flow_org.workspace)


def signed(app: FastAPI, flow_org: FlowOrg, role: str) -> Iterator[TestClient]:
    with TestClient(app) as client:
        sign_in_directly(client, flow_org.workspace, flow_org.org.users[role])
        yield client


@pytest.fixture
def leader(app: FastAPI, flow_org: FlowOrg) -> Iterator[TestClient]:
    yield from signed(app, flow_org, "leader")


@pytest.fixture
def member(app: FastAPI, flow_org: FlowOrg) -> Iterator[TestClient]:
    yield from signed(app, flow_org, "member")


@pytest.fixture
def director(app: FastAPI, flow_org: FlowOrg) -> Iterator[TestClient]:
    yield from signed(app, flow_org, "director")


def form(client: TestClient, team: int) -> str:
    page = client.get(f"/why/change?team={team}")
    assert page.status_code == 200, page.text
    return csrf_from(page.text)


def test_leader_adds_and_concludes_with_the_metric_before_and_after(
    leader: TestClient, flow_org: FlowOrg, last_day: dt.date
) -> None:
    team = flow_org.org.own_team_id
    start = last_day - dt.timedelta(days=120)
    token = form(leader, team)
    added = leader.post(
        f"/why/change/experiments?team={team}",
        data={"csrf_token": token, "title": "SYNTHETIC WIP limit", "hypothesis": "Less WIP",
              "owner": flow_org.org.users["member"], "starts_on": start.isoformat(),
              "ends_on": (start + dt.timedelta(days=60)).isoformat(), "metric": SPEC},
        follow_redirects=False,
    )  # fmt: skip
    assert added.status_code == 303, added.text
    experiments = leader.get(f"/api/why/change/experiments?team={team}").json()["experiments"]
    mine = next(e for e in experiments if e["title"] == "SYNTHETIC WIP limit")
    reading = mine["reading"]

    spec = parse_spec(SPEC)
    mapping = StatusMapping.from_settings(flow_org.workspace.settings.flow)
    with FlowEngine(flow_org.workspace.lake) as engine:
        before, after = (
            measure(spec, engine=engine, team=alpha_filters(flow_org), mapping=mapping, as_of=day)
            for day in (start - dt.timedelta(days=1), start + dt.timedelta(days=60))
        )
    assert before.value is not None and after.value is not None
    assert reading["before"]["value"] == pytest.approx(before.value)
    assert reading["after"]["value"] == pytest.approx(after.value)
    assert (reading["before"]["n"], reading["after"]["n"]) == (before.n, after.n)
    assert reading["change"] == pytest.approx(after.value - before.value)
    assert reading["improved"] == (after.value < before.value)  # cycle time: lower is better

    page = leader.get(f"/why/change?team={team}")
    assert "SYNTHETIC WIP limit" in page.text and "Add an experiment" in page.text
    concluded = leader.post(
        f"/why/change/experiments/{mine['id']}/conclude?team={team}",
        data={"csrf_token": token, "result": "refuted", "outcome": "No change",
              "concluded_on": (start + dt.timedelta(days=30)).isoformat()},
        follow_redirects=False,
    )  # fmt: skip
    assert concluded.status_code == 303
    shown = leader.get(f"/api/why/change/experiments/{mine['id']}?team={team}").json()
    assert (shown["status"], shown["result"]) == ("concluded", "refuted")
    assert shown["reading"]["after"]["as_of"] == (start + dt.timedelta(days=30)).isoformat()


def test_a_small_teams_metric_stays_withheld(
    director: TestClient, flow_org: FlowOrg, last_day: dt.date
) -> None:
    beta = flow_org.org.other_team_id
    with session_scope(flow_org.workspace.engine) as session:
        person = session.query(Membership).filter_by(team_id=beta).first()
        assert person is not None
        service.add_experiment(
            session=session, team=beta, title="SYNTHETIC small", hypothesis="h",
            owner=str(person.person_id), starts_on=last_day - dt.timedelta(days=90), metric=SPEC,
        )  # fmt: skip
    listed = director.get(f"/api/why/change/experiments?team={beta}")
    assert listed.status_code == 200
    reading = listed.json()["experiments"][0]["reading"]
    assert reading["before"]["value"] is None and reading["before"]["withheld"]
    assert reading["after"]["value"] is None and reading["after"]["withheld"]
    assert reading["change"] is None and reading["improved"] is None
    assert "withheld" in director.get(f"/why/change?team={beta}").text


def test_member_reads_but_cannot_write(member: TestClient, flow_org: FlowOrg) -> None:
    team = flow_org.org.own_team_id
    page = member.get(f"/why/change?team={team}")
    assert page.status_code == 200 and "Add an experiment" not in page.text
    token = csrf_from(page.text) if 'name="csrf_token"' in page.text else ""
    refused = member.post(
        f"/why/change/experiments?team={team}",
        data={"csrf_token": token, "title": "t", "hypothesis": "h", "owner": "x",
              "starts_on": "2014-01-01"},
        follow_redirects=False,
    )  # fmt: skip
    assert refused.status_code == 403
    assert member.get(f"/api/why/change/radar?team={team}").status_code == 200


def test_another_team_is_refused(leader: TestClient, flow_org: FlowOrg) -> None:
    other = flow_org.org.other_team_id
    assert leader.get(f"/why/change?team={other}").status_code == 403
    assert leader.get(f"/api/why/change/experiments?team={other}").status_code == 403
    assert leader.get(f"/api/why/change/radar?team={other}").status_code == 403
    token = form(leader, flow_org.org.own_team_id)
    refused = leader.post(
        f"/api/why/change/experiments?team={other}",
        json={"title": "t", "hypothesis": "h", "owner": "x", "starts_on": "2014-01-01"},
        headers={"X-CSRF-Token": token},
    )
    assert refused.status_code == 403


def test_director_reads_any_team_but_writes_none(director: TestClient, flow_org: FlowOrg) -> None:
    team = flow_org.org.own_team_id
    assert director.get(f"/why/change?team={team}").status_code == 200
    token = form(director, team)
    refused = director.post(
        f"/api/why/change/experiments?team={team}",
        json={"title": "t", "hypothesis": "h", "owner": "x", "starts_on": "2014-01-01"},
        headers={"X-CSRF-Token": token},
    )
    assert refused.status_code == 403


def test_bad_input_is_a_400_naming_the_field(leader: TestClient, flow_org: FlowOrg) -> None:
    team = flow_org.org.own_team_id
    token = form(leader, team)
    before = leader.get(f"/api/why/change/experiments?team={team}").json()["experiments"]
    bad = leader.post(
        f"/api/why/change/experiments?team={team}",
        json={"title": "t", "hypothesis": "h", "owner": flow_org.org.users["manager"],
              "starts_on": "2014-01-01", "metric": "cycle_time:p99"},
        headers={"X-CSRF-Token": token},
    )  # fmt: skip
    assert bad.status_code == 400 and "metric" in bad.json()["error"]["message"]
    outsider = leader.post(
        f"/api/why/change/experiments?team={team}",
        json={"title": "t", "hypothesis": "h", "owner": str(flow_org.org.other_person_id),
              "starts_on": "2014-01-01"},
        headers={"X-CSRF-Token": token},
    )  # fmt: skip
    assert outsider.status_code == 400 and "owner" in outsider.json()["error"]["message"]
    after = leader.get(f"/api/why/change/experiments?team={team}").json()["experiments"]
    assert len(after) == len(before)
    since = leader.get(f"/api/why/change/radar?team={team}&since=yesterday")
    assert since.status_code == 400 and "since" in since.json()["error"]["message"]


def test_radar_page_and_api(member: TestClient, flow_org: FlowOrg, tmp_path: Path) -> None:
    team = flow_org.org.own_team_id
    radar = member.get(f"/api/why/change/radar?team={team}").json()
    assert len(radar["repos"]) == 1
    rings = {r["dependency"]: r["ring"] for r in radar["rings"]}
    assert rings["typer"] == "established" and rings["fastapi"] == "dropped"
    assert [p["path"] for p in radar["problems"]] == ["Cargo.toml"]
    page = member.get(f"/why/change?team={team}").text
    assert 'id="chart-radar"' in page and "data-vega-chart=" in page
    assert "<td>typer</td>" in page and "Manifests skipped" in page
