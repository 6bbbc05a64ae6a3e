"""The web org of the toolkit tests: the manager manages the member; the leader is a peer."""

from __future__ import annotations

from tandem.db.session import session_scope
from tandem.people.models import Person
from tandem.workspace import Workspace
from tests.web.conftest import Org


def link_reports(workspace: Workspace, org: Org) -> None:
    """The member reports to the manager; the manager to the director (aggregates only still)."""
    with session_scope(workspace.engine) as session:
        member = session.get(Person, org.person_ids["member"])
        manager = session.get(Person, org.person_ids["manager"])
        assert member is not None and manager is not None
        member.manager_id = manager.id
        manager.manager_id = org.person_ids["director"]
