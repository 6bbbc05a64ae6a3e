"""The demo's feedback and 1:1s: added once, the private note only the manager's."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from tandem.db.session import session_scope
from tandem.demo.manage_conversations import build_demo_conversations
from tandem.demo.org import build_demo_org
from tandem.demo.users import build_demo_users
from tandem.manage.one_on_ones import service
from tandem.manage.one_on_ones.models import OneOnOnePair
from tandem.profile.visibility import Viewer
from tests.helpers import new_workspace


def test_the_demo_pair_carries_an_item_and_keeps_the_private_note_private(tmp_path: Path) -> None:
    workspace = new_workspace(tmp_path / "ws")
    build_demo_org(workspace=workspace)
    build_demo_users(workspace=workspace)
    added = build_demo_conversations(workspace=workspace)
    assert added["added"] is True and added["feedback"] == 2
    with session_scope(workspace.engine) as session:
        pair = session.scalars(select(OneOnOnePair)).one()
        as_report = service.pair_detail(
            session=session, viewer=Viewer(person_id=pair.report_id, role="member"),
            pair_id=pair.id, as_of=pair.created_at.date(),
        )  # fmt: skip
        as_manager = service.pair_detail(
            session=session, viewer=Viewer(person_id=pair.manager_id, role="manager"),
            pair_id=pair.id, as_of=pair.created_at.date(),
        )  # fmt: skip
    upcoming = as_report.meetings[0]
    assert [(i.carried, i.status) for i in upcoming.agenda] == [(True, "open")]
    assert "Private:" not in as_report.model_dump_json()
    assert "Private:" in as_manager.model_dump_json()
    again = build_demo_conversations(workspace=workspace)
    assert again["added"] is False and again["pair_id"] == added["pair_id"]
