"""The overuse scale in a profile (bank v2): others' "too much of it" per practice, through the
same rater-group rules as the practice scores, rounded as every shown score; none in bank v1."""

from __future__ import annotations

from rich.console import Console

from tandem.cli.profile import render_profile
from tandem.people.models import Person
from tandem.profile.answers import Answer
from tandem.profile.schemas import ProfileOut
from tandem.profile.service import CycleScores, profile_out
from tandem.review.items import ItemBank, load_item_bank
from tandem.review.models import ReviewCycle

RATEE = 100
# rater → (relation, the value they give every overuse item)
RATERS = {
    RATEE: ("self", 1),
    2: ("manager", 4),
    3: ("peer", 2),
    4: ("peer", 3),
    5: ("peer", 4),
    6: ("report", 5),  # two reports: hidden, and too few to pool
    7: ("report", 5),
}


def _answers(bank: ItemBank, overuse_of: dict[int, int]) -> dict[int, tuple[Answer, ...]]:
    rows = []
    for rater, (relation, too_much) in RATERS.items():
        for item in bank.items:
            if not item.rated_by(relation):
                continue
            value = overuse_of.get(rater, too_much) if item.scale == "overuse" else 3
            rows.append(Answer(rater, relation, item.id, value))
    return {RATEE: tuple(rows)}


def _profile(
    bank: ItemBank, overuse_of: dict[int, int] | None = None, viewer: int | None = None
) -> ProfileOut:
    scores = CycleScores(ReviewCycle(name="c"), bank, _answers(bank, overuse_of or {}))
    person = Person(id=RATEE, display_name="Ratee")
    return profile_out(scores, person, viewer_id=viewer)


def test_overuse_is_the_shown_groups_mean_weighted_by_raters() -> None:
    profile = _profile(load_item_bank("2"))
    vision = profile.practices["vision"]
    # manager 4 (shown alone), peers 2, 3, 4 (a group of 3); the two reports are hidden and
    # too few to pool, so they are not behind it; self never is: (4 + 2 + 3 + 4) / 4
    assert (vision.overuse, vision.overuse_n_raters) == (3.25, 4)
    # peers are not asked performance's overuse items in bank v2: the manager's alone
    performance = profile.practices["performance"]
    assert (performance.overuse, performance.overuse_n_raters) == (4.0, 1)
    # the practice scores are untouched by the overuse answers
    assert vision.others == 3.0 and vision.n_raters == 4


def test_overuse_is_rounded_like_every_shown_score() -> None:
    profile = _profile(load_item_bank("2"), overuse_of={3: 1, 4: 1, 5: 2})  # peers 1, 1, 2
    assert profile.practices["vision"].overuse == round((4 + 1 + 1 + 2) / 4, 2) == 2.0
    profile = _profile(load_item_bank("2"), overuse_of={3: 1, 4: 2, 5: 2})  # (4+1+2+2)/4
    assert profile.practices["vision"].overuse == 2.25
    profile = _profile(load_item_bank("2"), overuse_of={2: 5, 3: 1, 4: 2, 5: 2})  # 10 / 4
    assert profile.practices["vision"].overuse == 2.5
    odd = _profile(load_item_bank("2"), overuse_of={2: 5, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1})
    # the two reports stay hidden and unpooled: manager 5 and peers 1, 1, 1: 8 / 4
    assert odd.practices["vision"].overuse == 2.0


def test_a_peer_viewer_cannot_subtract_their_own_overuse_answer() -> None:
    # shared with peer 3: the peer group of 3 holding their own rating would leave 2 others, so
    # it is hidden from them; the two reports stay hidden and unpooled, as for the ratee (pooled
    # with the peers for the viewer alone, the pool beside the ratee's peer mean would give the
    # reports' mean back)
    profile = _profile(load_item_bank("2"), viewer=3)
    vision = profile.practices["vision"]
    assert vision.groups["peer"] == "suppressed" and vision.groups["others"] == "suppressed"
    # the manager's alone: 4
    assert (vision.overuse, vision.overuse_n_raters) == (4.0, 1)
    # the ratee sees the peers too: the viewer's raters are a part of theirs
    mine = _profile(load_item_bank("2")).practices["vision"]
    assert (mine.overuse, mine.overuse_n_raters) == (3.25, 4)
    assert vision.groups["manager"] == mine.groups["manager"]


def test_bank_v1_has_no_overuse_figures() -> None:
    profile = _profile(load_item_bank("1"))
    assert all(p.overuse is None and p.overuse_n_raters == 0 for p in profile.practices.values())
    assert "overuse" in profile.model_dump(by_alias=True)["practices"]["vision"]


def test_the_cli_table_has_a_too_much_column_only_when_there_is_overuse() -> None:
    def drawn(profile: ProfileOut) -> str:
        console = Console(record=True, width=200)
        render_profile(console, profile)
        return console.export_text()

    v2 = drawn(_profile(load_item_bank("2")))
    assert "too much (n)" in v2 and "3.25 (4)" in v2
    assert "too much" not in drawn(_profile(load_item_bank("1")))
