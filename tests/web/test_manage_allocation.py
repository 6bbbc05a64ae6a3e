"""/manage/allocation and POST /api/manage/allocation: answers, 400s naming the field, access."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import select

from tandem.audit.models import AuditEvent
from tandem.db.session import session_scope
from tandem.workspace import Workspace
from tests.manage.allocation_plans import PLAN_TOML, plan
from tests.web.conftest import Org, sign_in_directly

API = "/api/manage/allocation"


def as_role(client: TestClient, workspace: Workspace, org: Org, role: str) -> dict[str, str]:
    client.cookies.clear()
    return {"X-CSRF-Token": sign_in_directly(client, workspace, org.users[role])}


def test_the_api_answers_a_plan_and_audits_counts_only(
    client: TestClient, workspace: Workspace, org: Org
) -> None:
    headers = as_role(client, workspace, org, "manager")
    response = client.post(API, json={"plan": plan(), "time_limit": 20}, headers=headers)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["solve"]["status"] == "OPTIMAL" and data["solve"]["objective"] == 3.3
    assert data["uncovered"][0]["reason"].startswith("no one has frontend")
    with session_scope(workspace.engine) as session:
        (event,) = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "allocation.run")
        ).all()
        assert event.detail == {"people": 3, "projects": 2, "status": "OPTIMAL"}
        assert event.actor.startswith("user:")


def test_the_api_runs_a_what_if(client: TestClient, workspace: Workspace, org: Org) -> None:
    headers = as_role(client, workspace, org, "leader")
    body = {
        "plan": plan(),
        "what_if": {
            "remove": ["ada@example.com"],
            "add_projects": [{"name": "Ads", "demand": [{"skill": "backend", "fte": 0.3}]}],
        },
    }
    data = client.post(API, json=body, headers=headers).json()
    assert data["changes"] == ["remove ada@example.com", "add project Ads"]
    assert {m["person"] for m in data["moves"]} == {"ada@example.com", "cy@example.com"}


def test_bad_bodies_are_400_naming_the_field(
    client: TestClient, workspace: Workspace, org: Org
) -> None:
    headers = as_role(client, workspace, org, "director")
    bad_capacity = plan()
    bad_capacity["people"][0]["capacity"] = 7
    cases = [
        (b"{not json", "body"),
        (json.dumps({"people": []}).encode(), "plan"),
        (json.dumps({"plan": bad_capacity}).encode(), "people[0].capacity"),
        (json.dumps({"plan": plan(), "time_limit": 999}).encode(), "time_limit"),
        (json.dumps({"plan": plan(), "extra": 1}).encode(), "extra"),
        (json.dumps({"plan": plan(), "what_if": {"remove": ["zed"]}}).encode(), "person"),
        (json.dumps({"plan": plan(), "what_if": {"capacity": {"a": 2}}}).encode(),
         "what_if.capacity"),
        (json.dumps({"plan": plan(), "what_if": {"add_projects": [{"name": "X"}]}}).encode(),
         "projects[0].demand"),
    ]  # fmt: skip
    for body, field in cases:
        response = client.post(
            API, content=body, headers={**headers, "Content-Type": "application/json"}
        )
        assert response.status_code == 400, (field, response.text)
        assert response.json()["error"]["field"] == field, response.text


def test_a_member_is_refused(client: TestClient, workspace: Workspace, org: Org) -> None:
    headers = as_role(client, workspace, org, "member")
    assert client.post(API, json={"plan": plan()}, headers=headers).status_code == 403
    assert client.get("/manage/allocation").status_code in (303, 403)


def test_the_page_solves_an_uploaded_plan(
    client: TestClient, workspace: Workspace, org: Org
) -> None:
    csrf = as_role(client, workspace, org, "manager")["X-CSRF-Token"]
    empty = client.get("/manage/allocation")
    assert empty.status_code == 200 and "a person decides" in empty.text
    response = client.post(
        "/manage/allocation",
        data={"csrf_token": csrf, "time_limit": "20"},
        files={"plan": ("plan.toml", PLAN_TOML.read_bytes(), "application/toml")},
    )
    assert response.status_code == 200, response.text
    html = response.text
    assert "OPTIMAL" in html and "no one has frontend at level 4 or above" in html
    assert "data-over-allocated" in html and 'id="chart-load"' in html
    assert "A recommendation, not a decision." in html
    what_if = client.post(
        "/manage/allocation",
        data={"csrf_token": csrf, "remove": "ada@example.com"},
        files={"plan": ("plan.toml", PLAN_TOML.read_bytes(), "application/toml")},
    )
    assert what_if.status_code == 200 and 'id="moves"' in what_if.text
    bad = client.post(
        "/manage/allocation",
        data={"csrf_token": csrf},
        files={"plan": ("plan.yaml", b"people: []", "text/yaml")},
    )
    assert bad.status_code == 400 and "give a .toml or .json plan" in bad.text
    without_token = client.post(
        "/manage/allocation",
        files={"plan": ("plan.toml", PLAN_TOML.read_bytes(), "application/toml")},
    )
    assert without_token.status_code == 403


def test_the_web_never_looks_up_workspace_people(
    client: TestClient, workspace: Workspace, org: Org
) -> None:
    """Refs that are workspace emails stay free text: no name, no "unknown person" oracle."""
    headers = as_role(client, workspace, org, "leader")
    data = plan()
    data["people"][0]["ref"] = org.users["member"]  # a real person's email, no name given
    del data["people"][0]["name"]
    data["people"][1]["ref"] = "not-in-the-workspace@example.com"
    answer = client.post(API, json={"plan": data}, headers=headers)
    assert answer.status_code == 200, answer.text
    names = {row["person"]: row["person_name"] for row in answer.json()["load"]}
    assert names[org.users["member"]] == org.users["member"]  # the ref itself, nothing looked up
    assert names["not-in-the-workspace@example.com"] == "Bo"


def test_a_body_above_the_app_limit_is_refused_unread(
    client: TestClient, workspace: Workspace, org: Org
) -> None:
    headers = as_role(client, workspace, org, "manager")
    big = b'{"plan": "' + b"x" * (workspace.settings.web.max_body_bytes + 1) + b'"}'
    response = client.post(
        API, content=big, headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 413
