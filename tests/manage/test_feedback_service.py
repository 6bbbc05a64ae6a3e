"""Feedback on SQLite and PostgreSQL: giving after the lint, who may read it, cadence, counts."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.audit.models import AuditEvent
from tandem.errors import InputError, NotFoundError
from tandem.manage.feedback import service
from tandem.manage.feedback.models import Feedback
from tests.manage.org import Org, make_org

T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
GOOD = {
    "situation": "In Monday's stand-up",
    "behaviour": "You arrived 10 minutes late and we started without you",
    "impact": "We repeated the blockers and ran over by fifteen minutes",
    "intent": "Start on time together",
}
SECRET = "SYNTHETIC-secret-behaviour"


def give(session: Session, org: Org, giver: str, receiver: str, **extra: object) -> int:
    parts: dict[str, object] = {**GOOD, "kind": "redirect", **extra}
    out = service.give_feedback(
        session=session, viewer=org.viewer(giver), receiver_id=org.ids[receiver],
        actor=f"test:{giver}", **parts,  # type: ignore[arg-type]
    )  # fmt: skip
    return out.id


def test_feedback_with_findings_needs_the_lint_seen_and_records_it(db_session: Session) -> None:
    org = make_org(db_session)
    with pytest.raises(InputError) as refused:
        give(db_session, org, "max", "ann", behaviour="You are always late")
    assert refused.value.field == "lint_seen"
    assert "absolute" in refused.value.message
    assert db_session.scalar(select(Feedback.id)) is None  # nothing half-written
    feedback_id = give(db_session, org, "max", "ann", behaviour="You are always late",
                       lint_seen=True)  # fmt: skip
    out = service.get_feedback(
        session=db_session, viewer=org.viewer("ann"), feedback_id=feedback_id, actor="t"
    )
    assert out.lint_shown and out.lint_rules == ["absolute"]
    assert [f.text for f in out.findings] == ["always"]
    clean = give(db_session, org, "max", "bob")
    assert not service.get_feedback(
        session=db_session, viewer=org.viewer("bob"), feedback_id=clean, actor="t"
    ).lint_shown


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"kind": "criticism"}, "kind"),
        ({"situation": "  "}, "situation"),
        ({"behaviour": ""}, "behaviour"),
        ({"impact": "x" * 2001}, "impact"),
        ({"intent": "x" * 2001}, "intent"),
        ({"practice": "juggling"}, "practice"),
    ],
)
def test_bad_input_names_the_field(
    db_session: Session, extra: dict[str, object], field: str
) -> None:
    org = make_org(db_session)
    with pytest.raises(InputError) as refused:
        give(db_session, org, "max", "ann", lint_seen=True, **extra)
    assert refused.value.field == field


def test_feedback_to_oneself_or_nobody_is_refused(db_session: Session) -> None:
    org = make_org(db_session)
    with pytest.raises(InputError, match="someone else"):
        give(db_session, org, "ann", "ann")
    with pytest.raises(InputError, match="no person"):
        service.give_feedback(
            session=db_session, viewer=org.viewer("ann"), receiver_id=999_999, kind="praise",
            actor="t", **GOOD,
        )  # fmt: skip


def test_only_giver_receiver_and_receivers_manager_read_it(db_session: Session) -> None:
    org = make_org(db_session)
    # Bob (Ann's peer) gives Ann feedback: Max, Ann's manager, reads it; Dee (the manager's
    # manager), Eve (another peer), a director and an admin do not
    feedback_id = give(db_session, org, "bob", "ann", behaviour=SECRET, lint_seen=True)
    readers = {"bob": "giver", "ann": "receiver", "max": "manager"}
    for name, relation in readers.items():
        out = service.get_feedback(
            session=db_session, viewer=org.viewer(name), feedback_id=feedback_id, actor="t"
        )
        assert out.relation == relation and out.behaviour == SECRET
    for name in ("dee", "eve", "dir", "adm"):
        with pytest.raises(NotFoundError):
            service.get_feedback(
                session=db_session, viewer=org.viewer(name), feedback_id=feedback_id, actor="t"
            )
        listed = service.list_feedback(session=db_session, viewer=org.viewer(name), actor="t") \
            if name not in ("dir", "adm") else None  # fmt: skip
        assert listed is None or SECRET not in listed.model_dump_json()


def test_the_givers_manager_does_not_read_feedback_the_giver_gave(db_session: Session) -> None:
    org = make_org(db_session)
    # Ann gives Eve feedback: Max manages the giver, not the receiver
    feedback_id = give(db_session, org, "ann", "eve", behaviour=SECRET, lint_seen=True)
    with pytest.raises(NotFoundError):
        service.get_feedback(
            session=db_session, viewer=org.viewer("max"), feedback_id=feedback_id, actor="t"
        )
    assert (
        SECRET
        not in service.list_feedback(
            session=db_session, viewer=org.viewer("max"), actor="t"
        ).model_dump_json()
    )


def test_a_director_who_manages_someone_in_the_roster_still_sees_no_feedback(
    db_session: Session,
) -> None:
    org = make_org(db_session)
    feedback_id = give(db_session, org, "max", "dee", behaviour=SECRET, lint_seen=True)
    for name in ("dir", "adm"):
        for call in (
            lambda v: service.get_feedback(
                session=db_session, viewer=v, feedback_id=feedback_id, actor="t"
            ),
            lambda v: service.list_feedback(session=db_session, viewer=v, actor="t"),
            lambda v: service.cadence(session=db_session, viewer=v, as_of=T0.date()),
        ):
            with pytest.raises(NotFoundError):
                call(org.viewer(name))


def test_a_manager_reading_a_reports_feedback_is_audited_without_text(db_session: Session) -> None:
    org = make_org(db_session)
    feedback_id = give(db_session, org, "bob", "ann", behaviour=SECRET, lint_seen=True)
    service.get_feedback(
        session=db_session, viewer=org.viewer("max"), feedback_id=feedback_id, actor="user:max"
    )
    events = list(db_session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert [e.action for e in events] == ["feedback.give", "feedback.read"]
    assert events[1].actor == "user:max" and events[1].subject_person_id == org.ids["ann"]
    assert all(SECRET not in str(e.detail) and SECRET not in (e.target or "") for e in events)


def test_list_filters_by_person_and_is_newest_first(db_session: Session) -> None:
    org = make_org(db_session)
    first = give(db_session, org, "max", "ann", at=T0)
    second = give(db_session, org, "max", "bob", at=T0 + dt.timedelta(days=1))
    third = give(db_session, org, "ann", "bob", at=T0 + dt.timedelta(days=2))
    mine = service.list_feedback(session=db_session, viewer=org.viewer("max"), actor="t")
    assert [i.id for i in mine.items] == [third, second, first]  # Bob is Max's report
    about_ann = service.list_feedback(
        session=db_session, viewer=org.viewer("max"), about=org.ids["ann"], actor="t"
    )
    assert [i.id for i in about_ann.items] == [third, first]
    bobs = service.list_feedback(session=db_session, viewer=org.viewer("bob"), actor="t")
    assert [i.id for i in bobs.items] == [third, second]


def test_cadence_counts_days_since_the_managers_last_feedback(db_session: Session) -> None:
    org = make_org(db_session)
    give(db_session, org, "max", "ann", at=T0)
    give(db_session, org, "ann", "bob", at=T0)  # a peer's feedback does not count for Max
    as_of = (T0 + dt.timedelta(days=service.ALERT_DAYS)).date()
    out = service.cadence(session=db_session, viewer=org.viewer("max"), as_of=as_of)
    rows = {r.report.name: r for r in out.reports}
    assert rows["Ann"].days_since == service.ALERT_DAYS and not rows["Ann"].alert
    assert rows["Bob"].days_since is None and rows["Bob"].alert
    later = service.cadence(
        session=db_session, viewer=org.viewer("max"), as_of=as_of + dt.timedelta(days=1)
    )
    assert [r.alert for r in later.reports] == [True, True]
    assert out.mine is not None and out.mine.manager.name == "Dee" and out.mine.alert
    ann = service.cadence(session=db_session, viewer=org.viewer("ann"), as_of=as_of)
    assert ann.reports == [] and ann.mine is not None and ann.mine.days_since == 30


def test_counts_are_withheld_below_five_people(db_session: Session) -> None:
    org = make_org(db_session)
    give(db_session, org, "max", "ann", at=T0)
    give(db_session, org, "max", "bob", at=T0, kind="praise")
    give(db_session, org, "ann", "bob", at=T0)
    few = service.counts(session=db_session, as_of=T0.date())
    assert few.total is None and few.people is None
    assert few.withheld and "fewer than 5 people" in few.withheld
    give(db_session, org, "dee", "max", at=T0)
    give(db_session, org, "eve", "dee", at=T0)
    enough = service.counts(session=db_session, as_of=T0.date())
    assert (enough.total, enough.praise, enough.redirect, enough.people) == (5, 1, 4, 5)
