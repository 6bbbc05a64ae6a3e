"""Give the demo's SYNTHETIC people work data: each is linked to one assignment group of the log.

The IT-incident log (BPIC 2014) names, for every activity, the assignment group that did it; the
ingest makes each group an identity (``account:it-incidents:TEAM0008``). Those are real groups of
a real service desk; the demo's people are invented. So that a team's panels (flow, bottlenecks,
forecast) have real work to show, the demo links each invented person to one of the 32 groups
busiest in the log's last 90 days (the window a team's throughput and forecast read), as if that
person had done that group's work: a made-up link between made-up people and
real data, deterministic, and mixed so that every team gets busy and quiet groups alike (the
person at position ``k`` of team slot ``t`` gets the group ranked ``4k + t``; the signed-in demo
team, Beacon, is slot 0).

Running it again changes nothing; a link made by hand since is left alone.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.db.session import session_scope
from tandem.demo.org import DEMO_PARAMS, DEMO_TEAMS, demo_people, demo_synthetic_org
from tandem.demo.users import DEMO_TEAM
from tandem.lake import Lake
from tandem.people import service as people_service
from tandem.people.models import Identity, Person
from tandem.workspace import Workspace

DEMO_SOURCE = "it-incidents"
# the groups busiest in the log's last 90 days (the window of a team's throughput and forecast),
# so that every demo team's recent work rests on enough people to be shown (DESIGN §7: n ≥ 5)
RECENT_DAYS = 90
LINK_NOTE = (
    "SYNTHETIC links: each invented person stands for one real assignment group of the "
    "incident log, so that the demo teams' panels show real work"
)


def busiest_identities(lake: Lake, *, source: str = DEMO_SOURCE, limit: int) -> list[str]:
    """The identity keys of ``source`` with the most events in its last :data:`RECENT_DAYS`
    days (then the most events overall, then by key), at most ``limit``."""
    con = lake.connect(tables=("events",))
    try:
        rows = con.execute(
            "WITH mine AS (SELECT resource_key, timestamp FROM events "
            "  WHERE source = ? AND resource_key IS NOT NULL), "
            "edge AS (SELECT max(timestamp) - to_days(?) AS since FROM mine) "
            "SELECT resource_key FROM mine, edge GROUP BY resource_key "
            "ORDER BY count(*) FILTER (WHERE timestamp >= since) DESC, count(*) DESC, "
            "resource_key LIMIT ?",
            [source, RECENT_DAYS, limit],
        ).fetchall()
    finally:
        con.close()
    return [str(key) for (key,) in rows]


def link_demo_people(*, session: Session, lake: Lake, source: str = DEMO_SOURCE) -> dict[str, Any]:
    """Link each demo person to one busy identity of ``source`` (flushes, no commit)."""
    people = demo_people(demo_synthetic_org())
    keys = busiest_identities(lake, source=source, limit=len(people))
    teams = len(DEMO_TEAMS)
    linked = kept = 0
    if len(keys) < len(people):
        return {"note": LINK_NOTE, "linked": 0, "kept": 0, "missing": len(people) - len(keys)}
    for person in people:
        team, position = divmod(person.synthetic_id, DEMO_PARAMS.team_size)
        # the signed-in demo team takes the first of every four ranks: its panels, home page
        # and attention list show the busiest work (open items included)
        slot = (team - DEMO_TEAMS.index(DEMO_TEAM)) % teams
        key = keys[position * teams + slot]
        identity = session.scalar(select(Identity).where(Identity.identity_key == key))
        target = session.scalar(select(Person).where(Person.email == person.email))
        if identity is None or target is None:
            continue
        if identity.person_id == target.id or identity.linked_by == "manual":
            kept += 1
            continue
        people_service.link_identity(session=session, identity_key=key, person=person.email)
        linked += 1
    return {"note": LINK_NOTE, "linked": linked, "kept": kept, "missing": 0}


def build_demo_links(*, workspace: Workspace, source: str = DEMO_SOURCE) -> dict[str, Any]:
    """Link the demo people to work data in ``workspace``, in one transaction; idempotent."""
    with session_scope(workspace.engine) as session:
        return link_demo_people(session=session, lake=workspace.lake, source=source)
