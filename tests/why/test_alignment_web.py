"""``/why/alignment`` and its JSON twins: who sees and who writes, on the recorded Jira lake."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from tandem.accounts import service as accounts_service
from tandem.db.session import session_scope
from tandem.flow.engine import FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.people.models import Team
from tandem.web.app import create_app
from tandem.web.how.sections import flow_cache
from tandem.why.alignment import encoders, minilm
from tandem.why.alignment.investment import investment_balance
from tandem.why.alignment.models import AlignmentLink, AlignmentRule
from tandem.why.goals.models import Goal
from tandem.workspace import Workspace
from tests.helpers import new_workspace
from tests.web.conftest import PASSWORD, Org, csrf_from, make_org, sign_in_directly
from tests.why.alignment_fixtures import JiraLake, build_lake, copy_lake, make_teams

OUTSIDER = "beta-member@example.org"


@dataclass(frozen=True)
class Setup:
    workspace: Workspace
    org: Org
    app: FastAPI
    jira: JiraLake
    goal_id: int
    beta_goal_id: int


@pytest.fixture(scope="module")
def jira(tmp_path_factory: pytest.TempPathFactory) -> JiraLake:
    return build_lake(tmp_path_factory.mktemp("jira") / "lake")


@pytest.fixture
def setup(tmp_path: Path, jira: JiraLake) -> Setup:
    workspace = new_workspace(tmp_path / "ws")
    copy_lake(jira, workspace.lake.root)
    workspace = Workspace.open(tmp_path / "ws")
    org = make_org(workspace)
    with session_scope(workspace.engine) as session:
        alpha = session.get(Team, org.own_team_id)
        beta = session.get(Team, org.other_team_id)
        extra = tuple(org.person_ids[r] for r in ("leader", "manager", "member"))
        make_teams(session, workspace.lake, alpha=alpha, beta=beta, extra_alpha=extra)
        period = {"starts_on": dt.date(2020, 1, 1), "ends_on": dt.date(2022, 12, 31)}
        goal = Goal(team_id=org.own_team_id, title="Faster webpack builds", target_share=0.5,
                    why="builds are slow", **period)  # fmt: skip
        theirs = Goal(team_id=org.other_team_id, title="Beta goal", **period)
        session.add_all([goal, theirs])
        session.flush()
        session.add(AlignmentRule(goal_id=goal.id, kind="label", pattern="Saas"))
        accounts_service.add_user(session=session, email=OUTSIDER, password=PASSWORD,
                                  role="member", team="Beta")  # fmt: skip
        ids = goal.id, theirs.id
    return Setup(workspace, org, create_app(workspace), jira, *ids)


@pytest.fixture
def client_for(setup: Setup) -> Iterator[Any]:
    clients: list[TestClient] = []

    def make(email: str) -> TestClient:
        client = TestClient(setup.app)
        client.__enter__()
        clients.append(client)
        sign_in_directly(client, setup.workspace, email)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def _rows(setup: Setup) -> tuple[int, int]:
    with session_scope(setup.workspace.engine) as session:
        rules = len(session.scalars(select(AlignmentRule)).all())
        links = len(session.scalars(select(AlignmentLink)).all())
    return rules, links


def test_the_page_and_its_twin_show_the_services_balance(setup: Setup, client_for: Any) -> None:
    leader = client_for(setup.org.users["leader"])
    page = leader.get("/why/alignment")
    assert page.status_code == 200
    assert "Investment balance" in page.text and "unaligned" in page.text
    assert 'data-vega-chart="' in page.text and "rule 1: label = Saas" in page.text
    assert 'action="/why/alignment/decisions' in page.text  # the leader may decide
    twin = leader.get("/api/why/alignment/balance").json()
    with session_scope(setup.workspace.engine) as session, FlowEngine(setup.workspace.lake) as e:
        expected = investment_balance(
            session=session, engine=e, team_id=setup.org.own_team_id,
            mapping=StatusMapping.from_settings(setup.workspace.settings.flow),
        )  # fmt: skip
    assert twin == expected.model_dump(mode="json")
    assert [r["title"] for r in twin["rows"]] == ["Faster webpack builds", "unaligned"]
    assert sum(round(r["percent"] * 10) for r in twin["rows"]) == 1000
    suggestions = leader.get("/api/why/alignment/suggestions").json()["suggestions"]
    assert any(s["external_key"] == "EE-16" and "webpack" in s["words"] for s in suggestions)


def test_the_page_reads_the_items_once_per_lake_generation(setup: Setup, client_for: Any) -> None:
    leader = client_for(setup.org.users["leader"])
    cache = flow_cache(setup.app)
    before = cache.stats.computations
    assert leader.get("/why/alignment").status_code == 200
    stats = cache.stats
    assert stats.computations - before == 1  # the balance and the suggestions: one read
    suggestions = leader.get("/api/why/alignment/suggestions").json()
    balance = leader.get("/api/why/alignment/balance").json()
    assert cache.stats.computations == stats.computations  # no new read
    assert suggestions["suggestions"] and balance["items"]
    # a new lake generation reads again (an ingest changes the items)
    manifest = setup.workspace.lake.manifest()
    manifest.generation += 1
    setup.workspace.lake.write_manifest(manifest)
    assert leader.get("/api/why/alignment/balance").status_code == 200
    assert cache.stats.computations == stats.computations + 1


def test_a_leader_accepts_a_suggestion_with_the_form(setup: Setup, client_for: Any) -> None:
    leader = client_for(setup.org.users["leader"])
    token = csrf_from(leader.get("/why/alignment").text)
    item = setup.jira.oid("EE-16")
    data = {"csrf_token": token, "goal_id": str(setup.goal_id), "object_id": item,
            "decision": "accepted"}  # fmt: skip
    done = leader.post("/why/alignment/decisions", data=data, follow_redirects=False)
    assert done.status_code == 303
    with session_scope(setup.workspace.engine) as session:
        link = session.scalars(select(AlignmentLink)).one()
        assert (link.object_id, link.decision, link.origin) == (item, "accepted", "suggestion")
        assert link.decided_by_id == setup.org.person_ids["leader"]
    after = leader.get("/api/why/alignment/suggestions").json()["suggestions"]
    assert all(s["object_id"] != item for s in after)


def test_members_read_but_never_write_and_other_teams_are_refused(
    setup: Setup, client_for: Any
) -> None:
    member = client_for(setup.org.users["member"])
    page = member.get("/why/alignment")
    assert page.status_code == 200 and 'action="/why/alignment/decisions' not in page.text
    token = csrf_from(page.text)
    headers = {"X-CSRF-Token": token}
    rule = {"goal_id": setup.goal_id, "kind": "label", "pattern": "x"}
    assert member.post("/api/why/alignment/rules", json=rule, headers=headers).status_code == 403
    decision = {"goal_id": setup.goal_id, "object_id": setup.jira.oid("EE-2"),
                "decision": "rejected"}  # fmt: skip
    assert member.post("/api/why/alignment/decisions", json=decision,
                       headers=headers).status_code == 403  # fmt: skip
    assert _rows(setup) == (1, 0)
    outsider = client_for(OUTSIDER)
    alpha = f"?team={setup.org.own_team_id}"
    for path in ("/why/alignment", "/api/why/alignment/balance", "/api/why/alignment/rules",
                 "/api/why/alignment/suggestions"):  # fmt: skip
        assert outsider.get(path + alpha).status_code == 403, path
    # a leader cannot write to another team's goals either
    leader = client_for(setup.org.users["leader"])
    headers = {"X-CSRF-Token": csrf_from(leader.get("/why/alignment").text)}
    beta = f"?team={setup.org.other_team_id}"
    rule = {"goal_id": setup.beta_goal_id, "kind": "label", "pattern": "x"}
    assert leader.post("/api/why/alignment/rules" + beta, json=rule,
                       headers=headers).status_code == 403  # fmt: skip
    # and naming its own team with another team's goal finds nothing
    assert leader.post("/api/why/alignment/rules", json=rule, headers=headers).status_code == 404
    assert _rows(setup) == (1, 0)


def test_bad_input_is_a_400_naming_the_field(setup: Setup, client_for: Any) -> None:
    leader = client_for(setup.org.users["leader"])
    headers = {"X-CSRF-Token": csrf_from(leader.get("/why/alignment").text)}
    rule = {"goal_id": setup.goal_id, "kind": "path", "pattern": "src/[a"}
    bad = leader.post("/api/why/alignment/rules", headers=headers, json=rule)
    assert bad.status_code == 400 and "pattern" in bad.text
    rule = {"goal_id": setup.goal_id, "kind": "keyword", "pattern": "  "}
    empty = leader.post("/api/why/alignment/rules", headers=headers, json=rule)
    assert empty.status_code == 400
    unknown = leader.post("/api/why/alignment/rules", headers=headers,
                          json={"goal_id": 9999, "kind": "label", "pattern": "x"})  # fmt: skip
    assert unknown.status_code == 404
    window = leader.get("/api/why/alignment/balance?from=2022-01-01&to=2021-01-01")
    assert window.status_code == 400
    assert leader.get("/api/why/alignment/balance?from=yesterday").status_code == 400
    assert _rows(setup) == (1, 0)


def test_a_director_sees_a_small_team_withheld(setup: Setup, client_for: Any) -> None:
    director = client_for(setup.org.users["director"])
    beta = f"?team={setup.org.other_team_id}"
    answer = director.get("/api/why/alignment/balance" + beta).json()
    assert answer["withheld"] and answer["rows"] == [] and answer["total_effort"] is None
    # no count of the few people: not in the JSON, not in the reason, not on the page
    assert answer["people"] is None and answer["items"] is None
    assert re.search(r"\b[0-4] (person|people)\b", answer["withheld"]) is None
    page = director.get("/why/alignment" + beta)
    assert (
        page.status_code == 200 and "withheld" in page.text and "data-vega-chart" not in page.text
    )
    assert "fewer than 5 people" in page.text
    assert re.search(r"\b[0-4] (person|people)\b", page.text) is None


def test_a_window_under_seven_days_is_a_400_naming_from(setup: Setup, client_for: Any) -> None:
    leader = client_for(setup.org.users["leader"])
    narrow = "from=2022-07-01&to=2022-07-07"  # [1 July, 7 July): 6 days
    for path in ("/api/why/alignment/balance", "/api/why/alignment/suggestions",
                 "/why/alignment"):  # fmt: skip
        refused = leader.get(f"{path}?{narrow}")
        assert refused.status_code == 400, path
        assert "at least 7 days" in refused.text
    assert leader.get(f"/api/why/alignment/balance?{narrow}").json()["error"]["field"] == "from"
    week = leader.get("/api/why/alignment/balance?from=2022-07-01&to=2022-07-08")
    assert week.status_code == 200


def test_a_window_past_the_calendar_or_too_long_is_a_400(setup: Setup, client_for: Any) -> None:
    leader = client_for(setup.org.users["leader"])
    for query in ("from=0001-01-01", "to=9999-12-31", "from=" + "2024-01-01" * 10):
        answer = leader.get(f"/api/why/alignment/balance?{query}")
        assert answer.status_code == 400, query
        assert answer.json()["error"]["field"] in ("from", "to")


def test_the_workspace_setting_picks_the_encoder_and_the_page_names_it(
    setup: Setup, client_for: Any
) -> None:
    leader = client_for(setup.org.users["leader"])
    auto = "tfidf" if minilm.missing() is not None else "minilm"
    answer = leader.get("/api/why/alignment/suggestions").json()
    assert (answer["encoder"], answer["method"]) == (auto, encoders.METHODS[auto])
    assert f"suggested by {encoders.METHODS[auto]}" in leader.get("/why/alignment").text
    config = setup.workspace.root / "tandem.toml"
    with config.open("a", encoding="utf-8") as handle:
        handle.write('\n[alignment]\nencoder = "tfidf"\n')
    workspace = Workspace.open(setup.workspace.root)  # settings are read when the app starts
    with TestClient(create_app(workspace)) as client:
        sign_in_directly(client, workspace, setup.org.users["leader"])
        answer = client.get("/api/why/alignment/suggestions").json()
        assert (answer["encoder"], answer["min_score"]) == ("tfidf", encoders.MIN_SCORES["tfidf"])
        assert "suggested by tf-idf cosine" in client.get("/why/alignment").text
