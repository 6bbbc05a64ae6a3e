"""The demo's delegation board for Beacon, and ownership read from Tandem's own git history.

Five DEMO decision areas at varied levels, each with a short SYNTHETIC history set by Beacon's
leader and manager. The board is app data on the clock (as kudos are), and the page asks for the
reviews due today: its history is dated in the days before the day the demo is built, so that
exactly one area — "Release timing" — is due for its quarterly review then (dated in the lake's
past period instead, every area of a fresh demo was overdue). Running it again adds nothing (an
area of the same name is kept).

Ownership is then computed over the git history the demo ingested (Tandem's own checkout, all
work data): the summary says how many areas have bus factor 1, or why it is withheld (a
repository with fewer than five people behind its commits is).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from tandem.db.base import utcnow
from tandem.db.session import session_scope
from tandem.demo.users import DEMO_TEAM
from tandem.flow.engine import FlowEngine
from tandem.people.models import Membership, Team
from tandem.why.delegation import service
from tandem.why.delegation.evidence import empowerment_evidence
from tandem.workspace import Workspace

NOTE = "SYNTHETIC demo note: "
# (area, description, [(days before the last day, level, who, note)])
DEMO_AREAS: tuple[tuple[str, str, tuple[tuple[int, int, str, str], ...]], ...] = (
    ("Release timing", "DEMO: when a change goes to production.", (
        (200, 3, "leader", "we start by asking the team, then the leader decides"),
        (100, 4, "manager", "the team has shipped safely for a quarter: decide together"),
    )),
    ("Tooling choices", "DEMO: libraries, CI and editor tooling.", (
        (150, 7, "leader", "the team knows its tools best"),
        (60, 7, "manager", "reviewed: still the team's call"),
    )),
    ("Hiring", "DEMO: whom the team hires.", (
        (120, 2, "leader", "budget is fixed this year; the leader decides and explains"),
        (30, 3, "leader", "the team interviews and advises from now on"),
    )),
    ("On-call rota", "DEMO: who is on call when.", (
        (80, 6, "manager", "the team sets the rota and tells the manager"),
    )),
    ("Incident priorities", "DEMO: which incident groups come first.", (
        (170, 5, "manager", "the team decides with the manager's advice"),
        (50, 4, "leader", "after a missed SLA the leader and team agree together again"),
    )),
)  # fmt: skip


def _has_work_data(workspace: Workspace) -> bool:
    with FlowEngine(workspace.lake) as engine:
        return engine.now() is not None


def build_demo_delegation(*, workspace: Workspace, today: dt.date | None = None) -> dict[str, Any]:
    """Beacon's DEMO delegation board (dated before ``today``, the clock's day by default) and
    the ownership of the ingested git history."""
    if not _has_work_data(workspace):
        return {"areas": 0, "note": "no work data: no git history to read ownership from"}
    last = today or utcnow().date()
    added = 0
    with session_scope(workspace.engine) as session:
        team = session.scalar(select(Team).where(Team.name == DEMO_TEAM))
        if team is None:
            return {"areas": 0, "note": f"no team {DEMO_TEAM}"}
        heads = {
            m.role: m.person_id
            for m in session.scalars(select(Membership).where(Membership.team_id == team.id))
            if m.role in ("leader", "manager")
        }
        existing = {
            a.name for a in service.get_board(session=session, team=team.id, as_of=last).areas
        }
        for name, description, steps in DEMO_AREAS:
            if name in existing:
                continue
            (days, level, who, note), *rest = steps
            service.add_area(
                session=session, team=team.id, name=name, level=level, note=NOTE + note,
                description=description, set_by=heads.get(who), at=_at(last, days),
            )  # fmt: skip
            for days, level, who, note in rest:
                service.set_level(
                    session=session, team=team.id, area=name, level=level, note=NOTE + note,
                    set_by=heads.get(who), at=_at(last, days),
                )  # fmt: skip
            added += 1
        board = service.get_board(session=session, team=team.id, as_of=last)
        with FlowEngine(workspace.lake) as engine:
            evidence = empowerment_evidence(session=session, engine=engine, team=None)
    own = evidence.ownership
    return {
        "team": DEMO_TEAM,
        "as_of": last.isoformat(),
        "areas": len(board.areas),
        "added": added,
        "review_due": [a.name for a in board.areas if a.review_due],
        "ownership": {
            "repos": len(own.repos),
            "people": own.people,
            "commits": own.commits,
            "bus_factor_1": own.flagged,
            "withheld": own.withheld,
        },
    }


def _at(last: dt.date, days_before: int) -> dt.datetime:
    return dt.datetime.combine(last - dt.timedelta(days=days_before), dt.time(10), tzinfo=dt.UTC)
