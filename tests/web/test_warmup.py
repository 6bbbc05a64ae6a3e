"""The start-up warm-up asks what pages ask first, with their keys: then pages compute nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from tandem.db.session import session_scope
from tandem.review import service as review_service
from tandem.web.app import create_app
from tandem.web.review_cache import review_cache
from tandem.web.warmup import warm_caches
from tandem.why.goals import service as goals_service
from tandem.why.goals.metrics import parse_spec
from tests.web.conftest import sign_in_directly
from tests.web.how_fixtures import FlowOrg, make_flow_org


@pytest.fixture(scope="module")
def flow_org(tmp_path_factory: pytest.TempPathFactory) -> FlowOrg:
    flow = make_flow_org(tmp_path_factory.mktemp("warm") / "ws")
    with session_scope(flow.workspace.engine) as session:
        review_service.create_cycle(session=session, name="2026-h1")
    return flow


@pytest.mark.parametrize("role", ["leader", "director"])
def test_after_the_warm_up_home_and_how_compute_nothing(flow_org: FlowOrg, role: str) -> None:
    app = create_app(flow_org.workspace)
    report = warm_caches(app)
    assert report.errors == {}
    assert "team Alpha" in report.scopes and "all work data" in report.scopes
    assert report.cycle == "2026-h1"
    assert review_cache(app).stats.computations == 1
    computed = app.state.flow_cache.stats.computations
    with TestClient(app) as client:
        sign_in_directly(client, flow_org.workspace, flow_org.org.users[role])
        assert client.get("/").status_code == 200
        home = client.get("/api/home").json()
        assert home["attention"]["flow"]["bottlenecks"]
        assert client.get("/how").status_code == 200
    # the page's own JSON-free memos (charts) are all that is left to compute
    fresh = app.state.flow_cache.stats.computations - computed
    assert fresh <= 2
    assert review_cache(app).stats.computations == 1


def test_a_team_without_work_data_is_skipped(flow_org: FlowOrg) -> None:
    report = warm_caches(create_app(flow_org.workspace))
    assert any("Beta" in label or "Gamma" in label for label in report.skipped)


def test_after_the_warm_up_the_goals_page_measures_nothing(flow_org: FlowOrg) -> None:
    workspace = flow_org.workspace
    last = dt.date(2014, 10, 31)  # Alpha's work in the sepsis log (tests/why/test_goal_progress)
    with session_scope(workspace.engine) as session:
        goal = goals_service.add_goal(
            session=session, team="Alpha", title="Warm", starts_on=last - dt.timedelta(days=40),
            ends_on=last,
        )  # fmt: skip
        goals_service.add_key_result(
            session=session, workspace=workspace, team="Alpha", goal_id=goal.id, title="cycle",
            target=1.0, baseline=9.0, metric=parse_spec("cycle_time:p85,window=90"),
        )  # fmt: skip
    app = create_app(workspace)
    report = warm_caches(app)
    assert report.errors == {}
    computed = app.state.flow_cache.stats.computations
    with TestClient(app) as client:
        sign_in_directly(client, workspace, flow_org.org.users["leader"])
        answer = client.get("/api/why/goals").json()
    (shown,) = [g for g in answer["goals"] if g["goal"]["id"] == goal.id]
    (kr,) = shown["key_results"]
    assert len(kr["history"]) >= 6 and kr["value"] is not None  # a week per point, measured
    assert app.state.flow_cache.stats.computations == computed  # every measure was warmed
