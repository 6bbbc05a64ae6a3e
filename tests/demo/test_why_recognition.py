"""The demo's kudos in Beacon: DEMO-labelled, recent, idempotent, and leaving someone to nudge."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from tandem.demo.why_recognition import MARK, write_demo_kudos
from tandem.why.recognition import service

TODAY = dt.date(2026, 12, 5)


def test_demo_kudos_are_labelled_recent_and_leave_someone_to_nudge(
    demo_db_session: Session,
) -> None:
    made = write_demo_kudos(session=demo_db_session, today=TODAY)
    assert made["created"] and made["kudos"] == 5
    wall = service.list_kudos(session=demo_db_session, team="Beacon")
    assert wall.total == 5
    for kudos in wall.kudos:
        assert kudos.what.startswith(MARK)
        assert TODAY - dt.timedelta(days=13) <= kudos.given_at.date() < TODAY
    nudged = service.nudges(session=demo_db_session, team="Beacon", today=TODAY).nudges
    members = service.team_members(session=demo_db_session, team="Beacon")
    assert 0 < len(nudged) < len(members)
    again = write_demo_kudos(session=demo_db_session, today=TODAY)
    assert not again["created"]
    assert service.list_kudos(session=demo_db_session, team="Beacon").total == 5
