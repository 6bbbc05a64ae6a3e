"""A real flow workspace for the HOW and home tests: the sepsis log and a small organisation.

Team Alpha (the test org's own team) holds the leader, manager and member users' people and the
people behind sepsis resources A–F (so the team filter selects their events; ≥ 5 people);
identity G is linked by hand to the leader's person. Team Beta holds two resource people (under
the privacy floor); team Gamma has nobody in the work data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from tandem.db.session import session_scope
from tandem.flow.engine import Filters
from tandem.ingest import service as ingest_service
from tandem.people import service as people_service
from tandem.people.models import Identity, Membership, Team
from tandem.sources.contracts import ColumnMapping
from tandem.workspace import Workspace
from tests.helpers import new_workspace
from tests.web.conftest import Org, make_org

SEPSIS = Path(__file__).parents[2] / "src" / "tandem" / "demo" / "data" / "sepsis.csv.gz"
DONE = ["Release A", "Release B", "Release C", "Release D", "Release E", "Return ER"]
ALPHA_RESOURCES = ("A", "B", "C", "D", "E", "F")
BETA_RESOURCES = ("H", "I")


def key(resource: str) -> str:
    return f"account:sepsis:{resource}"


@dataclass(frozen=True)
class FlowOrg:
    workspace: Workspace
    org: Org
    gamma_team_id: int
    alpha_keys: tuple[str, ...]


def ingest_sepsis(workspace: Workspace) -> None:
    ingest_service.ingest_events(
        workspace=workspace, path=SEPSIS, columns=ColumnMapping(), source="sepsis"
    )


def make_flow_org(root: Path) -> FlowOrg:
    """The workspace described in the module docstring."""
    workspace = new_workspace(root)
    with workspace.config_path.open("a", encoding="utf-8") as handle:
        handle.write(f"\n[flow.mapping.sepsis]\ndone = {DONE!r}\n".replace("'", '"'))
    workspace = Workspace.open(root)  # settings are read once per Workspace
    ingest_sepsis(workspace)
    org = make_org(workspace)
    with session_scope(workspace.engine) as session:
        gamma = Team(name="Gamma")
        session.add(gamma)
        session.flush()
        people_service.link_identity(
            session=session, identity_key=key("G"), person=str(org.person_ids["leader"])
        )
        people = {
            row.identity_key: row.person_id for row in session.scalars(select(Identity)).all()
        }
        for role in ("leader", "manager", "member"):
            session.add(
                Membership(person_id=org.person_ids[role], team_id=org.own_team_id, role=role)
            )
        for resource in ALPHA_RESOURCES:
            session.add(Membership(person_id=people[key(resource)], team_id=org.own_team_id))
        for resource in BETA_RESOURCES:
            session.add(Membership(person_id=people[key(resource)], team_id=org.other_team_id))
        gamma_id = gamma.id
    alpha_keys = tuple(sorted(key(r) for r in (*ALPHA_RESOURCES, "G")))
    return FlowOrg(workspace, org, gamma_id, alpha_keys)


def alpha_filters(flow_org: FlowOrg) -> Filters:
    """The filters the HOW panel uses for team Alpha (its identities and their people)."""
    with session_scope(flow_org.workspace.engine) as session:
        people = people_service.team_identity_people(session=session, teams=["Alpha"])
    return Filters(teams={"Alpha": flow_org.alpha_keys}, team_people=people)
