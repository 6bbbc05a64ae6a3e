"""The action library: coverage of every practice and of the essay's advice; loader validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from tandem.errors import InputError
from tandem.plans import library as library_module
from tandem.plans.library import CADENCES, load_action_library
from tandem.review.items import PRACTICE_IDS

DATA = Path(library_module.__file__).parent / "data" / "actions_v1.toml"


def test_every_practice_has_three_concrete_actions() -> None:
    library = load_action_library()
    assert library.version == "1"
    ids = [a.id for a in library.actions]
    assert len(ids) == len(set(ids))
    for practice in PRACTICE_IDS:
        actions = library.for_practice(practice)
        assert len(actions) >= 3, practice
        for action in actions:
            assert action.id.startswith(f"{practice}-")
            assert action.cadence in CADENCES
            assert action.behaviour and action.evidence and action.title
    with pytest.raises(KeyError):
        library.for_practice("charisma")


# The essay's advice, one line per practice: the first action of each practice carries it.
ESSAY_ADVICE = {
    "vision": ("vision-paint-the-picture", "vivid"),
    "storytelling": ("storytelling-real-example", "real example"),
    "empowerment": ("empowerment-delegate-clearly", "leave the how to them"),
    "change": ("change-welcome-ideas", "new tools and technologies"),
    "championing": ("championing-celebrate", "in a team or company channel"),
    "process": ("process-review-bottleneck", "bottleneck"),
    "performance": ("performance-clear-metrics", "measurable"),
    "communication": ("communication-one-to-ones", "fixed cadence"),
    "allocation": ("allocation-fund-the-goals", "budget, time or people"),
    "conflict": ("conflict-address-early", "disagreement"),
}


@pytest.mark.parametrize("practice", PRACTICE_IDS)
def test_the_essays_advice_comes_first(practice: str) -> None:
    action_id, phrase = ESSAY_ADVICE[practice]
    library = load_action_library("1")
    first = library.for_practice(practice)[0]
    assert first.id == action_id
    assert phrase in first.behaviour


def test_regular_feedback_and_tandem_tools_are_in_the_library() -> None:
    library = load_action_library()
    assert "feedback" in library.action("performance-regular-feedback").behaviour
    assert "`tandem flow bottlenecks`" in library.action("process-review-bottleneck").behaviour
    assert library.action("process-review-bottleneck").cadence == "every sprint"
    with pytest.raises(KeyError):
        library.action("vision-nothing")
    assert load_action_library() is library


def test_unknown_version() -> None:
    with pytest.raises(InputError, match="unknown action library version '9'"):
        load_action_library("9")


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            'cadence = "quarterly"',
            'cadence = "now and then"',
            "actions[0].cadence",
            "unknown cadence 'now and then'",
        ),
        (
            'id = "vision-link-the-work"',
            'id = "vision-paint-the-picture"',
            "actions[1].id",
            "duplicate action id 'vision-paint-the-picture'",
        ),
        (
            'id = "vision-link-the-work"',
            'id = "change-link-the-work"',
            "actions[1].id",
            "must have the form 'vision-<words-with-dashes>'",
        ),
        (
            'id = "vision-link-the-work"',
            'id = "vision-Link"',
            "actions[1].id",
            "must have the form",
        ),
        ('practice = "vision"', 'practice = "charisma"', "actions[0].practice", "unknown practice"),
        ('title = "Paint the picture"', 'title = ""', "actions[0].title", "non-empty string"),
        ('title = "Paint the picture"', 'titel = "x"', "actions[0].title", "is missing"),
    ],
)
def test_loader_rejects_a_broken_file(
    tmp_path: Path, old: str, new: str, field: str, message: str
) -> None:
    text = DATA.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "actions_v1.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        library_module._load_library_file(path)
    assert caught.value.field == field
    assert str(path) in caught.value.message
    assert message in caught.value.message


def test_loader_requires_three_actions_per_practice(tmp_path: Path) -> None:
    text = DATA.read_text(encoding="utf-8")
    # the last two actions of the file are conflict actions: cut them
    cut = text[text.index('[[actions]]\nid = "conflict-choose-the-approach"') :]
    path = tmp_path / "few.toml"
    path.write_text(text.replace(cut, ""), encoding="utf-8")  # drops the last two conflict actions
    with pytest.raises(InputError, match="practice 'conflict' has 2 actions; at least 3"):
        library_module._load_library_file(path)
    # the shipped file itself loads through the same function
    assert len(library_module._load_library_file(DATA).for_practice("conflict")) == 4
