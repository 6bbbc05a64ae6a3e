"""Planned missingness: each rater other than self answers a balanced share of each practice,
the form shows only that share, and scoring counts the share as the rater's whole form."""

from __future__ import annotations

import math
import random
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.errors import InputError
from tandem.people.models import Person
from tandem.profile import service as profile_service
from tandem.profile.answers import Answer, rater_scores
from tandem.review import completion, forms, subsets
from tandem.review import service as review_service
from tandem.review.items import load_item_bank
from tandem.review.models import ReviewAssignment
from tests.helpers import V1
from tests.review.conftest import write

CYCLE = "2026-h1-share"
BANK = load_item_bank("1")
RANKING_HEADER = "ratee,rater,relation,kind,rank,practice"
VISION_FIRST = ("vision", "change", "process")
CONFLICT_FIRST = ("conflict", "allocation", "storytelling")


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
    # Bob is rated by Ada (manager, number 0), Cy and Di (reports, −1 and −2)
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
    assert len(cy) == 30 and cy[:3] == ["vision-3", "vision-4", "vision-5"]  # starts at −1·3
    assert form_items(db_session, org["di"], bob)[:3] == ["vision-1", "vision-2", "vision-5"]
    assert form_items(db_session, org["ada"], bob)[:3] == ["vision-1", "vision-2", "vision-3"]
    assert len(form_items(db_session, bob, bob)) == 50  # self answers every item
    covered = Counter(
        i for rater in ("ada", "cy", "di") for i in form_items(db_session, org[rater], bob)
    )
    assert set(covered) == {i.id for i in BANK.items}  # 3 raters × 3 of 5: every item asked
    with pytest.raises(forms.AnswerFormError) as refused:
        forms.save_answers(
            session=db_session, rater_id=org["cy"], ratee_id=bob, answers={"vision-1": "4"}
        )
    assert refused.value.problems == {"vision-1": forms.NOT_IN_SUBSET}
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
    # vision: items 3, 4 and 5 (5 reverse-keyed); storytelling: 1, 4 and 5 (5 reverse-keyed)
    answers |= {"vision-3": "4", "vision-4": "2", "vision-5": "5"}
    answers |= {"storytelling-1": "5", "storytelling-4": "5", "storytelling-5": "2"}
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


# -- numbering per ratee and relation, stored on the assignment ----------------------------------


@pytest.mark.parametrize("version", ["1", "2"])
@pytest.mark.parametrize("seed", range(5))
def test_every_relation_group_covers_every_item_in_any_assignment_order(
    version: str, seed: int
) -> None:
    """Raters of three relations assigned in a random interleaved order (and some removed):
    each relation's group with at least ⌈n/K⌉ raters is asked every item of every practice."""
    bank = load_item_bank(version)
    rng = random.Random(seed)
    most = max(len(items) for items in bank.by_practice().values())
    for k in range(1, most):
        taken: dict[str, set[int]] = {r: set() for r in ("manager", "peer", "report")}
        for _ in range(20):
            relation = rng.choice(("manager", "peer", "peer", "report", "report"))
            if taken[relation] and rng.random() < 0.2:  # a removal frees a share
                taken[relation].discard(rng.choice(sorted(taken[relation])))
            taken[relation].add(subsets.next_rotation(relation, taken[relation]))
            for group, numbers in taken.items():
                shares = [set(subsets.asked_items(bank, group, k, n)) for n in numbers]
                for items in bank.by_practice().values():
                    routed = {i for i in items if i.rated_by(group)}
                    if len(numbers) >= math.ceil(len(routed) / k):
                        assert routed <= set().union(*shares), (group, k, sorted(numbers))


def shares(db_session: Session, ratee: int) -> dict[int, list[str]]:
    """Every rater's asked items about ``ratee`` (self aside), from the forms they are shown."""
    cycle = review_service.get_cycle(session=db_session, name=CYCLE)
    bank = load_item_bank(V1)
    rows = db_session.scalars(
        select(ReviewAssignment).where(
            ReviewAssignment.cycle_id == cycle.id,
            ReviewAssignment.ratee_id == ratee,
            ReviewAssignment.relation != "self",
        )
    )
    return {a.rater_id: [i.id for i in subsets.asked_of(db_session, cycle, a, bank)] for a in rows}


def test_a_relation_group_is_asked_every_item_whatever_the_order_of_assignment(
    db_session: Session, org: dict[str, int]
) -> None:
    """Bob's raters assigned one by one: Ada (manager), Cy (report), Eve (peer), Di (report).
    Numbered across relations, the reports Cy and Di would be raters 1 and 3, whose shares of
    3 of 5 both miss each practice's third item; numbered per relation they are −1 and −2."""
    review_service.create_cycle(
        session=db_session, name=CYCLE, items_per_practice=3, item_bank_version=V1
    )
    for rater, relation in (
        ("ada", "manager"),
        ("cy", "report"),
        ("eve", "peer"),
        ("di", "report"),
    ):
        review_service.assign_rater(
            session=db_session,
            cycle=CYCLE,
            ratee="bob@example.com",
            rater=f"{rater}@example.com",
            relation=relation,
        )
    asked = shares(db_session, org["bob"])
    reports = set(asked[org["cy"]]) | set(asked[org["di"]])
    assert reports == {i.id for i in BANK.items if i.rated_by("report")}
    assert "vision-3" in asked[org["cy"]]  # the item both missed
    # every item is still asked of someone, and the manager and the peer keep their own shares
    assert asked[org["ada"]][:3] == ["vision-1", "vision-2", "vision-3"]
    assert asked[org["eve"]][:3] == ["vision-1", "vision-4", "vision-5"]


def test_removing_an_assignment_changes_no_other_raters_items(
    db_session: Session, org: dict[str, int], cycle: str
) -> None:
    """Bob's reports Cy (−1), Di (−2) and, assigned later, Eve (−3). Forgetting Di deletes her
    assignments in the open cycle; Cy's and Eve's forms keep their items (read by place among
    the raters, Eve would have moved up into Di's share). A report assigned next takes the
    share Di left, so the reports go on covering every item."""
    from tandem.people import privacy

    bob = org["bob"]
    review_service.assign_rater(
        session=db_session, cycle=CYCLE, ratee="bob@example.com", rater="eve@example.com",
        relation="report",
    )  # fmt: skip
    before = shares(db_session, bob)
    privacy.forget_person(session=db_session, ref="di@example.com", actor="cli:test")
    after = shares(db_session, bob)
    assert org["di"] not in after
    assert after == {r: items for r, items in before.items() if r != org["di"]}
    assert form_items(db_session, org["eve"], bob) == before[org["eve"]]
    # a report assigned next takes Di's share: the reports still cover every item
    fay = Person(display_name="Fay Newcomer")
    db_session.add(fay)
    db_session.flush()
    review_service.assign_rater(
        session=db_session, cycle=CYCLE, ratee="bob@example.com", rater=str(fay.id),
        relation="report",
    )  # fmt: skip
    final = shares(db_session, bob)
    assert final[fay.id] == before[org["di"]]
    assert {r: i for r, i in final.items() if r != fay.id} == after


def test_every_way_of_assigning_numbers_the_new_rater(
    db_session: Session, org: dict[str, int], tmp_path: Path
) -> None:
    """From the teams, one by one, an answers file, a ranking file and an approved nomination:
    each new rater gets the lowest free number of their ratee and relation; self none."""
    from tandem.review import rankings

    review_service.create_cycle(
        session=db_session, name=CYCLE, items_per_practice=3, item_bank_version=V1
    )
    review_service.assign_from_teams(session=db_session, cycle=CYCLE, teams=["Core"])
    review_service.import_responses(
        session=db_session,
        cycle=CYCLE,
        path=write(
            tmp_path / "a.csv",
            "ratee,rater,relation,item_id,value\neve@example.com,ada@example.com,peer,vision-1,4\n"
            "eve@example.com,cy@example.com,peer,vision-1,4\n",
        ),
    )
    rows = [
        f"eve@example.com,di@example.com,peer,{kind},{rank},{practice}"
        for kind, chosen in (("strongest", VISION_FIRST), ("weakest", CONFLICT_FIRST))
        for rank, practice in enumerate(chosen, start=1)
    ]
    rankings.import_rankings(
        session=db_session,
        cycle=CYCLE,
        path=write(tmp_path / "r.csv", "\n".join([RANKING_HEADER, *rows]) + "\n"),
    )
    review_service.add_assignment(
        session=db_session,
        cycle=review_service.get_cycle(session=db_session, name=CYCLE),
        ratee_id=org["eve"],
        rater_id=org["bob"],
        relation="manager",
    )
    found = {
        (a.ratee_id, a.rater_id): (a.relation, a.rotation)
        for a in db_session.scalars(select(ReviewAssignment))
    }
    assert found[(org["eve"], org["ada"])] == ("peer", 1)  # the file's order
    assert found[(org["eve"], org["cy"])] == ("peer", 2)
    assert found[(org["eve"], org["di"])] == ("peer", 3)
    assert found[(org["eve"], org["bob"])] == ("manager", 0)
    assert found[(org["bob"], org["bob"])] == ("self", None)
    by_group: dict[tuple[int, str], list[int | None]] = {}
    for (ratee, _), (relation, number) in found.items():
        by_group.setdefault((ratee, relation), []).append(number)
    for (_, relation), numbers in by_group.items():
        if relation == "self":
            assert numbers == [None]
        else:
            expected = [subsets.rotation_index(relation, s) for s in range(len(numbers))]
            assert sorted(numbers, key=abs) == expected, relation
