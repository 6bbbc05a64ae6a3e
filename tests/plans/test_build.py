"""The plan builder: every rule against hand-computed expectations."""

from __future__ import annotations

import dataclasses
import doctest
from datetime import date

import pytest

from tandem.plans import build as build_module
from tandem.plans.build import build_plan
from tandem.plans.library import load_action_library

DAY = date(2024, 3, 1)
LEADER = {"vision": 3.6, "storytelling": 3.4, "empowerment": 3.9, "change": 3.8, "championing": 4.0}


def scores(**manager: float | None) -> dict[str, float | None]:
    """Leader scores as above (mean 3.74) plus the given manager scores."""
    return {**LEADER, **manager}


def chosen(plan: build_module.PlanDraft) -> list[str]:
    return [p.practice for p in plan.practices]


def test_no_plan_when_l_or_m_is_unknown() -> None:
    plan = build_plan(others=LEADER, L=3.74, M=None, blind_spots=[], plan_date=DAY)
    assert not plan.has_plan
    assert plan.side is None and plan.rerate_date is None
    assert plan.reason == "no plan: M not known (too few ratings from others)"
    both = build_plan(others={}, L=None, M=None, blind_spots=[], plan_date=DAY)
    assert both.reason == "no plan: L and M not known (too few ratings from others)"


def test_weaker_side_is_the_lower_of_l_and_m() -> None:
    others = scores(process=2.0, performance=2.5, communication=3.5, allocation=3.5, conflict=3.5)
    # manager mean = 15.0 / 5 = 3.0 < L 3.74
    plan = build_plan(others=others, L=3.74, M=3.0, blind_spots=[], plan_date=DAY)
    assert plan.side == "manager"
    assert plan.reason == "the manager side is weaker by others' ratings: M 3.00 < L 3.74"
    flipped = build_plan(others=others, L=2.9, M=3.0, blind_spots=[], plan_date=DAY)
    assert flipped.side == "leader"
    # leader side: storytelling 3.4, vision 3.6; change 3.8 is 0.2 above vision → third
    assert chosen(flipped) == ["storytelling", "vision", "change"]
    assert flipped.reason == "the leader side is weaker by others' ratings: L 2.90 < M 3.00"


def test_tie_goes_to_the_side_with_the_lowest_practice() -> None:
    others = scores(process=3.5, performance=3.5, communication=3.3, allocation=3.6, conflict=3.7)
    # L 3.404 and M 3.401 both show as 3.40: a tie. Lowest leader 3.4 > lowest manager 3.3.
    plan = build_plan(others=others, L=3.404, M=3.401, blind_spots=[], plan_date=DAY)
    assert plan.side == "manager"
    assert plan.reason == "L and M tie at 3.40; the manager side holds the lowest practice (3.30)"
    others["communication"] = 3.45
    plan = build_plan(others=others, L=3.4, M=3.4, blind_spots=[], plan_date=DAY)
    assert plan.side == "leader"
    others["communication"] = 3.4
    plan = build_plan(others=others, L=3.4, M=3.4, blind_spots=[], plan_date=DAY)
    assert plan.side == "leader"
    assert plan.reason.endswith("and so do their lowest practices: leader side")


@pytest.mark.parametrize(
    ("communication", "expected"),
    [
        (2.7, ["process", "performance", "communication"]),  # 2.7 <= 2.5 + 0.25
        (2.75, ["process", "performance", "communication"]),  # exactly 0.25 apart: within
        (2.8, ["process", "performance"]),  # 0.3 apart: two practices
    ],
)
def test_two_or_three_practices(communication: float, expected: list[str]) -> None:
    others = scores(
        process=2.0, performance=2.5, communication=communication, allocation=3.9, conflict=4.0
    )
    plan = build_plan(others=others, L=3.74, M=3.0, blind_spots=[], plan_date=DAY)
    assert chosen(plan) == expected


def test_blind_spots_come_first() -> None:
    others = scores(process=2.0, performance=2.5, communication=3.0, allocation=3.9, conflict=4.0)
    plan = build_plan(
        others=others,
        L=3.74,
        M=3.08,
        blind_spots=["allocation", "vision"],  # vision is on the other side: ignored
        self_scores={"allocation": 4.7, "vision": 4.5},
        plan_date=DAY,
    )
    # allocation (blind) first, then process 2.0; performance 2.5 > 2.0 + 0.25: only two
    assert chosen(plan) == ["allocation", "process"]
    allocation, process = plan.practices
    assert allocation.blind_spot and not process.blind_spot
    assert allocation.reason == (
        "blind spot: you rate yourself 0.8 above others (fourth lowest on the manager side: 3.9)"
    )
    assert process.reason == "lowest on the manager side: 2.0"


def test_a_blind_spot_reason_says_how_far_it_stands_out_of_the_overall_tendency() -> None:
    """A person who rates themself below others overall can still have a blind spot where
    they do so much less than usual: the reason gives the raw gap and the gap beyond theirs."""
    others = scores(process=2.0, performance=2.5, communication=3.0, allocation=3.9, conflict=4.0)
    plan = build_plan(
        others=others,
        L=3.74,
        M=3.08,
        blind_spots=["allocation"],
        self_scores={"allocation": 3.8},
        relative={"allocation": 0.9},  # −0.1 against others, while −1.0 is this person's usual
        plan_date=DAY,
    )
    assert plan.practices[0].reason == (
        "blind spot: you rate yourself -0.1 against others, 0.9 above your usual gap across "
        "practices (fourth lowest on the manager side: 3.9)"
    )


def test_blind_spots_ordered_by_score_and_a_third_blind_spot_is_always_taken() -> None:
    others = scores(process=2.0, performance=4.6, communication=3.0, allocation=3.9, conflict=4.1)
    plan = build_plan(
        others=others,
        L=3.74,
        M=3.52,
        blind_spots=["performance", "conflict", "allocation"],
        plan_date=DAY,
    )
    # blind spots by score: allocation 3.9, conflict 4.1, performance 4.6 (0.5 above: still in)
    assert chosen(plan) == ["allocation", "conflict", "performance"]
    assert plan.practices[1].reason == (
        "blind spot: you rate yourself above others (fourth lowest on the manager side: 4.1)"
    )


def test_ties_broken_by_practice_order() -> None:
    others = scores(process=3.0, performance=3.0, communication=3.0, allocation=3.0, conflict=3.0)
    plan = build_plan(others=others, L=3.74, M=3.0, blind_spots=[], plan_date=DAY)
    assert chosen(plan) == ["process", "performance", "communication"]
    assert [p.reason for p in plan.practices] == [
        "lowest on the manager side: 3.0",
        "second lowest on the manager side: 3.0",
        "third lowest on the manager side: 3.0",
    ]


def test_practices_without_others_scores_are_skipped() -> None:
    others = scores(process=None, performance=3.1, communication=None, allocation=None)
    plan = build_plan(others=others, L=3.74, M=3.1, blind_spots=[], plan_date=DAY)
    assert chosen(plan) == ["performance"]  # conflict is missing from the mapping altogether
    none = build_plan(
        others=scores(process=None, performance=None),
        L=3.74,
        M=3.1,
        blind_spots=[],
        plan_date=DAY,
    )
    assert not none.has_plan
    assert none.reason == "no plan: no manager practice has a score from others"


def test_actions_rerate_date_and_library_version() -> None:
    others = scores(process=2.0, performance=2.5, communication=3.5, allocation=3.5, conflict=3.5)
    plan = build_plan(others=others, L=3.74, M=3.0, blind_spots=[], plan_date=DAY)
    library = load_action_library()
    assert [a.id for a in plan.practices[0].actions] == [
        "process-review-bottleneck",
        "process-limit-wip",
    ]
    for planned in plan.practices:
        assert planned.actions == library.for_practice(planned.practice)[:2]
    # 2024-03-01 + 182 days: Mar +30, Apr +30, May +31, Jun +30, Jul +31, Aug +30 = 182
    assert plan.rerate_date == date(2024, 8, 30)
    assert plan.plan_date == DAY
    assert plan.library_version == "1"


def test_unknown_practice_ids_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown practice ids: charisma"):
        build_plan(others=LEADER, L=3.0, M=3.0, blind_spots=["charisma"], plan_date=DAY)


def test_results_are_frozen() -> None:
    plan = build_plan(others=scores(process=2.0), L=3.74, M=2.0, blind_spots=[], plan_date=DAY)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.side = "leader"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.practices[0].reason = ""  # type: ignore[misc]


def test_docstring_example() -> None:
    result = doctest.testmod(build_module)
    assert result.attempted >= 3
    assert result.failed == 0
