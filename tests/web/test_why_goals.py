"""``/why`` and ``/api/why/goals``: the service's one answer on the page and in JSON; the forms
for the team's leader and manager only (CSRF, 303 back, 400 with the message); who may read.

Privacy: a member of another team is refused (403) on page, API and forms; a director reads
any team but writes none; a member reads their team but writes nothing; a team below five
people shows withheld values with the reason, never a number.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tandem.accounts import service as accounts_service
from tandem.db.session import session_scope
from tandem.web.app import create_app
from tandem.why.goals import service
from tandem.why.goals.metrics import parse_spec
from tests.web.conftest import sign_in_directly
from tests.web.how_fixtures import FlowOrg, make_flow_org

OUTSIDER = "beta-member@example.org"


@dataclasses.dataclass(frozen=True)
class Setup:
    flow: FlowOrg
    app: Any
    goal_id: int
    metric_kr: int
    manual_kr: int


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Setup:
    flow = make_flow_org(tmp_path_factory.mktemp("why-goals") / "ws")
    workspace = flow.workspace
    with session_scope(workspace.engine) as session:
        accounts_service.add_user(
            session=session, email=OUTSIDER, password="correct horse battery", role="member",
            team="Beta",
        )  # fmt: skip
        service.set_vision(
            session=session, team="Alpha", statement="Calm care", postcard="We made it."
        )
        goal = service.add_goal(
            session=session, team="Alpha", title="Faster care", starts_on="2014-10-10",
            ends_on="2014-10-31", target_share=0.5,
        )  # fmt: skip
        metric = service.add_key_result(
            session=session, workspace=workspace, team="Alpha", goal_id=goal.id,
            title="Lead P50", target=5, metric=parse_spec("lead_time:p50,window=90"),
        )  # fmt: skip
        manual = service.add_key_result(
            session=session, workspace=workspace, team="Alpha", goal_id=goal.id,
            title="Interviews", target=10, baseline=0, direction="up", unit="people",
        )  # fmt: skip
        beta = service.add_goal(
            session=session, team="Beta", title="Small team", starts_on="2014-10-10",
            ends_on="2014-10-31",
        )  # fmt: skip
        service.add_key_result(
            session=session, workspace=workspace, team="Beta", goal_id=beta.id,
            title="Beta lead", target=5, baseline=9, metric=parse_spec("lead_time:p50,window=90"),
        )  # fmt: skip
    return Setup(flow, create_app(workspace), goal.id, metric.id, manual.id)


@pytest.fixture
def client_for(setup: Setup) -> Iterator[Any]:
    clients: list[TestClient] = []

    def make(email: str) -> tuple[TestClient, str]:
        client = TestClient(setup.app)
        client.__enter__()
        clients.append(client)
        token = sign_in_directly(client, setup.flow.workspace, email)
        return client, token

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def user(setup: Setup, role: str) -> str:
    return setup.flow.org.users[role]


def alpha(setup: Setup) -> str:
    return f"?team={setup.flow.org.own_team_id}"


def test_the_page_and_the_api_show_the_services_answer(setup: Setup, client_for: Any) -> None:
    client, _ = client_for(user(setup, "leader"))
    data = client.get(f"/api/why/goals{alpha(setup)}").json()
    with session_scope(setup.flow.workspace.engine) as session:
        expected = service.team_goals(session=session, workspace=setup.flow.workspace, team="Alpha")
    assert data == json.loads(expected.model_dump_json())
    (goal,) = data["goals"]
    kr = {k["title"]: k for k in goal["key_results"]}["Lead P50"]
    assert kr["value"] is not None and len(kr["history"]) == 4
    page = client.get(f"/why{alpha(setup)}")
    assert page.status_code == 200
    assert "Calm care" in page.text and "We made it." in page.text and "Faster care" in page.text
    shown = re.search(rf'data-kr-value="{setup.metric_kr}">([^<]+)<', page.text)
    (measured,) = [k for g in expected.goals for k in g.key_results if k.id == setup.metric_kr]
    assert measured.value is not None and measured.unit == "days"
    # the service's value, rounded to 2 decimals (trailing zeros dropped), then the unit
    assert shown is not None
    assert shown.group(1) == f"{measured.value:,.2f}".rstrip("0").rstrip(".") + " days"
    chart = re.search(r'data-vega-chart="([^"]+)"', page.text)
    assert chart is not None
    spec = json.loads(chart.group(1).replace("&#34;", '"').replace("&quot;", '"'))
    assert [p["value"] for p in spec["layer"][0]["data"]["values"]] == [
        p["value"] for p in kr["history"]
    ]
    assert 'aria-current="page"' in page.text and 'action="/why/goals?team=' in page.text


def test_a_team_below_five_people_shows_withheld_values(setup: Setup, client_for: Any) -> None:
    client, _ = client_for(user(setup, "director"))
    beta = f"?team={setup.flow.org.other_team_id}"
    data = client.get(f"/api/why/goals{beta}").json()
    (kr,) = data["goals"][0]["key_results"]
    assert kr["value"] is None and kr["progress"] is None and "withheld" in kr["withheld"]
    assert all(p["value"] is None for p in kr["history"])
    page = client.get(f"/why{beta}")
    assert page.status_code == 200 and "withheld:" in page.text
    assert "data-vega-chart" not in page.text


@pytest.mark.parametrize("role", ["leader", "manager"])
def test_the_pair_sets_the_vision_adds_goals_key_results_and_checks_in(
    setup: Setup, client_for: Any, role: str
) -> None:
    client, token = client_for(user(setup, role))
    team = alpha(setup)
    done = client.post(
        f"/why/key-results/{setup.manual_kr}/check-ins{team}",
        data={"csrf_token": token, "confidence": "7", "value": "3", "note": f"by {role}"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"].startswith(f"/why{team}")
    page = client.get(f"/why{team}").text
    assert f"by {role}" in page
    bad = client.post(
        f"/why/key-results/{setup.metric_kr}/check-ins{team}",
        data={"csrf_token": token, "confidence": "7", "value": "3"},
        follow_redirects=False,
    )
    assert bad.status_code == 400 and "comes from the lake" in bad.text
    bad = client.post(
        f"/why/goals{team}",
        data={
            "csrf_token": token,
            "title": "Too much",
            "starts_on": "2014-01-01",
            "ends_on": "2014-02-01",
            "target_share": "0.6",
        },
        follow_redirects=False,
    )
    assert bad.status_code == 400 and "target_share" in bad.text
    refused = client.post(
        f"/why/vision{team}", data={"statement": "no token"}, follow_redirects=False
    )
    assert refused.status_code == 403
    made = client.post(
        f"/api/why/goals/{setup.goal_id}/key-results{team}",
        json={"title": f"{role} KR", "target": 2, "baseline": 9, "direction": "down"},
        headers={"X-CSRF-Token": token},
    )
    assert made.status_code == 200 and made.json()["kind"] == "manual"
    checked = client.post(
        f"/api/why/key-results/{made.json()['id']}/check-ins{team}",
        json={"confidence": 11},
        headers={"X-CSRF-Token": token},
    )
    assert checked.status_code == 400 and "confidence" in checked.text


@pytest.mark.parametrize("role", ["director", "member"])
def test_readers_may_read_but_not_write(setup: Setup, client_for: Any, role: str) -> None:
    client, token = client_for(user(setup, role))
    team = alpha(setup)
    assert client.get(f"/why{team}").status_code == 200
    page = client.get(f"/why{team}").text
    assert 'action="/why/' not in page  # no forms for readers
    assert client.get(f"/api/why/goals{team}").status_code == 200
    writes = [
        (f"/why/vision{team}", {"statement": "mine"}),
        (
            f"/why/goals{team}",
            {"title": "mine", "starts_on": "2014-01-01", "ends_on": "2014-02-01"},
        ),
        (f"/why/key-results/{setup.manual_kr}/check-ins{team}", {"confidence": "5"}),
        (f"/why/goals/{setup.goal_id}/status{team}", {"status": "dropped"}),
    ]
    for path, form in writes:
        answer = client.post(path, data={"csrf_token": token, **form}, follow_redirects=False)
        assert answer.status_code == 403, path
    answer = client.post(
        f"/api/why/vision{team}", json={"statement": "mine"}, headers={"X-CSRF-Token": token}
    )
    assert answer.status_code == 403
    with session_scope(setup.flow.workspace.engine) as session:
        vision = service.show_vision(session=session, team="Alpha")
    assert vision is not None and vision.statement == "Calm care"


def test_another_teams_member_is_refused(setup: Setup, client_for: Any) -> None:
    client, token = client_for(OUTSIDER)
    team = alpha(setup)
    assert client.get(f"/why{team}").status_code == 403
    assert client.get(f"/api/why/goals{team}").status_code == 403
    answer = client.post(
        f"/why/key-results/{setup.manual_kr}/check-ins{team}",
        data={"csrf_token": token, "confidence": "5"},
        follow_redirects=False,
    )
    assert answer.status_code == 403
    # their own team's guard passes, but Alpha's key result is not Beta's
    own = f"?team={setup.flow.org.other_team_id}"
    assert client.get(f"/api/why/goals{own}").status_code == 200
    answer = client.post(
        f"/why/key-results/{setup.manual_kr}/check-ins{own}",
        data={"csrf_token": token, "confidence": "5"},
        follow_redirects=False,
    )
    assert answer.status_code == 403  # a member may not write even for their own team
