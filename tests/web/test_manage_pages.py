"""Concerns and conflict cases through the web: pages, API, audit log — tried by every role.

Team Alpha has the leader, manager and member accounts of ``make_org`` plus a peer (member
account) and, on the roster, the outsider: five people, so anonymous items are offered; the
threshold below five is tried by removing the outsider's membership.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete

from tandem.accounts import service as accounts_service
from tandem.db.session import session_scope
from tandem.manage.conflicts import service as conflicts
from tandem.manage.conflicts.schemas import CaseIn
from tandem.people.models import Membership, Person
from tandem.profile.visibility import Viewer
from tandem.web.app import create_app
from tandem.workspace import Workspace
from tests.helpers import new_workspace
from tests.web.conftest import PASSWORD, Org, make_org, sign_in_directly

ROLES = ("admin", "director", "leader", "manager", "member", "peer")


@dataclass(frozen=True)
class Site:
    workspace: Workspace
    org: Org
    peer_id: int
    clients: dict[str, tuple[TestClient, str]]  # role -> client, CSRF token


@pytest.fixture
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    workspace = new_workspace(tmp_path_factory.mktemp("manage-web") / "ws")
    org = make_org(workspace)
    with session_scope(workspace.engine) as session:
        peer = Person(display_name="The peer", email="peer@example.org")
        session.add(peer)
        session.flush()
        accounts_service.add_user(
            session=session, email="peer@example.org", password=PASSWORD, role="member",
            team="Alpha",
        )  # fmt: skip
        session.add(Membership(person_id=org.other_person_id, team_id=org.own_team_id))
        peer_id = peer.id
    app = create_app(workspace)
    clients: dict[str, tuple[TestClient, str]] = {}
    users = {**org.users, "peer": "peer@example.org"}
    opened = []
    try:
        for role in ROLES:
            client = TestClient(app)
            opened.append(client.__enter__())
            clients[role] = (client, sign_in_directly(client, workspace, users[role]))
        yield Site(workspace, org, peer_id, clients)
    finally:
        for client in opened:
            client.__exit__(None, None, None)


def _get(site: Site, role: str, url: str) -> Any:
    client, token = site.clients[role]
    return client.get(url, headers={"X-CSRF-Token": token})


def _send(site: Site, role: str, method: str, url: str, **kwargs: Any) -> Any:
    client, token = site.clients[role]
    return client.request(method, url, headers={"X-CSRF-Token": token}, **kwargs)


def test_anonymous_concern_names_no_one_on_any_surface(site: Site) -> None:
    raised = _send(
        site, "member", "POST", "/api/manage/concerns",
        json={"kind": "concern", "text": "Deadlines feel unsafe", "anonymous": True},
    )  # fmt: skip
    assert raised.status_code == 201, raised.text
    body = raised.json()
    assert body["item"]["author"] is None and body["receipt"]
    for role in ("leader", "manager", "member", "peer"):
        board = _get(site, role, "/api/manage/concerns")
        assert board.status_code == 200
        assert "The member" not in board.text and '"mine":true' not in board.text
        page = _get(site, role, "/manage/concerns")
        items = page.text.split('id="items"')[1]
        assert "Deadlines feel unsafe" in items and "The member" not in items
    audit = _get(site, "admin", "/api/admin/audit")
    assert audit.status_code == 200
    assert "concern" not in audit.text
    for role in ("director", "admin"):
        overview = _get(site, role, "/manage/concerns/overview")
        assert overview.status_code == 200 and "Alpha" in overview.text
        assert "Deadlines" not in overview.text
        assert _get(site, role, "/api/manage/concerns").status_code == 403
        counts = _get(site, role, "/api/manage/concerns/overview")
        assert counts.status_code == 200 and "Deadlines" not in counts.text
    followed = _send(site, "member", "POST", "/api/manage/concerns/follow",
                     json={"receipt": body["receipt"]})  # fmt: skip
    assert followed.json()["id"] == body["item"]["id"]


def test_below_five_people_the_form_and_the_api_refuse_anonymity(site: Site) -> None:
    with session_scope(site.workspace.engine) as session:
        session.execute(delete(Membership).where(Membership.person_id == site.org.other_person_id))
    refused = _send(site, "member", "POST", "/api/manage/concerns",
                    json={"text": "Hm", "anonymous": True})  # fmt: skip
    assert refused.status_code == 400
    assert refused.json()["error"]["field"] == "anonymous"
    page = _get(site, "member", "/manage/concerns")
    assert 'name="anonymous"' not in page.text and "at least 5 people" in page.text


def test_members_do_not_answer_and_managers_do(site: Site) -> None:
    raised = _send(site, "peer", "POST", "/api/manage/concerns", json={"text": "Budget?"})
    item = raised.json()["item"]["id"]
    denied = _send(site, "member", "POST", f"/api/manage/concerns/{item}/answers",
                   json={"text": "no"})  # fmt: skip
    assert denied.status_code == 403
    answered = _send(site, "manager", "POST", f"/api/manage/concerns/{item}/answers",
                     json={"text": "Flat this year"})  # fmt: skip
    assert answered.status_code == 201 and answered.json()["status"] == "answered"


def _case(site: Site) -> int:
    """A relationship case: the member and the peer, facilitated by the leader."""
    with session_scope(site.workspace.engine) as session:
        body = CaseIn(
            kind="relationship", issue="Stand-up interruptions",
            parties=["member@example.org", "peer@example.org"],
        )  # fmt: skip
        leader = Viewer(person_id=site.org.person_ids["leader"], role="leader")
        return conflicts.open_case(session=session, viewer=leader, body=body).id


def test_a_case_is_unreadable_by_anyone_outside_it_on_every_surface(site: Site) -> None:
    case_id = _case(site)
    # the team's manager (not the facilitator), a director, an admin; the peer is a party here,
    # so a second case without the peer shows a peer refused too
    outsiders = ("manager", "director", "admin")
    for role in outsiders:
        for url in (f"/api/manage/conflicts/{case_id}", f"/manage/conflicts/{case_id}"):
            response = _get(site, role, url)
            assert response.status_code == 404, (role, url)
            assert "Stand-up" not in response.text
        for method, url, kwargs in (
            ("PATCH", f"/api/manage/conflicts/{case_id}", {"json": {"issue": "x"}}),
            ("PATCH", f"/api/manage/conflicts/{case_id}/position", {"json": {"position": "x"}}),
            ("POST", f"/api/manage/conflicts/{case_id}/follow-ups",
             {"json": {"text": "x", "due_on": "2026-12-24"}}),
            ("POST", f"/manage/conflicts/{case_id}/position", {"data": {"position": "x"}}),
        ):  # fmt: skip
            changed = _send(site, role, method, url, **kwargs)
            assert changed.status_code == 404, (role, url)
        listed = _get(site, role, "/api/manage/conflicts")
        assert listed.json()["cases"] == []
        assert "Stand-up" not in _get(site, role, "/manage/conflicts").text
    assert "conflict" not in _get(site, "admin", "/api/admin/audit").text
    for role in ("leader", "member", "peer"):
        shown = _get(site, role, f"/api/manage/conflicts/{case_id}")
        assert shown.status_code == 200 and shown.json()["suggestion"]["reasons"]
        assert "Stand-up" in _get(site, role, f"/manage/conflicts/{case_id}").text


def test_a_peer_outside_a_case_is_refused(site: Site) -> None:
    with session_scope(site.workspace.engine) as session:
        body = CaseIn(kind="task", issue="Who owns CI",
                      parties=["member@example.org", "outsider@example.org"])  # fmt: skip
        manager = Viewer(person_id=site.org.person_ids["manager"], role="manager")
        case_id = conflicts.open_case(session=session, viewer=manager, body=body).id
    for role in ("peer", "leader"):
        assert _get(site, role, f"/api/manage/conflicts/{case_id}").status_code == 404


def test_the_forms_open_and_update_a_case(site: Site) -> None:
    opened = _send(
        site, "manager", "POST", "/manage/conflicts",
        data={"kind": "process", "issue": "Release sign-off", "parties":
              "member@example.org\npeer@example.org", "time_pressure": "4"},
        follow_redirects=False,
    )  # fmt: skip
    assert opened.status_code == 303, opened.text
    url = opened.headers["location"]
    updated = _send(
        site, "manager", "POST", url,
        data={"facts": "two releases slipped", "ticks": ["listen_first"], "status": "open"},
        follow_redirects=False,
    )  # fmt: skip
    assert updated.status_code == 303
    page = _get(site, "member", url)
    assert "two releases slipped" in page.text and "☑ Listen first" in page.text
    assert 'id="my-position"' in page.text and 'id="facilitate"' not in page.text
    facilitating = _get(site, "manager", url)
    assert 'id="facilitate"' in facilitating.text and "Suggested mode" in facilitating.text
    bad = _send(site, "manager", "POST", url, data={"ticks": ["win"]}, follow_redirects=False)
    assert bad.status_code == 400
    bad_open = _send(site, "manager", "POST", "/manage/conflicts",
                     data={"kind": "feud", "issue": "x", "parties": "a\nb"})  # fmt: skip
    assert bad_open.status_code == 400
