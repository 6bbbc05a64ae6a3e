"""The audit log from the web: report reads, shares, role changes and duos leave one event each;
only admins read the log (``/admin/audit`` and ``/api/admin/audit``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tandem.accounts import service as accounts_service
from tandem.audit import service as audit_service
from tandem.audit.schemas import AuditEventOut
from tandem.db.session import session_scope
from tandem.web.app import create_app
from tandem.workspace import Workspace
from tests.web.conftest import sign_in_directly
from tests.web.people_org import PeopleOrg, fresh


@pytest.fixture
def setup(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, PeopleOrg]:
    return fresh(tmp_path, tmp_path_factory)


@pytest.fixture
def client(setup: tuple[Workspace, PeopleOrg]) -> Iterator[TestClient]:
    with TestClient(create_app(setup[0])) as test_client:
        yield test_client


def as_user(client: TestClient, setup: tuple[Workspace, PeopleOrg], key: str) -> dict[str, str]:
    client.cookies.clear()
    return {"X-CSRF-Token": sign_in_directly(client, setup[0], setup[1].email(key))}


def events(workspace: Workspace, action: str) -> list[AuditEventOut]:
    with session_scope(workspace.engine) as session:
        return audit_service.events(session=session, action=action)


def user_id(workspace: Workspace, email: str) -> int:
    with session_scope(workspace.engine) as session:
        return accounts_service.get_user(session=session, email=email).id


def test_reading_someone_elses_report_and_sharing_are_audited(
    client: TestClient, setup: tuple[Workspace, PeopleOrg]
) -> None:
    workspace, org = setup
    member = org.person_ids["member"]
    as_user(client, setup, "leader")
    assert client.get(f"/api/people/{member}").status_code == 403  # refused: nothing read
    headers = as_user(client, setup, "member")
    assert client.get(f"/api/people/{member}").status_code == 200  # one's own: not audited
    assert client.get("/api/people/me").status_code == 200
    assert events(workspace, "report.read") == []
    shared = client.post("/api/people/me/share", json={"shared": True}, headers=headers)
    assert shared.status_code == 200
    [share] = events(workspace, "report.share")
    assert share.actor == f"user:{user_id(workspace, org.email('member'))}"
    assert share.subject_person_id == member

    as_user(client, setup, "leader")
    assert client.get(f"/api/people/{member}").status_code == 200
    [read] = events(workspace, "report.read")
    assert read.actor == f"user:{user_id(workspace, org.email('leader'))}"
    assert read.actor_label == org.email("leader")
    assert read.subject_person_id == member and read.target and read.target.startswith("cycle:")
    assert client.get(f"/people/{member}").status_code == 200  # the page is a read too
    assert len(events(workspace, "report.read")) == 2

    headers = as_user(client, setup, "member")
    client.post("/api/people/me/share", json={"shared": False}, headers=headers)
    [unshare] = events(workspace, "report.unshare")
    assert unshare.subject_person_id == member


def test_role_changes_and_duo_confirmations_from_the_web_are_audited(
    client: TestClient, setup: tuple[Workspace, PeopleOrg]
) -> None:
    workspace, org = setup
    headers = as_user(client, setup, "admin")
    changed = client.post(
        "/api/admin/users/role",
        json={"email": org.email("peer"), "role": "manager", "team": "Atlas"},
        headers=headers,
    )
    assert changed.status_code == 200
    [role] = events(workspace, "user.role")
    assert role.actor == f"user:{user_id(workspace, org.email('admin'))}"
    assert role.subject_person_id == org.person_ids["peer"]
    assert (role.detail["previous_role"], role.detail["role"]) == ("member", "manager")

    headers = as_user(client, setup, "leader")
    a, b = org.person_ids["member"], org.person_ids["peer"]
    confirmed = client.post(
        f"/api/duos/confirm?team_id={org.team_ids['Atlas']}",
        json={"a": str(a), "b": str(b), "tie_breaker": "the leader decides", "cycle": org.cycle},
        headers=headers,
    )
    assert confirmed.status_code == 200, confirmed.text
    [duo] = events(workspace, "duo.confirm")
    assert duo.actor == f"user:{user_id(workspace, org.email('leader'))}"
    assert (duo.subject_person_id, duo.related_person_id) == (min(a, b), max(a, b))

    headers = as_user(client, setup, "member")
    duo_id = confirmed.json()["id"]
    for _ in range(2):  # answering the same twice changes nothing the second time
        accepted = client.post(f"/api/duos/{duo_id}/accept", headers=headers)
        assert accepted.status_code == 200, accepted.text
    [consent] = events(workspace, "duo.respond")
    assert consent.actor == f"user:{user_id(workspace, org.email('member'))}"
    assert (consent.subject_person_id, consent.related_person_id) == (a, b)
    assert consent.detail == {"duo_id": duo_id, "answer": "accepted"}


@pytest.mark.parametrize("role", ["member", "leader", "manager", "director"])
def test_only_admins_read_the_audit_log(
    client: TestClient, setup: tuple[Workspace, PeopleOrg], role: str
) -> None:
    as_user(client, setup, role)
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/api/admin/audit").json()["error"]["code"] == "forbidden"


def test_the_admin_reads_and_filters_the_log(
    client: TestClient, setup: tuple[Workspace, PeopleOrg]
) -> None:
    _, org = setup
    member = org.person_ids["member"]
    headers = as_user(client, setup, "member")
    client.post("/api/people/me/share", json={"shared": True}, headers=headers)
    as_user(client, setup, "leader")
    client.get(f"/api/people/{member}")
    as_user(client, setup, "admin")
    listed = client.get(f"/api/admin/audit?person={member}").json()
    # Newest first; the account was added when the organisation was set up (actor "system").
    actions = [(e["action"], e["actor"]) for e in listed["events"]]
    assert [a for a, _ in actions] == ["report.read", "report.share", "user.add"]
    assert actions[-1] == ("user.add", "system") and listed["count"] == 3
    only_reads = client.get("/api/admin/audit?action=report.read").json()
    assert [e["subject_person_id"] for e in only_reads["events"]] == [member]
    assert client.get("/api/admin/audit?since=2999-01-01").json()["count"] == 0
    bad = client.get("/api/admin/audit?action=nope")
    assert bad.status_code == 400 and "not an audited action" in bad.text
    assert client.get("/api/admin/audit?person=99999999999999999999").status_code == 422
    assert client.get(f"/api/admin/audit?person={2**31}").status_code == 422  # PostgreSQL INTEGER
    page = client.get("/admin/audit?action=report.read")
    assert page.status_code == 200
    assert "report.read" in page.text and org.email("leader") in page.text
    assert 'href="/admin/audit"' in client.get("/admin").text
