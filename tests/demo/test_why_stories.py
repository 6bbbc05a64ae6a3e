"""The demo's impact stories: DEMO naming choices; a Beacon goal whose story has real sentences."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tandem.audit import service as audit_service
from tandem.db.session import session_scope
from tandem.demo.build import build_demo
from tandem.demo.org import demo_people, demo_synthetic_org
from tandem.demo.users import DEMO_TEAM, planned_accounts
from tandem.demo.why_stories import DEMO_ACTOR, build_demo_stories, consenting_emails
from tandem.flow.engine import FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.why.stories import service
from tandem.workspace import Workspace
from tests.why.story_checks import check_story


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, dict[str, Any]]:
    root = tmp_path_factory.mktemp("demo-stories") / "ws"
    result = build_demo(root=root)
    return Workspace.open(root), result


def test_a_beacon_goal_tells_a_real_story_naming_only_who_agreed(
    built: tuple[Workspace, dict[str, Any]],
) -> None:
    workspace, result = built
    stories = result["stories"]
    assert stories["team"] == DEMO_TEAM and len(stories["named"]) == 4
    goal_id = stories["goal"]["goal_id"]
    mapping = StatusMapping.from_settings(workspace.settings.flow)
    with session_scope(workspace.engine) as session, FlowEngine(workspace.lake) as engine:
        story = service.goal_story(
            session=session, engine=engine, mapping=mapping, team=DEMO_TEAM, goal_id=goal_id
        )
    data = story.model_dump(mode="json")
    assert check_story(data["sentences"], data["evidence"]) >= 3
    templates = {s.template for s in story.sentences}
    assert {"done_many", "longest", "people_named_others"} <= templates
    results = [e for e in story.evidence if e.kind == "kr"]  # the goals demo's key results
    told = [s for s in story.sentences if s.template.startswith("kr_")]
    assert len(told) == len(results)
    assert story.end.year == 2014  # the lake's own period, not today
    named = set(consenting_emails())
    beacon = [p for p in demo_people(demo_synthetic_org()) if p.team == DEMO_TEAM]
    for person in beacon:
        for text in (story.markdown, story.html):
            assert (person.name in text) == (person.email in named), person.name


def test_the_signed_in_member_has_not_chosen_and_a_rebuild_adds_nothing(
    built: tuple[Workspace, dict[str, Any]],
) -> None:
    workspace, result = built
    member = next(a for a in planned_accounts() if a.role == "member")
    assert member.email not in consenting_emails()
    again = build_demo_stories(workspace=workspace)
    assert not any(entry["new"] for entry in again["named"])
    assert again["goal"] == {**result["stories"]["goal"], "created": False}
    with session_scope(workspace.engine) as session:
        events = audit_service.events(session=session, action="story.consent")
    assert len(events) == 4 and {e.actor for e in events} == {DEMO_ACTOR}


def test_the_demo_module_is_labelled() -> None:
    import tandem.demo.why_stories as module

    assert "DEMO" in (module.__doc__ or "") and "SYNTHETIC" in module.DEMO_WHY
    assert module.DEMO_GOAL.startswith("DEMO")
    assert Path(module.__file__ or "").name == "why_stories.py"
