"""The demo's recognition: a handful of DEMO kudos in team Beacon (SYNTHETIC, labelled so).

Kudos are app data on the clock, so they are dated in the last 14 days of the build (not in the
lake's 2013–2014 period) and some of Beacon's people get none: the leader and manager see a
nudge for them. Achievements need no demo data: they are read from the lake and the goals.
Running it again adds nothing when Beacon already holds DEMO kudos.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.db.base import utcnow
from tandem.db.session import session_scope
from tandem.people.models import Membership, Person, Team
from tandem.why.recognition import service
from tandem.why.recognition.models import Kudos
from tandem.workspace import Workspace

DEMO_TEAM = "Beacon"
MARK = "DEMO (SYNTHETIC): "
#: (days before the build, giver, recipients, what, impact, practice) — people by their place
#: in Beacon: 0 the leader, 1 the manager, 2… the members by name.
KUDOS: tuple[tuple[int, int, tuple[int, ...], str, str, str], ...] = (
    (1, 0, (2, 3), "took the night's priority-1 incidents between them",
     "the service desk closed the queue before the morning shift", "championing"),
    (3, 2, (1,), "rewrote the hand-off checklist for the second-line groups",
     "fewer incidents bounced back to the service desk", "process"),
    (5, 1, (4,), "ran the first blameless review of a repeated outage",
     "the team agreed on two fixes instead of a blame", "communication"),
    (8, 3, (0, 2), "cleared the backlog of stale changes with the change board",
     "the board's wait dropped from weeks to days", "empowerment"),
    (12, 4, (3,), "paired with a new colleague on the monitoring alerts",
     "the new colleague answered the next alert alone", "performance"),
)  # fmt: skip


def write_demo_kudos(*, session: Session, today: dt.date) -> dict[str, Any]:
    """Give Beacon's DEMO kudos dated before ``today`` (nothing when they exist already)."""
    team = session.scalar(select(Team).where(Team.name == DEMO_TEAM))
    if team is None:
        return {"team": DEMO_TEAM, "kudos": 0, "created": False}
    existing = session.scalar(
        select(Kudos.id).where(Kudos.team_id == team.id, Kudos.what.startswith(MARK)).limit(1)
    )
    if existing is not None:
        return {"team": DEMO_TEAM, "kudos": 0, "created": False}
    people = _ordered_people(session, team)
    given = 0
    for days, giver, recipients, what, impact, practice in KUDOS:
        if max(giver, *recipients) >= len(people):
            continue
        instant = dt.datetime.combine(today - dt.timedelta(days=days), dt.time(10), tzinfo=dt.UTC)
        service.give_kudos(
            session=session, team=team.id, giver_id=people[giver].id,
            recipients=[people[r].id for r in recipients], what=MARK + what, impact=impact,
            practice=practice, given_at=instant,
        )  # fmt: skip
        given += 1
    return {"team": DEMO_TEAM, "kudos": given, "created": given > 0}


def _ordered_people(session: Session, team: Team) -> list[Person]:
    rows = session.execute(
        select(Person, Membership.role)
        .join(Membership, Membership.person_id == Person.id)
        .where(Membership.team_id == team.id, ~Person.is_bot)
    ).all()
    order = {"leader": 0, "manager": 1, "member": 2}
    return [p for p, role in sorted(rows, key=lambda r: (order[r[1]], r[0].display_name, r[0].id))]


def build_demo_recognition(*, workspace: Workspace) -> dict[str, Any]:
    """The demo's kudos in Beacon, dated in the last 14 days of the build (idempotent)."""
    with session_scope(workspace.engine) as session:
        return write_demo_kudos(session=session, today=utcnow().date())
