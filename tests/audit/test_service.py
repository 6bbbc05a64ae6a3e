"""The audit log: each audited write leaves exactly one event with its actor and subject.

Runs on SQLite and PostgreSQL. Events are written in the caller's transaction: rolled back
with it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.accounts import service as accounts_service
from tandem.audit import service as audit
from tandem.audit.models import AuditEvent
from tandem.audit.schemas import ACTION_NAMES
from tandem.errors import InputError
from tandem.people import service as people_service
from tandem.people.models import Identity, Person, Team
from tandem.people.roster import import_roster

PASSWORD = "correct horse battery"


def _only(session: Session, action: str) -> AuditEvent:
    rows = list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
    assert len(rows) == 1, f"{action}: {len(rows)} events"
    return rows[0]


def test_record_and_filter_events(db_session: Session) -> None:
    audit.record(session=db_session, actor="cli:ops", action="people.export", subject_person_id=7)
    audit.record(
        session=db_session, actor="user:3", action="duo.confirm", subject_person_id=1,
        related_person_id=7, detail={"duo_id": 4, "ids": [1, 7]},
    )  # fmt: skip
    audit.record(session=db_session, actor="system", action="user.add", subject_person_id=2)
    about_7 = audit.events(session=db_session, person_id=7)
    assert {e.action for e in about_7} == {"people.export", "duo.confirm"}
    confirm = audit.events(session=db_session, action="duo.confirm")[0]
    assert confirm.detail == {"duo_id": 4, "ids": [1, 7]}
    assert confirm.actor_label == "user:3 (removed)"  # no such user: the id stays, marked
    newest = audit.events(session=db_session)
    assert [e.action for e in newest] == ["user.add", "duo.confirm", "people.export"]
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    assert audit.events(session=db_session, since=tomorrow) == []
    assert len(audit.events(session=db_session, since=audit.parse_since("2000-01-01"))) == 3


def test_unknown_actions_and_content_are_refused(db_session: Session) -> None:
    with pytest.raises(ValueError, match="not an audited action"):
        audit.record(session=db_session, actor="cli:ops", action="report.leak")
    with pytest.raises(ValueError, match="scalar"):
        audit.record(
            session=db_session, actor="cli:ops", action="people.export",
            detail={"answers": {"vision-1": 4}},
        )  # fmt: skip
    with pytest.raises(ValueError, match="too large"):
        audit.record(
            session=db_session, actor="cli:ops", action="people.export", detail={"x": "y" * 3000}
        )
    with pytest.raises(InputError, match="not an audited action"):
        audit.events(session=db_session, action="bogus")
    with pytest.raises(InputError, match="not a date"):
        audit.parse_since("yesterday")
    assert "lake.drop" in ACTION_NAMES  # for `tandem lake drop`
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_user_add_role_and_reset_are_audited_once_each(db_session: Session) -> None:
    db_session.add_all([Team(name="Core"), Person(display_name="Ada", email="ada@x.org")])
    db_session.flush()
    ada = db_session.scalars(select(Person)).one()
    added = accounts_service.add_user(
        session=db_session, email="ada@x.org", password=PASSWORD, role="member", team="Core",
        actor="user:1",
    )  # fmt: skip
    event = _only(db_session, "user.add")
    assert (event.actor, event.subject_person_id, event.target) == (
        "user:1", ada.id, f"user:{added.id}"
    )  # fmt: skip
    assert event.detail["role"] == "member"
    accounts_service.set_role(session=db_session, email="ada@x.org", role="leader", actor="cli:ops")
    event = _only(db_session, "user.role")
    assert (event.actor, event.subject_person_id) == ("cli:ops", ada.id)
    assert (event.detail["previous_role"], event.detail["role"]) == ("member", "leader")
    accounts_service.reset_password(
        session=db_session, email="ada@x.org", password="another long secret", actor="cli:ops"
    )
    event = _only(db_session, "user.reset")
    assert (event.actor, event.subject_person_id) == ("cli:ops", ada.id)
    assert PASSWORD not in str(event.detail) and "ada@x.org" not in str(event.detail)
    # The log resolves a web user's id to their current email.
    labels = {e.actor: e.actor_label for e in audit.events(session=db_session)}
    assert labels["cli:ops"] == "cli:ops"


def test_merge_and_link_are_audited_once_each(db_session: Session, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "name,email,team,role,manager\nAda,ada@x.org,Core,leader,\nAda L,ada2@x.org,Core,member,\n"
        "Bob,bob@x.org,Core,member,\n",
        encoding="utf-8",
    )
    import_roster(session=db_session, path=roster)
    ids = {p.email: p.id for p in db_session.scalars(select(Person))}
    people_service.merge_people(
        session=db_session, into="ada@x.org", others=["ada2@x.org"], actor="cli:ops"
    )
    event = _only(db_session, "people.merge")
    assert (event.actor, event.subject_person_id) == ("cli:ops", ids["ada@x.org"])
    assert event.detail == {
        "merged_person_ids": [ids["ada2@x.org"]], "cycle_rows_moved": 0, "cycle_rows_dropped": 0
    }  # fmt: skip
    identity = Identity(
        identity_key="email:bob@old.org", source="git", kind="email", display_name="Bob",
        person_id=ids["ada@x.org"],
    )  # fmt: skip
    db_session.add(identity)
    db_session.flush()
    people_service.link_identity(
        session=db_session, identity_key="bob@old.org", person="bob@x.org", actor="cli:ops"
    )
    event = _only(db_session, "people.link")
    assert (event.actor, event.subject_person_id, event.related_person_id) == (
        "cli:ops", ids["bob@x.org"], ids["ada@x.org"]
    )  # fmt: skip
    assert "bob@old.org" not in str(event.detail) and "bob@old.org" not in (event.target or "")


def test_the_first_admin_is_added_by_setup(db_session: Session) -> None:
    admin = accounts_service.bootstrap_admin(
        session=db_session, email="root@x.org", password=PASSWORD
    )
    event = _only(db_session, "user.add")
    assert (event.actor, event.target, event.subject_person_id) == (
        "setup", f"user:{admin.id}", None
    )  # fmt: skip
    labels = {e.actor: e.actor_label for e in audit.events(session=db_session)}
    assert labels == {"setup": "setup"}
    audit.record(session=db_session, actor=audit.user_actor(admin.id), action="people.export")
    assert audit.events(session=db_session)[0].actor_label == "root@x.org"
