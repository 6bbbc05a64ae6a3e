"""The demo's vision and goals for team Beacon: SYNTHETIC text, key results on real work data.

Beacon's people stand for busy assignment groups of the IT-incident log
(:mod:`tandem.demo.identities`), so its key results bound to metric contracts read real figures
of that log (2013–2014): P85 cycle time and throughput over 30-day windows, and WIP. Every
window rests on far more than five people (checked by ``tests/test_demo.py``), so nothing is
withheld. The vision, postcard, goals, the manual key result and its check-ins are invented and
say so (DEMO/SYNTHETIC). Dates lie inside the log's period, never today's. Running it again
finds Beacon's goals and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from tandem.db.session import session_scope
from tandem.people.models import Membership, Team
from tandem.why.goals import service
from tandem.why.goals.metrics import parse_spec
from tandem.workspace import Workspace

TEAM = "Beacon"
TAG = "DEMO/SYNTHETIC"
VISION = f"{TAG}: every incident handled calmly, fast and without heroics."
POSTCARD = (
    f"{TAG} postcard, summer 2014: queues are short, nobody dreads the on-call week, and the "
    "service desk tells us what broke before users do. We spend our Fridays fixing causes."
)


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(16), tzinfo=dt.UTC)


def build_demo_why_goals(*, workspace: Workspace) -> dict[str, Any]:
    """Beacon's vision, postcard, two goals with key results and a few check-ins (idempotent)."""
    with session_scope(workspace.engine) as session:
        team = session.scalar(select(Team).where(Team.name == TEAM))
        if team is None:
            return {"team": None, "goals": 0}
        if service.list_goals(session=session, team=team.id):
            return {"team": TEAM, "goals": 0, "already": True}
        leader = session.scalar(
            select(Membership.person_id).where(
                Membership.team_id == team.id, Membership.role == "leader"
            )
        )
        service.set_vision(
            session=session,
            team=team.id,
            statement=VISION,
            postcard=POSTCARD,
            horizon=dt.date(2014, 7, 1),
            author_id=leader,
        )
        faster = service.add_goal(
            session=session,
            team=team.id,
            owner=leader,
            target_share=0.5,
            title=f"{TAG}: resolve incidents faster",
            why=f"{TAG}: long tails of open incidents cost users hours and cost us trust.",
            starts_on=dt.date(2014, 1, 6),
            ends_on=dt.date(2014, 3, 31),
        )
        calmer = service.add_goal(
            session=session,
            team=team.id,
            owner=leader,
            target_share=0.3,
            title=f"{TAG}: keep work in progress low",
            why=f"{TAG}: fewer incidents in flight means less switching and fewer forgotten ones.",
            starts_on=dt.date(2014, 2, 3),
            ends_on=dt.date(2014, 3, 31),
        )
        results = {
            "cycle": service.add_key_result(
                session=session,
                workspace=workspace,
                team=team.id,
                goal_id=faster.id,
                title="P85 cycle time of incidents under 5 days",
                metric=parse_spec("cycle_time:p85,source=it-incidents,window=30"),
                target=5,
            ),
            "throughput": service.add_key_result(
                session=session,
                workspace=workspace,
                team=team.id,
                goal_id=faster.id,
                title="Resolve 170 incidents a week",
                metric=parse_spec("throughput,source=it-incidents,window=30"),
                target=170,
            ),
            "wip": service.add_key_result(
                session=session,
                workspace=workspace,
                team=team.id,
                goal_id=calmer.id,
                title="At most 40 incidents in progress",
                metric=parse_spec("wip,source=it-incidents,window=30"),
                target=40,
            ),
            "runbooks": service.add_key_result(
                session=session,
                workspace=workspace,
                team=team.id,
                goal_id=calmer.id,
                title=f"{TAG}: runbooks written for the top incident causes",
                target=12,
                baseline=0,
                direction="up",
                unit="runbooks",
            ),
        }
        checkins = [
            ("cycle", dt.date(2014, 2, 3), 6, None, "the long tail is shrinking"),
            ("cycle", dt.date(2014, 3, 3), 5, None, "two groups still wait on vendors"),
            ("throughput", dt.date(2014, 3, 3), 7, None, "steady after the triage change"),
            ("wip", dt.date(2014, 3, 10), 4, None, "a backlog sweep is planned"),
            ("runbooks", dt.date(2014, 2, 17), 7, 3.0, "first three drafted"),
            ("runbooks", dt.date(2014, 3, 17), 8, 7.0, "four more reviewed"),
        ]
        for name, day, confidence, value, note in checkins:
            service.check_in(
                session=session,
                team=team.id,
                key_result_id=results[name].id,
                confidence=confidence,
                value=value,
                note=f"{TAG}: {note}",
                checked_at=_at(day),
                author_id=leader,
            )
        return {"team": TEAM, "goals": 2, "key_results": len(results), "checkins": len(checkins)}
