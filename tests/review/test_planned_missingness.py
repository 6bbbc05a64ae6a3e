"""Planned missingness: each rater other than self answers a balanced share of each practice,
the form shows only that share, and scoring counts the share as the rater's whole form."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy.orm import Session

from tandem.errors import InputError
from tandem.profile import service as profile_service
from tandem.profile.answers import Answer, rater_scores
from tandem.review import completion, forms, subsets
from tandem.review import service as review_service
from tandem.review.items import load_item_bank
from tests.helpers import V1

CYCLE = "2026-h1-share"
BANK = load_item_bank("1")


@pytest.mark.parametrize("k", [1, 2, 3, 4])
@pytest.mark.parametrize("raters", [1, 2, 3, 5, 7, 12])
def test_the_rotation_covers_every_item_evenly(k: int, raters: int) -> None:
    items = [f"i{j}" for j in range(5)]
    counts = Counter(i for index in range(raters) for i in subsets.rotation(items, index, k))
    assert sum(counts.values()) == raters * k
    spread = [counts.get(i, 0) for i in items]
    assert max(spread) - min(spread) <= 1  # ⌊m·k/n⌋ or ⌈m·k/n⌉ raters per item


def test_self_is_asked_every_item_and_others_their_share() -> None:
    assert len(subsets.asked_items(BANK, "self", 3, 0)) == 50
    share = subsets.asked_items(BANK, "peer", 3, 1)
    assert len(share) == 30
    assert Counter(i.practice for i in share) == dict.fromkeys(BANK.by_practice(), 3)
    assert subsets.asked_items(BANK, "peer", None, 1) == BANK.items


@pytest.mark.parametrize("k", [0, 5, 9])
def test_a_share_must_leave_items_out_but_not_all(db_session: Session, k: int) -> None:
    with pytest.raises(InputError, match=r"field 'items_per_practice'.*1–4"):
        review_service.create_cycle(
            session=db_session, name="x", items_per_practice=k, item_bank_version=V1
        )


@pytest.fixture
def cycle(db_session: Session, org: dict[str, int]) -> str:
    review_service.create_cycle(
        session=db_session, name=CYCLE, items_per_practice=3, item_bank_version=V1
    )
    # Bob is rated by Ada (manager), Cy and Di (reports): numbered 0, 1, 2 in assignment order
    review_service.assign_from_teams(session=db_session, cycle=CYCLE, teams=["Core"])
    return CYCLE


def form_items(db_session: Session, rater: int, ratee: int) -> list[str]:
    form = forms.rating_form(session=db_session, rater_id=rater, ratee_id=ratee, cycle=CYCLE)
    return [item.id for practice in form.practices for item in practice.items]


def test_the_form_shows_the_share_and_refuses_other_items(
    db_session: Session, org: dict[str, int], cycle: str
) -> None:
    bob = org["bob"]
    cy = form_items(db_session, org["cy"], bob)
    assert len(cy) == 30 and cy[:3] == ["vision-1", "vision-4", "vision-5"]  # starts at 1·3
    assert form_items(db_session, org["di"], bob)[:3] == ["vision-2", "vision-3", "vision-4"]
    assert len(form_items(db_session, bob, bob)) == 50  # self answers every item
    covered = Counter(
        i for rater in ("ada", "cy", "di") for i in form_items(db_session, org[rater], bob)
    )
    assert set(covered) == {i.id for i in BANK.items}  # 3 raters × 3 of 5: every item asked
    with pytest.raises(forms.AnswerFormError) as refused:
        forms.save_answers(
            session=db_session, rater_id=org["cy"], ratee_id=bob, answers={"vision-2": "4"}
        )
    assert refused.value.problems == {"vision-2": forms.NOT_IN_SUBSET}
    (todo,) = [
        a
        for a in forms.open_assignments(session=db_session, rater_id=org["cy"])
        if a.ratee_id == bob
    ]
    assert (todo.answered, todo.items) == (0, 30)


def test_a_rater_who_answered_their_share_is_complete_and_scored_by_hand(
    db_session: Session, org: dict[str, int], cycle: str
) -> None:
    bob, cy = org["bob"], org["cy"]
    answers: dict[str, object] = dict.fromkeys(form_items(db_session, cy, bob), "3")
    # vision: items 1, 4 and 5 (5 reverse-keyed); storytelling: 1, 2 and 5 (5 reverse-keyed)
    answers |= {"vision-1": "4", "vision-4": "2", "vision-5": "5"}
    answers |= {"storytelling-1": "5", "storytelling-2": "5", "storytelling-5": "2"}
    saved = forms.save_answers(session=db_session, rater_id=cy, ratee_id=bob, answers=answers)
    assert (saved.answered, saved.items) == (30, 30)
    progress = completion.pair_progress(session=db_session, cycle=review_service.get_cycle(
        session=db_session, name=CYCLE), ratee_id=bob)  # fmt: skip
    assert progress[(bob, cy)].submitted and not progress[(bob, org["di"])].started

    review_service.close_cycle(session=db_session, name=CYCLE)
    scores = profile_service.load_cycle_scores(
        session=db_session, cycle=review_service.get_cycle(session=db_session, name=CYCLE)
    )
    (mine,) = [r for r in scores.rated[bob] if r.rater == cy]
    assert mine.practices["vision"] == pytest.approx((4 + 2 + (6 - 5)) / 3)
    assert mine.practices["storytelling"] == pytest.approx((5 + 5 + (6 - 2)) / 3)
    assert all(
        mine.practices[p] == 3.0 for p in BANK.by_practice() if p not in ("vision", "storytelling")
    )
    # without the share, 3 answers of 5 fall under the 75 % rule: planned-missing is not
    # "can't observe"
    stored = [
        Answer(rater=cy, relation="report", item_id=i, value=int(str(v)))
        for i, v in answers.items()
    ]
    assert rater_scores(stored, BANK)[0].practices["vision"] is None
    assert rater_scores(stored, BANK, items_per_practice=3)[0].practices["vision"] == (
        pytest.approx(7 / 3)
    )


def test_the_75_percent_rule_still_holds_inside_the_share() -> None:
    """2 of 3 asked items answered is 67 %: no score; 3 of 4 asked is 75 %: a score."""
    two_of_three = [
        Answer(1, "peer", "vision-1", 4),
        Answer(1, "peer", "vision-2", 4),
        Answer(1, "peer", "vision-3", None),
    ]
    assert rater_scores(two_of_three, BANK, items_per_practice=3)[0].practices["vision"] is None
    three_of_four = [*two_of_three[:2], Answer(1, "peer", "vision-3", 2)]
    assert rater_scores(three_of_four, BANK, items_per_practice=4)[0].practices["vision"] == (
        pytest.approx(10 / 3)
    )
    # the self-assessment is never a share: 3 of 5 answered stays short
    own = [Answer(1, "self", f"vision-{i}", 4) for i in (1, 2, 3)]
    assert rater_scores(own, BANK, items_per_practice=3)[0].practices["vision"] is None


def test_the_quality_report_counts_the_share_as_the_whole_form(
    db_session: Session, org: dict[str, int], cycle: str
) -> None:
    from tandem.review import quality

    bob, cy = org["bob"], org["cy"]
    answers = dict.fromkeys(form_items(db_session, cy, bob), "4")
    forms.save_answers(session=db_session, rater_id=cy, ratee_id=bob, answers=answers)
    report = quality.quality(session=db_session, cycle=CYCLE, actor="cli:test")
    (pair,) = [p for p in report.pairs if (p.ratee_id, p.rater_id) == (bob, cy)]
    assert (pair.asked, pair.answered) == (30, 30)
    assert report.summary.complete == 1
