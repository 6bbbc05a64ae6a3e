"""Choosing raters on the web: the ratee nominates, the line manager approves; the admins'
completion page; what each role can derive (DESIGN §7)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tandem.db.session import session_scope
from tandem.people.models import Person
from tandem.review import forms
from tandem.review import service as review_service
from tandem.review.models import ReviewAssignment, ReviewNomination
from tandem.workspace import Workspace
from tests.web.conftest import Org, csrf_from, sign_in_directly

CYCLE = "2026-h1"


@dataclass(frozen=True)
class Setup:
    workspace: Workspace
    org: Org


@pytest.fixture
def setup(workspace: Workspace, org: Org) -> Setup:
    """The member reports to the manager and is rated in an open cycle (self only so far)."""
    ids = org.person_ids
    with session_scope(workspace.engine) as session:
        session.get_one(Person, ids["member"]).manager_id = ids["manager"]
        review_service.create_cycle(session=session, name=CYCLE, due_date=dt.date(2000, 1, 31))
        for ratee, rater, relation in (
            ("member", "member", "self"),
            ("member", "manager", "manager"),
            ("manager", "member", "report"),  # the member also rates the manager: a rater
        ):
            review_service.assign_rater(
                session=session, cycle=CYCLE, ratee=str(ids[ratee]), rater=str(ids[rater]),
                relation=relation,
            )  # fmt: skip
    return Setup(workspace, org)


def signed(client: TestClient, setup: Setup, role: str) -> str:
    return sign_in_directly(client, setup.workspace, setup.org.users[role])


def nominate(client: TestClient, setup: Setup, rater: str, relation: str = "peer") -> int:
    home = client.get("/")
    assert 'id="choose-raters-1"' in home.text
    answer = client.post(
        "/people/raters",
        data={"csrf_token": csrf_from(home.text), "cycle": CYCLE,
              "rater": setup.org.users[rater], "relation": relation},
        follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 303 and answer.headers["location"] == "/#raters", answer.text
    return int(re.findall(r"/people/raters/(\d+)/approve", _manager_home(client, setup))[-1])


def _manager_home(client: TestClient, setup: Setup) -> str:
    with TestClient(client.app) as manager:
        signed(manager, setup, "manager")
        return manager.get("/").text


def test_the_ratee_nominates_and_the_manager_approves(client: TestClient, setup: Setup) -> None:
    signed(client, setup, "member")
    home = client.get("/")
    assert "Choose your raters" in home.text and "nominate at least 4 more" in home.text
    nomination = nominate(client, setup, "leader")
    mine = client.get("/api/people/raters").json()["mine"][0]
    assert [(n["rater"], n["status"]) for n in mine["nominations"]] == [("The leader", "nominated")]
    with TestClient(client.app) as manager:
        token = signed(manager, setup, "manager")
        page = manager.get("/")
        assert "Approve raters" in page.text and "The leader" in page.text
        done = manager.post(
            f"/people/raters/{nomination}/approve", data={"csrf_token": token},
            follow_redirects=False,
        )  # fmt: skip
        assert done.status_code == 303
    with session_scope(setup.workspace.engine) as session:
        relation = session.scalar(
            select(ReviewAssignment.relation).where(
                ReviewAssignment.ratee_id == setup.org.person_ids["member"],
                ReviewAssignment.rater_id == setup.org.person_ids["leader"],
            )
        )
    assert relation == "peer"
    mine = client.get("/api/people/raters").json()["mine"][0]
    assert (mine["raters"], mine["waiting"]) == (2, 0)


def test_a_rejection_reaches_the_ratee_with_its_reason(client: TestClient, setup: Setup) -> None:
    signed(client, setup, "member")
    nomination = nominate(client, setup, "director")
    with TestClient(client.app) as manager:
        token = signed(manager, setup, "manager")
        answer = manager.post(
            f"/api/people/raters/{nomination}/reject", json={"reason": "not on your work"},
            headers={"X-CSRF-Token": token},
        )  # fmt: skip
        assert answer.status_code == 200 and answer.json()["status"] == "rejected"
    assert "not on your work" in client.get("/").text


def test_only_the_line_manager_decides_and_forms_need_csrf(
    client: TestClient, setup: Setup
) -> None:
    signed(client, setup, "member")
    nomination = nominate(client, setup, "leader")
    with TestClient(client.app) as leader:
        token = signed(leader, setup, "leader")
        refused = leader.post(
            f"/people/raters/{nomination}/approve", data={"csrf_token": token},
            follow_redirects=False,
        )  # fmt: skip
        assert refused.status_code == 403 and "line manager" in refused.text
        assert leader.get("/api/people/raters").json()["to_decide"] == []
    own = client.post(
        f"/people/raters/{nomination}/approve", data={"csrf_token": csrf_from(client.get("/").text)}
    )
    assert own.status_code == 403  # the ratee does not approve their own raters
    no_token = client.post(
        "/people/raters", data={"cycle": CYCLE, "rater": "leader@example.org", "relation": "peer"}
    )
    assert no_token.status_code == 403
    bad = client.post(
        "/api/people/raters",
        json={"cycle": CYCLE, "rater": "leader@example.org", "relation": "boss"},
        headers={"X-CSRF-Token": csrf_from(client.get("/").text)},
    )
    assert bad.status_code == 400 and "relation" in bad.json()["error"]["message"]


def test_the_ratee_cannot_tell_who_has_answered(client: TestClient, setup: Setup) -> None:
    """Everything the ratee reads about their raters is the same before and after one answers,
    but for the one total count; the admins' completion view is closed to them."""
    signed(client, setup, "member")
    nominate(client, setup, "leader")

    def ratee_view() -> tuple[dict, dict]:  # type: ignore[type-arg]
        home = client.get("/api/home").json()
        return home["raters"], client.get("/api/people/raters").json()

    before = ratee_view()
    with session_scope(setup.workspace.engine) as session:
        forms.save_answers(
            session=session, rater_id=setup.org.person_ids["manager"],
            ratee_id=setup.org.person_ids["member"], answers={"vision-1": "4"},
        )  # fmt: skip
    assert ratee_view() == before
    for path in ("/admin/review", "/api/admin/review/completion"):
        assert client.get(path).status_code == 403
    with TestClient(client.app) as manager:
        signed(manager, setup, "manager")
        for path in ("/admin/review", "/api/admin/review/completion"):
            assert manager.get(path).status_code == 403
        # the manager approves raters but reads no answers and no progress in what they get
        panel = manager.get("/api/people/raters").json()
        text = str(panel)
        assert "answered" not in text and "submitted" not in text and "value" not in text


def test_admins_see_completion_by_group_and_who_is_pending(
    client: TestClient, setup: Setup
) -> None:
    with session_scope(setup.workspace.engine) as session:
        forms.save_answers(
            session=session, rater_id=setup.org.person_ids["manager"],
            ratee_id=setup.org.person_ids["member"], answers={"vision-1": "4"},
        )  # fmt: skip
    signed(client, setup, "admin")
    data = client.get(f"/api/admin/review/completion?cycle={CYCLE}").json()
    member = next(r for r in data["ratees"] if r["ratee"] == "The member")
    assert member["groups"] == [
        {"group": "manager", "assigned": 1, "started": 1, "submitted": 0, "shown_now": False,
         "shown_if_all_submit": True},
    ]  # fmt: skip
    assert [p["rater"] for p in member["pending"]] == ["The manager"]
    page = client.get("/admin/review")
    assert page.status_code == 200 and "The manager" in page.text and "due 2000-01-31" in page.text
    events = client.get("/api/admin/audit?action=review.completion")
    assert events.status_code == 200 and len(events.json()["events"]) == 2


def test_the_rater_sees_the_due_date_and_the_overdue_marker(
    client: TestClient, setup: Setup
) -> None:
    signed(client, setup, "member")  # rates the manager in a cycle due in 2000
    (rating,) = client.get("/api/home").json()["attention"]["ratings"]
    assert (rating["due_date"], rating["overdue"]) == ("2000-01-31", True)
    assert "overdue" in client.get("/").text
    with session_scope(setup.workspace.engine) as session:
        review_service.set_due_date(session=session, name=CYCLE, due_date=None)
    (rating,) = client.get("/api/home").json()["attention"]["ratings"]
    assert (rating["due_date"], rating["overdue"]) == (None, False)


def test_the_manager_adds_a_rater_for_a_report(client: TestClient, setup: Setup) -> None:
    token = signed(client, setup, "manager")
    home = client.get("/")
    assert 'id="add-rater"' in home.text
    done = client.post(
        "/people/raters",
        data={"csrf_token": token, "cycle": CYCLE, "ratee": str(setup.org.person_ids["member"]),
              "rater": "leader@example.org", "relation": "peer"},
        follow_redirects=False,
    )  # fmt: skip
    assert done.status_code == 303
    with session_scope(setup.workspace.engine) as session:
        (row,) = session.scalars(select(ReviewNomination)).all()
        assert (row.status, row.nominated_by) == ("approved", "manager")
