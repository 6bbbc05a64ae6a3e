"""The demo's impact stories: a few Beacon people agreed to be named (DEMO, SYNTHETIC people).

Stories are computed, so the demo only records naming choices: Beacon's leader and manager and
two of its members agreed to be named; the signed-in demo member has not chosen yet (so the
toggle on ``/why/stories`` can be tried) and the rest are counted, never named. When Beacon has
no goal at all (the goals demo normally makes them), a DEMO goal over the incident log's last 90
days is made, aligned by source, with a key result on P85 cycle time, so that its story has real
sentences. Dates come from the lake (its last event day), never from today. Running it again
changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.db.session import session_scope
from tandem.demo.identities import DEMO_SOURCE
from tandem.demo.org import demo_people, demo_synthetic_org
from tandem.demo.users import DEMO_TEAM
from tandem.lake import Lake
from tandem.people.models import Person, Team
from tandem.why.alignment.models import AlignmentRule
from tandem.why.goals.models import Goal, KeyResult
from tandem.why.stories.consent import naming_consent, set_naming_consent
from tandem.workspace import Workspace

DEMO_ACTOR = "demo:SYNTHETIC naming choices"
NAMED_MEMBERS = 2  # Beacon members who agreed, besides its leader and manager
GOAL_DAYS = 90
DEMO_GOAL = "DEMO: incidents resolved sooner"
DEMO_WHY = (
    "SYNTHETIC DEMO goal made by the stories demo: Beacon resolves the service desk's incidents "
    "sooner, so that users wait less"
)
DEMO_SPEC = {"metric": "cycle_time", "stat": "p85", "window_days": 30}


def last_event_day(lake: Lake, *, source: str = DEMO_SOURCE) -> dt.date | None:
    """The UTC day of ``source``'s last event in the lake (None when it has none)."""
    con = lake.connect(tables=("events",))
    try:
        row = con.execute("SELECT max(timestamp) FROM events WHERE source = ?", [source]).fetchone()
    finally:
        con.close()
    if row is None or row[0] is None:
        return None
    last: dt.datetime = row[0]
    return (last.astimezone(dt.UTC) if last.tzinfo else last).date()


def consenting_emails() -> list[str]:
    """The Beacon people who agreed to be named: leader, manager and two members (not the one
    the demo signs in as, who has not chosen yet)."""
    people = [p for p in demo_people(demo_synthetic_org()) if p.team == DEMO_TEAM]
    members = [p for p in people if p.role == "member"]
    chosen = [p for p in people if p.role in ("leader", "manager")]
    return [p.email for p in (*chosen, *members[1 : 1 + NAMED_MEMBERS])]


def _consents(session: Session) -> list[dict[str, Any]]:
    recorded = []
    for email in consenting_emails():
        person = session.scalar(select(Person).where(Person.email == email))
        if person is None:
            continue
        before = naming_consent(session=session, person_id=person.id)
        if before.decided_at is None:  # never chosen: a later choice (theirs) is left alone
            set_naming_consent(
                session=session,
                person_id=person.id,
                by_person_id=person.id,
                named=True,
                actor=DEMO_ACTOR,
            )
        recorded.append({"person_id": person.id, "named": True, "new": before.decided_at is None})
    return recorded


def _goal(session: Session, lake: Lake) -> dict[str, Any] | None:
    team = session.scalar(select(Team).where(Team.name == DEMO_TEAM))
    if team is None:
        return None
    existing = session.scalars(
        select(Goal).where(Goal.team_id == team.id, Goal.status != "dropped").order_by(Goal.id)
    ).first()
    if existing is not None:
        return {"goal_id": existing.id, "title": existing.title, "created": False}
    last = last_event_day(lake)
    if last is None:
        return None
    goal = Goal(
        team_id=team.id,
        title=DEMO_GOAL,
        why=DEMO_WHY,
        starts_on=last - dt.timedelta(days=GOAL_DAYS - 1),
        ends_on=last,
    )
    session.add(goal)
    session.flush()
    session.add_all(
        [
            AlignmentRule(goal_id=goal.id, kind="source", pattern=DEMO_SOURCE),
            KeyResult(
                goal_id=goal.id,
                title="DEMO: P85 cycle time of incidents under 5 days",
                kind="metric",
                metric=DEMO_SPEC,
                unit="days",
                direction="down",
                target=5.0,
            ),
        ]
    )
    session.flush()
    return {"goal_id": goal.id, "title": goal.title, "created": True}


def build_demo_stories(*, workspace: Workspace) -> dict[str, Any]:
    """Record the DEMO naming choices (and a DEMO goal when Beacon has none); idempotent."""
    with session_scope(workspace.engine) as session:
        consents = _consents(session)
        goal = _goal(session, workspace.lake)
    return {"team": DEMO_TEAM, "named": consents, "goal": goal}
