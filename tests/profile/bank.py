"""Small hand-made item banks and answer builders for the profile tests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

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


def make_next_bank(old: ItemBank, version: str = "next") -> ItemBank:
    """A version after ``old`` (made by :func:`make_bank`) that changes some practices' items.

    vision and process keep every item word for word (``same_as``); storytelling splits its first
    item in two (``split_from``); change drops its reverse item; empowerment asks its first item
    of self, manager and reports only; every other practice keeps its items unlinked (new items).
    """
    items = []
    for item in old.items:
        if item.practice in ("vision", "process"):
            items.append(replace(item, same_as=item.id))
        elif item.practice == "storytelling" and item.id == "storytelling-1":
            items += [
                replace(item, id=f"storytelling-{n}", text=f"half {n}", split_from=item.id)
                for n in (8, 9)
            ]
        elif item.practice == "storytelling":
            items.append(replace(item, same_as=item.id))
        elif item.practice == "change" and item.reverse:
            continue
        elif item.practice == "change":
            items.append(replace(item, same_as=item.id))
        elif item.id == "empowerment-1":
            items.append(replace(item, same_as=item.id, raters=("self", "manager", "report")))
        elif item.practice == "empowerment":
            items.append(replace(item, same_as=item.id))
        else:
            items.append(item)
    return ItemBank(version=version, items=tuple(items), previous_version=old.version)
