"""A person's data: exported as they may see it, and forgotten without a trace (DESIGN §7).

Built on the demo's synthetic organisation (a closed cycle of 32 people); every test runs on
SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from tandem.accounts import service as accounts_service
from tandem.accounts.errors import AuthenticationError
from tandem.accounts.models import User
from tandem.audit import service as audit_service
from tandem.db.models import metadata
from tandem.db.session import session_scope
from tandem.demo.org import DEMO_CYCLE, write_demo_org
from tandem.duos import service as duos_service
from tandem.duos.models import Duo
from tandem.errors import NotFoundError
from tandem.people import privacy
from tandem.people import service as people_service
from tandem.people.models import Identity, Membership, Person
from tandem.people.schemas import IdentitySeen
from tandem.plans import service as plans_service
from tandem.plans.models import DevelopmentPlan
from tandem.profile import service as profile_service
from tandem.profile import sharing
from tandem.profile.schemas import dump
from tandem.profile.visibility import OPERATOR
from tandem.review import service as review_service
from tandem.review.models import ReviewAssignment, ReviewCycle, ReviewResponse
from tandem.status import workspace_status
from tandem.workspace import Workspace
from tests.helpers import scores_loaded_once

OPEN = "open-after-demo"
SUBJECT = "bram.quillby@example.org"  # Atlas's manager: rated, rates others, has a manager
PASSWORD = "correct horse battery"


@pytest.fixture
def demo(demo_db_session: Session) -> dict[str, int]:
    """The demo organisation (shared, rolled back after each test); person ids by email."""
    return {p.email: p.id for p in demo_db_session.scalars(select(Person)) if p.email}


def _person(session: Session, email: str) -> Person:
    return people_service.find_person(session=session, ref=email)


def _raters_of(session: Session, ratee_id: int) -> set[int]:
    return set(
        session.scalars(
            select(ReviewAssignment.rater_id).where(
                ReviewAssignment.ratee_id == ratee_id, ReviewAssignment.rater_id != ratee_id
            )
        )
    )


def test_export_holds_the_person_as_they_see_it_and_no_other_rater(
    demo_db_session: Session, demo: dict[str, int]
) -> None:
    me = _person(demo_db_session, SUBJECT)
    # form timing (speeding) of one assignment the person rated, and of one rating about them
    mine, about_me = (
        demo_db_session.scalars(
            select(ReviewAssignment).where(where).order_by(ReviewAssignment.id).limit(1)
        ).one()
        for where in (
            (ReviewAssignment.rater_id == me.id) & (ReviewAssignment.ratee_id != me.id),
            (ReviewAssignment.ratee_id == me.id) & (ReviewAssignment.rater_id != me.id),
        )
    )
    mine.form_seconds, mine.timed_answers = 123.44, 40
    about_me.form_seconds, about_me.timed_answers = 50.0, 30
    demo_db_session.flush()
    document = privacy.export_person(session=demo_db_session, ref=SUBJECT, actor="cli:tester")
    data = document.model_dump(mode="json")
    text = json.dumps(data, ensure_ascii=False)

    assert data["person"]["email"] == SUBJECT and data["person"]["id"] == me.id
    assert data["memberships"] == [{"team": m.team.name, "role": m.role} for m in me.memberships]
    assert data["cycle_memberships"] == [
        {"cycle": DEMO_CYCLE, "team": m.team.name, "role": m.role} for m in me.memberships
    ]
    # The report equals what the profile service shows the person (every suppression kept).
    cycle = review_service.get_cycle(session=demo_db_session, name=DEMO_CYCLE)
    own = profile_service.person_profile(session=demo_db_session, person=me, cycle=cycle)
    assert data["reports"] == [
        {"cycle": DEMO_CYCLE, "status": "closed", "profile": json.loads(json.dumps(dump(own)))}
    ]
    # Answers: only those the person gave (their own words), never answers about them by others.
    given = demo_db_session.scalar(
        select(func.count()).select_from(ReviewResponse).where(ReviewResponse.rater_id == me.id)
    )
    assert given and len(data["answers_given"]) == given
    assert all(a["ratee_id"] != me.id or a["relation"] == "self" for a in data["answers_given"])
    # the time their own forms took, never a rater's time about them
    assert data["form_timing"] == [
        {"cycle": DEMO_CYCLE, "ratee_id": mine.ratee_id, "form_seconds": 123.4, "timed_answers": 40}
    ]
    # No other rater is named: peers and reports who rated the person appear nowhere. (The line
    # manager is the roster's fact "person.manager", shown alone by design, DESIGN §6.)
    manager_id = me.manager_id
    others = [
        demo_db_session.get(Person, i) for i in _raters_of(demo_db_session, me.id) - {manager_id}
    ]
    assert others
    for rater in others:
        assert rater is not None and rater.email
        assert rater.display_name not in text and rater.email not in text
        assert f'"id": {rater.id},' not in text
    assert data["person"]["manager"]["id"] == manager_id
    # The export itself is audited, about the person, by the actor.
    events = audit_service.events(session=demo_db_session, action="people.export")
    assert [(e.actor, e.subject_person_id) for e in events] == [("cli:tester", me.id)]


def _scan(session: Session, needles: list[str]) -> list[str]:
    """Every (table, value) in the app database that mentions one of ``needles``."""
    found = []
    lowered = [n.lower() for n in needles]
    for table in metadata.sorted_tables:
        for row in session.execute(select(table)):
            for value in row:
                if value is not None and any(n in str(value).lower() for n in lowered):
                    found.append(f"{table.name}: {value!r}")
    return found


def _counts(session: Session) -> dict[str, int]:
    models: list[Any] = [Person, Identity, Membership, ReviewResponse, DevelopmentPlan, Duo, User]
    return {
        m.__tablename__: session.scalar(select(func.count()).select_from(m)) or 0 for m in models
    }


def _report(session: Session, person_id: int, cycle: ReviewCycle) -> dict[str, Any]:
    """A person's whole report of a closed cycle, as they see it (cohort figures included)."""
    person = session.get(Person, person_id)
    assert person is not None
    return dump(profile_service.person_profile(session=session, person=person, cycle=cycle))


def _give_everything(session: Session, me: Person, demo: dict[str, int]) -> dict[str, Any]:
    """Account, sessions, sign-in tries, identity, plan, share, duos and open-cycle answers."""
    user = accounts_service.add_user(
        session=session, email=SUBJECT, password=PASSWORD, role="manager", team="Atlas"
    )
    accounts_service.create_session(session=session, user_id=user.id)
    with pytest.raises(AuthenticationError):
        accounts_service.authenticate(
            session=session, email=SUBJECT, password="wrong password!!", client_ip="10.0.0.1"
        )
    session.add(
        Identity(
            identity_key=f"email:{SUBJECT}",
            source="git",
            kind="email",
            display_name=me.display_name,
            person_id=me.id,
        )
    )
    plans_service.get_or_create_plan(session=session, person=SUBJECT, cycle=DEMO_CYCLE)
    sharing.set_shared(session=session, cycle=DEMO_CYCLE, person_id=me.id, shared=True)
    atlas = sorted(m.person_id for m in me.memberships[0].team.memberships if m.person_id != me.id)
    others = [i for i in sorted(demo.values()) if i not in atlas and i != me.id]
    today = dt.date(2026, 12, 1)
    duos_service.confirm(
        session=session, cycle=DEMO_CYCLE, a=SUBJECT, b=str(atlas[0]), tie_breaker=SUBJECT,
        confirmed_by=SUBJECT, today=today, viewer=OPERATOR,
    )  # fmt: skip
    # A pair of two others whose tie-breaker is the subject and whom the subject confirmed.
    duos_service.confirm(
        session=session, cycle=DEMO_CYCLE, a=str(others[0]), b=str(others[1]),
        tie_breaker=SUBJECT, confirmed_by=SUBJECT, today=today, viewer=OPERATOR,
    )  # fmt: skip
    review_service.create_cycle(session=session, name=OPEN)
    review_service.assign_from_teams(session=session, cycle=OPEN, teams=["Atlas"])
    open_cycle = review_service.get_cycle(session=session, name=OPEN)
    for assignment in session.scalars(
        select(ReviewAssignment).where(
            ReviewAssignment.cycle_id == open_cycle.id, ReviewAssignment.rater_id == me.id
        )
    ):
        session.add(
            ReviewResponse(
                cycle_id=open_cycle.id, ratee_id=assignment.ratee_id, rater_id=me.id,
                relation=assignment.relation, item_id="vision-1", value=4,
            )
        )  # fmt: skip
    session.flush()
    return {"user_id": user.id, "atlas": atlas}


def test_forget_leaves_no_trace_and_keeps_others_frozen_results(
    demo_db_session: Session, demo: dict[str, int]
) -> None:
    me = _person(demo_db_session, SUBJECT)
    name, pid = me.display_name, me.id
    given = _give_everything(demo_db_session, me, demo)
    confirmed = audit_service.events(session=demo_db_session, action="duo.confirm")
    assert len(confirmed) == 2 and {e.actor for e in confirmed} == {"system"}
    assert pid in {e.subject_person_id for e in confirmed} | {
        e.related_person_id for e in confirmed
    }
    assert _scan(demo_db_session, [name, SUBJECT])  # the scan sees the person before

    closed = review_service.get_cycle(session=demo_db_session, name=DEMO_CYCLE)
    rated_by_me = sorted(
        set(
            demo_db_session.scalars(
                select(ReviewResponse.ratee_id).where(
                    ReviewResponse.rater_id == pid,
                    ReviewResponse.ratee_id != pid,
                    ReviewResponse.cycle_id == closed.id,
                )
            )
        )
    )
    assert rated_by_me
    everyone_else = sorted(set(demo.values()) - {pid})
    with scores_loaded_once():
        before = {i: _report(demo_db_session, i, closed) for i in everyone_else}
    counts = _counts(demo_db_session)
    to_delete = demo_db_session.scalar(
        select(func.count())
        .select_from(ReviewResponse)
        .join(ReviewCycle, ReviewCycle.id == ReviewResponse.cycle_id)
        .where(
            or_(ReviewResponse.ratee_id == pid, ReviewResponse.rater_id == pid),
            ReviewCycle.status == "open",
        )
    )
    about_me = demo_db_session.scalar(
        select(func.count())
        .select_from(ReviewResponse)
        .where(ReviewResponse.ratee_id == pid, ReviewResponse.cycle_id == closed.id)
    )
    memberships = len(me.memberships)

    report = privacy.forget_person(session=demo_db_session, ref=SUBJECT, actor="cli:tester")
    demo_db_session.expire_all()

    assert _scan(demo_db_session, [name, SUBJECT]) == []
    with pytest.raises(NotFoundError):
        people_service.find_person(session=demo_db_session, ref=SUBJECT)
    assert demo_db_session.get(Person, pid) is None
    # Everyone else's closed-cycle report is unchanged, cohort figures included: the answers the
    # person gave stay under an anonymous rater, those about them under "a former member".
    closed = review_service.get_cycle(session=demo_db_session, name=DEMO_CYCLE)
    with scores_loaded_once():
        after = {i: _report(demo_db_session, i, closed) for i in everyone_else}
    assert after == before
    assert report.anonymous_rater_id is not None and report.answers_anonymised > 0
    assert report.former_member_id is not None and report.answers_kept == about_me
    assert report.answers_deleted == to_delete > 0  # the open cycle's
    assert report.user_removed and report.duos_removed == 1 and report.identities_unlinked == 1
    assert (report.roster_rows_kept, report.shares_kept, report.shares_removed) == (1, 1, 0)
    # The counts drop by what was the person's (two nameless stand-ins are added).
    now = _counts(demo_db_session)
    assert now["person"] == counts["person"] + 1  # − the person + anonymous rater + former member
    assert now["membership"] == counts["membership"] - memberships
    assert now["review_response"] == counts["review_response"] - report.answers_deleted
    assert now["development_plan"] == counts["development_plan"] - 1
    assert now["duo"] == counts["duo"] - 1
    assert now["user_account"] == counts["user_account"] - 1
    assert now["identity"] == counts["identity"]  # kept, unlinked, its key a one-way hash
    identity = demo_db_session.scalars(select(Identity)).one()
    assert identity.person_id is None and identity.display_name is None
    assert identity.identity_key == people_service.forgotten_key(f"email:{SUBJECT}")
    # Exactly one audit event, by the actor, with the former id only.
    forgets = audit_service.events(session=demo_db_session, action="people.forget")
    assert [(e.actor, e.subject_person_id) for e in forgets] == [("cli:tester", pid)]
    assert forgets[0].detail["answers_deleted"] == report.answers_deleted
    # Neither stand-in is tied to the former person anywhere, the audit log included.
    stand_ins = {report.anonymous_rater_id, report.former_member_id}
    assert "anonymous_rater_id" not in forgets[0].detail
    assert "former_member_id" not in forgets[0].detail
    assert not stand_ins & set(forgets[0].detail.values())
    assert not stand_ins & {
        e.subject_person_id for e in audit_service.events(session=demo_db_session)
    }
    # A stand-in is nobody: never found, fetched or listed, so never shown on its own.
    for stand_in in stand_ins:
        assert stand_in is not None
        with pytest.raises(NotFoundError):
            people_service.find_person(session=demo_db_session, ref=str(stand_in))
        with pytest.raises(NotFoundError):
            people_service.get_person(session=demo_db_session, person_id=stand_in)
    listed = {p.id for p in people_service.list_people(session=demo_db_session)}
    assert not stand_ins & listed and len(listed) == len(demo) - 1
    # A later sync of what the sources saw (the immutable lake) does not bring the person back.
    seen = IdentitySeen(
        identity_key=f"email:{SUBJECT}", source="git", kind="email", display_name=name, is_bot=False
    )
    synced = people_service.sync_identities(session=demo_db_session, identities=[seen])
    assert synced.identities_added == 0 and synced.people_added == 0
    assert _scan(demo_db_session, [name, SUBJECT]) == []
    assert given["user_id"] not in {
        u.id for u in accounts_service.list_users(session=demo_db_session)
    }


def test_forget_deletes_open_cycle_answers_and_needs_no_stand_in_without_closed_ones(
    db_session: Session,
) -> None:
    people = [Person(display_name=f"P{i}", email=f"p{i}@x.org") for i in range(3)]
    db_session.add_all(people)
    db_session.flush()
    review_service.create_cycle(session=db_session, name="c-open")
    cycle = review_service.get_cycle(session=db_session, name="c-open")
    review_service.assign_rater(
        session=db_session, cycle="c-open", ratee=str(people[1].id), rater=str(people[0].id),
        relation="peer",
    )  # fmt: skip
    db_session.add(
        ReviewResponse(
            cycle_id=cycle.id, ratee_id=people[1].id, rater_id=people[0].id, relation="peer",
            item_id="vision-1", value=3,
        )
    )  # fmt: skip
    db_session.flush()
    report = privacy.forget_person(session=db_session, ref="p0@x.org", actor="cli:tester")
    assert (report.answers_deleted, report.answers_anonymised) == (1, 0)
    assert report.anonymous_rater_id is None and not report.user_removed
    assert _scan(db_session, ["p0@x.org"]) == []
    left = db_session.scalar(select(func.count()).select_from(Person))
    assert left == 2


def test_status_counts_drop_on_both_backends(tmp_path: Path, database_url: str) -> None:
    workspace = Workspace.create(tmp_path / "ws", database_url=database_url)
    try:
        with session_scope(workspace.engine) as session:
            write_demo_org(session=session)
        before = workspace_status(workspace)["database"]
        with session_scope(workspace.engine) as session:
            report = privacy.forget_person(session=session, ref=SUBJECT, actor="cli:tester")
        after = workspace_status(workspace)["database"]
    finally:
        workspace.engine.dispose()
    assert after["membership"] == before["membership"] - report.memberships_removed
    # One closed cycle: every answer is kept (under an anonymous rater or a former member).
    assert report.answers_deleted == 0 and report.answers_kept > 0
    assert report.memberships_removed == 1
    assert after["person"] == before["person"] + 1  # − the person + two stand-ins
    assert {k: v for k, v in after.items() if k not in ("membership", "person")} == {
        k: v for k, v in before.items() if k not in ("membership", "person")
    }
