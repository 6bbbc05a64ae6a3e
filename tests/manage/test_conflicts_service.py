"""Conflict cases: only the parties and the facilitator read them, on every service call."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.accounts.errors import PermissionDeniedError
from tandem.audit.models import AuditEvent
from tandem.errors import InputError, NotFoundError
from tandem.manage.conflicts import service
from tandem.manage.conflicts.models import ConflictCase, ConflictParty
from tandem.manage.conflicts.schemas import CaseIn, CaseUpdate, FollowUpIn, PartyUpdate
from tandem.people.privacy import export_person, forget_person
from tandem.profile.visibility import OPERATOR, Viewer
from tests.manage.crew import Org, build_org

DAY = dt.date(2026, 12, 1)


@pytest.fixture
def org(db_session: Session) -> Org:
    return build_org(db_session)


def _open(db: Session, org: Org, kind: str = "relationship") -> int:
    body = CaseIn(
        kind=kind,  # type: ignore[arg-type]
        issue="Ann and Bob disagree in every review",
        parties=[str(org.people["ann"]), "bob@example.org"],
        time_pressure=2,
        relationship_importance=5,
    )
    return service.open_case(session=db, viewer=org.viewer("max"), body=body, today=DAY).id


def outsiders(org: Org) -> list[Viewer]:
    """A peer, the team's leader (not the facilitator), another manager, a director, an admin."""
    return [
        org.viewer("cat"),
        org.viewer("lea"),
        org.viewer("kim"),
        Viewer(person_id=org.people["dir"], role="director"),
        Viewer(person_id=org.people["adm"], role="admin"),
        Viewer(person_id=org.people["lea"], role="admin"),
    ]


def test_no_one_outside_the_case_reads_changes_or_counts_it(db_session: Session, org: Org) -> None:
    case_id = _open(db_session, org)
    for viewer in outsiders(org):
        with pytest.raises(NotFoundError) as hidden:
            service.get_case(session=db_session, viewer=viewer, case_id=case_id)
        assert "take part in" in str(hidden.value)
        with pytest.raises(NotFoundError):
            service.update_case(
                session=db_session, viewer=viewer, case_id=case_id, body=CaseUpdate(issue="x")
            )
        with pytest.raises(NotFoundError):
            service.update_party(
                session=db_session, viewer=viewer, case_id=case_id, body=PartyUpdate(position="x")
            )
        with pytest.raises(NotFoundError):
            service.add_follow_up(
                session=db_session, viewer=viewer, case_id=case_id,
                body=FollowUpIn(text="x", due_on=DAY),
            )  # fmt: skip
        assert service.list_cases(session=db_session, viewer=viewer).cases == []
    # a missing id answers the same as a hidden one
    with pytest.raises(NotFoundError) as missing:
        service.get_case(session=db_session, viewer=org.viewer("cat"), case_id=case_id + 999)
    assert str(missing.value).replace(str(case_id + 999), "N") == str(hidden.value).replace(
        str(case_id), "N"
    )
    with pytest.raises(PermissionDeniedError):
        service.get_case(session=db_session, viewer=OPERATOR, case_id=case_id)
    # the case's people read it
    for name, role in (("max", "facilitator"), ("ann", "party"), ("bob", "party")):
        seen = service.get_case(session=db_session, viewer=org.viewer(name), case_id=case_id)
        assert seen.my_role == role
        assert [
            c.id for c in service.list_cases(session=db_session, viewer=org.viewer(name)).cases
        ] == [case_id]


def test_the_audit_log_and_anothers_export_hold_nothing_of_it(
    db_session: Session, org: Org
) -> None:
    case_id = _open(db_session, org)
    service.update_party(
        session=db_session, viewer=org.viewer("ann"), case_id=case_id,
        body=PartyUpdate(position="Reviews within a day", interests="Unblocked work"),
    )  # fmt: skip
    events = db_session.scalars(select(AuditEvent)).all()
    assert all("conflict" not in (e.action + (e.target or "")) for e in events)
    # an export by someone else (the operator) leaves the cases out; the person's own has their
    # part and never another party's entries
    by_operator = export_person(session=db_session, ref=str(org.people["bob"]), actor="test")
    assert by_operator.conflict_cases == []
    assert "disagree" not in by_operator.model_dump_json()
    own = export_person(
        session=db_session, ref=str(org.people["bob"]), actor="test",
        viewer_person_id=org.people["bob"],
    )  # fmt: skip
    (case,) = own.conflict_cases
    assert case["id"] == case_id and case["role"] == "party"
    assert "Reviews within a day" not in json.dumps(own.model_dump(mode="json"))
    mine = export_person(
        session=db_session, ref=str(org.people["ann"]), actor="test",
        viewer_person_id=org.people["ann"],
    )  # fmt: skip
    assert mine.conflict_cases[0]["mine"]["position"] == "Reviews within a day"
    export_events = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "people.export")
    ).all()
    assert all(e.detail == {} or "conflict" not in json.dumps(e.detail) for e in export_events)


def test_forget_removes_a_party_and_reports_no_case_count(db_session: Session, org: Org) -> None:
    case_id = _open(db_session, org)
    report = forget_person(session=db_session, ref=str(org.people["ann"]), actor="test")
    assert "conflict" not in report.model_dump_json()
    parties = db_session.scalars(
        select(ConflictParty.person_id).where(ConflictParty.case_id == case_id)
    ).all()
    assert parties == [org.people["bob"]]
    forget_person(session=db_session, ref=str(org.people["max"]), actor="test")
    case = db_session.get(ConflictCase, case_id)
    assert case is not None and case.facilitator_id is None


def test_parties_write_their_own_and_see_only_their_own_satisfaction(
    db_session: Session, org: Org
) -> None:
    case_id = _open(db_session, org, kind="task")
    ann, bob, max_ = org.viewer("ann"), org.viewer("bob"), org.viewer("max")
    with pytest.raises(PermissionDeniedError):
        service.update_case(session=db_session, viewer=ann, case_id=case_id,
                            body=CaseUpdate(status="closed"))  # fmt: skip
    with pytest.raises(PermissionDeniedError):
        service.update_party(session=db_session, viewer=max_, case_id=case_id,
                             body=PartyUpdate(position="mine"))  # fmt: skip
    with pytest.raises(InputError) as early:
        service.update_party(session=db_session, viewer=ann, case_id=case_id,
                             body=PartyUpdate(satisfaction=4))  # fmt: skip
    assert early.value.field == "satisfaction"
    with pytest.raises(InputError) as unwritten:
        service.update_case(session=db_session, viewer=max_, case_id=case_id,
                            body=CaseUpdate(status="agreed"))  # fmt: skip
    assert unwritten.value.field == "status"
    agreed = service.update_case(
        session=db_session, viewer=max_, case_id=case_id,
        body=CaseUpdate(
            agreement="Reviews within one working day", chosen_mode="collaborating",
            rationale="Both care", status="agreed", facts=["3 reviews waited > 2 days"],
            options=["review rota", "pairing"], checklist=["listen_first", "facts_first"],
        ),
        today=DAY + dt.timedelta(days=3),
    )  # fmt: skip
    assert agreed.agreed_on == DAY + dt.timedelta(days=3)
    assert [s.key for s in agreed.checklist if s.ticked] == ["listen_first", "facts_first"]
    service.update_party(session=db_session, viewer=ann, case_id=case_id,
                         body=PartyUpdate(satisfaction=2))  # fmt: skip
    service.update_party(session=db_session, viewer=bob, case_id=case_id,
                         body=PartyUpdate(satisfaction=5))  # fmt: skip
    as_ann = service.get_case(session=db_session, viewer=ann, case_id=case_id)
    assert {p.name: p.satisfaction for p in as_ann.parties} == {"Ann": 2, "Bob": None}
    assert as_ann.satisfaction is None
    as_max = service.get_case(session=db_session, viewer=max_, case_id=case_id)
    assert all(p.satisfaction is None for p in as_max.parties)
    assert as_max.satisfaction is not None
    assert (as_max.satisfaction.answered, as_max.satisfaction.mean) == (2, None)


def test_relationship_and_process_cases_remind_the_facilitator_after_14_days(
    db_session: Session, org: Org
) -> None:
    relationship = _open(db_session, org, kind="relationship")
    task = _open(db_session, org, kind="task")
    process = _open(db_session, org, kind="process")
    on_day_14 = service.list_cases(
        session=db_session, viewer=org.viewer("max"), today=DAY + dt.timedelta(days=14)
    )
    assert on_day_14.reminders == []
    later = service.list_cases(
        session=db_session, viewer=org.viewer("max"), today=DAY + dt.timedelta(days=15)
    )
    assert len(later.reminders) == 2
    flagged = {c.id for c in later.cases if c.reminder}
    assert flagged == {relationship, process} and task not in flagged
    # parties get no reminder; an agreed case none either
    assert (
        service.list_cases(
            session=db_session, viewer=org.viewer("ann"), today=DAY + dt.timedelta(days=15)
        ).reminders
        == []
    )
    service.update_case(
        session=db_session, viewer=org.viewer("max"), case_id=process,
        body=CaseUpdate(agreement="Rota", chosen_mode="compromising", status="agreed"),
    )  # fmt: skip
    assert len(service.list_cases(
        session=db_session, viewer=org.viewer("max"), today=DAY + dt.timedelta(days=15)
    ).reminders) == 1  # fmt: skip


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("parties", {"parties": ["ann@example.org", "ann@example.org"]}),
        ("parties", {"parties": ["ann@example.org", "nobody@example.org"]}),
        ("issue", {"issue": "   "}),
        ("facilitator", {"facilitator": "ann@example.org"}),
    ],
)
def test_bad_cases_are_refused_naming_the_field(
    db_session: Session, org: Org, field: str, changes: dict[str, object]
) -> None:
    values: dict[str, object] = {
        "kind": "task", "issue": "Who owns the build?",
        "parties": ["ann@example.org", "bob@example.org"],
    } | changes  # fmt: skip
    with pytest.raises(InputError) as refused:
        service.open_case(
            session=db_session, viewer=org.viewer("max"), body=CaseIn.model_validate(values)
        )
    assert refused.value.field == field
    assert db_session.scalar(select(ConflictCase.id)) is None


def test_only_its_people_open_a_case(db_session: Session, org: Org) -> None:
    body = CaseIn(kind="task", issue="x", parties=["ann@example.org", "bob@example.org"],
                  facilitator="max@example.org")  # fmt: skip
    with pytest.raises(PermissionDeniedError):
        service.open_case(session=db_session, viewer=org.viewer("cat"), body=body)
    opened = service.open_case(session=db_session, viewer=org.viewer("ann"), body=body)
    assert opened.facilitator == "Max" and opened.my_role == "party"
