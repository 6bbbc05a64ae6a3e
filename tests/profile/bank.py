"""Small hand-made item banks and answer builders for the profile tests."""

from __future__ import annotations

from collections.abc import Mapping

from tandem.profile.answers import Answer
from tandem.review.items import PRACTICE_IDS, Item, ItemBank

LEADER = PRACTICE_IDS[:5]
MANAGER = PRACTICE_IDS[5:]


def make_bank(sizes: Mapping[str, int] | None = None, *, reverse_last: bool = True) -> ItemBank:
    """Ten practices with 4 items each (or ``sizes``); the last item of each is reverse-keyed."""
    items = []
    for index, practice in enumerate(PRACTICE_IDS):
        size = (sizes or {}).get(practice, 4)
        side = "leader" if index < 5 else "manager"
        for n in range(1, size + 1):
            reverse = reverse_last and n == size
            items.append(Item(f"{practice}-{n}", side, practice, reverse, f"item {practice} {n}"))
    return ItemBank(version="test", items=tuple(items))


def rate(
    bank: ItemBank,
    rater: int,
    relation: str,
    scores: Mapping[str, int | None] | int,
) -> list[Answer]:
    """Answers giving every item of each practice the keyed value ``scores[p]`` (all if an int).

    Reverse-keyed items get 6 − value so that the keyed score is exactly the value given;
    practices left out of ``scores`` get no answers.
    """
    wanted = dict.fromkeys(PRACTICE_IDS, scores) if isinstance(scores, int) else scores
    answers = []
    for item in bank.items:
        if item.practice not in wanted:
            continue
        value = wanted[item.practice]
        if value is not None and item.reverse:
            value = 6 - value
        answers.append(Answer(rater, relation, item.id, value))
    return answers
