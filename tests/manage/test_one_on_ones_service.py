"""1:1s on SQLite and PostgreSQL: pairs, carry-over, actions, private notes, cadence, counts."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.audit.models import AuditEvent
from tandem.errors import InputError, NotFoundError
from tandem.manage.one_on_ones import service
from tandem.manage.one_on_ones.models import OneOnOnePair
from tandem.workspace import Workspace
from tests.manage.checkin_org import AS_OF, make_checkin_org
from tests.manage.org import Org, make_org

T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
PRIVATE = "SYNTHETIC-private-worry-about-ann"
SHARED = "SYNTHETIC-shared-summary"


def pair(session: Session, org: Org, who: str = "max", other: str = "ann") -> int:
    return service.start_pair(
        session=session, viewer=org.viewer(who), other=org.ids[other], actor="t",
        as_of=T0.date(),
    ).id  # fmt: skip


def meet(session: Session, org: Org, pair_id: int, days: int, who: str = "max") -> int:
    return service.add_meeting(
        session=session, viewer=org.viewer(who), pair_id=pair_id,
        starts_at=T0 + dt.timedelta(days=days),
    ).id  # fmt: skip


def test_a_pair_is_a_manager_and_a_direct_report_started_by_either(db_session: Session) -> None:
    org = make_org(db_session)
    first = service.start_pair(
        session=db_session, viewer=org.viewer("ann"), other=org.ids["max"], actor="t"
    )
    assert (first.manager.name, first.report.name, first.partner.name) == ("Max", "Ann", "Max")
    again = service.start_pair(
        session=db_session, viewer=org.viewer("max"), other=org.ids["ann"], actor="t"
    )
    assert again.id == first.id and again.partner.name == "Ann"
    assert len(list(db_session.scalars(select(OneOnOnePair)))) == 1
    with pytest.raises(InputError) as refused:
        service.start_pair(session=db_session, viewer=org.viewer("ann"), other=org.ids["bob"],
                           actor="t")  # fmt: skip
    assert refused.value.field == "other"
    with pytest.raises(InputError, match="cadence"):
        service.start_pair(session=db_session, viewer=org.viewer("max"), other=org.ids["bob"],
                           cadence_days=0, actor="t")  # fmt: skip
    [event] = db_session.scalars(select(AuditEvent))
    assert event.action == "one_on_one.pair" and event.detail["started"] is True


def test_unresolved_items_carry_over_until_resolved(db_session: Session) -> None:
    org = make_org(db_session)
    pair_id = pair(db_session, org)
    m1, m2, m3 = (meet(db_session, org, pair_id, d) for d in (0, 14, 28))
    a = service.add_agenda_item(session=db_session, viewer=org.viewer("ann"), pair_id=pair_id,
                                meeting_id=m1, text="Career path")  # fmt: skip
    b = service.add_agenda_item(session=db_session, viewer=org.viewer("max"), pair_id=pair_id,
                                meeting_id=m1, text="On-call load")  # fmt: skip
    assert a.author is not None and a.author.name == "Ann" and not a.carried
    service.resolve_item(session=db_session, viewer=org.viewer("max"), item_id=b.id,
                         meeting_id=m2)  # fmt: skip

    def agenda(meeting_id: int) -> list[tuple[str, str, bool, dt.date]]:
        out = service.meeting_view(
            session=db_session, viewer=org.viewer("ann"), meeting_id=meeting_id
        )
        return [(i.text, i.status, i.carried, i.first_raised_on) for i in out.agenda]

    day = T0.date()
    assert agenda(m1) == [
        ("Career path", "open", False, day),
        ("On-call load", "resolved", False, day),
    ]
    assert agenda(m2) == [
        ("Career path", "open", True, day),
        ("On-call load", "resolved", True, day),
    ]
    assert agenda(m3) == [("Career path", "open", True, day)]  # resolved at m2: gone from m3
    service.resolve_item(session=db_session, viewer=org.viewer("ann"), item_id=a.id,
                         meeting_id=m3)  # fmt: skip
    assert agenda(m3) == [("Career path", "resolved", True, day)]
    service.resolve_item(session=db_session, viewer=org.viewer("ann"), item_id=a.id, reopen=True)
    assert agenda(m3) == [("Career path", "open", True, day)]


def test_actions_have_an_owner_of_the_pair_and_a_due_date(db_session: Session) -> None:
    org = make_org(db_session)
    pair_id = pair(db_session, org)
    meet(db_session, org, pair_id, 0)
    action = service.add_action(
        session=db_session, viewer=org.viewer("max"), pair_id=pair_id, owner=org.ids["ann"],
        text="Draft the RFC", due_date=dt.date(2026, 3, 9),
    )  # fmt: skip
    assert action.owner.name == "Ann" and not action.done
    with pytest.raises(InputError) as refused:
        service.add_action(session=db_session, viewer=org.viewer("max"), pair_id=pair_id,
                           owner=org.ids["bob"], text="x")  # fmt: skip
    assert refused.value.field == "owner"
    done = service.set_action_done(
        session=db_session, viewer=org.viewer("ann"), action_id=action.id
    )
    assert done.done
    detail = service.pair_detail(session=db_session, viewer=org.viewer("max"), pair_id=pair_id,
                                 as_of=T0.date())  # fmt: skip
    assert detail.open_actions == []
    with pytest.raises(NotFoundError):
        service.set_action_done(session=db_session, viewer=org.viewer("bob"), action_id=action.id)


def test_private_notes_are_read_by_their_author_alone(db_session: Session) -> None:
    org = make_org(db_session)
    pair_id = pair(db_session, org)
    meeting_id = meet(db_session, org, pair_id, 0)
    service.add_note(session=db_session, viewer=org.viewer("max"), meeting_id=meeting_id,
                     text=PRIVATE, private=True)  # fmt: skip
    service.add_note(session=db_session, viewer=org.viewer("max"), meeting_id=meeting_id,
                     text=SHARED, private=False)  # fmt: skip
    as_max = service.meeting_view(
        session=db_session, viewer=org.viewer("max"), meeting_id=meeting_id
    )
    assert {(n.text, n.private) for n in as_max.notes} == {(PRIVATE, True), (SHARED, False)}
    as_ann = service.meeting_view(
        session=db_session, viewer=org.viewer("ann"), meeting_id=meeting_id
    )
    assert [n.text for n in as_ann.notes] == [SHARED]
    ann_detail = service.pair_detail(session=db_session, viewer=org.viewer("ann"),
                                     pair_id=pair_id, as_of=T0.date())  # fmt: skip
    assert PRIVATE not in ann_detail.model_dump_json()
    assert PRIVATE not in str(service.export_rows(session=db_session, person_id=org.ids["ann"]))
    assert PRIVATE in str(service.export_rows(session=db_session, person_id=org.ids["max"]))
    assert (
        PRIVATE
        not in service.pair_calendar(
            session=db_session, viewer=org.viewer("max"), pair_id=pair_id
        ).decode()
    )
    audit_text = " ".join(f"{e.detail} {e.target}" for e in db_session.scalars(select(AuditEvent)))
    assert PRIVATE not in audit_text and SHARED not in audit_text


@pytest.mark.parametrize("outsider", ["bob", "dee", "eve", "dir", "adm"])
def test_a_pair_is_readable_by_the_pair_only(db_session: Session, outsider: str) -> None:
    org = make_org(db_session)
    pair_id = pair(db_session, org)
    meeting_id = meet(db_session, org, pair_id, 0)
    item = service.add_agenda_item(session=db_session, viewer=org.viewer("ann"), pair_id=pair_id,
                                   text="x")  # fmt: skip
    viewer = org.viewer(outsider)
    calls = [
        lambda: service.pair_detail(
            session=db_session, viewer=viewer, pair_id=pair_id, as_of=T0.date()
        ),
        lambda: service.meeting_view(session=db_session, viewer=viewer, meeting_id=meeting_id),
        lambda: service.pair_calendar(session=db_session, viewer=viewer, pair_id=pair_id),
        lambda: service.add_note(
            session=db_session, viewer=viewer, meeting_id=meeting_id, text="x", private=True
        ),
        lambda: service.add_agenda_item(
            session=db_session, viewer=viewer, pair_id=pair_id, text="x"
        ),
        lambda: service.resolve_item(session=db_session, viewer=viewer, item_id=item.id),
        lambda: service.set_cadence(
            session=db_session, viewer=viewer, pair_id=pair_id, cadence_days=7, actor="t"
        ),
    ]
    for call in calls:
        with pytest.raises(NotFoundError):
            call()
    if outsider not in ("dir", "adm"):
        listed = service.list_pairs(session=db_session, viewer=viewer, as_of=T0.date())
        assert pair_id not in [p.id for p in listed.pairs]


def test_cadence_alert_past_the_cadence_and_counts(db_session: Session) -> None:
    org = make_org(db_session)
    pair_id = pair(db_session, org)
    viewer = org.viewer("ann")
    never = service.list_pairs(
        session=db_session, viewer=viewer, as_of=(T0 + dt.timedelta(days=14)).date()
    )
    assert not never.pairs[0].overdue  # 14 days old: not past the cadence yet
    late = service.list_pairs(
        session=db_session, viewer=viewer, as_of=(T0 + dt.timedelta(days=15)).date()
    )
    assert late.pairs[0].overdue and late.pairs[0].alert == "no 1:1 yet (cadence: every 14 days)"
    meet(db_session, org, pair_id, 1)
    meet(db_session, org, pair_id, 40)  # planned: does not stop the alert
    on = service.list_pairs(
        session=db_session, viewer=viewer, as_of=(T0 + dt.timedelta(days=15)).date()
    )
    assert not on.pairs[0].overdue and on.pairs[0].days_since == 14
    past = service.list_pairs(
        session=db_session, viewer=viewer, as_of=(T0 + dt.timedelta(days=16)).date()
    )
    assert past.pairs[0].overdue and past.pairs[0].days_since == 15
    assert past.pairs[0].next_meeting_at == T0 + dt.timedelta(days=40)
    out = service.set_cadence(session=db_session, viewer=viewer, pair_id=pair_id, cadence_days=21,
                              actor="t")  # fmt: skip
    assert out.cadence_days == 21
    assert service.counts(session=db_session, as_of=T0.date()).pairs is None  # 1 pair < 5


def test_candidates_are_roster_links_without_a_pair(db_session: Session) -> None:
    org = make_org(db_session)
    pair(db_session, org)
    listed = service.list_pairs(session=db_session, viewer=org.viewer("max"), as_of=T0.date())
    assert [c.name for c in listed.candidates] == ["Bob", "Dee"]


def test_forget_removes_the_persons_pairs(db_session: Session) -> None:
    org = make_org(db_session)
    pair_id = pair(db_session, org)
    meeting_id = meet(db_session, org, pair_id, 0)
    service.add_note(session=db_session, viewer=org.viewer("ann"), meeting_id=meeting_id,
                     text=PRIVATE, private=True)  # fmt: skip
    service.add_agenda_item(session=db_session, viewer=org.viewer("ann"), pair_id=pair_id, text="x")
    assert service.forget_rows(session=db_session, person_id=org.ids["ann"]) == 1
    assert db_session.get(OneOnOnePair, pair_id) is None


def test_counts_tell_the_share_within_cadence_as_a_band(
    db_session: Session, workspace: Workspace
) -> None:
    """Five pairs started three days before: all within their cadence, told as the top band
    (never "all five", which would say it of each pair); three weeks on, none is: the bottom
    band, not "none"."""
    org = make_checkin_org(db_session, workspace)
    for report in ("ann", "bob", "cat", "dan", "fay"):
        service.start_pair(
            session=db_session, viewer=org.viewer("max"), other=org.ids[report], actor="t",
            as_of=AS_OF - dt.timedelta(days=3),
        )  # fmt: skip
    now = service.counts(session=db_session, as_of=AS_OF)
    assert (now.pairs, now.within_cadence, now.withheld) == (5, "75–100 %", None)
    later = service.counts(session=db_session, as_of=AS_OF + dt.timedelta(days=21))
    assert (later.pairs, later.within_cadence) == (5, "0–25 %")
