"""/why/delegation and its JSON twins: the board, ownership without names, permissions."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tandem.web.app import create_app
from tandem.web.config import WebConfig
from tandem.workspace import Workspace
from tests.delivery.rows import DeliveryRows
from tests.web.conftest import sign_in_directly
from tests.why import ownership_repo as r

OTHER_NAMES = ("Ada Lovelace", "Brook Byte", "Cyd Coder", "Dee Docs", "Eli Editor")
IDENTITY_BITS = tuple(who[1] for whos in r.PEOPLE.values() for who in whos)


@pytest.fixture
def teams(workspace: Workspace) -> dict[str, int]:
    return r.ownership_workspace(workspace)


@pytest.fixture
def client(workspace: Workspace, teams: dict[str, int]) -> Iterator[TestClient]:
    app: FastAPI = create_app(workspace, WebConfig())
    with TestClient(app) as test_client:
        yield test_client


def as_user(client: TestClient, workspace: Workspace, email: str) -> str:
    client.cookies.clear()
    return sign_in_directly(client, workspace, email)


def ownership_part(html: str) -> str:
    """The page from the ownership section on (the board above may name who set a level)."""
    return html[html.index('id="ownership"') :]


def test_the_leader_edits_the_board_through_the_forms(
    client: TestClient, workspace: Workspace, teams: dict[str, int]
) -> None:
    csrf = as_user(client, workspace, r.A_NEW[1])
    owners = teams[r.OWNERS]
    added = client.post(
        f"/why/delegation/areas?team={owners}",
        data={"csrf_token": csrf, "name": "Release timing", "level": "3", "note": "start"},
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    board = client.get(f"/api/why/delegation?team={owners}").json()
    (area,) = board["areas"]
    assert (area["name"], area["level"], area["level_name"]) == ("Release timing", 3, "consult")
    assert not area["review_due"]
    # moving down without a note: 400 naming the field, nothing written
    down = client.post(
        f"/why/delegation/areas/{area['id']}/level?team={owners}",
        data={"csrf_token": csrf, "level": "1"},
    )
    assert down.status_code == 400 and "note" in down.text
    up = client.post(
        f"/why/delegation/areas/{area['id']}/level?team={owners}",
        data={"csrf_token": csrf, "level": "6"},
        follow_redirects=False,
    )
    assert up.status_code == 303
    confirm = client.post(
        f"/why/delegation/areas/{area['id']}/confirm?team={owners}",
        data={"csrf_token": csrf, "note": "fine"},
        follow_redirects=False,
    )
    assert confirm.status_code == 303
    history = client.get(f"/api/why/delegation/areas/{area['id']}?team={owners}").json()
    assert [(h["level"], h["change"], h["set_by"]) for h in history["history"]] == [
        (3, "first", "Ada Lovelace"), (6, "up", "Ada Lovelace"), (6, "confirmed", "Ada Lovelace"),
    ]  # fmt: skip
    page = client.get(f"/why/delegation?team={owners}")
    assert page.status_code == 200
    assert 'id="delegation-grid"' in page.text and 'data-level="6"' in page.text
    assert "Inquire: the team decides, then tells the leader what and why." in page.text
    # bad input
    bad = client.post(
        f"/why/delegation/areas?team={owners}",
        data={"csrf_token": csrf, "name": "X", "level": "9"},
    )
    assert bad.status_code == 400 and "level" in bad.text
    assert len(client.get(f"/api/why/delegation?team={owners}").json()["areas"]) == 1


def test_the_team_view_names_no_one(
    client: TestClient, workspace: Workspace, teams: dict[str, int]
) -> None:
    as_user(client, workspace, r.B[1])  # the manager: top author nowhere alone but "."
    owners = teams[r.OWNERS]
    data = client.get(f"/api/why/delegation/ownership?team={owners}").json()
    own = data["ownership"]
    assert own["withheld"] is None and own["people"] == 6
    assert {a["area"]: a["bus_factor"] for a in own["areas"]} == {
        "src": 1, "docs": 2, "lib": 1, ".": 2,
    }  # fmt: skip
    assert [m["area"] for m in own["mine"]] == ["."]  # Brook ties Cyd at the top of "."
    page = client.get(f"/why/delegation?team={owners}")
    part = ownership_part(page.text)
    assert 'data-area="lib" data-bus-factor="1" data-flagged' in part
    assert "data-vega-chart" in part
    # only docs (5 authors) has its figures; the chart draws no withheld area
    chart = json.loads(html.unescape(re.search(r'data-vega-chart="([^"]*)"', part)[1]))  # type: ignore[index]
    assert [v["area"] for v in chart["data"]["values"]] == ["docs"]
    payload = page.text + str(data)
    for name in (*OTHER_NAMES, "Fay Fixer"):
        if name != "Brook Byte":
            assert name not in payload, name
    for bit in IDENTITY_BITS:
        assert bit not in payload.replace(r.B[1], ""), bit


def test_areas_of_fewer_than_five_people_give_no_one_s_work_away(
    client: TestClient, workspace: Workspace, teams: dict[str, int]
) -> None:
    """Brook (manager, 3 of src's 10 changes, 2 of "."'s 5) tries to learn the others' counts
    from the JSON and the page: nothing but authors and bus factor of the small areas."""
    as_user(client, workspace, r.B[1])
    owners = teams[r.OWNERS]
    own = client.get(f"/api/why/delegation/ownership?team={owners}").json()["ownership"]
    areas = {a["area"]: a for a in own["areas"]}
    for name in ("src", "lib", "."):
        area = areas[name]
        assert (area["commits"], area["lines"], area["top_share"], area["herfindahl"]) == (
            None, None, None, None,
        )  # fmt: skip
        assert area["withheld"] and area["bus_factor"] >= 1 and area["authors"] is None
    assert areas["docs"]["commits"] == 7 and areas["docs"]["withheld"] is None
    # her own top area ("." , tied with Cyd): her changes, not a share (2 of 5 gives the rest)
    (mine,) = own["mine"]
    assert (mine["area"], mine["share"], mine["changes"]) == (".", None, 2)
    part = ownership_part(client.get(f"/why/delegation?team={owners}").text)
    row = re.search(r'<tr data-area="src".*?</tr>', part, re.S)[0]  # type: ignore[index]
    assert "withheld" in row and "%" not in row and ">10<" not in row
    assert "you wrote the most changes in .: 2" in part
    assert "fewer than 5 people" in part


def test_a_window_under_seven_days_is_refused(
    client: TestClient, workspace: Workspace, teams: dict[str, int]
) -> None:
    as_user(client, workspace, "director@example.org")
    owners = teams[r.OWNERS]
    narrow = "from=2024-03-20&to=2024-03-25"  # 6 days: one commit apart from the next such
    for path in ("/api/why/delegation/ownership", "/why/delegation"):
        refused = client.get(f"{path}?team={owners}&{narrow}")
        assert refused.status_code == 400, path
        assert "from" in refused.text and "at least 7 days" in refused.text
    only_start = client.get(f"/api/why/delegation/ownership?team={owners}&from=2024-03-25")
    assert only_start.status_code == 400  # to the last commit's day: 4 days
    week = client.get(f"/api/why/delegation/ownership?team={owners}&from=2024-03-19&to=2024-03-25")
    assert week.status_code == 200
    assert (week.json()["ownership"]["start"], week.json()["ownership"]["end"]) == (
        "2024-03-19", "2024-03-25",
    )  # fmt: skip


def test_a_member_sees_only_her_own_areas(
    client: TestClient, workspace: Workspace, teams: dict[str, int]
) -> None:
    as_user(client, workspace, r.F[1])
    page = client.get(f"/why/delegation?team={teams[r.OWNERS]}")
    assert page.status_code == 200
    part = ownership_part(page.text)
    assert re.search(r'id="your-areas".*you wrote 100 % of changes in lib', part, re.S)
    assert "src" not in part[part.index('id="your-areas"') :].split("</aside>")[0]
    for name in OTHER_NAMES:
        assert name not in page.text
    # her JSON: only her own share, nobody's identity
    own = client.get(f"/api/why/delegation/ownership?team={teams[r.OWNERS]}").json()["ownership"]
    assert [(m["area"], m["share"]) for m in own["mine"]] == [("lib", 1.0)]
    # she may not edit the board
    csrf = as_user(client, workspace, r.F[1])
    refused = client.post(
        f"/why/delegation/areas?team={teams[r.OWNERS]}",
        data={"csrf_token": csrf, "name": "X", "level": "1"},
    )
    assert refused.status_code == 403


def test_too_few_people_are_withheld(
    client: TestClient, workspace: Workspace, teams: dict[str, int]
) -> None:
    rows = DeliveryRows()  # reviewed pull requests of the three: approvals are withheld too
    cyd, dee, eli = (r.key(who) for who in (r.C, r.D, r.E))
    for number, (author, reviewer) in enumerate(((cyd, dee), (dee, eli), (eli, cyd)), start=1):
        created = dt.datetime(2024, 3, 10 + number, 9, tzinfo=dt.UTC)
        rows.pull_request(number, author=author, created=created,
                          reviews=[(reviewer, created + dt.timedelta(hours=2))])  # fmt: skip
    rows.relation("@pr:github:acme/shop:1", "@commit:abc123", "contains")  # a relations batch
    rows.write(workspace.lake)
    as_user(client, workspace, "director@example.org")
    data = client.get(f"/api/why/delegation/ownership?team={teams[r.FEW]}").json()
    own, approvals = data["ownership"], data["approvals"]
    assert own["withheld"] is not None and "fewer than 5 people" in own["withheld"]
    assert own["areas"] == [] and own["mine"] == []
    # no count of the three people's work anywhere in the withheld answer
    assert (own["people"], own["commits"]) == (None, None)
    assert approvals["withheld"] and "fewer than 5 people" in approvals["withheld"]
    counts = ("pull_requests", "reviews", "reviewers", "people", "busiest_share")
    assert {k: approvals[k] for k in counts} == dict.fromkeys(counts)
    page = client.get(f"/why/delegation?team={teams[r.FEW]}")
    assert 'id="ownership-withheld"' in page.text
    text = ownership_part(page.text)
    assert re.search(r"\b[0-4] (person|people|reviews|pull requests)\b", text) is None
    assert "commits of" not in text and 'id="approvals-withheld"' in text
    for name in (*OTHER_NAMES, "Fay Fixer"):
        assert name not in page.text


def test_permissions(client: TestClient, workspace: Workspace, teams: dict[str, int]) -> None:
    owners, other = teams[r.OWNERS], teams[r.OTHER]
    as_user(client, workspace, "gus@example.com")  # a member of another team
    assert client.get(f"/why/delegation?team={owners}").status_code == 403
    assert client.get(f"/api/why/delegation/ownership?team={owners}").status_code == 403
    assert client.get(f"/api/why/delegation?team={other}").status_code == 200
    csrf = as_user(client, workspace, "director@example.org")  # reads any team, writes none
    assert client.get(f"/why/delegation?team={owners}").status_code == 200
    assert (
        client.post(
            f"/why/delegation/areas?team={owners}",
            data={"csrf_token": csrf, "name": "X", "level": "1"},
        ).status_code
        == 403
    )
    everyone = client.get(f"/api/why/delegation/ownership?team={owners}&scope=all").json()
    assert everyone["ownership"]["scope"] == "all work data"
    assert everyone["ownership"]["people"] == 6
    csrf = as_user(client, workspace, r.A_NEW[1])  # the leader: not all work data
    assert client.get(f"/api/why/delegation/ownership?team={owners}&scope=all").status_code == 403
    assert client.get(f"/why/delegation?team={owners}&scope=all").status_code == 403
    # the leader cannot reach another team's area through her own team
    assert (
        client.post(
            f"/why/delegation/areas?team={other}",
            data={"csrf_token": csrf, "name": "X", "level": "1"},
        ).status_code
        == 403
    )
    assert client.get(f"/api/why/delegation/ownership?team={owners}&depth=5").status_code == 422
    assert client.get(f"/api/why/delegation/ownership?team={owners}&from=nope").status_code == 400
