"""A second, OPEN review cycle for the demo, so that its people can take an assessment in the web.

The closed cycle of :mod:`tandem.demo.org` holds the generated answers every profile shows; this
one is empty: raters assigned from the four SYNTHETIC teams (each person rates themself, their
manager, their peers, their reports), no answers yet. Profiles keep showing the closed cycle
(the latest closed one is the default); the self-assessment and rating forms fill this one.
Running it again finds the cycle and writes nothing.

It takes the item bank a new cycle takes (the latest published, v2), as a cycle an organisation
opens today would: the forms show v2's routed items and overuse scale. The closed cycle keeps
v1, the version its generated answers are written in, so closing this one after rating shows a
v1 → v2 trend, compared on the items the two versions share (empowerment, with too few shared
items, marked "not comparable: bank changed").
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.db.session import session_scope
from tandem.demo.org import DEMO_TEAMS
from tandem.review import service as review_service
from tandem.review.models import ReviewCycle
from tandem.workspace import Workspace

DEMO_OPEN_CYCLE = "demo-2027-h1-synthetic"


def write_open_cycle(*, session: Session) -> dict[str, Any]:
    """Open the demo's empty cycle and assign its raters (flushes, no commit); idempotent."""
    already = session.scalar(select(ReviewCycle.id).where(ReviewCycle.name == DEMO_OPEN_CYCLE))
    if already is None:
        review_service.create_cycle(session=session, name=DEMO_OPEN_CYCLE)
        review_service.assign_from_teams(session=session, cycle=DEMO_OPEN_CYCLE, teams=DEMO_TEAMS)
    cycle = next(
        c for c in review_service.list_cycles(session=session) if c.name == DEMO_OPEN_CYCLE
    )
    return {
        "cycle": cycle.name,
        "status": cycle.status,
        "assignments": cycle.assignments,
        "responses": cycle.responses,
        "already_present": already is not None,
    }


def build_open_cycle(*, workspace: Workspace) -> dict[str, Any]:
    """Add the demo's open cycle to ``workspace`` in one transaction; idempotent."""
    with session_scope(workspace.engine) as session:
        return write_open_cycle(session=session)
