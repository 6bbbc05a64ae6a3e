"""``/why/stories``, its downloads and JSON twins, and the signed-in person's naming choice."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tandem.accounts import service as accounts_service
from tandem.audit import service as audit_service
from tandem.db.session import session_scope
from tandem.web.app import create_app
from tandem.why.stories.consent import naming_consent
from tests.web.conftest import PASSWORD, sign_in_directly
from tests.why.story_checks import check_story
from tests.why.story_fixtures import StoryOrg, make_story_org

BETA_MEMBER = "beta-member@example.org"


@pytest.fixture(scope="module")
def story_org(tmp_path_factory: pytest.TempPathFactory) -> StoryOrg:
    made = make_story_org(tmp_path_factory.mktemp("story-web") / "ws")
    with session_scope(made.flow.workspace.engine) as session:
        accounts_service.add_user(
            session=session, email=BETA_MEMBER, password=PASSWORD, role="member", team="Beta"
        )
    return made


@pytest.fixture
def client(story_org: StoryOrg) -> Iterator[TestClient]:
    with TestClient(create_app(story_org.flow.workspace)) as test_client:
        yield test_client


def _as(client: TestClient, story_org: StoryOrg, role: str) -> dict[str, str]:
    email = BETA_MEMBER if role == "beta" else story_org.flow.org.users[role]
    return {"X-CSRF-Token": sign_in_directly(client, story_org.flow.workspace, email)}


def _names_absent(story_org: StoryOrg, text: str, *, except_for: tuple[str, ...] = ()) -> None:
    for resource, name in story_org.names.items():
        if resource not in except_for:
            assert name not in text, resource


def test_the_page_tells_the_story_with_footnotes_and_downloads(
    client: TestClient, story_org: StoryOrg
) -> None:
    _as(client, story_org, "member")
    page = client.get("/why/stories")
    assert page.status_code == 200, page.text
    html = page.text
    assert "Impact story: Patients released sooner" in html
    assert 'aria-current="page"' in html and 'href="/why/stories?team=' in html  # the tabs
    footnotes = set(re.findall(r'href="#(ev-\d+)"', html))
    assert footnotes and all(f'<li id="{anchor}">' in html for anchor in footnotes)
    goal = story_org.goal_id
    assert (
        f'href="/why/stories/story.md?team={story_org.flow.org.own_team_id}&amp;goal={goal}"'
        in html
    )
    _names_absent(story_org, html)
    assert "Name me in stories" in html  # the member's own choice, not yet given


def test_json_and_downloads_are_one_answer(client: TestClient, story_org: StoryOrg) -> None:
    _as(client, story_org, "leader")
    query = {"goal": story_org.goal_id, "from": "2014-04-01", "to": "2014-05-15"}
    data: dict[str, Any] = client.get("/api/why/stories", params=query).json()
    assert check_story(data["sentences"], data["evidence"]) > 0
    assert data["start"] == "2014-04-01" and data["end"] == "2014-05-15"
    md = client.get("/why/stories/story.md", params=query)
    html = client.get("/why/stories/story.html", params=query)
    assert md.text == data["markdown"] and html.text == data["html"]
    assert md.headers["content-disposition"].startswith("attachment;")
    assert html.headers["content-type"].startswith("text/html")
    assert not re.search(r"(src|href)=\"(https?:)?//", html.text)
    goals = client.get("/api/why/stories/goals").json()
    assert [g["id"] for g in goals] == [story_org.goal_id]
    for text in (md.text, html.text, str(data)):
        _names_absent(story_org, text)


def test_bad_input_is_400(client: TestClient, story_org: StoryOrg) -> None:
    _as(client, story_org, "member")
    bad = client.get("/api/why/stories", params={"goal": story_org.goal_id, "from": "2014-02-30"})
    assert bad.status_code == 400 and "from" in bad.text
    late = {"goal": story_org.goal_id, "from": "2014-06-01", "to": "2014-05-01"}
    assert client.get("/api/why/stories", params=late).status_code == 400


def test_another_teams_member_is_refused_and_cannot_reach_its_goal(
    client: TestClient, story_org: StoryOrg
) -> None:
    _as(client, story_org, "beta")
    alpha = story_org.flow.org.own_team_id
    goal = story_org.goal_id
    for url in (
        "/why/stories",
        "/api/why/stories",
        "/why/stories/story.md",
        "/api/why/stories/goals",
    ):
        response = client.get(url, params={"team": alpha, "goal": goal})
        assert response.status_code == 403, url
    # through their own team, Alpha's goal is no goal of theirs
    own = client.get("/api/why/stories", params={"goal": goal})
    assert own.status_code == 404 and "has no goal" in own.text
    assert "Patients released sooner" not in own.text
    # their own team's story: too few people, nothing counted, nobody named
    beta = client.get("/api/why/stories", params={"goal": story_org.beta_goal_id}).json()
    assert "done_withheld" in [s["template"] for s in beta["sentences"]]
    _names_absent(story_org, str(beta))


def test_a_director_reads_but_has_no_naming_choice(client: TestClient, story_org: StoryOrg) -> None:
    headers = _as(client, story_org, "director")
    team = story_org.flow.org.own_team_id
    page = client.get("/why/stories", params={"team": team})
    assert page.status_code == 200 and "Name me in stories" not in page.text
    assert (
        client.post("/api/why/stories/consent", json={"named": True}, headers=headers).status_code
        == 403
    )


def test_my_choice_is_mine_only_and_changes_the_story(
    client: TestClient, story_org: StoryOrg
) -> None:
    headers = _as(client, story_org, "leader")
    org = story_org.flow.org
    leader = org.person_ids["leader"]
    assert client.get("/api/why/stories/consent").json()["named"] is True
    # someone else's choice: refused, and nothing changes
    someone = story_org.person_ids["C"]
    refused = client.post(
        "/api/why/stories/consent", json={"named": True, "person_id": someone}, headers=headers
    )
    assert refused.status_code == 403
    with session_scope(story_org.flow.workspace.engine) as session:
        assert naming_consent(session=session, person_id=someone).named is False
    # without the CSRF token: refused
    assert client.post("/api/why/stories/consent", json={"named": False}).status_code == 403
    # the form: stop naming me
    back = f"team={org.own_team_id}&goal={story_org.goal_id}"
    form = client.post(
        "/why/stories/consent",
        data={"named": "no", "back": back, "csrf_token": headers["X-CSRF-Token"]},
        follow_redirects=False,
    )
    assert form.status_code == 303 and form.headers["location"] == f"/why/stories?{back}#naming"
    story = client.get("/api/why/stories", params={"goal": story_org.goal_id}).json()
    assert "The leader" not in story["markdown"] + story["html"]
    assert (
        client.post(
            "/why/stories/consent",
            data={"named": "no", "back": "//evil.example", "csrf_token": headers["X-CSRF-Token"]},
            follow_redirects=False,
        ).headers["location"]
        == "/why/stories#naming"
    )
    again = client.post("/api/why/stories/consent", json={"named": True}, headers=headers)
    assert again.status_code == 200 and again.json() == {
        **again.json(),
        "person_id": leader,
        "named": True,
    }
    with session_scope(story_org.flow.workspace.engine) as session:
        events = audit_service.events(session=session, action="story.consent")
        mine = [e for e in events if e.subject_person_id == leader and e.actor.startswith("user:")]
        assert [e.detail["named"] for e in mine] == [True, False]
