"""A team for the check-in tests, on top of :mod:`tests.manage.org`.

Team Alpha: Max (its manager, line manager of Ann, Bob, Cat, Dan and Fay) and Lea (its leader,
line manager of nobody); Dee manages Max and Lea. Eve is in no line with them. Ann owns a goal of
Alpha with one manual key result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tandem.manage.feedback import service as feedback_service
from tandem.people.models import Membership, Person, Team
from tandem.profile.visibility import Viewer
from tandem.why.goals import service as goals_service
from tandem.workspace import Workspace
from tests.manage.org import make_org

AS_OF = dt.date(2026, 3, 31)
GOOD = {
    "situation": "In Monday's stand-up",
    "behaviour": "You walked us through the incident timeline step by step",
    "impact": "We agreed on the fix in ten minutes",
}
ROLES = {"dir": "director", "adm": "admin", "max": "manager", "dee": "manager", "lea": "leader"}


@dataclass(frozen=True)
class CheckinOrg:
    ids: dict[str, int]
    team_id: int
    goal_id: int

    def viewer(self, name: str) -> Viewer:
        return Viewer(person_id=self.ids[name], role=ROLES.get(name, "member"))


def make_checkin_org(session: Session, workspace: Workspace) -> CheckinOrg:
    base = make_org(session)
    ids = dict(base.ids)
    dee = ids["dee"]
    extra = {"cat": "Cat", "dan": "Dan", "fay": "Fay", "lea": "Lea"}
    for key, name in extra.items():
        person = Person(display_name=name, email=f"{key}@example.org")
        session.add(person)
        session.flush()
        ids[key] = person.id
    for key in ("cat", "dan", "fay"):
        session.get_one(Person, ids[key]).manager_id = ids["max"]
    session.get_one(Person, ids["lea"]).manager_id = dee
    team = Team(name="Alpha")
    session.add(team)
    session.flush()
    roles = {"max": "manager", "lea": "leader"}
    for key in ("max", "lea", "ann", "bob", "cat", "dan", "fay"):
        session.add(Membership(person_id=ids[key], team_id=team.id, role=roles.get(key, "member")))
    session.flush()
    goal = goals_service.add_goal(
        session=session, team=team.id, title="Calmer releases", starts_on="2026-01-01",
        ends_on="2026-06-30", owner=ids["ann"],
    )  # fmt: skip
    kr = goals_service.add_key_result(
        session=session, workspace=workspace, team=team.id, goal_id=goal.id,
        title="Runbooks written", target=10, baseline=0, direction="up", unit="runbooks",
    )  # fmt: skip
    goals_service.check_in(
        session=session, team=team.id, key_result_id=kr.id, confidence=7, value=4,
        checked_at=dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC),
    )  # fmt: skip
    return CheckinOrg(ids=ids, team_id=team.id, goal_id=goal.id)


def give(session: Session, org: CheckinOrg, giver: str, receiver: str, on: dt.date) -> None:
    """Praise from ``giver`` to ``receiver`` on ``on`` (09:00 UTC)."""
    feedback_service.give_feedback(
        session=session, viewer=org.viewer(giver), receiver_id=org.ids[receiver], kind="praise",
        actor=f"test:{giver}", at=dt.datetime.combine(on, dt.time(9), tzinfo=dt.UTC), **GOOD,
    )  # fmt: skip
