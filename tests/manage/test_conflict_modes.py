"""Tandem's suggested mode: each branch of the documented rule, and its invariants."""

from __future__ import annotations

import itertools

import pytest

from tandem.errors import InputError
from tandem.manage.conflicts import checklist, modes


def _suggest(importance: list[int], pressure: int = 2, power: str = "balanced",
             relationship: int = 3, kind: str = "task") -> modes.Suggestion:  # fmt: skip
    return modes.suggest(
        kind=kind, importance=importance, time_pressure=pressure, power_balance=power,
        relationship_importance=relationship,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("inputs", "mode"),
    [
        ({"importance": [1, 2]}, "avoiding"),
        ({"importance": [5, 2], "relationship": 4}, "accommodating"),
        ({"importance": [4, 4], "pressure": 5, "power": "unequal", "relationship": 1}, "competing"),
        (
            {"importance": [4, 4], "pressure": 5, "power": "balanced", "relationship": 1},
            "compromising",
        ),
        ({"importance": [4, 5], "pressure": 2, "relationship": 3}, "collaborating"),
        ({"importance": [3, 3], "pressure": 2, "relationship": 2}, "compromising"),
        (
            {"importance": [3, 5], "pressure": 1, "power": "unequal", "relationship": 2},
            "collaborating",
        ),
    ],
)
def test_each_branch(inputs: dict[str, object], mode: str) -> None:
    found = _suggest(**inputs)  # type: ignore[arg-type]
    assert found.mode == mode
    assert found.reasons and found.meaning == modes.MEANINGS[mode]


def test_a_relationship_conflict_is_never_suggested_competing() -> None:
    task = _suggest([4, 4], pressure=5, power="unequal", relationship=1)
    same = _suggest([4, 4], pressure=5, power="unequal", relationship=1, kind="relationship")
    assert task.mode == "competing" and same.mode == "compromising"
    assert "relationship conflict" in same.reasons[-1]


def test_every_input_gives_one_mode_with_reasons() -> None:
    for a, b, pressure, relationship, power, kind in itertools.product(
        range(1, 6), range(1, 6), range(1, 6), range(1, 6), ("balanced", "unequal"),
        ("task", "relationship"),
    ):  # fmt: skip
        found = _suggest([a, b], pressure, power, relationship, kind)
        assert found.mode in modes.DIMENSIONS and found.reasons
        assert (found.assertiveness, found.cooperativeness) == modes.DIMENSIONS[found.mode]
        assert not (kind == "relationship" and found.mode == "competing")


def test_the_checklist_orders_ticks_and_refuses_unknown_steps() -> None:
    assert checklist.check_ticks(["criteria", "listen_first", "criteria"]) == [
        "listen_first", "criteria",
    ]  # fmt: skip
    with pytest.raises(InputError) as refused:
        checklist.check_ticks(["win"])
    assert refused.value.field == "checklist"
