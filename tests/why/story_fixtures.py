"""A real workspace for story tests: the sepsis log's team Alpha (≥ 5 people), a goal with an
alignment rule, a key result bound to a metric, kudos, and one person who agreed to be named.

The people behind the sepsis resources get long, distinct names, so a test can look for each
name in every answer and be sure a missing one was withheld, not merely short.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from tandem.db.session import session_scope
from tandem.people.models import Identity, Person
from tandem.why.alignment.models import AlignmentRule
from tandem.why.goals.models import Goal, KeyResult
from tandem.why.recognition.models import Kudos, KudosRecipient
from tandem.why.stories.consent import set_naming_consent
from tests.web.how_fixtures import ALPHA_RESOURCES, BETA_RESOURCES, FlowOrg, key, make_flow_org

START = dt.date(2014, 3, 1)
END = dt.date(2014, 5, 31)
SPEC = {"metric": "cycle_time", "stat": "p85", "window_days": 30}


@dataclass(frozen=True)
class StoryOrg:
    flow: FlowOrg
    goal_id: int
    beta_goal_id: int
    kr_id: int
    kudos_id: int
    names: dict[str, str]  # sepsis resource → the name of its person
    person_ids: dict[str, int]  # sepsis resource → person id


def person_name(resource: str) -> str:
    return f"Quillon Varga-{resource}"


def make_story_org(root: Path) -> StoryOrg:
    """The workspace of the module docstring; the leader's person agreed to be named."""
    flow = make_flow_org(root)
    org = flow.org
    with session_scope(flow.workspace.engine) as session:
        person_ids: dict[str, int] = {}
        for resource in (*ALPHA_RESOURCES, *BETA_RESOURCES):
            identity = session.scalar(
                select(Identity).where(Identity.identity_key == key(resource))
            )
            assert identity is not None and identity.person_id is not None
            person = session.get(Person, identity.person_id)
            assert person is not None
            person.display_name = person_name(resource)
            person_ids[resource] = person.id
        goal = Goal(
            team_id=org.own_team_id,
            title="Patients released sooner",
            why="SYNTHETIC",
            starts_on=START,
            ends_on=END,
        )
        beta_goal = Goal(
            team_id=org.other_team_id, title="Beta's own goal", starts_on=START, ends_on=END
        )
        session.add_all([goal, beta_goal])
        session.flush()
        kr = KeyResult(
            goal_id=goal.id,
            title="Release within 30 days",
            kind="metric",
            metric=SPEC,
            unit="days",
            direction="down",
            target=30.0,
        )
        session.add_all(
            [
                kr,
                AlignmentRule(goal_id=goal.id, kind="source", pattern="sepsis"),
                AlignmentRule(goal_id=beta_goal.id, kind="source", pattern="sepsis"),
            ]
        )
        kudos = Kudos(
            team_id=org.own_team_id,
            giver_id=org.person_ids["manager"],
            given_at=dt.datetime(2014, 4, 2, 9, tzinfo=dt.UTC),
            what="Untangled the release queue",
            impact="Wards waited less",
            goal_id=goal.id,
        )
        kudos.recipients = [
            KudosRecipient(person_id=org.person_ids["leader"]),
            KudosRecipient(person_id=person_ids["A"]),
        ]
        # to the leader alone, who agreed to be named: the one kudos a story may tell
        told = Kudos(
            team_id=org.own_team_id,
            giver_id=org.person_ids["manager"],
            given_at=dt.datetime(2014, 4, 3, 9, tzinfo=dt.UTC),
            what="Led the incident review",
            impact="Fixes start sooner",
            goal_id=goal.id,
        )
        told.recipients = [KudosRecipient(person_id=org.person_ids["leader"])]
        late = Kudos(
            team_id=org.own_team_id,
            given_at=dt.datetime(2014, 7, 1, tzinfo=dt.UTC),
            what="After the period",
            impact="not told",
            goal_id=goal.id,
        )
        late.recipients = [KudosRecipient(person_id=person_ids["B"])]
        session.add_all([kudos, told, late])
        session.flush()
        set_naming_consent(
            session=session,
            person_id=org.person_ids["leader"],
            by_person_id=org.person_ids["leader"],
            named=True,
            actor="system",
        )
        # B said no explicitly: the same as never choosing
        set_naming_consent(
            session=session,
            person_id=person_ids["B"],
            by_person_id=person_ids["B"],
            named=False,
            actor="system",
        )
        ids = (goal.id, beta_goal.id, kr.id, kudos.id)
    return StoryOrg(
        flow=flow,
        goal_id=ids[0],
        beta_goal_id=ids[1],
        kr_id=ids[2],
        kudos_id=ids[3],
        names={r: person_name(r) for r in (*ALPHA_RESOURCES, *BETA_RESOURCES)},
        person_ids=person_ids,
    )
