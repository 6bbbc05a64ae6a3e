"""The HOW panel's "From git" section and ``/api/how/git`` on a real git history.

The workspace holds ``tests/delivery/gitflow_repos.build_merges`` (main and release-1.0) and no
tracker events. Team Alpha holds the org's leader, manager and member and the five people who
authored the branches (Bob, Carol, Dave, Erin, Frank); team Beta holds Alice (one person in the
work data: blocked before anything is computed).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from tandem.db.session import session_scope
from tandem.delivery.changes import GitSelection, change_flow
from tandem.delivery.rework import rework
from tandem.ingest import service as ingest_service
from tandem.people import service as people_service
from tandem.people.models import Identity, Membership
from tandem.web.app import create_app
from tandem.web.how.charts import duration, rework_chart
from tandem.workspace import Workspace
from tests.delivery import gitflow_repos as repos
from tests.helpers import new_workspace
from tests.web.conftest import Org, make_org, sign_in_directly

AUTHORS = (repos.BOB, repos.CAROL, repos.DAVE, repos.ERIN, repos.FRANK)


@dataclass(frozen=True)
class Setup:
    workspace: Workspace
    org: Org
    app: FastAPI


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Setup:
    base = tmp_path_factory.mktemp("how-git")
    built = repos.build_merges(base / "repo")
    workspace = new_workspace(base / "ws")
    for rev in (None, "release-1.0"):
        ingest_service.ingest_git(workspace=workspace, paths=[built.path], rev=rev)
    org = make_org(workspace)
    with session_scope(workspace.engine) as session:
        person = {r.identity_key: r.person_id for r in session.scalars(select(Identity)).all()}
        for role in ("leader", "manager", "member"):
            session.add(Membership(person_id=org.person_ids[role], team_id=org.own_team_id))
        for author in AUTHORS:
            session.add(Membership(person_id=person[repos.key(author)], team_id=org.own_team_id))
        session.add(Membership(person_id=person[repos.key(repos.ALICE)], team_id=org.other_team_id))
    return Setup(workspace, org, create_app(workspace))


@pytest.fixture
def client_for(setup: Setup) -> Iterator[Any]:
    clients: list[TestClient] = []

    def make(role: str) -> TestClient:
        client = TestClient(setup.app)
        client.__enter__()
        clients.append(client)
        sign_in_directly(client, setup.workspace, setup.org.users[role])
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def alpha(setup: Setup, **window: dt.datetime) -> GitSelection:
    with session_scope(setup.workspace.engine) as session:
        keys = people_service.team_identity_keys(session=session, teams=["Alpha"])["Alpha"]
        people = people_service.team_identity_people(session=session, teams=["Alpha"])
    return GitSelection(people=tuple(sorted(keys)), team_people=people, **window)


def section(page: str) -> str:
    found = re.search(r'<section[^>]*id="from-git".*?</section>', page, re.S)
    assert found, "no From git section"
    return found.group(0)


@pytest.mark.parametrize("role", ["leader", "manager", "member"])
def test_the_team_sees_its_git_flow_with_the_services_numbers(
    setup: Setup, client_for: Any, role: str
) -> None:
    lake = setup.workspace.lake
    changes = change_flow(lake=lake, selection=alpha(setup))
    reworked = rework(lake=lake, selection=alpha(setup))
    assert (changes["changes"], changes["people"], reworked["people"]) == (3, 5, 5)
    page = client_for(role).get("/how")
    assert page.status_code == 200
    shown = section(page.text)
    # the tracker flow is withheld (no events by the team), the git figures are not
    assert "Withheld: too few people" in page.text
    assert "3 changes merged" in shown and "The work of 5 people." in shown
    coding = changes["coding"]
    assert f'data-p50="{coding["p50_seconds"]}"' in shown
    assert html.escape(duration(coding["p85_seconds"])) in shown
    assert f'data-line-share="{reworked["line_share"]}"' in shown
    # each of the team's weeks rests on fewer than five people: no weekly shares, no chart
    assert all(week["withheld"] for week in reworked["weekly"])
    assert f'data-withheld-weeks="{len(reworked["weekly"])}"' in shown
    assert "chart-rework" not in shown
    api = client_for(role).get("/api/how/git")
    assert api.status_code == 200
    assert api.json() == {"changes": changes, "rework": reworked}


def test_the_rework_chart_draws_the_weekly_shares(setup: Setup) -> None:
    report = rework(lake=setup.workspace.lake, selection=GitSelection())
    spec = rework_chart(report)
    assert [row["week"] for row in spec["data"]["values"]] == [w["week"] for w in report["weekly"]]
    assert spec["data"]["values"][1]["share"] == 1.0  # week 2: every changed line was rework


def test_a_one_person_window_is_withheld_on_the_page_and_the_api(
    setup: Setup, client_for: Any
) -> None:
    """The attack: a window around Frank's merge would show his coding time and rework. Under
    a week it is refused (400, naming the window); a week holding his work alone is withheld."""
    short = {"from": "2024-01-15", "to": "2024-01-16"}
    refused = client_for("leader").get("/api/how/git", params=short)
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "window"
    assert "window 2024-01-15 to 2024-01-16 is 2 days" in refused.text
    shown = section(client_for("leader").get("/how", params=short).text)
    assert "at least 7 days" in shown and "data-p50" not in shown
    query = {"from": "2024-01-15", "to": "2024-01-21"}
    page = client_for("leader").get("/how", params=query)
    shown = section(page.text)
    assert shown.count("data-withheld") == 2 and "from fewer than 5 people" in shown
    assert "data-p50" not in shown and "data-line-share" not in shown
    api = client_for("leader").get("/api/how/git", params=query)
    assert api.status_code == 409 and "from fewer than 5 people" in api.text


def test_all_work_data_for_a_director(setup: Setup, client_for: Any) -> None:
    page = client_for("director").get("/how", params={"team": "all"})
    shown = section(page.text)
    assert "4 changes merged" in shown and "The work of" not in shown
    freq = change_flow(lake=setup.workspace.lake, selection=GitSelection())["deployment_frequency"]
    assert f'data-per-week="{freq["per_week"]}"' in shown


def test_a_blocked_team_shows_no_git_figures(setup: Setup, client_for: Any) -> None:
    page = client_for("director").get("/how", params={"team": str(setup.org.other_team_id)})
    assert page.status_code == 200 and 'id="from-git"' not in page.text
    api = client_for("director").get("/api/how/git", params={"team": str(setup.org.other_team_id)})
    assert api.status_code == 409 and "no_team_work_data" in api.text


def test_another_teams_git_flow_is_refused(setup: Setup, client_for: Any) -> None:
    api = client_for("leader").get("/api/how/git", params={"team": str(setup.org.other_team_id)})
    assert api.status_code == 403


def test_an_item_type_or_another_source_says_git_has_none(client_for: Any) -> None:
    page = client_for("director").get("/how", params={"team": "all", "item_type": "bug"})
    assert "git changes have no item type" in section(page.text)
    page = client_for("director").get("/how", params={"team": "all", "source": "jira:x"})
    assert "the source filter names no git repository" in section(page.text)


def test_no_git_history_says_so(tmp_path: Path) -> None:
    workspace = new_workspace(tmp_path / "ws")
    org = make_org(workspace)
    with TestClient(create_app(workspace)) as client:
        sign_in_directly(client, workspace, org.users["director"])
        page = client.get("/how", params={"team": "all"})
    assert "No git history in the work data yet" in section(page.text)
