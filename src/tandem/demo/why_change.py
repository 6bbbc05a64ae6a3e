"""The demo's experiments (SYNTHETIC, team Beacon) and the change radar on Tandem's own history.

Two invented experiments for the signed-in demo team: one concluded, bound to a metric contract
on the IT-incident log and dated inside the log's period (so its before and after are the
team's real figures), one still running with a measure in words. Dates come from the log's own
last event day, never today. The radar needs nothing stored: it reads the repositories the demo
ingested (Tandem's own checkout, when the demo runs from one).

Running it again adds nothing: an experiment with the same title is left alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.db.session import session_scope
from tandem.demo.identities import DEMO_SOURCE
from tandem.demo.users import DEMO_TEAM
from tandem.lake import Lake
from tandem.people import service as people_service
from tandem.people.models import Membership
from tandem.why.change import service
from tandem.why.change.radar import change_radar
from tandem.workspace import Workspace

CONCLUDED = "SYNTHETIC DEMO: swarm on reassigned incidents"
RUNNING = "SYNTHETIC DEMO: a weekly blameless review"
METRIC = f"lead_time:p85,source={DEMO_SOURCE},window=30"


def log_last_day(lake: Lake, source: str = DEMO_SOURCE) -> dt.date | None:
    """The last event day (UTC) of ``source`` in the lake."""
    con = lake.connect(tables=("events",))
    try:
        row = con.execute("SELECT max(timestamp) FROM events WHERE source = ?", [source]).fetchone()
    finally:
        con.close()
    return None if row is None or row[0] is None else row[0].date()


def build_demo_change(*, workspace: Workspace) -> dict[str, Any]:
    """Add the demo's experiments (once) and summarise the radar of the ingested repositories."""
    last = log_last_day(workspace.lake)
    added: list[int] = []
    if last is not None:
        with session_scope(workspace.engine) as session:
            team = people_service.list_teams(session=session)
            beacon = next((t for t in team if t.name == DEMO_TEAM), None)
            known = {
                e.title
                for e in service.list_experiments(
                    session=session, workspace=None, team=beacon.id
                ).experiments
            } if beacon else set()  # fmt: skip
            owner = _owner(session, beacon.id) if beacon else None
            if beacon and owner and CONCLUDED not in known:
                start = last - dt.timedelta(days=75)
                made = service.add_experiment(
                    session=session, team=beacon.id, title=CONCLUDED,
                    hypothesis="SYNTHETIC DEMO: if the group that reassigns an incident swarms "
                    "on it the same day, P85 lead time of incidents falls.",
                    owner=owner, starts_on=start, ends_on=start + dt.timedelta(days=45),
                    measure_text="P85 lead time of incidents, 30-day window", metric=METRIC,
                )  # fmt: skip
                service.conclude_experiment(
                    session=session, team=beacon.id, experiment_id=made.id,
                    result="inconclusive", concluded_on=start + dt.timedelta(days=45),
                    outcome="SYNTHETIC DEMO: the figures before and after are the log's own; "
                    "the swarming itself is invented.",
                )  # fmt: skip
                added.append(made.id)
            if beacon and owner and RUNNING not in known:
                made = service.add_experiment(
                    session=session, team=beacon.id, title=RUNNING, owner=owner,
                    hypothesis="SYNTHETIC DEMO: a short weekly review of one incident spreads "
                    "fixes across the groups.",
                    starts_on=last - dt.timedelta(days=14), ends_on=last + dt.timedelta(days=42),
                    measure_text="SYNTHETIC DEMO: repeat incidents per month, counted by hand",
                )  # fmt: skip
                added.append(made.id)
    radar = change_radar(lake=workspace.lake)
    return {
        "experiments_added": added,
        "radar": {
            "repos": len(radar.repos),
            "events": len(radar.events),
            "current": sum(len(names) for names in radar.current.values()),
        },
    }


def _owner(session: Session, team_id: int) -> str | None:
    """The team's leader (else its first person by id), as the owner's reference."""
    rows = session.execute(
        select(Membership.person_id, Membership.role)
        .where(Membership.team_id == team_id)
        .order_by(Membership.person_id)
    ).all()
    leaders = [person for person, role in rows if role == "leader"]
    chosen = leaders[0] if leaders else (rows[0][0] if rows else None)
    return None if chosen is None else str(chosen)
