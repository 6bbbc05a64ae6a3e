"""The demo's concerns and questions and conflict cases for Beacon (SYNTHETIC, marked DEMO).

Concerns: Beacon's members raise a few questions and concerns over the last weeks; the team's
manager answers some, so the board shows time to first answer and aging; one concern is
anonymous when Beacon has 5 people or more (it stores no author: its receipt is not kept).
Conflict cases: the manager facilitates a process conflict between two members, open for
three weeks (so the manager's page shows the escalation reminder), and an agreed task conflict.
Only those three people see the cases. Running it again adds nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.db.base import utcnow
from tandem.db.session import session_scope
from tandem.demo.users import DEMO_TEAM
from tandem.manage.concerns import service as concerns
from tandem.manage.concerns.models import Concern
from tandem.manage.conflicts import service as conflicts
from tandem.manage.conflicts.schemas import CaseIn, CaseUpdate, PartyUpdate
from tandem.people.models import Membership, Person, Team
from tandem.profile.visibility import Viewer
from tandem.workspace import Workspace

# (days ago, kind, text, answered after days or None)
DEMO_ITEMS: tuple[tuple[int, str, str, int | None], ...] = (
    (30, "question", "DEMO: will the on-call allowance change next year?", 2),
    (21, "question", "DEMO: can we pair more on the incident backlog?", 1),
    (12, "concern", "DEMO: release weeks leave no time for reviews.", 4),
    (9, "question", "DEMO: who decides the next quarter's priorities?", None),
    (2, "question", "DEMO: is the team offsite still planned?", None),
)
ANONYMOUS = "DEMO: I do not feel safe saying no to late scope changes."


def _viewer(person_id: int, role: str) -> Viewer:
    return Viewer(person_id=person_id, role=role)


def build_demo_manage(*, workspace: Workspace) -> dict[str, Any]:
    """Beacon's DEMO concerns and conflict cases, dated up to today; what was added."""
    with session_scope(workspace.engine) as session:
        return write_demo_manage(session=session, today=utcnow().date())


def write_demo_manage(*, session: Session, today: dt.date) -> dict[str, Any]:
    """Beacon's DEMO concerns and conflict cases in ``session``; what was added."""
    team = session.scalar(select(Team).where(Team.name == DEMO_TEAM))
    if team is None:
        return {"note": f"no team {DEMO_TEAM}"}
    roster = session.execute(
        select(Membership.person_id, Membership.role)
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.team_id == team.id, Person.is_bot.is_(False))
        .order_by(Membership.id)
    ).all()
    managers = [p for p, r in roster if r == "manager"]
    members = [p for p, r in roster if r == "member"]
    if not managers or len(members) < 2:
        return {"note": f"team {DEMO_TEAM} needs a manager and two members"}
    manager = _viewer(managers[0], "manager")
    first, second = _viewer(members[0], "member"), _viewer(members[1], "member")
    added_items = 0
    if session.scalar(select(Concern.id).where(Concern.team_id == team.id)) is None:
        for n, (days, kind, text, answer_after) in enumerate(DEMO_ITEMS):
            author = _viewer(members[n % len(members)], "member")
            raised = concerns.raise_item(
                session=session, viewer=author, team=team.id, kind=kind, text=text,
                today=today - dt.timedelta(days=days),
            )  # fmt: skip
            if answer_after is not None:
                at = dt.datetime.combine(
                    today - dt.timedelta(days=days - answer_after), dt.time(15), dt.UTC
                )
                concerns.answer(
                    session=session, viewer=manager, item_id=raised.item.id, now=at,
                    text="DEMO answer: thanks for raising it — here is where it stands.",
                )  # fmt: skip
            added_items += 1
        if concerns.member_count(session=session, team_id=team.id) >= 5:
            concerns.raise_item(
                session=session, viewer=second, team=team.id, kind="concern",
                text=ANONYMOUS, anonymous=True, today=today - dt.timedelta(days=6),
            )  # fmt: skip
            added_items += 1
    mine = conflicts.list_cases(session=session, viewer=manager, today=today)
    added_cases = 0
    if not any(c.issue.startswith("DEMO") for c in mine.cases):
        people = [str(first.person_id), str(second.person_id)]
        process = conflicts.open_case(
            session=session, viewer=manager, today=today - dt.timedelta(days=21),
            body=CaseIn(
                kind="process", issue="DEMO: who signs off a release when both are away?",
                parties=people, time_pressure=3, relationship_importance=4,
            ),
        )  # fmt: skip
        conflicts.update_party(
            session=session, viewer=first, case_id=process.id,
            body=PartyUpdate(position="DEMO: the on-call person signs off",
                             interests="DEMO: releases should not wait", importance=4),
        )  # fmt: skip
        conflicts.update_party(
            session=session, viewer=second, case_id=process.id,
            body=PartyUpdate(position="DEMO: only a reviewer of the change signs off",
                             interests="DEMO: fewer rollbacks", importance=4),
        )  # fmt: skip
        conflicts.update_case(
            session=session, viewer=manager, case_id=process.id,
            body=CaseUpdate(
                status="in_mediation", facts=["DEMO: two releases waited a day in October"],
                options=["DEMO: a sign-off rota", "DEMO: any reviewer of the change"],
                checklist=["people_not_problem", "listen_first", "interests"],
            ),
        )  # fmt: skip
        task = conflicts.open_case(
            session=session, viewer=manager, today=today - dt.timedelta(days=40),
            body=CaseIn(
                kind="task", issue="DEMO: one queue or two for incident triage?",
                parties=people, time_pressure=2, relationship_importance=3,
            ),
        )  # fmt: skip
        conflicts.update_case(
            session=session, viewer=manager, case_id=task.id,
            today=today - dt.timedelta(days=30),
            body=CaseUpdate(
                chosen_mode="collaborating", rationale="DEMO: both care; time allowed",
                agreement="DEMO: one queue with a label per service, reviewed in a month",
                status="agreed", checklist=["listen_first", "facts_first", "criteria",
                                            "agreement_written"],
            ),
        )  # fmt: skip
        added_cases = 2
    board = concerns.get_board(session=session, viewer=manager, team=team.id, as_of=today)
    reminders = conflicts.list_cases(session=session, viewer=manager, today=today).reminders
    return {
        "team": DEMO_TEAM,
        "concerns": {"added": added_items, "open": board.open, "answered": board.answered},
        "conflict_cases": {"added": added_cases, "reminders": len(reminders)},
    }
