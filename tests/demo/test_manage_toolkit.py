"""The demo's concerns and conflict cases in Beacon: DEMO-labelled, idempotent, private."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.demo.manage_toolkit import write_demo_manage
from tandem.manage.concerns import service as concerns
from tandem.manage.concerns.models import Concern
from tandem.manage.conflicts import service as conflicts
from tandem.people.models import Membership, Team
from tandem.profile.visibility import Viewer

TODAY = dt.date(2026, 12, 5)


def test_demo_board_cases_and_reminder(demo_db_session: Session) -> None:
    made = write_demo_manage(session=demo_db_session, today=TODAY)
    assert made["concerns"]["added"] >= 5 and made["conflict_cases"] == {
        "added": 2,
        "reminders": 1,
    }
    team = demo_db_session.scalar(select(Team).where(Team.name == "Beacon"))
    assert team is not None
    roles = dict(
        demo_db_session.execute(
            select(Membership.person_id, Membership.role).where(Membership.team_id == team.id)
        ).all()
    )
    manager = next(p for p, r in roles.items() if r == "manager")
    board = concerns.get_board(
        session=demo_db_session, viewer=Viewer(person_id=manager, role="manager"), team=team.id,
        as_of=TODAY,
    )  # fmt: skip
    assert board.median_days_to_answer is not None and board.open >= 2
    assert all(i.text.startswith("DEMO") for i in board.items)
    assert all(i.author is None for i in board.items if i.anonymous)
    leader = next(p for p, r in roles.items() if r == "leader")
    assert (
        conflicts.list_cases(
            session=demo_db_session, viewer=Viewer(person_id=leader, role="leader"), today=TODAY
        ).cases
        == []
    )
    again = write_demo_manage(session=demo_db_session, today=TODAY)
    assert again["concerns"]["added"] == 0 and again["conflict_cases"]["added"] == 0
    assert len(demo_db_session.scalars(select(Concern.id)).all()) == made["concerns"]["added"]
