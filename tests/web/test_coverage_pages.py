"""Coverage pages over the SYNTHETIC demo organisation: the team's view, the org's aggregates."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tandem.db.session import session_scope
from tandem.profile import sharing
from tandem.profile import team as team_service
from tandem.profile.visibility import Viewer
from tandem.web.app import create_app
from tandem.workspace import Workspace
from tests.web.people_org import PeopleOrg, as_user, fresh

Setup = tuple[Workspace, PeopleOrg]


@pytest.fixture
def setup(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Setup:
    return fresh(tmp_path, tmp_path_factory)


@pytest.fixture
def client(setup: Setup) -> Iterator[TestClient]:
    with TestClient(create_app(setup[0])) as test_client:
        yield test_client


def test_the_team_view_is_the_services(client: TestClient, setup: Setup) -> None:
    workspace, org = setup
    as_user(client, setup, "manager")
    body = client.get("/api/coverage").json()
    bram = Viewer(person_id=org.person_ids["manager"], role="manager")
    with session_scope(workspace.engine) as session:
        expected = team_service.team_view(
            session=session, team="Atlas", cycle=org.cycle, viewer=bram
        )
    assert body == expected.model_dump(mode="json")
    page = client.get("/coverage")
    assert page.status_code == 200 and "Team coverage · Atlas" in page.text


def test_the_team_view_names_only_who_shared_with_the_viewer(
    client: TestClient, setup: Setup
) -> None:
    workspace, org = setup
    as_user(client, setup, "leader")  # Ada: every Atlas member's line manager
    before = client.get("/api/coverage").json()
    # The attack: "best" was an unshared member's exact score, "by" named them. Now: aggregates
    # over 8 people Ada cannot see, and no names.
    assert all(p["by"] in ([], ["Ada Fernhollow"]) for p in before["practices"].values())
    assert "best" not in next(iter(before["practices"].values()))
    chiara = org.person_ids["member"]
    with session_scope(workspace.engine) as session:
        sharing.set_shared(session=session, cycle=org.cycle, person_id=chiara, shared=True)
    after = client.get("/api/coverage").json()
    named = {name for p in after["practices"].values() for name in p["by"]}
    assert named <= {"Ada Fernhollow", "Chiara Marrowdale"}
    # Ada knows herself and Chiara: 6 unknown members stay ≥ 5, so aggregates are still shown.
    assert after["practices"]["vision"]["mean"] == before["practices"]["vision"]["mean"]
    page = client.get("/coverage").text
    assert "who shared with you" in page


def test_the_org_view_hides_small_teams(client: TestClient, setup: Setup) -> None:
    as_user(client, setup, "director")
    body = client.get("/api/coverage/org").json()
    teams = {t["team"]: t for t in body["teams"]}
    # Tiny (two of Atlas's members) was created after the demo cycle closed: the cycle's frozen
    # roster does not know it, so no read can subtract it from Atlas.
    assert "Tiny" not in teams
    assert teams["Atlas"]["shown"] is True and teams["Atlas"]["scored_members"] == 8
    page = client.get("/coverage/org")
    assert page.status_code == 200
    assert "hidden" in page.text
    assert "Chiara" not in page.text  # no names in the org view
    assert client.get("/coverage").status_code == 403  # directors: aggregates only


def test_names_stay_in_the_team(client: TestClient, setup: Setup) -> None:
    _, org = setup
    as_user(client, setup, "director")
    refused = client.get(f"/api/coverage?team_id={org.team_ids['Atlas']}")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    as_user(client, setup, "leader")
    assert client.get(f"/api/coverage?team_id={org.team_ids['Beacon']}").status_code == 403
    assert client.get("/api/coverage/org").status_code == 403
    as_user(client, setup, "member")
    assert client.get("/api/coverage").status_code == 403


def test_admins_see_the_org_view(client: TestClient, setup: Setup) -> None:
    as_user(client, setup, "admin")
    assert client.get("/api/coverage/org").status_code == 200
    assert client.get("/api/coverage").status_code == 403


def test_no_threshold_reaches_the_service(client: TestClient, setup: Setup) -> None:
    """A swept threshold would pin members' exact scores; the pages take none (always 4.0)."""
    for user, path in (("leader", "/api/coverage"), ("director", "/api/coverage/org")):
        as_user(client, setup, user)
        fixed = client.get(path).json()
        assert fixed["threshold"] == 4.0
        for tried in ("1", "4.5", "5"):
            assert client.get(f"{path}?threshold={tried}").json() == fixed
    as_user(client, setup, "leader")
    assert "true score is ≥ 4.0" in client.get("/coverage?threshold=1").text
