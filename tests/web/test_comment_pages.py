"""Comments on the web: the rating form's boxes and warnings, the profile after the close."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import select

from tandem.db.session import session_scope
from tandem.people.models import Person
from tandem.review import forms
from tandem.review.models import ReviewAssignment, ReviewComment, ReviewCycle
from tandem.web.app import create_app
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


def comments_of(workspace: Workspace, rater: int) -> dict[str, str]:
    with session_scope(workspace.engine) as session:
        rows = session.scalars(select(ReviewComment).where(ReviewComment.rater_id == rater))
        return {r.practice: r.text for r in rows}


def test_the_form_warns_before_saving_and_keeps_a_confirmed_comment(
    client: TestClient, setup: tuple[Workspace, PeopleOrg]
) -> None:
    workspace, org = setup
    ratee = org.person_ids["manager"]  # Bram, Chiara's peer in Atlas
    as_user(client, setup, "member")
    page = client.get(f"/people/rate/{ratee}")
    assert page.text.count('<textarea id="comment-') == 10
    assert 'name="comment-vision" rows="3" maxlength="1000"' in page.text
    text = "Bram explains the why; as your peer I see it. Mail chiara@example.org"
    data = {"csrf_token": csrf_from(page.text), "cycle": org.open_cycle, "vision-1": "4"}
    opened = re.search(r'name="opened" value="([^"]+)"', page.text)
    assert opened is not None
    data |= {"opened": opened.group(1)}
    warned = client.post(f"/people/rate/{ratee}", data=data | {"comment-vision": text})
    assert warned.status_code == 409
    # the re-shown form keeps the clock of the first opening (a new one would make the
    # confirmed save look seconds long: speeding)
    assert f'name="opened" value="{opened.group(1)}"' in warned.text
    assert "Nothing was saved yet" in warned.text
    assert "the name of the person you rate" in warned.text
    assert "holds an email address (chiara@example.org)" in warned.text
    assert str(escape("'as your peer'")) in warned.text
    assert 'name="confirm_comments" value="1"' in warned.text
    assert f">{escape(text)}</textarea>" in warned.text  # what they wrote, kept for editing
    assert comments_of(workspace, org.person_ids["member"]) == {}
    kept = client.post(
        f"/people/rate/{ratee}",
        data=data | {"comment-vision": text, "confirm_comments": "1"},
    )
    assert kept.status_code == 200 and "1 comment stored" in kept.text
    assert comments_of(workspace, org.person_ids["member"]) == {"vision": text}
    assert f">{escape(text)}</textarea>" in kept.text


def test_a_plain_comment_saves_at_once_and_a_long_one_is_refused_by_field(
    client: TestClient, setup: tuple[Workspace, PeopleOrg]
) -> None:
    workspace, org = setup
    ratee = org.person_ids["manager"]
    token = as_user(client, setup, "member")
    data = {"csrf_token": token, "vision-1": "4"}
    too_long = client.post(f"/people/rate/{ratee}", data=data | {"comment-process": "w" * 1001})
    assert too_long.status_code == 400
    assert "comment-process" in too_long.text and "1,001 characters long" in too_long.text
    assert 'id="comment-process" name="comment-process"' in too_long.text
    plain = client.post(f"/people/rate/{ratee}", data=data | {"comment-process": "Fast reviews."})
    assert plain.status_code == 200
    assert comments_of(workspace, org.person_ids["member"]) == {"process": "Fast reviews."}
    # a file in a comment's field is refused by field; it never deletes the stored comment
    upload = client.post(
        f"/people/rate/{ratee}", data=data, files={"comment-process": ("c.txt", b"x", "text/plain")}
    )
    assert upload.status_code == 400 and "comment-process" in upload.text
    assert comments_of(workspace, org.person_ids["member"]) == {"process": "Fast reviews."}


def test_the_api_takes_comments_and_answers_409_with_the_field_until_confirmed(
    client: TestClient, setup: tuple[Workspace, PeopleOrg]
) -> None:
    workspace, org = setup
    ratee = org.person_ids["manager"]
    headers = {"X-CSRF-Token": as_user(client, setup, "member")}
    body = {"answers": {"vision-1": 3}, "comments": {"change": "Thanks, from @chiara"}}
    warned = client.post(f"/api/people/rate/{ratee}", json=body, headers=headers)
    assert warned.status_code == 409
    error = warned.json()["error"]
    assert error["field"] == "comment-change" and "holds a handle (@chiara)" in error["message"]
    saved = client.post(
        f"/api/people/rate/{ratee}", json=body | {"confirm_comments": True}, headers=headers
    )
    assert saved.status_code == 200 and saved.json()["comments"] == 1
    form = client.get(f"/api/people/rate/{ratee}").json()
    assert {p["id"]: p["comment"] for p in form["practices"]}["change"] == "Thanks, from @chiara"
    too_long = client.post(
        f"/api/people/rate/{ratee}", json={"comments": {"vision": "x" * 1500}}, headers=headers
    )
    assert too_long.status_code == 400 and too_long.json()["error"]["field"] == "comment-vision"
    assert comments_of(workspace, org.person_ids["member"]) == {"change": "Thanks, from @chiara"}


def test_the_self_assessment_has_no_comment_box(
    client: TestClient, setup: tuple[Workspace, PeopleOrg]
) -> None:
    as_user(client, setup, "member")
    page = client.get("/people/me/assessment")
    assert page.status_code == 200 and "<textarea" not in page.text
    refused = client.post(
        "/people/me/assessment", data={"csrf_token": csrf_from(page.text), "comment-vision": "x"}
    )
    assert refused.status_code == 400 and "self-assessment takes none" in refused.text


def _comment_on_member(workspace: Workspace, org: PeopleOrg) -> dict[str, str]:
    """Comments about Chiara in the closed demo cycle: 3 peers on vision; on process the
    manager it is shared with (Ada) and 2 peers; on conflict Ada alone. Texts by writer key."""
    member = org.person_ids["member"]
    manager = org.person_ids["leader"]  # Ada is Chiara's line manager
    written: dict[str, str] = {}
    with session_scope(workspace.engine) as session:
        cycle = session.scalars(select(ReviewCycle).where(ReviewCycle.name == org.cycle)).one()
        raters = session.execute(
            select(ReviewAssignment.rater_id, ReviewAssignment.relation)
            .where(ReviewAssignment.cycle_id == cycle.id, ReviewAssignment.ratee_id == member)
            .order_by(ReviewAssignment.rater_id)
        ).all()
        peers = [r for r, relation in raters if relation == "peer"][:3]
        assert len(peers) == 3 and (manager, "manager") in [tuple(r) for r in raters]
        rows = [(p, "peer", "vision", f"Peer note {i} on vision.") for i, p in enumerate(peers)]
        rows[0] = (
            peers[0],
            "peer",
            "vision",
            "Peer note 0 on vision. <em>Trusts</em> us & lets go.",
        )
        rows += [(manager, "manager", "process", "Manager note on process.")]
        rows += [
            (p, "peer", "process", f"Peer note {i} on process.") for i, p in enumerate(peers[:2])
        ]
        rows += [(manager, "manager", "conflict", "Manager note on conflict.")]
        for rater, relation, practice, text in rows:
            session.add(
                ReviewComment(
                    cycle_id=cycle.id,
                    ratee_id=member,
                    rater_id=rater,
                    relation=relation,
                    practice=practice,
                    text=text,
                )
            )
            written[f"{practice}:{rater}"] = text
        names = {p.id: p.display_name for p in session.scalars(select(Person))}
    written.update({f"name:{i}": names[i] for i in [*peers, manager]})
    return written


def test_the_profile_page_shows_comments_by_group_to_the_ratee_and_the_shared_reader(
    client: TestClient, setup: tuple[Workspace, PeopleOrg]
) -> None:
    workspace, org = setup
    written = _comment_on_member(workspace, org)
    token = as_user(client, setup, "member")
    mine = client.get("/api/people/me").json()["profile"]["comments"]
    assert {p: [g["group"] for g in groups] for p, groups in mine.items()} == {
        "vision": ["peer"],
        "process": ["others"],
    }
    assert sorted(mine["process"][0]["comments"]) == [
        "Manager note on process.",
        "Peer note 0 on process.",
        "Peer note 1 on process.",
    ]
    page = client.get("/people/me")
    assert page.status_code == 200 and "Peer note 2 on vision." in page.text
    assert "Manager note on conflict." not in page.text  # the manager alone: never shown
    assert "&lt;em&gt;Trusts&lt;/em&gt; us &amp; lets go." in page.text  # escaped
    assert "<em>Trusts</em>" not in page.text

    for key, name in written.items():
        if key.startswith("name:"):  # no rater named anywhere near the comments
            section = page.text.split('id="comments-heading"')[1].split("</section>")[0]
            assert name not in section

    client.post("/api/people/me/share", json={"shared": True}, headers={"X-CSRF-Token": token})
    as_user(client, setup, "leader")  # Ada: wrote one of process's three
    shared = client.get(f"/api/people/{org.person_ids['member']}").json()["profile"]["comments"]
    assert list(shared) == ["vision"]
    html = client.get(f"/people/{org.person_ids['member']}").text
    assert "Peer note 0 on vision." in html and "Peer note 0 on process." not in html
    assert "4 when you are one of them" in html


@pytest.mark.parametrize("viewer", ["peer", "director", "admin"])
def test_nobody_else_reads_the_comments(
    client: TestClient, setup: tuple[Workspace, PeopleOrg], viewer: str
) -> None:
    workspace, org = setup
    _comment_on_member(workspace, org)
    token = as_user(client, setup, "member")
    client.post("/api/people/me/share", json={"shared": True}, headers={"X-CSRF-Token": token})
    as_user(client, setup, viewer)
    for url in (f"/api/people/{org.person_ids['member']}", f"/people/{org.person_ids['member']}"):
        answer = client.get(url)
        assert answer.status_code == 403 and "Peer note" not in answer.text


def test_a_saved_comment_is_not_in_the_open_cycles_locked_profile(
    client: TestClient, setup: tuple[Workspace, PeopleOrg]
) -> None:
    workspace, org = setup
    ratee = org.person_ids["manager"]
    with session_scope(workspace.engine) as session:
        forms.save_answers(
            session=session,
            rater_id=org.person_ids["member"],
            ratee_id=ratee,
            answers={"vision-1": "4"},
            comments={"vision": "Open-cycle words."},
            cycle=org.open_cycle,
        )
    as_user(client, setup, "manager")
    for url in (f"/people/me?cycle={org.open_cycle}", f"/api/people/me?cycle={org.open_cycle}"):
        answer = client.get(url)
        assert answer.status_code == 200 and "Open-cycle words." not in answer.text
