"""The demo's check-ins: the demo member's, read by them and their line manager, match the
feedback and 1:1 the demo adds; their team's check-in names members alphabetically."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from tandem.accounts import service as accounts_service
from tandem.db.base import utcnow
from tandem.db.session import session_scope
from tandem.demo.manage_conversations import build_demo_conversations
from tandem.demo.org import build_demo_org
from tandem.demo.users import build_demo_users
from tandem.manage.checkins import service
from tandem.manage.one_on_ones.models import OneOnOnePair
from tandem.people.models import Membership
from tandem.profile.visibility import Viewer
from tests.helpers import new_workspace


def test_the_demo_member_s_check_in_and_their_team_s(tmp_path: Path) -> None:
    workspace = new_workspace(tmp_path / "ws")
    build_demo_org(workspace=workspace)
    build_demo_users(workspace=workspace)
    build_demo_conversations(workspace=workspace)
    with session_scope(workspace.engine) as session:
        pair = session.scalars(select(OneOnOnePair)).one()
        roles = {u.person_id: u.role for u in accounts_service.list_users(session=session)}
        day = utcnow().date()  # the demo's conversations are dated around its build
        report = Viewer(person_id=pair.report_id, role=roles.get(pair.report_id, "member"))
        manager = Viewer(person_id=pair.manager_id, role=roles.get(pair.manager_id, "member"))
        own = service.person_checkin(
            session=session, workspace=workspace, viewer=report, person_id=pair.report_id,
            as_of=day, actor="test",
        )  # fmt: skip
        read = service.person_checkin(
            session=session, workspace=workspace, viewer=manager, person_id=pair.report_id,
            as_of=day, actor="test",
        )  # fmt: skip
        team_id = session.scalar(
            select(Membership.team_id).where(Membership.person_id == pair.report_id)
        )
        assert team_id is not None
        team = service.team_checkin(
            session=session, workspace=workspace, viewer=Viewer(role="director"), team=team_id,
            as_of=day,
        )  # fmt: skip
    assert own.relation == "self" and read.relation == "manager"
    assert own.one_on_one.pair_id == pair.id and own.one_on_one.open_actions >= 1
    assert own.feedback.manager is not None and own.feedback.manager.id == pair.manager_id
    assert own.feedback.received >= 1 and not own.feedback.alert
    # the manager reads the same check-in but how much their report gave (the report's own)
    assert read.feedback.given is None and own.feedback.given is not None
    mine, theirs = (
        c.model_dump(exclude={"relation": True, "reports": True, "feedback": {"given"}})
        for c in (own, read)
    )
    assert mine == theirs
    assert team.view == "aggregate" and team.members is None
    assert (team.shares.withheld is None) is (team.shares.feedback_within is not None)
