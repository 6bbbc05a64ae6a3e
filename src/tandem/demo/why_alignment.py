"""The demo's alignment: rules for team Beacon's goals that match real incident items.

The goals come from :mod:`tandem.demo.why_goals` when it has run; without any goal of Beacon,
two DEMO goals are made here (so either order of the two demo steps works). The BPIC 2014
incident log has no titles or labels, so the rule that matches its items is a ``source`` rule
(every IT incident Beacon's people worked serves "restore service"); the second goal gets a
keyword rule, which the log cannot match, and so shows up flagged far below its target, as a
goal without work would. Running it again adds nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from sqlalchemy import select

from tandem.db.session import session_scope
from tandem.demo.users import DEMO_TEAM
from tandem.errors import ConflictError
from tandem.flow.engine import FlowEngine
from tandem.people.models import Team
from tandem.why.alignment import service
from tandem.why.goals.models import Goal
from tandem.workspace import Workspace

INCIDENT_SOURCE = "it-incidents"
DEMO_GOALS = (
    ("DEMO: Restore service faster (SYNTHETIC goal)", 0.6,
     "DEMO: users wait too long for a fix of an IT incident."),
    ("DEMO: Fewer repeat incidents (SYNTHETIC goal)", 0.3,
     "DEMO: the same problem comes back; find and remove its cause."),
)  # fmt: skip


def build_demo_alignment(*, workspace: Workspace) -> dict[str, Any]:
    """Beacon's goals (made only when none exist) and two rules; idempotent."""
    with FlowEngine(workspace.lake) as engine:
        last = engine.now()
    last_day = (last or dt.datetime(2014, 12, 31, tzinfo=dt.UTC)).date()
    with session_scope(workspace.engine) as session:
        team = session.scalar(select(Team).where(Team.name == DEMO_TEAM))
        if team is None:
            return {"team": None, "goals": 0, "rules": 0}
        goals = service.team_goals(session, team.id)
        if not goals:
            for title, share, why in DEMO_GOALS:
                session.add(Goal(team_id=team.id, title=title, why=why, target_share=share,
                                 starts_on=last_day - dt.timedelta(days=365),
                                 ends_on=last_day))  # fmt: skip
            session.flush()
            goals = service.team_goals(session, team.id)
        wanted = [(goals[0].id, "source", INCIDENT_SOURCE)]
        if len(goals) > 1:
            wanted.append((goals[1].id, "keyword", "repeat"))
        for goal_id, kind, pattern in wanted:
            with contextlib.suppress(ConflictError):  # already there: a second run
                service.add_rule(session=session, team_id=team.id, goal_id=goal_id, kind=kind,
                                 pattern=pattern)  # fmt: skip
        rules = len(service.list_rules(session=session, team_id=team.id))
        return {"team": team.name, "goals": len(goals), "rules": rules}
