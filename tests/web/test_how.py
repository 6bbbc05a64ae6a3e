"""The HOW panel and its JSON twins on a real workspace (the sepsis log, a small organisation)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tandem.flow import service as flow_service
from tandem.flow.bottlenecks import bottlenecks
from tandem.flow.dfg import performance_dfg
from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.flow.render import render_process_map
from tandem.flow.timing import item_facts
from tandem.web.app import create_app
from tandem.web.how.charts import duration
from tandem.web.how.sections import FORECAST_RUNS, FORECAST_SEED, HANDOFF_NAME, redact_people
from tests.web.conftest import sign_in_directly
from tests.web.how_fixtures import FlowOrg, alpha_filters, make_flow_org

API = ("summary", "bottlenecks", "dfg", "wip", "forecast")
# the sepsis log's last 90 days hold one identity's work ("?", nobody's in Alpha): a team's
# throughput and forecast over them are withheld, so the numbers are compared over a year
YEAR = {"from": "2014-01-01", "to": "2014-12-31"}


@dataclass(frozen=True)
class Setup:
    flow: FlowOrg
    app: FastAPI
    mapping: StatusMapping


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Setup:
    flow = make_flow_org(tmp_path_factory.mktemp("how") / "ws")
    mapping = StatusMapping.from_settings(flow.workspace.settings.flow)
    return Setup(flow, create_app(flow.workspace), mapping)


@pytest.fixture
def client_for(setup: Setup) -> Iterator[Any]:
    clients: list[TestClient] = []

    def make(role: str) -> TestClient:
        client = TestClient(setup.app)
        client.__enter__()
        clients.append(client)
        sign_in_directly(client, setup.flow.workspace, setup.flow.org.users[role])
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def service(setup: Setup, filters: Filters) -> dict[str, Any]:
    """The services' own answers for ``filters``, computed here without the web layer."""
    with FlowEngine(setup.flow.workspace.lake) as engine:
        panel = flow_service.flow_panel(engine=engine, filters=filters, mapping=setup.mapping)
        return {
            "summary": panel.summary,
            "bottlenecks": bottlenecks(engine, filters, limit=10).to_dict(),
            "dfg": performance_dfg(engine, filters).to_dict(),
            "wip": {"wip": panel.wip, "aging": panel.aging},
            "forecast": flow_service.forecast(
                engine=engine,
                filters=filters,
                mapping=setup.mapping,
                items=10,
                runs=FORECAST_RUNS,
                seed=FORECAST_SEED,
            ).report,
        }


def year_filters(setup: Setup) -> Filters:
    return dataclasses.replace(
        alpha_filters(setup.flow),
        start=dt.datetime(2014, 1, 1, tzinfo=dt.UTC),
        end=dt.datetime(2015, 1, 1, tzinfo=dt.UTC),
    )


@pytest.fixture(scope="module")
def expected(setup: Setup) -> dict[str, Any]:
    return service(setup, year_filters(setup))


@pytest.mark.parametrize("role", ["leader", "manager", "member"])
def test_team_roles_see_their_team_with_the_services_numbers(
    setup: Setup, client_for: Any, expected: dict[str, Any], role: str
) -> None:
    response = client_for(role).get("/how", params=YEAR)
    assert response.status_code == 200, response.text
    html = response.text
    assert "How we work: team Alpha" in html
    cycle = expected["summary"]["cycle_time"]
    assert cycle["n"] > 0 and cycle["p85_seconds"] is not None
    row = re.search(r'<tr data-measure="cycle_time">(.*?)</tr>', html, re.S)
    assert row and f'data-p85="{cycle["p85_seconds"]}"' in row.group(1)
    assert duration(cycle["p85_seconds"]) in row.group(1)
    top = redact_people(expected["bottlenecks"])["bottlenecks"][0]["name"]
    first = re.search(r'class="bottleneck-name">([^<]*)<', html)
    assert first and first.group(1) == top.replace(">", "&gt;")
    p85 = expected["forecast"]["percentiles"]["p85"]
    forecast_row = re.search(r'<tr data-percentile="p85">(.*?)</tr>', html, re.S)
    assert forecast_row and p85["date"] in forecast_row.group(1)
    assert "<svg" in html and "<?xml" not in html  # the process map, inlined
    for chart in ("chart-throughput", "chart-aging"):
        assert re.search(rf'id="{chart}"[^>]* data-vega-chart="\{{&#34;\$schema', html), chart


def test_json_twins_equal_the_services(
    setup: Setup, client_for: Any, expected: dict[str, Any]
) -> None:
    client = client_for("manager")
    for name in API:
        response = client.get(f"/api/how/{name}", params=YEAR)
        assert response.status_code == 200, (name, response.text)
        want = redact_people(expected[name]) if name == "bottlenecks" else expected[name]
        assert response.json() == want, name
    svg = client.get("/api/how/map.svg", params=YEAR)
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text == render_process_map(expected["dfg"], colour="performance", max_edges=40).svg


def test_throughput_and_forecast_over_a_one_person_window_are_withheld_alone(
    setup: Setup, client_for: Any
) -> None:
    """Without a start, throughput and the forecast read the 90 days before the log's end; for
    Alpha those hold nobody's work, so they alone are withheld, with the service's reason."""
    with FlowEngine(setup.flow.workspace.lake) as engine:
        panel = flow_service.flow_panel(
            engine=engine, filters=alpha_filters(setup.flow), mapping=setup.mapping
        )
    reason = panel.throughput_withheld
    assert reason is not None and reason.startswith(
        "withheld: the work of team Alpha in throughput's window (2015-03-08 to 2015-06-05) "
        "comes from fewer than 5 people; team flow is shown from 5 people on"
    )
    client = client_for("leader")
    summary = client.get("/api/how/summary").json()
    assert summary == panel.summary and summary["throughput"]["withheld"] == reason
    assert summary["people"] == 7 and summary["cycle_time"]["n"] > 0  # the rest is shown
    forecast = client.get("/api/how/forecast")
    assert forecast.status_code == 409
    assert forecast.json()["error"]["code"] == "too_few_people"
    assert forecast.json()["error"]["message"].startswith(
        "withheld: the work of team Alpha in the forecast's history (2015-03-08 to 2015-06-05) "
        "comes from fewer than 5 people"
    )
    html = client.get("/how").text
    throughput = re.search(r'<dd id="throughput">(.*?)</dd>', html, re.S)
    assert (
        throughput
        and "in throughput&#39;s window (2015-03-08 to 2015-06-05)" in throughput.group(1)
    )
    assert 'id="chart-throughput"' not in html and 'id="chart-aging"' in html
    assert 'data-measure="cycle_time"' in html
    section = re.search(r'<section[^>]* id="forecast".*?</section>', html, re.S)
    assert section and "the forecast&#39;s history (2015-03-08 to 2015-06-05)" in section.group(0)
    assert 'id="forecast-table"' not in section.group(0)


def test_handoffs_are_shown_without_names(setup: Setup, client_for: Any) -> None:
    report = client_for("director").get("/api/how/bottlenecks?team=all").json()
    handoffs = [b for b in report["bottlenecks"] if b["kind"] == "handoff"]
    assert all(b["name"] == HANDOFF_NAME for b in handoffs)
    assert all("from_resource" not in b["evidence"] for b in handoffs)
    assert "account:sepsis" not in str(report)


def test_filters_change_the_answer(setup: Setup, client_for: Any) -> None:
    client = client_for("manager")
    window = {"from": "2014-01-01", "to": "2014-06-30"}
    got = client.get("/api/how/summary", params=window).json()
    start = dt.datetime(2014, 1, 1, tzinfo=dt.UTC)
    filters = dataclasses.replace(
        alpha_filters(setup.flow), start=start, end=dt.datetime(2014, 7, 1, tzinfo=dt.UTC)
    )
    with FlowEngine(setup.flow.workspace.lake) as engine:
        want = flow_service.flow_panel(engine=engine, filters=filters, mapping=setup.mapping)
    assert got == want.summary
    assert got["items"]["n"] < client.get("/api/how/summary").json()["items"]["n"]
    page = client.get("/how", params={**window, "items": "25"}).text
    assert 'value="2014-01-01"' in page and "25 more items" in page
    # a filter that selects nobody's work: nothing rests on 5 people, nothing is shown
    other_source = client.get("/api/how/summary", params={"source": "nothing-here"})
    assert other_source.status_code == 409
    assert "comes from fewer than 5 people" in other_source.json()["error"]["message"]
    assert (
        "comes from fewer than 5 people"
        in client.get("/how", params={"source": "nothing-here"}).text
    )


def test_forecast_items_field(setup: Setup, client_for: Any) -> None:
    got = client_for("leader").get("/api/how/forecast", params={**YEAR, "items": 40}).json()
    assert got["items"] == 40 and got["seed"] == FORECAST_SEED
    bad = client_for("leader").get("/api/how/forecast", params={**YEAR, "items": 0})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "items"


@pytest.mark.parametrize("role", ["leader", "manager", "member"])
def test_another_teams_panel_is_refused(setup: Setup, client_for: Any, role: str) -> None:
    client = client_for(role)
    for team in (setup.flow.org.other_team_id, "all"):
        assert client.get("/how", params={"team": team}).status_code == 403
        for name in (*API, "map.svg"):
            response = client.get(f"/api/how/{name}", params={"team": team})
            assert response.status_code == 403
            assert response.json()["error"]["code"] == "forbidden"


def test_admin_has_no_how_panel(client_for: Any) -> None:
    client = client_for("admin")
    assert client.get("/how").status_code == 403
    assert client.get("/api/how/summary").json()["error"]["code"] == "forbidden"


def test_director_picks_any_team_or_all_work_data(setup: Setup, client_for: Any) -> None:
    client = client_for("director")
    page = client.get("/how").text
    assert "How we work: all work data" in page and '<option value="all" selected>' in page
    alpha = client.get("/api/how/summary", params={"team": setup.flow.org.own_team_id}).json()
    assert alpha == client_for("manager").get("/api/how/summary").json()
    everything = client.get("/api/how/dfg", params={"team": "all"}).json()
    assert everything["events"] == 15214
    # a team selects whole items: Alpha's people worked on every sepsis case, so all events
    alpha_dfg = client.get("/api/how/dfg", params={"team": setup.flow.org.own_team_id}).json()
    assert alpha_dfg["events"] == everything["events"] and alpha_dfg["cases"] == 1050
    assert client.get("/how", params={"team": 999}).status_code == 404
    assert client.get("/api/how/summary", params={"team": "x"}).status_code == 400


def test_teams_without_enough_people_in_the_work_data_say_so(setup: Setup, client_for: Any) -> None:
    client = client_for("director")
    gamma = client.get("/how", params={"team": setup.flow.gamma_team_id}).text
    assert "Nobody in team Gamma is linked to an identity" in gamma
    assert 'href="/how?team=all"' in gamma  # directors may see all work data
    beta = client.get("/how", params={"team": setup.flow.org.other_team_id}).text
    assert "Only 2 of team Beta" in beta
    refused = client.get("/api/how/summary", params={"team": setup.flow.gamma_team_id})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "no_team_work_data"


def test_repeat_requests_are_served_from_the_cache(setup: Setup) -> None:
    app = create_app(setup.flow.workspace)  # a fresh app: an empty cache
    with TestClient(app) as client:
        sign_in_directly(client, setup.flow.workspace, setup.flow.org.users["member"])

        def everything() -> None:
            assert client.get("/how").status_code == 200
            assert client.get("/").status_code == 200
            for name in (*API, "map.svg"):
                assert client.get(f"/api/how/{name}", params=YEAR).status_code == 200

        everything()
        first = app.state.flow_cache.stats
        assert first.computations > 0 and first.entries == first.computations
        for _ in range(3):
            everything()
        again = app.state.flow_cache.stats
    assert again.computations == first.computations  # no flow work the second time
    assert again.hits > first.hits


def test_the_pages_are_in_the_openapi_document(client_for: Any) -> None:
    paths = client_for("member").get("/api/openapi.json").json()["paths"]
    for name in (*API, "map.svg"):
        assert f"/api/how/{name}" in paths
    assert "/api/home" in paths


def one_person_day(setup: Setup) -> dt.date:
    """A day on which exactly one of team Alpha's people worked (the log has many)."""
    filters = alpha_filters(setup.flow)
    with FlowEngine(setup.flow.workspace.lake) as engine:
        events = engine.events()
        mine = events.filter(events.resource.isin(list(filters.teams["Alpha"])))
        days = (
            mine.mutate(day=mine.timestamp.date(), person=mine.resource)
            .group_by("day")
            .aggregate(people=lambda t: t.person.nunique())
            .filter(lambda t: t.people == 1)
            .order_by("day")
            .limit(1)
            .to_pyarrow()
            .to_pylist()
        )
    day: dt.date = days[0]["day"]
    return day


def test_a_one_day_window_of_one_persons_work_is_withheld(setup: Setup, client_for: Any) -> None:
    day = one_person_day(setup).isoformat()
    window = {"from": day, "to": day}
    client = client_for("leader")
    for name in (*API, "map.svg"):
        refused = client.get(f"/api/how/{name}", params=window)
        assert refused.status_code == 409, name
        error = refused.json()["error"]
        assert error["code"] == "too_few_people"
        assert error["message"].startswith(
            "withheld: the work of team Alpha in this selection comes from fewer than 5 "
            "people; team flow is shown from 5 people on"
        )
    page = client.get("/how", params=window)
    assert page.status_code == 200
    assert (
        "Withheld: the work of team Alpha in this selection comes from fewer than 5 people"
        in page.text
    )
    assert 'data-measure="cycle_time"' not in page.text  # no figure at all
    # the same team over the whole log rests on its seven people
    assert client.get("/api/how/summary").json()["people"] == 7


def test_the_leaders_home_lists_no_item_closed_in_the_log(setup: Setup, client_for: Any) -> None:
    home = client_for("leader").get("/api/home")
    assert home.status_code == 200, home.text
    flow = home.json()["attention"]["flow"]
    assert flow["shown"] and flow["reason"] is None
    with FlowEngine(setup.flow.workspace.lake) as engine:
        whole_log = {i.case_id: i for i in item_facts(engine, Filters(), setup.mapping)}
    listed = [item["case_id"] for item in flow["oldest"]]
    assert listed, "the sepsis log has open items past their stage's P85"
    for case in listed:
        assert whole_log[case].status == "open", case  # never an item another team closed
