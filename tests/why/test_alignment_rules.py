"""The pure alignment matcher: each rule kind, and people's decisions over rules."""

from __future__ import annotations

import pytest

from tandem.errors import InputError
from tandem.why.alignment.rules import ACCEPTED, ItemSignals, Rule, align, clean_pattern, matches

ITEM = ItemSignals(
    object_id="jira:x/PAY:PAY-7",
    title="Checkout: retry the card payment (v2)",
    source="jira",
    item_type="Bug",
    labels=("Checkout", "ux"),
    parents=("PAY-1", "jira:x/PAY:PAY-1"),
    paths=("src/shop/checkout/cart.py", "README.md"),
)


@pytest.mark.parametrize(
    ("kind", "pattern", "expected"),
    [
        ("label", "checkout", True),
        ("label", "check", False),
        ("parent", "pay-1", True),
        ("parent", "PAY-2", False),
        ("path", "src/**/checkout/*.py", True),
        ("path", "src/**", True),
        ("path", "**/*.md", True),
        ("path", "src/*.py", False),
        ("path", "src/shop/checkout/cart.p?", True),
        ("path", "src/shop/[!c]*/*.py", False),
        ("keyword", "card payment", True),
        ("keyword", "PAYMENT", True),
        ("keyword", "pay", False),  # whole words only
        ("keyword", "v2", True),
        ("source", "jira", True),
        ("source", "Jira", False),
        ("item_type", "bug", True),
        ("item_type", "Story", False),
    ],
)
def test_each_rule_kind_matches_its_signal(kind: str, pattern: str, expected: bool) -> None:
    rule = Rule(id=1, goal_id=9, kind=kind, pattern=clean_pattern(kind, pattern))
    assert matches(rule, ITEM) is expected


def test_a_rejection_unlinks_where_a_rule_matches_and_an_acceptance_links() -> None:
    rules = [Rule(id=3, goal_id=1, kind="label", pattern="checkout")]
    other = ItemSignals(object_id="o2", title="Unrelated", source="jira", item_type=None)
    assert align([ITEM, other], rules, {}) == {ITEM.object_id: {1: ("rule 3: label = checkout",)}}
    decisions = {(ITEM.object_id, 1): "rejected", ("o2", 1): "accepted", ("o2", 2): "rejected"}
    assert align([ITEM, other], rules, decisions) == {"o2": {1: (ACCEPTED,)}}


@pytest.mark.parametrize(
    ("kind", "pattern", "message"),
    [
        ("path", "src/[abc", "never closed"),
        ("path", "src/[]x", "empty"),
        ("label", "   ", "empty"),
        ("keyword", "--", "letter"),
        ("colour", "red", "not one of"),
        ("label", "x" * 401, "at most"),
    ],
)
def test_bad_patterns_are_named(kind: str, pattern: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        clean_pattern(kind, pattern)
