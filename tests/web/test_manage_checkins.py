"""/manage/check-ins and its API: who reads a person's and a team's check-in, the audit of a
manager's read, 403 and 404 answers, and directors' bands without names."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from tandem.audit.models import AuditEvent
from tandem.db.session import session_scope
from tandem.people.models import Membership
from tandem.why.goals import service as goals_service
from tandem.workspace import Workspace
from tests.web.conftest import Org, sign_in_directly
from tests.web.manage_org import link_reports


def as_user(client: TestClient, workspace: Workspace, email: str) -> None:
    client.cookies.clear()
    sign_in_directly(client, workspace, email)


def checkin_reads(workspace: Workspace) -> list[tuple[int | None, int | None]]:
    with session_scope(workspace.engine) as session:
        rows = session.execute(
            select(AuditEvent.subject_person_id, AuditEvent.related_person_id).where(
                AuditEvent.action == "checkin.read"
            )
        )
        return [(s, r) for s, r in rows]


def test_a_person_and_their_line_manager_read_it_only_the_manager_audited(
    client: TestClient, workspace: Workspace, org: Org
) -> None:
    link_reports(workspace, org)
    member = org.person_ids["member"]
    as_user(client, workspace, org.users["member"])
    own = client.get(f"/api/manage/check-ins/person/{member}")
    assert own.status_code == 200, own.text
    assert own.json()["relation"] == "self" and own.json()["feedback"]["manager"]["name"] == (
        "The manager"
    )
    assert checkin_reads(workspace) == []
    as_user(client, workspace, org.users["manager"])
    read = client.get(f"/api/manage/check-ins/person/{member}?as_of=2026-03-31")
    assert read.status_code == 200 and read.json()["relation"] == "manager"
    assert read.json()["as_of"] == "2026-03-31"
    assert checkin_reads(workspace) == [(member, org.person_ids["manager"])]
    shown = client.get(f"/manage/check-ins/person/{member}")
    assert shown.status_code == 200 and "Check-in of The member" in shown.text


def test_anyone_else_gets_404_whether_or_not_the_person_exists(
    client: TestClient, workspace: Workspace, org: Org
) -> None:
    link_reports(workspace, org)
    member = org.person_ids["member"]
    as_user(client, workspace, org.users["leader"])  # the team's leader, not the line manager
    refused = client.get(f"/api/manage/check-ins/person/{member}")
    missing = client.get("/api/manage/check-ins/person/99999")
    assert (refused.status_code, missing.status_code) == (404, 404)
    assert refused.json()["error"]["message"] == f"no check-in of person {member} you may read"
    assert missing.json()["error"]["message"] == "no check-in of person 99999 you may read"
    assert client.get(f"/manage/check-ins/person/{member}").status_code == 404
    as_user(client, workspace, org.users["member"])  # a report reading their manager's
    assert client.get(f"/api/manage/check-ins/person/{org.person_ids['manager']}").status_code == (
        404
    )
    for role in ("director", "admin"):  # aggregates only: not even a route for them
        as_user(client, workspace, org.users[role])
        assert client.get(f"/api/manage/check-ins/person/{member}").status_code == 403
    assert checkin_reads(workspace) == []


def test_the_team_view_for_its_leader_and_manager_403_for_a_member(
    client: TestClient, workspace: Workspace, org: Org
) -> None:
    link_reports(workspace, org)
    url = f"/api/manage/check-ins/team/{org.own_team_id}"
    as_user(client, workspace, org.users["manager"])
    out = client.get(url).json()
    assert out["view"] == "team"
    assert [m["person"]["name"] for m in out["members"]] == [
        "The leader", "The manager", "The member"
    ]  # fmt: skip
    rows = {m["person"]["name"]: m["cadence"] for m in out["members"]}
    assert rows["The member"] is not None and rows["The leader"] is None
    assert out["shares"]["withheld"] is not None and out["shares"]["feedback_within"] is None
    as_user(client, workspace, org.users["leader"])
    led = client.get(url).json()
    assert all(m["cadence"] is None for m in led["members"])  # the leader manages nobody
    assert client.get(f"/api/manage/check-ins/team/{org.other_team_id}").status_code == 403
    as_user(client, workspace, org.users["member"])
    assert client.get(url).status_code == 403
    page = client.get("/manage/check-ins")
    assert page.status_code == 200 and 'id="my-checkin"' in page.text
    assert 'id="team-checkin"' not in page.text
    assert client.get(f"/manage/check-ins?team={org.own_team_id}").status_code == 403


def test_the_manager_s_page_links_reports_and_shows_the_team(
    client: TestClient, workspace: Workspace, org: Org
) -> None:
    link_reports(workspace, org)
    as_user(client, workspace, org.users["manager"])
    page = client.get("/manage/check-ins")
    assert page.status_code == 200
    assert f'href="/manage/check-ins/person/{org.person_ids["member"]}' in page.text
    assert 'id="team-checkin"' in page.text and 'data-view="team"' in page.text
    assert "fewer than 5 people" in page.text
    assert 'href="/manage/check-ins"' in page.text  # the nav item
    assert checkin_reads(workspace) == []  # the page reads no report's check-in


def test_directors_read_any_team_s_bands_and_no_name(
    client: TestClient, workspace: Workspace, org: Org
) -> None:
    link_reports(workspace, org)
    for role in ("director", "admin"):
        as_user(client, workspace, org.users[role])
        out = client.get(f"/api/manage/check-ins/team/{org.own_team_id}").json()
        assert out["view"] == "aggregate" and out["members"] is None
        assert (out["goals"] is None) is (role == "admin")
        page = client.get(f"/manage/check-ins?team={org.own_team_id}")
        assert page.status_code == 200 and 'data-view="aggregate"' in page.text
        assert "The member" not in page.text and 'id="my-checkin"' not in page.text
        assert 'href="/manage/check-ins?team=' in page.text  # the team choice
        other = client.get(f"/api/manage/check-ins/team/{org.other_team_id}")
        assert other.status_code == 200


def test_a_leader_the_roster_makes_a_member_gets_the_page_without_the_team(
    client: TestClient, workspace: Workspace, org: Org
) -> None:
    with session_scope(workspace.engine) as session:
        session.add(
            Membership(person_id=org.person_ids["leader"], team_id=org.own_team_id, role="member")
        )
    as_user(client, workspace, org.users["leader"])
    page = client.get("/manage/check-ins")
    assert page.status_code == 200 and 'id="my-checkin"' in page.text
    assert 'id="team-checkin"' not in page.text
    assert client.get(f"/manage/check-ins?team={org.own_team_id}").status_code == 403
    assert client.get(f"/api/manage/check-ins/team/{org.own_team_id}").status_code == 403


def test_the_page_shows_the_key_results_of_one_s_goals(
    client: TestClient, workspace: Workspace, org: Org
) -> None:
    with session_scope(workspace.engine) as session:
        goal = goals_service.add_goal(
            session=session, team=org.own_team_id, title="Calmer releases",
            starts_on="2026-01-01", ends_on="2026-06-30", owner=str(org.person_ids["member"]),
        )  # fmt: skip
        kr = goals_service.add_key_result(
            session=session, workspace=workspace, team=org.own_team_id, goal_id=goal.id,
            title="Runbooks written", target=10, baseline=0, direction="up", unit="runbooks",
        )  # fmt: skip
        goals_service.check_in(
            session=session, team=org.own_team_id, key_result_id=kr.id, confidence=7, value=4
        )
    as_user(client, workspace, org.users["member"])
    page = client.get("/manage/check-ins?as_of=2026-03-31")
    assert page.status_code == 200
    assert "Runbooks written" in page.text and "4 runbooks" in page.text
    assert "40 %" in page.text
    api = client.get(f"/api/manage/check-ins/person/{org.person_ids['member']}?as_of=2026-03-31")
    [line] = api.json()["goals"][0]["key_results"]
    assert (line["value"], line["progress"]) == (4.0, 0.4)
