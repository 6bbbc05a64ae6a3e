"""The demo's alignment step: DEMO goals only when Beacon has none; rules once (idempotent)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from tandem.db.session import session_scope
from tandem.demo.why_alignment import INCIDENT_SOURCE, build_demo_alignment
from tandem.people.models import Team
from tandem.why.alignment import service
from tandem.why.goals.models import Goal
from tandem.workspace import Workspace


def test_demo_goals_and_rules_are_made_once(workspace: Workspace) -> None:
    assert build_demo_alignment(workspace=workspace)["team"] is None  # no Beacon: nothing
    with session_scope(workspace.engine) as session:
        session.add(Team(name="Beacon"))
    first = build_demo_alignment(workspace=workspace)
    again = build_demo_alignment(workspace=workspace)
    assert first == again == {"team": "Beacon", "goals": 2, "rules": 2}
    with session_scope(workspace.engine) as session:
        team_id = session.scalar(select(Team.id).where(Team.name == "Beacon"))
        assert team_id is not None
        rules = service.list_rules(session=session, team_id=team_id)
        goals = session.scalars(select(Goal)).all()
    assert all("DEMO" in goal.title and "DEMO" in goal.why for goal in goals)
    assert [(r.kind, r.pattern) for r in rules] == [
        ("source", INCIDENT_SOURCE),
        ("keyword", "repeat"),
    ]


def test_existing_goals_are_used_not_duplicated(workspace: Workspace) -> None:
    with session_scope(workspace.engine) as session:
        team = Team(name="Beacon")
        session.add(team)
        session.flush()
        session.add(Goal(team_id=team.id, title="Their own goal", starts_on=dt.date(2014, 1, 1),
                         ends_on=dt.date(2014, 12, 31)))  # fmt: skip
    assert build_demo_alignment(workspace=workspace) == {"team": "Beacon", "goals": 1, "rules": 1}
