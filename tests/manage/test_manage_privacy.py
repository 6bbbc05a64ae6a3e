"""A person's data export and erasure cover feedback and 1:1s (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.manage.feedback import service as feedback
from tandem.manage.feedback.models import Feedback
from tandem.manage.one_on_ones import service as one_on_ones
from tandem.manage.one_on_ones.models import MeetingNote, OneOnOnePair
from tandem.people import privacy
from tests.manage.org import Org, make_org

T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
MAX_PRIVATE = "SYNTHETIC-max-private-note"
ANN_PRIVATE = "SYNTHETIC-ann-private-note"
PARTS = {
    "situation": "In the planning meeting on Tuesday",
    "behaviour": "You summarised the three options before we voted",
    "impact": "We decided in ten minutes",
}


def setup(session: Session) -> tuple[Org, int]:
    org = make_org(session)
    for giver, receiver in (("max", "ann"), ("ann", "bob"), ("bob", "eve")):
        feedback.give_feedback(
            session=session, viewer=org.viewer(giver), receiver_id=org.ids[receiver],
            kind="praise", actor="t", **PARTS,
        )  # fmt: skip
    pair = one_on_ones.start_pair(
        session=session, viewer=org.viewer("max"), other=org.ids["ann"], actor="t"
    )
    meeting = one_on_ones.add_meeting(
        session=session, viewer=org.viewer("max"), pair_id=pair.id, starts_at=T0
    )
    for who, text in (("max", MAX_PRIVATE), ("ann", ANN_PRIVATE)):
        one_on_ones.add_note(
            session=session, viewer=org.viewer(who), meeting_id=meeting.id, text=text,
            private=True,
        )  # fmt: skip
    return org, pair.id


def test_export_holds_own_feedback_and_pairs_but_not_the_partners_private_notes(
    db_session: Session,
) -> None:
    org, pair_id = setup(db_session)
    out = privacy.export_person(session=db_session, ref=str(org.ids["ann"]), actor="t")
    assert sorted((f["giver"]["name"], f["receiver"]["name"]) for f in out.feedback) == [
        ("Ann", "Bob"),
        ("Max", "Ann"),
    ]
    assert [p["pair"]["id"] for p in out.one_on_ones] == [pair_id]
    text = out.model_dump_json()
    assert ANN_PRIVATE in text and MAX_PRIVATE not in text
    max_out = privacy.export_person(session=db_session, ref=str(org.ids["max"]), actor="t")
    assert MAX_PRIVATE in max_out.model_dump_json()
    assert ANN_PRIVATE not in max_out.model_dump_json()


def test_forget_removes_their_feedback_and_pairs(db_session: Session) -> None:
    org, pair_id = setup(db_session)
    report = privacy.forget_person(session=db_session, ref=str(org.ids["ann"]), actor="t")
    assert (report.feedback_removed, report.one_on_one_pairs_removed) == (2, 1)
    assert db_session.get(OneOnOnePair, pair_id) is None
    assert db_session.scalar(select(func.count()).select_from(MeetingNote)) == 0
    left = db_session.execute(select(Feedback.giver_id, Feedback.receiver_id)).all()
    assert [tuple(r) for r in left] == [(org.ids["bob"], org.ids["eve"])]
