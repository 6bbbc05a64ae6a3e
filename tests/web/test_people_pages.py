"""People pages over a real workspace (the SYNTHETIC demo organisation and an open cycle)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import select

from tandem.db.session import session_scope
from tandem.people.models import Person
from tandem.profile import service as profile_service
from tandem.profile.schemas import dump
from tandem.review import forms
from tandem.review import service as review_service
from tandem.review.items import load_item_bank
from tandem.review.models import ReviewAssignment, ReviewCycle
from tandem.web.app import create_app
from tandem.web.people import form_timing
from tandem.workspace import Workspace
from tests.web.conftest import csrf_from
from tests.web.people_org import PeopleOrg, as_user, fresh


@pytest.fixture
def setup(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, PeopleOrg]:
    return fresh(tmp_path, tmp_path_factory)


@pytest.fixture
def client(setup: tuple[Workspace, PeopleOrg]) -> Iterator[TestClient]:
    with TestClient(create_app(setup[0])) as test_client:
        yield test_client


def test_my_profile_has_the_services_numbers(
    client: TestClient, setup: tuple[Workspace, PeopleOrg]
) -> None:
    workspace, org = setup
    as_user(client, setup, "member")
    answer = client.get("/api/people/me")
    assert answer.status_code == 200
    with session_scope(workspace.engine) as session:
        expected = profile_service.profile(
            session=session, person=str(org.person_ids["member"]), cycle=org.cycle
        )
    body = answer.json()
    assert body["profile"] == dump(expected)
    assert body["viewer_is_owner"] is True
    assert body["sharing"]["shared_with_manager"] is False
    page = client.get("/people/me")
    assert page.status_code == 200
    assert expected.practices["vision"].others is not None
    assert f"{expected.practices['vision'].others:.2f}" in page.text
    assert 'data-vega-spec="profile-chart-spec"' in page.text
    # the leaning, or why there is none ("not enough raters"), and the overall self-rating
    assert (expected.leaning or expected.leaning_reason or "unknown") in page.text
    assert expected.self_tendency is not None and "Rating yourself overall" in page.text
    assert "suppressed" in page.text or all(
        g != "suppressed" for s in expected.practices.values() for g in s.groups.values()
    )
    assert "Share my report with my manager" in page.text


def test_the_manager_sees_a_report_only_once_shared_and_without_self(
    client: TestClient, setup: tuple[Workspace, PeopleOrg]
) -> None:
    _, org = setup
    member = org.person_ids["member"]
    as_user(client, setup, "leader")  # Ada is Chiara's line manager
    assert client.get(f"/people/{member}").status_code == 403
    assert client.get(f"/api/people/{member}").json()["error"]["code"] == "forbidden"

    token = as_user(client, setup, "member")
    shared = client.post("/people/me/share", data={"csrf_token": token, "shared": "1"})
    assert shared.status_code == 200  # followed the redirect back to the profile
    assert "Stop sharing with my manager" in shared.text
    assert "Ada Fernhollow can see this report" in shared.text  # the recorded recipient

    as_user(client, setup, "leader")
    report = client.get(f"/api/people/{member}")
    assert report.status_code == 200
    body = report.json()
    assert body["viewer_is_owner"] is False
    assert body["profile"]["self_included"] is False
    assert all(p["self"] is None for p in body["profile"]["practices"].values())
    assert body["profile"]["blind_spots"] == [] and body["profile"]["hidden_strengths"] == []
    assert body["profile"]["self_tendency"] is None
    page = client.get(f"/people/{member}")
    assert page.status_code == 200 and "shared this report with you" in page.text
    assert "Rating yourself overall" not in page.text

    token = as_user(client, setup, "member")
    headers = {"X-CSRF-Token": token}
    taken_back = client.post("/api/people/me/share", json={"shared": False}, headers=headers)
    assert taken_back.json()["shared_with_manager"] is False
    as_user(client, setup, "leader")
    assert client.get(f"/api/people/{member}").status_code == 403


@pytest.mark.parametrize("viewer", ["peer", "manager", "director", "admin"])
def test_peers_directors_and_admins_never_see_a_profile(
    client: TestClient, setup: tuple[Workspace, PeopleOrg], viewer: str
) -> None:
    _, org = setup
    token = as_user(client, setup, "member")
    client.post("/api/people/me/share", json={"shared": True}, headers={"X-CSRF-Token": token})
    as_user(client, setup, viewer)
    assert client.get(f"/api/people/{org.person_ids['member']}").status_code == 403
    assert client.get(f"/people/{org.person_ids['member']}").status_code == 403


def test_sharing_needs_the_csrf_token(
    client: TestClient, setup: tuple[Workspace, PeopleOrg]
) -> None:
    as_user(client, setup, "member")
    refused = client.post("/api/people/me/share", json={"shared": True})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf_failed"


def test_the_rating_form_saves_answers_the_service_reads(
    client: TestClient, setup: tuple[Workspace, PeopleOrg]
) -> None:
    workspace, org = setup
    ratee = org.person_ids["manager"]  # Bram is Chiara's peer in Atlas
    as_user(client, setup, "member")
    listing = client.get("/api/people/rate").json()
    assert {(a["ratee_id"], a["relation"]) for a in listing} >= {
        (ratee, "peer"),
        (org.person_ids["member"], "self"),
    }
    page = client.get(f"/people/rate/{ratee}")
    assert page.status_code == 200
    assert page.text.count("<fieldset") == 10 + 50  # a practice fieldset holding each item's
    assert '<input type="radio" name="vision-1" value="cant_observe"' in page.text
    data = {"csrf_token": csrf_from(page.text), "cycle": org.open_cycle}
    data |= {"vision-1": "4", "vision-2": "cant_observe", "conflict-5": "2"}
    saved = client.post(f"/people/rate/{ratee}", data=data)
    assert saved.status_code == 200
    assert "Saved: 3 new" in saved.text
    assert 'name="vision-1" value="4" checked' in saved.text
    with session_scope(workspace.engine) as session:
        answers = review_service.answers_by_ratee(session=session, cycle=org.open_cycle)
    mine = {a.item_id: a.value for a in answers[ratee] if a.rater == org.person_ids["member"]}
    assert mine == {"vision-1": 4, "vision-2": None, "conflict-5": 2}
    assert {a.relation for a in answers[ratee]} == {"peer"}


def test_bad_values_are_refused_naming_the_field(
    client: TestClient, setup: tuple[Workspace, PeopleOrg]
) -> None:
    workspace, org = setup
    ratee = org.person_ids["manager"]
    token = as_user(client, setup, "member")
    data = {"csrf_token": token, "vision-1": "4", "vision-3": "7", "nonsense-1": "3"}
    page = client.post(f"/people/rate/{ratee}", data=data)
    assert page.status_code == 400
    assert "Nothing was saved" in page.text
    assert "vision-3" in page.text and "is not 1–5" in page.text
    assert "nonsense-1" in page.text
    api = client.post(
        f"/api/people/rate/{ratee}",
        json={"answers": {"vision-1": 0}},
        headers={"X-CSRF-Token": token},
    )
    assert api.status_code == 400
    error = api.json()["error"]
    assert error["code"] == "invalid_input" and error["field"] == "vision-1"
    assert "vision-1" in error["message"]
    with session_scope(workspace.engine) as session:
        answers = review_service.answers_by_ratee(session=session, cycle=org.open_cycle)
    assert ratee not in answers


def test_a_rater_not_assigned_is_refused(
    client: TestClient, setup: tuple[Workspace, PeopleOrg]
) -> None:
    _, org = setup
    token = as_user(client, setup, "member")
    outsider = org.person_ids["outsider"]  # in Beacon: nobody in Atlas rates them
    assert client.get(f"/people/rate/{outsider}").status_code == 403
    refused = client.post(
        f"/api/people/rate/{outsider}",
        json={"answers": {"vision-1": 3}},
        headers={"X-CSRF-Token": token},
    )
    assert refused.status_code == 403
    assert "not assigned" in refused.json()["error"]["message"]
    # rating oneself goes through the self-assessment, never the colleague form
    assert client.get(f"/people/rate/{org.person_ids['member']}").status_code == 403


def test_the_self_assessment_is_the_same_form_about_me(
    client: TestClient, setup: tuple[Workspace, PeopleOrg]
) -> None:
    workspace, org = setup
    me = org.person_ids["member"]
    as_user(client, setup, "member")
    page = client.get("/people/me/assessment")
    assert page.status_code == 200 and "Your self-assessment" in page.text
    data = {"csrf_token": csrf_from(page.text), "storytelling-2": "5"}
    assert client.post("/people/me/assessment", data=data).status_code == 200
    with session_scope(workspace.engine) as session:
        answers = review_service.answers_by_ratee(session=session, cycle=org.open_cycle)
    assert [(a.rater, a.relation, a.item_id, a.value) for a in answers[me]] == [
        (me, "self", "storytelling-2", 5)
    ]


def test_my_plan_is_made_on_the_first_visit_and_records_progress(
    client: TestClient, setup: tuple[Workspace, PeopleOrg]
) -> None:
    token = as_user(client, setup, "member")
    plan = client.get("/api/people/me/plan").json()
    assert plan["has_plan"] is True and plan["created"] is True
    assert client.get("/api/people/me/plan").json()["created"] is False
    action = plan["practices"][0]["actions"][0]
    page = client.get("/people/me/plan")
    assert page.status_code == 200 and str(escape(action["behaviour"])) in page.text
    data = {"csrf_token": token, "action_id": str(action["id"]), "status": "doing"}
    data["note"] = "<b>first</b> try"
    done = client.post("/people/me/plan/progress", data=data)
    assert done.status_code == 200
    assert "&lt;b&gt;first&lt;/b&gt; try" in done.text
    refreshed = client.get("/api/people/me/plan").json()
    stored = refreshed["practices"][0]["actions"][0]
    assert stored["status"] == "doing" and stored["progress"][0]["note"] == "<b>first</b> try"
    # someone else's action is not mine to update
    other = as_user(client, setup, "peer")
    refused = client.post(
        "/api/people/me/plan/progress",
        json={"action_id": action["id"], "status": "done"},
        headers={"X-CSRF-Token": other},
    )
    assert refused.status_code == 404


def test_names_are_escaped_on_the_rating_pages(
    client: TestClient, setup: tuple[Workspace, PeopleOrg]
) -> None:
    workspace, org = setup
    with session_scope(workspace.engine) as session:
        bram = session.get(Person, org.person_ids["manager"])
        assert bram is not None
        bram.display_name = '<script>alert("x")</script>'
    as_user(client, setup, "member")
    for url in ("/people/rate", f"/people/rate/{org.person_ids['manager']}"):
        html = client.get(url).text
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def _timing(workspace: Workspace, cycle: str, rater: int, ratee: int) -> tuple[float, int]:
    with session_scope(workspace.engine) as session:
        found = session.scalars(
            select(ReviewAssignment)
            .join(ReviewCycle)
            .where(
                ReviewCycle.name == cycle,
                ReviewAssignment.rater_id == rater,
                ReviewAssignment.ratee_id == ratee,
            )
        ).one()
        return found.form_seconds, found.timed_answers


def test_the_form_records_its_signed_time_and_ignores_a_forged_one(
    client: TestClient, setup: tuple[Workspace, PeopleOrg]
) -> None:
    workspace, org = setup
    rater, ratee = org.person_ids["member"], org.person_ids["manager"]
    as_user(client, setup, "member")
    page = client.get(f"/people/rate/{ratee}")
    match = re.search(r'name="opened" value="([^"]+)"', page.text)
    assert match is not None
    key = client.app.state.config.csrf_key  # type: ignore[attr-defined]
    opened = match.group(1)
    # the page's token is for this rater, ratee and cycle only
    pair = {"rater": rater, "ratee": ratee, "cycle": org.open_cycle}
    assert form_timing.seconds_since(key, opened, **pair) is not None
    assert form_timing.seconds_since(key, opened, **{**pair, "ratee": rater}) is None
    assert form_timing.seconds_since(key, opened, **{**pair, "cycle": "other"}) is None
    base = {"csrf_token": csrf_from(page.text), "cycle": org.open_cycle}
    three = {"vision-1": "4", "vision-2": "cant_observe", "conflict-5": "2"}

    # forged (an earlier time, the old MAC), missing, or signed for another ratee: saved, untimed
    stamp = opened.split(".")[0]
    for token in (f"{int(stamp) - 600}.{opened.split('.')[1]}", None, form_timing.sign_opened(
        key, rater=rater, ratee=rater, cycle=org.open_cycle, now=time.time() - 60
    )):  # fmt: skip
        data = base | three | ({} if token is None else {"opened": token})
        assert client.post(f"/people/rate/{ratee}", data=data).status_code == 200
        assert _timing(workspace, org.open_cycle, rater, ratee) == (0.0, 0)

    # a form signed a minute ago: its save adds at least 60 s over the 3 answers it changes
    # (answers posted again unchanged are not timed again)
    signed = form_timing.sign_opened(
        key, rater=rater, ratee=ratee, cycle=org.open_cycle, now=time.time() - 60
    )
    changed = {"vision-1": "5", "vision-2": "3", "conflict-5": "1"}
    saved = client.post(f"/people/rate/{ratee}", data=base | changed | {"opened": signed})
    assert saved.status_code == 200
    seconds, timed = _timing(workspace, org.open_cycle, rater, ratee)
    assert timed == 3 and seconds >= 60
    # the re-rendered form carries a new token of its own
    again = re.search(r'name="opened" value="([^"]+)"', saved.text)
    assert again is not None and form_timing.seconds_since(key, again.group(1), **pair) is not None


def test_a_form_time_too_old_or_in_the_future_is_not_trusted() -> None:
    key = b"k" * 32
    pair = {"rater": 1, "ratee": 2, "cycle": "c"}
    token = form_timing.sign_opened(key, now=1_000_000, **pair)
    assert form_timing.seconds_since(key, token, now=1_000_042, **pair) == 42.0
    limit = 1_000_000 + form_timing.MAX_OPEN_SECONDS
    assert form_timing.seconds_since(key, token, now=limit, **pair) == form_timing.MAX_OPEN_SECONDS
    assert form_timing.seconds_since(key, token, now=limit + 1, **pair) is None
    assert form_timing.seconds_since(key, token, now=999_999, **pair) is None
    assert form_timing.seconds_since(b"x" * 32, token, now=1_000_042, **pair) is None
    for junk in (None, 7, "", "abc", "1.2.3", "-5.x", "9" * 200, token + "x"):
        assert form_timing.seconds_since(key, junk, now=1_000_042, **pair) is None


def test_my_profile_shows_the_overuse_scale_of_a_v2_cycle(
    client: TestClient, setup: tuple[Workspace, PeopleOrg]
) -> None:
    workspace, org = setup
    me = org.person_ids["member"]
    bank = load_item_bank("2")
    with session_scope(workspace.engine) as session:
        review_service.create_cycle(session=session, name="v2-cycle", item_bank_version="2")
        review_service.assign_from_teams(session=session, cycle="v2-cycle", teams=["Atlas"])
        raters = session.scalars(
            select(ReviewAssignment)
            .join(ReviewCycle)
            .where(ReviewCycle.name == "v2-cycle", ReviewAssignment.ratee_id == me)
        ).all()
        for a in raters:
            forms.save_answers(
                session=session, rater_id=a.rater_id, ratee_id=me, cycle="v2-cycle",
                answers={
                    i.id: 2 if i.scale == "overuse" else 4
                    for i in bank.items if i.rated_by(a.relation)
                },
            )  # fmt: skip
        review_service.close_cycle(session=session, name="v2-cycle")
    as_user(client, setup, "member")
    data = client.get("/api/people/me", params={"cycle": "v2-cycle"}).json()["profile"]
    shown = {p: (s["overuse"], s["overuse_n_raters"]) for p, s in data["practices"].items()}
    assert shown and all(value == 2.0 and n >= 1 for value, n in shown.values()), shown
    page = client.get("/people/me", params={"cycle": "v2-cycle"})
    assert page.status_code == 200
    assert "Too much of it" in page.text
    assert f'2.00 <span class="muted">(n {shown["vision"][1]})</span>' in page.text
    # a v1 cycle's page has no such column
    assert "Too much of it" not in client.get("/people/me", params={"cycle": org.cycle}).text
