"""The demo's feedback and 1:1s: the demo member and their line manager (SYNTHETIC, labelled).

App data on the clock, so dated around the build: two pieces of feedback (one praise from the
line manager, one redirect given as written after the lint flagged an absolute), and the manager's
1:1 pair with a direct report — a meeting 14 days ago whose open point carries over to the next
one in 7 days, an action item, a shared note and a private note of the manager's (which the
report, signed in as the demo member when that is the report, never sees). Running it again
adds nothing when the pair exists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.accounts import service as accounts_service
from tandem.db.base import utcnow
from tandem.db.session import session_scope
from tandem.manage.feedback import service as feedback
from tandem.manage.one_on_ones import service as one_on_ones
from tandem.manage.one_on_ones.models import OneOnOnePair
from tandem.people.models import Person
from tandem.profile.visibility import Viewer
from tandem.workspace import Workspace

MARK = "DEMO (SYNTHETIC): "
ACTOR = "system"


def _person_of(session: Session, role: str) -> Person | None:
    users = [u for u in accounts_service.list_users(session=session) if u.role == role]
    if not users or users[0].person_id is None:
        return None
    person: Person | None = session.get(Person, users[0].person_id)
    return person


def build_demo_conversations(*, workspace: Workspace) -> dict[str, Any]:
    """Feedback and a 1:1 pair for the demo member and their line manager (Beacon's leader in
    the demo roster); what was added."""
    with session_scope(workspace.engine) as session:
        member = _person_of(session, "member")
        # the demo member's line manager when a demo sign-in holds it (in the demo roster: the
        # team's leader), else the first demo sign-in with a direct report
        managers = [p for p in (_person_of(session, r) for r in ("manager", "leader")) if p]
        pick = next(
            ((m, member) for m in managers if member is not None and member.manager_id == m.id),
            None,
        )
        for candidate in managers if pick is None else ():
            first = session.scalar(
                select(Person).where(Person.manager_id == candidate.id).order_by(Person.id)
            )
            if first is not None:
                pick = (candidate, first)
                break
        if pick is None:
            return {"added": False, "reason": "no demo sign-in has a direct report"}
        manager, report = pick
        exists = session.scalar(
            select(OneOnOnePair.id).where(
                OneOnOnePair.manager_id == manager.id, OneOnOnePair.report_id == report.id
            )
        )
        if exists is not None:
            return {"added": False, "pair_id": exists}
        me = Viewer(person_id=manager.id, role="manager")
        them = Viewer(person_id=report.id, role="member")
        now = utcnow().replace(second=0, microsecond=0)
        feedback.give_feedback(
            session=session, viewer=me, receiver_id=report.id, kind="praise", actor=ACTOR,
            situation=f"{MARK}in last Thursday's incident review",
            behaviour="You walked the group through the timeline before anyone proposed a fix",
            impact="We agreed on the root cause in twenty minutes instead of an hour",
            intent="Keep opening reviews that way", practice="communication",
            at=now - dt.timedelta(days=9),
        )  # fmt: skip
        feedback.give_feedback(
            session=session, viewer=me, receiver_id=report.id, kind="redirect", actor=ACTOR,
            situation=f"{MARK}in this week's planning",
            behaviour="You always take the on-call swap without asking the rota",
            impact="Two colleagues planned around a rota that had changed",
            intent="Swaps visible to everyone", lint_seen=True,
            at=now - dt.timedelta(days=2),
        )  # fmt: skip
        pair = one_on_ones.start_pair(
            session=session, viewer=me, other=report.id, actor=ACTOR,
            as_of=(now - dt.timedelta(days=30)).date(),
        )  # fmt: skip
        past = one_on_ones.add_meeting(
            session=session, viewer=me, pair_id=pair.id, starts_at=now - dt.timedelta(days=14)
        )
        upcoming = one_on_ones.add_meeting(
            session=session, viewer=me, pair_id=pair.id, starts_at=now + dt.timedelta(days=7)
        )
        for who, text, resolved in (
            (them, f"{MARK}Conference budget for next quarter", False),
            (me, f"{MARK}On-call load after the reorganisation", True),
        ):
            item = one_on_ones.add_agenda_item(
                session=session, viewer=who, pair_id=pair.id, text=text, meeting_id=past.id
            )
            if resolved:
                one_on_ones.resolve_item(
                    session=session, viewer=me, item_id=item.id, meeting_id=past.id
                )
        one_on_ones.add_action(
            session=session, viewer=me, pair_id=pair.id, owner=report.id, meeting_id=past.id,
            text=f"{MARK}Draft the rota swap proposal", due_date=now.date() + dt.timedelta(days=5),
        )  # fmt: skip
        one_on_ones.add_note(
            session=session, viewer=me, meeting_id=past.id, private=False,
            text=f"{MARK}Agreed: on-call swaps go through the rota channel.",
        )  # fmt: skip
        one_on_ones.add_note(
            session=session, viewer=me, meeting_id=past.id, private=True,
            text=f"{MARK}Private: check how the on-call change lands before the review.",
        )  # fmt: skip
        return {
            "added": True,
            "pair_id": pair.id,
            "manager": manager.display_name,
            "report": report.display_name,
            "meetings": [past.id, upcoming.id],
            "feedback": 2,
        }
