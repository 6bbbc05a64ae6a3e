"""/manage/feedback and its API: the lint step, who reads a piece, counts only for directors."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tandem.workspace import Workspace
from tests.web.conftest import Org, sign_in_directly
from tests.web.manage_org import link_reports

SECRET = "SYNTHETIC-feedback-secret-detail"
GOOD = {
    "situation": "In Monday's stand-up",
    "behaviour": f"You arrived 10 minutes late; {SECRET}",
    "impact": "We repeated the blockers",
}


def as_user(client: TestClient, workspace: Workspace, email: str) -> str:
    client.cookies.clear()
    return sign_in_directly(client, workspace, email)


def give(client: TestClient, csrf: str, receiver: int, **extra: object) -> int:
    body = {"receiver_id": receiver, "kind": "redirect", **GOOD, **extra}
    done = client.post("/api/manage/feedback", json=body, headers={"X-CSRF-Token": csrf})
    assert done.status_code == 201, done.text
    return int(done.json()["id"])


def test_the_page_shows_the_lint_then_gives_it_as_written(
    client: TestClient, workspace: Workspace, org: Org
) -> None:
    link_reports(workspace, org)
    csrf = as_user(client, workspace, org.users["manager"])
    form = {
        "csrf_token": csrf, "receiver_id": str(org.person_ids["member"]), "kind": "redirect",
        "situation": "Stand-up", "behaviour": "You are always so careless", "impact": "",
    }  # fmt: skip
    first = client.post("/manage/feedback", data=form, follow_redirects=False)
    assert first.status_code == 200
    assert 'id="lint"' in first.text and "careless" in first.text and "always" in first.text
    assert 'name="lint_seen" value="1"' in first.text
    assert client.get("/api/manage/feedback").json()["count"] == 0  # nothing stored yet
    second = client.post(
        "/manage/feedback", data={**form, "lint_seen": "1"}, follow_redirects=False
    )
    assert second.status_code == 303
    [item] = client.get("/api/manage/feedback").json()["items"]
    assert item["lint_shown"] and item["lint_rules"] == ["absolute", "missing_impact", "trait"]
    assert "gave it as written" in client.get("/manage/feedback").text


def test_api_refuses_unseen_findings_and_bad_input_naming_the_field(
    client: TestClient, workspace: Workspace, org: Org
) -> None:
    csrf = as_user(client, workspace, org.users["leader"])
    headers = {"X-CSRF-Token": csrf}
    body = {"receiver_id": org.person_ids["member"], "kind": "praise", **GOOD}
    unseen = client.post("/api/manage/feedback", json={**body, "behaviour": "always late"},
                         headers=headers)  # fmt: skip
    assert unseen.status_code == 400 and unseen.json()["error"]["field"] == "lint_seen"
    bad = client.post("/api/manage/feedback", json={**body, "kind": "scold"}, headers=headers)
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "kind"
    lint = client.post("/api/manage/feedback/lint", json={"behaviour": "you are lazy"},
                       headers=headers)  # fmt: skip
    assert [f["rule"] for f in lint.json()["findings"]] == ["trait", "missing_impact"]


def test_only_the_giver_the_receiver_and_their_manager_read_it(
    client: TestClient, workspace: Workspace, org: Org
) -> None:
    link_reports(workspace, org)
    # the leader (a peer) gives the member feedback; the manager manages the member
    feedback_id = give(
        client, as_user(client, workspace, org.users["leader"]), org.person_ids["member"]
    )
    for role in ("leader", "member", "manager"):
        as_user(client, workspace, org.users[role])
        assert client.get(f"/api/manage/feedback/{feedback_id}").status_code == 200
        assert SECRET in client.get("/manage/feedback").text
    # the member gives the leader feedback: the member's manager (the giver's) may not read it
    other = give(client, as_user(client, workspace, org.users["member"]), org.person_ids["leader"])
    as_user(client, workspace, org.users["manager"])
    assert client.get(f"/api/manage/feedback/{other}").status_code == 404
    about = client.get(f"/api/manage/feedback?about={org.person_ids['leader']}").json()
    assert [i["id"] for i in about["items"]] == [feedback_id]  # to his report, not to the leader
    for role in ("director", "admin"):
        as_user(client, workspace, org.users[role])
        for url in (
            f"/api/manage/feedback/{feedback_id}",
            "/api/manage/feedback",
            "/manage/feedback",
        ):
            response = client.get(url)
            assert response.status_code == 403 and SECRET not in response.text
        counts = client.get("/api/manage/counts/feedback").json()
        assert counts["total"] is None and counts["withheld"]  # 3 people < 5
        assert SECRET not in str(counts)


def test_cadence_is_the_managers_and_the_reports_own(
    client: TestClient, workspace: Workspace, org: Org
) -> None:
    link_reports(workspace, org)
    give(client, as_user(client, workspace, org.users["manager"]), org.person_ids["member"])
    cadence = client.get("/api/manage/feedback/cadence").json()
    [row] = cadence["reports"]
    assert row["report"]["id"] == org.person_ids["member"] and row["days_since"] == 0
    as_user(client, workspace, org.users["member"])
    mine = client.get("/api/manage/feedback/cadence").json()
    assert mine["reports"] == [] and mine["mine"]["days_since"] == 0
    as_user(client, workspace, org.users["leader"])
    assert client.get("/api/manage/feedback/cadence").json() == {
        **client.get("/api/manage/feedback/cadence").json(), "reports": [], "mine": None,
    }  # fmt: skip
