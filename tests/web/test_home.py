"""Home: the team's duo and what needs attention, per role, on a real workspace."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tandem.db.session import session_scope
from tandem.review import service as review_service
from tandem.web.app import create_app
from tandem.web.how.sections import FlowContext, bottleneck_report, wip
from tests.web.conftest import sign_in_directly
from tests.web.how_fixtures import FlowOrg, alpha_filters, make_flow_org


@pytest.fixture(scope="module")
def flow_org(tmp_path_factory: pytest.TempPathFactory) -> FlowOrg:
    flow = make_flow_org(tmp_path_factory.mktemp("home") / "ws")
    with session_scope(flow.workspace.engine) as session:
        review_service.create_cycle(session=session, name="2026-h1")
        review_service.assign_rater(
            session=session,
            cycle="2026-h1",
            ratee=str(flow.org.person_ids["leader"]),
            rater=str(flow.org.person_ids["member"]),
            relation="peer",
        )
    return flow


@pytest.fixture(scope="module")
def app(flow_org: FlowOrg):  # type: ignore[no-untyped-def]
    return create_app(flow_org.workspace)


def client(app, flow_org: FlowOrg, role: str) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as signed:
        sign_in_directly(signed, flow_org.workspace, flow_org.org.users[role])
        yield signed


def home(app, flow_org: FlowOrg, role: str) -> tuple[str, dict]:  # type: ignore[no-untyped-def,type-arg]
    for signed in client(app, flow_org, role):
        page = signed.get("/")
        assert page.status_code == 200, page.text
        data = signed.get("/api/home")
        assert data.status_code == 200
        return page.text, data.json()
    raise AssertionError


def test_team_roles_see_their_teams_bottlenecks_and_oldest_wip(app, flow_org: FlowOrg) -> None:  # type: ignore[no-untyped-def]
    ctx = FlowContext.open(app, flow_org.workspace, alpha_filters(flow_org))
    top = [b["name"] for b in bottleneck_report(ctx)["bottlenecks"][:3]]
    over = [i["case_id"] for i in wip(ctx)["aging"]["items"] if i["zone"] == ">P85"][:5]
    assert len(top) == 3 and over
    for role in ("leader", "manager", "member"):
        html, data = home(app, flow_org, role)
        flow = data["attention"]["flow"]
        assert flow["scope"] == "team Alpha"
        assert [b["name"] for b in flow["bottlenecks"]] == top
        assert [i["case_id"] for i in flow["oldest"]] == over
        assert f'<a href="/how#aging">{over[0]}</a>' in html
        assert data["duo"]["reason"] == "no review cycle is closed yet"


def test_pending_ratings_are_listed_for_the_rater_only(app, flow_org: FlowOrg) -> None:  # type: ignore[no-untyped-def]
    html, data = home(app, flow_org, "member")
    leader = flow_org.org.person_ids["leader"]
    assert [r["ratee_id"] for r in data["attention"]["ratings"]] == [leader]
    assert f'href="/people/rate/{leader}?cycle=2026-h1"' in html
    assert home(app, flow_org, "manager")[1]["attention"]["ratings"] == []


def test_admins_see_no_flow_and_directors_see_all_work_data(app, flow_org: FlowOrg) -> None:  # type: ignore[no-untyped-def]
    html, data = home(app, flow_org, "admin")
    assert data["attention"]["flow"]["shown"] is False
    assert "Bottlenecks" not in html
    _, director = home(app, flow_org, "director")
    assert director["attention"]["flow"]["scope"] == "all work data"
    assert len(director["attention"]["flow"]["bottlenecks"]) == 3


def test_home_is_served_from_the_cache_after_the_first_time(app, flow_org: FlowOrg) -> None:  # type: ignore[no-untyped-def]
    home(app, flow_org, "leader")
    before = app.state.flow_cache.stats.computations
    home(app, flow_org, "manager")
    assert app.state.flow_cache.stats.computations == before
