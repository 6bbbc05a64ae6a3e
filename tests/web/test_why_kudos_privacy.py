"""Kudos privacy on every surface, by what each role can derive (DESIGN §7, ``docs/why.md``).

Team Alpha has three kudos linked to its goal or a practice: the leader's to the member (who
never agreed to be named), the member's to the manager (who agreed) and the leader's to both.
The checks try to defeat the rules: a director reading names or texts (page, wall, a person's
list, digest, Markdown, brief, story), a member reading a colleague's list, and anyone resolving
a story's or the digest's kudos id to the member.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tandem.db.session import session_scope
from tandem.web.app import create_app
from tandem.why.goals.models import Goal
from tandem.why.recognition import service
from tandem.why.stories.consent import set_naming_consent
from tests.web.conftest import sign_in_directly
from tests.web.how_fixtures import FlowOrg, make_flow_org

API = "/api/why/recognition"
SECRET = "Sat with the night shift QXSECRET"  # to the member only: never leaves the wall
MIXED = "Reworked the triage board QXMIXED"  # to the member and the manager: counted only
TOLD = "Wrote the pager runbook QXTOLD"  # to the manager, who agreed: told


@dataclass(frozen=True)
class Setup:
    flow: FlowOrg
    app: FastAPI
    goal: int
    kudos: dict[str, int]  # secret | mixed | told -> id

    @property
    def team(self) -> str:
        return f"?team={self.flow.org.own_team_id}"

    def person(self, role: str) -> int:
        return self.flow.org.person_ids[role]


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Setup:
    flow = make_flow_org(tmp_path_factory.mktemp("kudos-privacy") / "ws")
    ids = flow.org.person_ids
    with session_scope(flow.workspace.engine) as session:
        goal = Goal(team_id=flow.org.own_team_id, title="Quiet nights",
                    starts_on=dt.date(2014, 1, 1), ends_on=dt.date(2030, 12, 31))  # fmt: skip
        session.add(goal)
        session.flush()
        manager = ids["manager"]
        set_naming_consent(session=session, person_id=manager, by_person_id=manager, named=True,
                           actor="test")  # fmt: skip

        def give(giver: str, to: list[str], what: str, **link: Any) -> int:
            return service.give_kudos(
                session=session, team=flow.org.own_team_id, giver_id=ids[giver],
                recipients=[ids[r] for r in to], what=what, impact="Calmer nights", **link,
            ).id  # fmt: skip

        kudos = {
            "secret": give("leader", ["member"], SECRET, goal_id=goal.id),
            "told": give("member", ["manager"], TOLD, goal_id=goal.id),
            "mixed": give("leader", ["member", "manager"], MIXED, practice="change"),
        }
        goal_id = goal.id
    return Setup(flow, create_app(flow.workspace), goal_id, kudos)


@pytest.fixture
def client_for(setup: Setup) -> Iterator[Any]:
    clients: list[TestClient] = []

    def make(role: str) -> TestClient:
        client = TestClient(setup.app)
        client.__enter__()
        clients.append(client)
        sign_in_directly(client, setup.flow.workspace, setup.flow.org.users[role])
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def story(client: TestClient, setup: Setup) -> Any:
    today = dt.datetime.now(dt.UTC).date()
    answer = client.get(
        "/api/why/stories",
        params={"team": setup.flow.org.own_team_id, "goal": setup.goal,
                "start": (today - dt.timedelta(days=30)).isoformat(), "end": today.isoformat()},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_director_reads_counts_and_never_who_or_what(setup: Setup, client_for: Any) -> None:
    director = client_for("director")
    page = director.get("/why/recognition" + setup.team)
    assert page.status_code == 200
    assert "Kudos in numbers" in page.text and "Kudos wall" not in page.text
    for text in (SECRET, MIXED, "The member", "The leader"):
        assert text not in page.text, text
    for path in ("/kudos", *(f"/people/{setup.person(r)}/kudos" for r in ("member", "manager"))):
        assert director.get(API + path + setup.team).status_code == 403, path
    counts = director.get(API + "/counts" + setup.team)
    assert counts.status_code == 200
    found = counts.json()
    assert found["total"] == 3 and sum(w["count"] for w in found["per_week"]) == 3
    goal, practice = found["per_link"]
    assert (goal["kind"], goal["name"], goal["count"]) == ("goal", "Quiet nights", 2)
    assert (practice["kind"], practice["key"], practice["count"]) == ("practice", "change", 1)
    # nothing in the counts names a person, quotes a kudos or carries a kudos id
    for text in (SECRET, MIXED, TOLD, "The member", "The manager", "The leader", '"id"'):
        assert text not in counts.text.replace('"team":{"id"', ""), text


def test_the_digest_tells_only_kudos_to_people_who_agreed_on_every_path(
    setup: Setup, client_for: Any
) -> None:
    member = setup.person("member")
    for role in ("director", "leader", "member"):
        client = client_for(role)
        digest = client.get(API + "/digest" + setup.team).json()
        assert [k["id"] for k in digest["kudos"]] == [setup.kudos["told"]], role
        assert digest["kudos_total"] == 3 and digest["kudos_not_told"] == 2
        [told] = digest["kudos"]
        assert told["giver"] is None  # the member gave it and never agreed to be named
        assert [p["name"] for p in told["recipients"]] == ["The manager"]
        markdown = client.get(API + "/digest.md" + setup.team).text
        for text in (json.dumps(digest), markdown):
            assert SECRET not in text and MIXED not in text and "The member" not in text
            assert f"person {member}" not in text and f'"id": {member},' not in text
        assert f"kudos {setup.kudos['told']}" in markdown and TOLD in markdown
        assert "2 kudos to teammates who did not all agree to be named" in markdown


def test_a_story_never_cites_a_kudos_that_would_name_someone_who_did_not_agree(
    setup: Setup, client_for: Any
) -> None:
    for role in ("director", "member"):
        found = story(client_for(role), setup)
        text = json.dumps(found)
        assert f"kudos:{setup.kudos['secret']}" not in text and SECRET not in text
        assert f"kudos:{setup.kudos['told']}" in text and TOLD in text
        counted = next(e for e in found["evidence"] if e["kind"] == "kudos-count")
        assert counted["values"]["count"] == 2 and counted["values"]["untold"] == 1
        assert "The member" not in text


def test_the_brief_tells_the_same_as_the_digest(setup: Setup, client_for: Any) -> None:
    for role in ("director", "leader"):
        brief = client_for(role).get("/why/brief" + setup.team)
        assert brief.status_code == 200
        assert SECRET not in brief.text and MIXED not in brief.text
        assert TOLD in brief.text
        assert "2 kudos to teammates who did not all agree to be named" in brief.text


def test_one_persons_kudos_are_theirs_and_their_leaders_and_managers(
    setup: Setup, client_for: Any
) -> None:
    member, manager = setup.person("member"), setup.person("manager")
    own = client_for("member")
    mine = own.get(f"{API}/people/{member}/kudos")
    assert mine.status_code == 200 and SECRET in mine.text
    refused = own.get(f"{API}/people/{manager}/kudos")
    assert refused.status_code == 403 and TOLD not in refused.text
    for role in ("leader", "manager"):
        answer = client_for(role).get(f"{API}/people/{member}/kudos")
        assert answer.status_code == 200 and {k["what"] for k in answer.json()["kudos"]} == {
            SECRET,
            MIXED,
        }
    # another team's pair is refused before the person is looked up
    beta = f"?team={setup.flow.org.other_team_id}"
    assert client_for("leader").get(f"{API}/people/{member}/kudos{beta}").status_code == 403


def test_the_wall_is_the_teams_own(setup: Setup, client_for: Any) -> None:
    """The team's leader, manager and members see who recognised whom: naming consent governs
    what leaves the team (digest, brief, stories), not the team's own wall."""
    for role in ("leader", "manager", "member"):
        wall = client_for(role).get(API + "/kudos").json()
        whats = {k["what"] for k in wall["kudos"]}
        assert {SECRET, MIXED, TOLD} <= whats
        page = client_for(role).get("/why/recognition")
        assert "Kudos wall" in page.text and SECRET in page.text
