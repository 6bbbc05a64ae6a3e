"""Comments in a profile: only after the close, per rater group of 3 commenters (4 with the
reader among them), texts only; through forget, export, the CLI. SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.db.session import session_scope
from tandem.people import privacy
from tandem.people.models import Person
from tandem.profile import service as profile_service
from tandem.profile.schemas import LockedProfileOut, ProfileOut, dump
from tandem.review import service as review_service
from tandem.review.models import ReviewComment, ReviewCycle
from tandem.workspace import Workspace
from tests.helpers import new_workspace, run_cli
from tests.review.comment_org import CYCLE, build, rate

# Rae's raters and their comments: vision has 3 peers and a pool of manager + 2 reports;
# process has 2 peers and 1 report (one pool of 3); conflict has the manager alone.
COMMENTS: dict[str, dict[str, str]] = {
    "pia": {"vision": "Sets a direction we can repeat.", "process": "Unblocks reviews quickly."},
    "paz": {"vision": "The why is always clear.", "process": "Keeps WIP low."},
    "pim": {"vision": "Vision talks feel rehearsed."},
    "poe": {},
    "max": {"vision": "Strategy is sound.", "conflict": "Avoids hard talks."},
    "ria": {"vision": "Inspires the team.", "process": "Boards are tidy."},
    "rob": {"vision": "Could share the roadmap more."},
}


def rate_everyone(session: Session, ids: dict[str, int]) -> None:
    for rater, comments in COMMENTS.items():
        rate(session, ids, rater, comments)


@pytest.fixture
def ids(db_session: Session, tmp_path: Path) -> dict[str, int]:
    found = build(db_session, tmp_path)
    rate_everyone(db_session, found)
    return found


def cycle_of(session: Session) -> ReviewCycle:
    return review_service.get_cycle(session=session, name=CYCLE)


def read(session: Session, ids: dict[str, int], viewer: str | None = None) -> ProfileOut:
    rae = session.get(Person, ids["rae"])
    assert rae is not None
    return profile_service.person_profile(
        session=session,
        person=rae,
        cycle=cycle_of(session),
        include_self=viewer is None,
        viewer_id=None if viewer is None else ids[viewer],
    )


def groups(profile: ProfileOut) -> dict[str, dict[str, list[str]]]:
    return {
        practice: {g.group: sorted(g.comments) for g in found}
        for practice, found in profile.comments.items()
    }


def texts(*writers: str, practice: str = "vision") -> list[str]:
    return sorted(COMMENTS[w][practice] for w in writers)


def test_comments_are_locked_while_the_cycle_is_open(
    db_session: Session, ids: dict[str, int]
) -> None:
    rae = db_session.get(Person, ids["rae"])
    assert rae is not None
    view = profile_service.profile_view(session=db_session, person=rae, cycle=cycle_of(db_session))
    assert isinstance(view, LockedProfileOut)
    assert "Strategy is sound." not in json.dumps(dump(view))
    with pytest.raises(profile_service.ResultsLockedError):
        profile_service.practice_comments(
            session=db_session, cycle=cycle_of(db_session), person=rae
        )


def test_the_ratee_reads_groups_of_three_and_nothing_smaller(
    db_session: Session, ids: dict[str, int]
) -> None:
    review_service.close_cycle(session=db_session, name=CYCLE)
    shown = groups(read(db_session, ids))
    assert shown == {
        "vision": {"peer": texts("pia", "paz", "pim"), "others": texts("max", "ria", "rob")},
        "process": {"others": texts("pia", "paz", "ria", practice="process")},
    }  # conflict: the manager alone is never shown, not even pooled with nobody


def test_a_reader_who_wrote_one_of_three_sees_that_group_only_with_a_fourth(
    db_session: Session, ids: dict[str, int]
) -> None:
    review_service.close_cycle(session=db_session, name=CYCLE)
    # Max (the manager a report is shared with) wrote one of vision's pooled three: the other
    # two would be Ria's and Rob's, so he does not see that pool; process's pool is not his
    as_max = groups(read(db_session, ids, viewer="max"))
    assert as_max == {
        "vision": {"peer": texts("pia", "paz", "pim")},
        "process": {"others": texts("pia", "paz", "ria", practice="process")},
    }
    # Pia, inside the peers' three, loses that group; the pool stays the ratee's pool (it used
    # to take the peers in for her, showing her texts the ratee never sees: the two reads side
    # by side named the pooled writers). A reader's view is always a part of the ratee's.
    as_pia = groups(read(db_session, ids, viewer="pia"))
    assert as_pia["vision"] == {"others": texts("max", "ria", "rob")}
    ratee = groups(read(db_session, ids))
    for who in ("max", "pia", "poe"):
        for practice, shown in groups(read(db_session, ids, viewer=who)).items():
            assert all(ratee[practice][g] == t for g, t in shown.items()), (who, practice)
    # Poe commented on nothing: reads what the ratee reads
    assert groups(read(db_session, ids, viewer="poe")) == groups(read(db_session, ids))


def test_no_rater_identity_and_the_same_order_on_every_read(
    db_session: Session, ids: dict[str, int]
) -> None:
    review_service.close_cycle(session=db_session, name=CYCLE)
    first, second = read(db_session, ids), read(db_session, ids)
    assert first.comments == second.comments
    as_poe = read(db_session, ids, viewer="poe")
    assert as_poe.comments == first.comments  # the order does not depend on the reader
    for found in first.comments.values():
        for group in found:
            assert set(group.model_dump()) == {"group", "label", "comments"}
            assert all(isinstance(t, str) for t in group.comments)
    text = json.dumps(dump(first)["comments"])
    people = db_session.scalars(select(Person)).all()
    for person in people:
        assert person.display_name not in text and str(person.email) not in text
    # the order is not the raters' (ids ascend in roster order: Max, Rae, Pia, Paz, Pim, …)
    peers = next(g for g in first.comments["vision"] if g.group == "peer").comments
    by_rater = [COMMENTS[w]["vision"] for w in ("pia", "paz", "pim")]
    assert sorted(peers) == sorted(by_rater)
    assert peers == sorted(peers, key=lambda t: __import__("hashlib").sha256(
        f"{cycle_of(db_session).id}:{ids['rae']}\x00vision\x00{t}".encode()
    ).hexdigest())  # fmt: skip


def test_forgetting_a_commenter_after_the_close_changes_no_ones_read(
    db_session: Session, ids: dict[str, int]
) -> None:
    review_service.close_cycle(session=db_session, name=CYCLE)
    before = read(db_session, ids).comments
    report = privacy.forget_person(session=db_session, ref="pia@example.com", actor="test")
    assert (report.comments_anonymised, report.comments_deleted) == (2, 0)
    db_session.expire_all()
    assert read(db_session, ids).comments == before  # which text was hers: not told
    assert report.anonymous_rater_id is not None
    kept = db_session.scalars(
        select(ReviewComment.text).where(ReviewComment.rater_id == report.anonymous_rater_id)
    ).all()
    assert sorted(kept) == sorted(COMMENTS["pia"].values())


def test_forgetting_the_ratee_keeps_comments_about_them_under_a_stand_in(
    db_session: Session, ids: dict[str, int]
) -> None:
    review_service.close_cycle(session=db_session, name=CYCLE)
    report = privacy.forget_person(session=db_session, ref="rae@example.com", actor="test")
    written = sum(len(c) for c in COMMENTS.values())
    assert (report.comments_kept, report.comments_deleted) == (written, 0)
    about = db_session.scalars(select(ReviewComment.ratee_id)).all()
    assert set(about) == {report.former_member_id}


def test_forgetting_in_an_open_cycle_deletes_what_they_wrote_and_scrubs_their_name(
    db_session: Session, ids: dict[str, int]
) -> None:
    rate(db_session, ids, "poe", {"empowerment": "Lets Pim Vos lead the migration."})
    report = privacy.forget_person(session=db_session, ref="pia@example.com", actor="test")
    assert (report.comments_deleted, report.comments_anonymised) == (2, 0)
    left = set(db_session.scalars(select(ReviewComment.text)).all())
    assert not left & set(COMMENTS["pia"].values())
    scrubbed = privacy.forget_person(session=db_session, ref="pim@example.com", actor="test")
    assert scrubbed.comments_scrubbed == 1
    assert "Lets [name removed] lead the migration." in set(
        db_session.scalars(select(ReviewComment.text)).all()
    )


def test_a_name_with_a_non_ascii_capital_is_scrubbed_too(
    db_session: Session, ids: dict[str, int]
) -> None:
    db_session.get_one(Person, ids["pim"]).display_name = "Åsa Vos"
    rate(db_session, ids, "poe", {"empowerment": "Lets ÅSA VOS lead the migration."})
    scrubbed = privacy.forget_person(session=db_session, ref="pim@example.com", actor="test")
    assert scrubbed.comments_scrubbed == 1
    assert "Lets [name removed] lead the migration." in set(
        db_session.scalars(select(ReviewComment.text)).all()
    )


def test_the_export_holds_the_comments_one_wrote_and_only_shown_ones_about_one(
    db_session: Session, ids: dict[str, int]
) -> None:
    review_service.close_cycle(session=db_session, name=CYCLE)
    pia = privacy.export_person(session=db_session, ref="pia@example.com", actor="test")
    assert sorted((c["practice"], c["text"]) for c in pia.comments_given) == sorted(
        COMMENTS["pia"].items()
    )
    assert {c["ratee_id"] for c in pia.comments_given} == {ids["rae"]}
    rae = privacy.export_person(session=db_session, ref="rae@example.com", actor="test")
    assert rae.comments_given == []
    document = json.dumps(rae.model_dump(mode="json"))
    assert COMMENTS["max"]["conflict"] not in document  # a hidden comment stays hidden
    profile: dict[str, Any] = rae.reports[0]["profile"]
    assert profile["comments"] == dump(read(db_session, ids))["comments"]


@pytest.mark.parametrize("as_json", [True, False])
def test_the_cli_shows_the_comments_of_a_closed_cycle(tmp_path: Path, as_json: bool) -> None:
    workspace: Workspace = new_workspace(tmp_path / "ws")
    with session_scope(workspace.engine) as session:
        ids = build(session, tmp_path)
        rate_everyone(session, ids)
    args = ["profile", "rae@example.com", "--cycle", CYCLE, "--workspace", workspace.root]
    open_run = run_cli(*args, "--json")
    assert open_run.exit_code == 0 and "comments" not in open_run.json()
    with session_scope(workspace.engine) as session:
        review_service.close_cycle(session=session, name=CYCLE)
    result = run_cli(*args, *(["--json"] if as_json else []), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    if as_json:
        vision = result.json()["comments"]["vision"]
        assert [g["group"] for g in vision] == ["peer", "others"]
        assert sorted(vision[0]["comments"]) == texts("pia", "paz", "pim")
    else:
        assert "vision · peers:" in result.stdout
        assert "“The why is always clear.”" in result.stdout
        assert "Avoids hard talks." not in result.stdout
