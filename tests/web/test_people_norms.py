"""Percentiles in role on the profile pages: shown to whom the profile is, never to anyone else.

Over the demo organisation of :mod:`tests.web.people_org` (24 members, 4 leaders, 4 managers:
members are placed among members, leaders and managers among all rated).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tandem.db.session import session_scope
from tandem.people.models import Person
from tandem.profile import service as profile_service
from tandem.profile.schemas import dump
from tandem.web.app import create_app
from tandem.workspace import Workspace
from tests.web.people_org import PeopleOrg, as_user, fresh


@pytest.fixture
def setup(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, PeopleOrg]:
    return fresh(tmp_path, tmp_path_factory)


@pytest.fixture
def client(setup: tuple[Workspace, PeopleOrg]) -> Iterator[TestClient]:
    with TestClient(create_app(setup[0])) as test_client:
        yield test_client


def test_my_profile_shows_my_percentile_in_role(
    client: TestClient, setup: tuple[Workspace, PeopleOrg]
) -> None:
    as_user(client, setup, "member")
    body = client.get("/api/people/me").json()["profile"]
    shown = [p for p in body["practices"].values() if p["percentile"] is not None]
    assert shown, "a member of 24 has a norm group"
    for practice in shown:
        assert practice["norm_group"] == "member" and practice["percentile"] % 5 == 0
        lo, hi = practice["percentile_band"]
        assert lo <= practice["percentile"] <= hi and lo % 5 == 0 and hi % 5 == 0
    page = client.get("/people/me")
    assert "Percentile in role" in page.text and 'class="people-pct"' in page.text
    first = shown[0]
    assert f"({first['percentile_band'][0]}–{first['percentile_band'][1]}" in page.text


@pytest.mark.parametrize("viewer", ["leader", "peer", "manager", "director", "admin"])
def test_no_one_else_sees_a_percentile_without_a_share(
    client: TestClient, setup: tuple[Workspace, PeopleOrg], viewer: str
) -> None:
    """Before Chiara shares, nobody but her gets her profile; peers, directors and admins never."""
    _, org = setup
    member = org.person_ids["member"]
    as_user(client, setup, viewer)
    for path in (f"/api/people/{member}", f"/people/{member}"):
        refused = client.get(path)
        assert refused.status_code == 403 and "percentile" not in refused.text
    if viewer in ("peer", "manager", "director", "admin"):
        token = as_user(client, setup, "member")
        client.post("/api/people/me/share", json={"shared": True}, headers={"X-CSRF-Token": token})
        as_user(client, setup, viewer)
        refused = client.get(f"/api/people/{member}")
        assert refused.status_code == 403 and "percentile" not in refused.text


def test_the_recipient_sees_the_percentile_of_their_own_view(
    client: TestClient, setup: tuple[Workspace, PeopleOrg]
) -> None:
    """Ada, Chiara's manager, rated her: what Ada sees is placed from Ada's view of the scores."""
    workspace, org = setup
    member, ada = org.person_ids["member"], org.person_ids["leader"]
    token = as_user(client, setup, "member")
    client.post("/api/people/me/share", json={"shared": True}, headers={"X-CSRF-Token": token})
    as_user(client, setup, "leader")
    seen = client.get(f"/api/people/{member}").json()["profile"]
    with session_scope(workspace.engine) as session:
        scores = profile_service.cycle_scores(session=session, cycle=org.cycle)
        person = session.get_one(Person, member)
        expected = profile_service.profile_out(scores, person, include_self=False, viewer_id=ada)
    assert seen == dump(expected)
    assert any(p["percentile"] is not None for p in seen["practices"].values())
