"""Concerns and questions: the anonymity threshold, who reads and answers, the clock."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.accounts.errors import PermissionDeniedError
from tandem.audit.models import AuditEvent
from tandem.errors import InputError, NotFoundError
from tandem.manage.concerns import rules, service
from tandem.manage.concerns.models import Concern
from tandem.people.models import Membership
from tandem.people.privacy import export_person, forget_person
from tandem.profile.visibility import OPERATOR, Viewer
from tests.manage.crew import Org, build_org

DAY = dt.date(2026, 12, 1)


@pytest.fixture
def org(db_session: Session) -> Org:
    return build_org(db_session)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def test_a_team_of_four_cannot_raise_anonymously(db_session: Session, org: Org) -> None:
    with pytest.raises(InputError) as refused:
        service.raise_item(
            session=db_session,
            viewer=org.viewer("dan"),
            team=org.four,
            kind="concern",
            text="On-call is too heavy",
            anonymous=True,
            today=DAY,
        )
    assert refused.value.field == "anonymous"
    assert "at least 5" in str(refused.value)
    assert db_session.scalar(select(Concern.id)) is None  # nothing half-written
    board = service.get_board(session=db_session, viewer=org.viewer("dan"), team=org.four)
    assert not board.anonymous_allowed


def test_a_team_of_five_can_and_the_item_names_no_one(db_session: Session, org: Org) -> None:
    before = db_session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()))
    raised = service.raise_item(
        session=db_session,
        viewer=org.viewer("ann"),
        team=org.five,
        kind="concern",
        text="On-call is too heavy",
        anonymous=True,
        actor="user:77",
        today=DAY,
    )
    assert raised.receipt is not None and raised.item.author is None and raised.item.anonymous
    row = db_session.get(Concern, raised.item.id)
    assert row is not None
    assert row.author_id is None and row.raised_on == DAY
    assert row.receipt_hash == rules.receipt_hash(raised.receipt)
    assert raised.receipt not in json.dumps(
        {c.name: str(getattr(row, c.name)) for c in Concern.__table__.columns}
    )
    # no audit event for it: none names the author, the actor or the item
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.id > (before or 0))).all()
    assert events == []
    # on every board, as every reader in the team, it names no one (the author's too)
    for name in ("lea", "max", "ann", "bob", "cat"):
        board = service.get_board(session=db_session, viewer=org.viewer(name), team=org.five)
        (item,) = board.items
        assert item.author is None and not item.mine
        assert "Ann" not in board.model_dump_json()
    # the author's export does not hold it
    export = export_person(session=db_session, ref=str(org.people["ann"]), actor="test")
    assert "On-call" not in export.model_dump_json()
    # the receipt finds it again
    assert service.follow(session=db_session, receipt=raised.receipt).id == raised.item.id
    with pytest.raises(NotFoundError):
        service.follow(session=db_session, receipt="not-a-receipt")


def test_a_team_that_shrinks_keeps_its_anonymous_items(db_session: Session, org: Org) -> None:
    raised = service.raise_item(
        session=db_session, viewer=org.viewer("bob"), team=org.five, kind="question",
        text="Will we hire?", anonymous=True, today=DAY,
    )  # fmt: skip
    db_session.execute(
        Membership.__table__.delete().where(Membership.person_id == org.people["cat"])
    )
    board = service.get_board(session=db_session, viewer=org.viewer("max"), team=org.five)
    assert board.members == 4 and not board.anonymous_allowed
    assert board.items[0].id == raised.item.id and board.items[0].author is None
    with pytest.raises(InputError):
        service.raise_item(
            session=db_session, viewer=org.viewer("bob"), team=org.five, kind="question",
            text="Again?", anonymous=True, today=DAY,
        )  # fmt: skip


def test_named_items_are_audited_and_show_their_author(db_session: Session, org: Org) -> None:
    raised = service.raise_item(
        session=db_session, viewer=org.viewer("bob"), team=org.five, kind="question",
        text="Is the roadmap final?", actor="user:5", today=DAY,
    )  # fmt: skip
    assert raised.receipt is None and raised.item.author == "Bob" and raised.item.mine
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "concern.raise"))
    assert event is not None and event.subject_person_id == org.people["bob"]
    assert "roadmap" not in json.dumps(event.detail)


def test_who_reads_and_who_answers(db_session: Session, org: Org) -> None:
    raised = service.raise_item(
        session=db_session, viewer=org.viewer("cat"), team=org.five, kind="question",
        text="Why the reorg?", today=DAY,
    )  # fmt: skip
    # outside the team, a director, an admin, the operator: no board
    for viewer in (
        org.viewer("dan"),
        org.viewer("kim"),
        Viewer(person_id=org.people["dir"], role="director"),
        Viewer(person_id=org.people["adm"], role="admin"),
        Viewer(person_id=org.people["max"], role="director"),  # a team member in a director role
        OPERATOR,
    ):
        with pytest.raises(PermissionDeniedError):
            service.get_board(session=db_session, viewer=viewer, team=org.five)
    # members do not answer; the other team's manager does not either
    for name in ("ann", "kim"):
        with pytest.raises(PermissionDeniedError):
            service.answer(
                session=db_session, viewer=org.viewer(name), item_id=raised.item.id, text="x"
            )
    answered = service.answer(
        session=db_session,
        viewer=org.viewer("max"),
        item_id=raised.item.id,
        text="To put support next to the product",
        now=_at(DAY + dt.timedelta(days=2), 12),
    )
    assert answered.status == "answered" and answered.days_to_first_answer == 2.5
    assert answered.answers[0].answerer == "Max"
    service.close(session=db_session, viewer=org.viewer("lea"), item_id=raised.item.id)
    with pytest.raises(InputError):
        service.answer(
            session=db_session, viewer=org.viewer("max"), item_id=raised.item.id, text="y"
        )


def test_directors_get_counts_and_time_to_answer_from_five_answers(
    db_session: Session, org: Org
) -> None:
    ids = [
        service.raise_item(
            session=db_session, viewer=org.viewer("ann"), team=org.five, kind="question",
            text=f"Question {n}", today=DAY,
        ).item.id
        for n in range(6)
    ]  # fmt: skip
    director = Viewer(person_id=org.people["dir"], role="director")
    for n, item_id in enumerate(ids[:4]):
        service.answer(
            session=db_session, viewer=org.viewer("max"), item_id=item_id, text="ok",
            now=_at(DAY + dt.timedelta(days=n), 0),
        )  # fmt: skip
    five = next(t for t in service.overview(session=db_session, viewer=director).teams
                if t.team.id == org.five)  # fmt: skip
    assert (five.open, five.answered) == (2, 4)
    assert five.median_days_to_answer is None and five.withheld
    service.answer(
        session=db_session, viewer=org.viewer("max"), item_id=ids[4], text="ok",
        now=_at(DAY + dt.timedelta(days=10), 0),
    )  # fmt: skip
    overview = service.overview(
        session=db_session, viewer=director, as_of=DAY + dt.timedelta(days=9)
    )
    five = next(t for t in overview.teams if t.team.id == org.five)
    assert five.median_days_to_answer == 2.0 and five.p85_days_to_answer == 10.0
    assert five.aging["8–14 days"] == 1
    assert "Question" not in overview.model_dump_json() and "Ann" not in overview.model_dump_json()
    for name in ("max", "ann"):
        with pytest.raises(PermissionDeniedError):
            service.overview(session=db_session, viewer=org.viewer(name))


def test_the_board_ages_open_items(db_session: Session, org: Org) -> None:
    for days in (0, 5, 40):
        service.raise_item(
            session=db_session, viewer=org.viewer("ann"), team=org.five, kind="concern",
            text=f"{days} days", today=DAY - dt.timedelta(days=days),
        )  # fmt: skip
    board = service.get_board(
        session=db_session, viewer=org.viewer("ann"), team=org.five, as_of=DAY
    )
    assert board.aging == {
        "0–2 days": 1, "3–7 days": 1, "8–14 days": 0, "15–30 days": 0, "over 30 days": 1,
    }  # fmt: skip
    assert board.open == 3 and board.median_days_to_answer is None


@pytest.mark.parametrize(
    ("field", "changes"),
    [("text", {"text": "  "}), ("text", {"text": "x" * 2001}), ("kind", {"kind": "rant"})],
)
def test_bad_input_names_the_field(
    db_session: Session, org: Org, field: str, changes: dict[str, str]
) -> None:
    values = {"kind": "question", "text": "ok"} | changes
    with pytest.raises(InputError) as refused:
        service.raise_item(
            session=db_session, viewer=org.viewer("ann"), team=org.five,
            kind=values["kind"], text=values["text"],
        )  # fmt: skip
    assert refused.value.field == field


def test_rules_percentiles() -> None:
    assert rules.median([1.0, 3.0, 2.0, 10.0]) == 2.5
    assert rules.percentile([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], 0.85) == 6.0
    assert rules.aging_bucket(31) == "over 30 days" and rules.aging_bucket(3) == "3–7 days"


def test_forget_deletes_named_items_and_unlinks_answers(db_session: Session, org: Org) -> None:
    named = service.raise_item(
        session=db_session, viewer=org.viewer("bob"), team=org.five, kind="question",
        text="Named one", today=DAY,
    )  # fmt: skip
    anonymous = service.raise_item(
        session=db_session, viewer=org.viewer("bob"), team=org.five, kind="concern",
        text="Anonymous one", anonymous=True, today=DAY,
    )  # fmt: skip
    other = service.raise_item(
        session=db_session, viewer=org.viewer("cat"), team=org.five, kind="question",
        text="Cat's", today=DAY,
    )  # fmt: skip
    service.answer(session=db_session, viewer=org.viewer("max"), item_id=other.item.id, text="A")
    report = forget_person(session=db_session, ref=str(org.people["bob"]), actor="test")
    assert report.concerns_deleted == 1
    assert db_session.get(Concern, named.item.id) is None
    assert db_session.get(Concern, anonymous.item.id) is not None  # linked to no one: kept
    report = forget_person(session=db_session, ref=str(org.people["max"]), actor="test")
    assert report.concern_answers_unlinked == 1
    board = service.get_board(session=db_session, viewer=org.viewer("cat"), team=org.five)
    answered = next(i for i in board.items if i.id == other.item.id)
    assert answered.answers[0].answerer is None and answered.answers[0].text == "A"
