"""The empowerment evidence the surfaces show next to the board: ownership and approvals.

One call answers both for one scope (a team, or all work data), so the page, its JSON twin and
``tandem delegation ownership`` read the same figures. Who may ask for all work data is the
surface's decision (the web: roles that may see all work data; the CLI: the workspace's
operator).
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from tandem.flow.engine import FlowEngine
from tandem.why.delegation.approvals import approvals
from tandem.why.delegation.ownership import all_scope, ownership, team_scope
from tandem.why.delegation.schemas import Approvals, Ownership
from tandem.why.scope import find_team


class Evidence(BaseModel):
    """Ownership concentration and approval bottlenecks of one scope and window."""

    model_config = ConfigDict(frozen=True)

    ownership: Ownership
    approvals: Approvals


def empowerment_evidence(
    *,
    session: Session,
    engine: FlowEngine,
    team: int | str | None,
    repo: str | None = None,
    depth: int = 1,
    start: dt.date | None = None,
    end: dt.date | None = None,
    include_bots: bool = False,
    viewer_person_id: int | None = None,
) -> Evidence:
    """Ownership and approvals of ``team``'s members (``team=None``: all work data); the
    viewer's own top areas in ``ownership.mine``."""
    scope = all_scope(session) if team is None else team_scope(session, find_team(session, team))
    viewer = None if viewer_person_id is None else str(viewer_person_id)
    return Evidence(
        ownership=ownership(
            engine=engine,
            scope=scope,
            repo=repo,
            depth=depth,
            start=start,
            end=end,
            include_bots=include_bots,
            viewer=viewer,
        ),
        approvals=approvals(engine=engine, scope=scope, start=start, end=end),
    )
