"""``tandem story`` and ``tandem story consent`` end to end on a real workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tandem.audit import service as audit_service
from tandem.db.session import session_scope
from tests.helpers import run_cli
from tests.why.story_checks import check_story
from tests.why.story_fixtures import StoryOrg, make_story_org

WIDE = {"COLUMNS": "200"}


@pytest.fixture(scope="module")
def story_org(tmp_path_factory: pytest.TempPathFactory) -> StoryOrg:
    return make_story_org(tmp_path_factory.mktemp("story-cli") / "ws")


def _ws(story_org: StoryOrg) -> str:
    return str(story_org.flow.workspace.root)


def test_json_is_the_whole_traceable_story(story_org: StoryOrg) -> None:
    result = run_cli(
        "story", "--team", "Alpha", "--goal", story_org.goal_id, "-w", _ws(story_org), "--json"
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert check_story(data["sentences"], data["evidence"]) > 0
    assert data["start"] == "2014-03-01" and data["written"] is None
    for name in story_org.names.values():
        assert name not in result.stdout


def test_text_shows_each_sentence_with_its_evidence_ids(story_org: StoryOrg) -> None:
    result = run_cli(
        "story",
        "--team",
        "Alpha",
        "--goal",
        story_org.goal_id,
        "--from",
        "2014-04-01",
        "--to",
        "2014-04-30",
        "-w",
        _ws(story_org),
        env=WIDE,
    )
    assert result.exit_code == 0, result.stderr
    assert "Impact story: Patients released sooner" in result.stdout
    assert "Team Alpha · 2014-04-01 to 2014-04-30" in result.stdout
    assert f"[goal:{story_org.goal_id}, work:{story_org.goal_id}]" in result.stdout


@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_output_files(story_org: StoryOrg, tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"story{suffix}"
    result = run_cli(
        "story",
        "--team",
        "Alpha",
        "--goal",
        story_org.goal_id,
        "-o",
        target,
        "-w",
        _ws(story_org),
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    written = target.read_text(encoding="utf-8")
    assert written == (data["markdown"] if suffix == ".md" else data["html"])
    assert data["written"] == str(target)


def test_bad_input_is_named_and_writes_nothing(story_org: StoryOrg, tmp_path: Path) -> None:
    target = tmp_path / "story.pdf"
    cases = [
        (["--team", "Alpha", "--goal", str(story_org.goal_id), "-o", str(target)], ".md or .html"),
        (["--team", "Alpha", "--goal", str(story_org.beta_goal_id)], "has no goal"),
        (["--team", "Nope", "--goal", "1"], "no team named"),
        (["--team", "Alpha", "--goal", str(story_org.goal_id), "--from", "2014-13-01"], "date"),
        (["--team", "Alpha"], "--goal"),
        (
            [
                "--team",
                "Alpha",
                "--goal",
                str(story_org.goal_id),
                "--from",
                "2014-06-01",
                "--to",
                "2014-05-01",
                "-o",
                str(tmp_path / "s.md"),
            ],
            "after its end",
        ),
    ]
    for args, message in cases:
        result = run_cli("story", *args, "-w", _ws(story_org), env=WIDE)
        assert result.exit_code != 0, args
        assert message in result.stderr, (args, result.stderr)
    assert list(tmp_path.iterdir()) == []


def test_consent_yes_and_no(story_org: StoryOrg) -> None:
    pid = story_org.person_ids["D"]
    name = story_org.names["D"]
    yes = run_cli("story", "consent", "yes", "--person", str(pid), "-w", _ws(story_org), env=WIDE)
    assert yes.exit_code == 0, yes.stderr
    assert f"{name} is named in impact stories." in yes.stdout
    story = run_cli(
        "story", "--team", "Alpha", "--goal", story_org.goal_id, "-w", _ws(story_org), "--json"
    )
    assert name in story.stdout
    no = run_cli("story", "consent", "no", "--person", str(pid), "-w", _ws(story_org), "--json")
    assert json.loads(no.stdout)["named"] is False
    story = run_cli(
        "story", "--team", "Alpha", "--goal", story_org.goal_id, "-w", _ws(story_org), "--json"
    )
    assert name not in story.stdout
    with session_scope(story_org.flow.workspace.engine) as session:
        events = audit_service.events(session=session, action="story.consent")
        mine = [e for e in events if e.subject_person_id == pid]
        assert [e.detail["named"] for e in mine] == [False, True]
        assert all(e.actor.startswith("cli:") for e in mine)
    bad = run_cli("story", "consent", "maybe", "--person", str(pid), "-w", _ws(story_org))
    assert bad.exit_code != 0 and "answer yes or no" in bad.stderr
