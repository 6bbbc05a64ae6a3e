"""The item bank: structure rules of the shipped data and the loader's validation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tandem.errors import InputError
from tandem.review import items as item_module
from tandem.review.items import (
    PRACTICE_IDS,
    PRACTICES,
    SIDES,
    ItemBank,
    load_item_bank,
    practice,
    practices_of,
)

DATA = Path(item_module.__file__).parent / "data" / "items_v1.toml"


def test_practices_fixed_order_and_sides() -> None:
    assert PRACTICE_IDS == (
        "vision",
        "storytelling",
        "empowerment",
        "change",
        "championing",
        "process",
        "performance",
        "communication",
        "allocation",
        "conflict",
    )
    assert tuple(p.id for p in PRACTICES) == PRACTICE_IDS
    assert [p.side for p in PRACTICES] == ["leader"] * 5 + ["manager"] * 5
    assert practices_of("leader") == PRACTICE_IDS[:5]
    assert practices_of("manager") == PRACTICE_IDS[5:]
    assert SIDES == ("leader", "manager")
    with pytest.raises(ValueError, match="unknown side"):
        practices_of("director")


def test_practice_records_carry_essay_wording_and_construct() -> None:
    essay = {p.id: p.essay for p in PRACTICES}
    assert essay["change"] == "embracing change"
    assert essay["championing"] == "championing the team"
    assert essay["process"] == "process optimisation and bottlenecks"
    assert essay["performance"] == "performance management with clear metrics and regular feedback"
    assert practice("empowerment").construct == "empowering leadership / delegation"
    assert practice("storytelling").construct == "narrative sense-giving"
    assert all(p.name and p.construct for p in PRACTICES)
    with pytest.raises(KeyError):
        practice("charisma")


def test_bank_structure_rules() -> None:
    bank = load_item_bank("1")
    ids = [i.id for i in bank.items]
    assert len(ids) == len(set(ids)) == 50
    groups = bank.by_practice()
    assert tuple(groups) == PRACTICE_IDS
    for practice_id, group in groups.items():
        assert 4 <= len(group) <= 6, practice_id
        assert any(i.reverse for i in group), practice_id
        assert not all(i.reverse for i in group), practice_id
        for item in group:
            assert re.fullmatch(rf"{practice_id}-[1-9][0-9]*", item.id)
            assert item.side == practice(practice_id).side
            assert item.text.endswith(".")
    # behaviours, worded about the person being rated, not questions about the rater
    assert not any(i.text.startswith(("I ", "My ")) for i in bank.items)


def test_scale_and_forced_ranking_come_from_the_file() -> None:
    bank = load_item_bank("1")
    assert bank.scale is not None
    assert bank.scale.labels == ("never", "rarely", "sometimes", "often", "almost always")
    assert bank.scale.cant_observe == "can't observe"
    assert bank.forced_ranking is not None
    assert (bank.forced_ranking.strongest, bank.forced_ranking.weakest) == (3, 3)
    assert bank.forced_ranking.optional is True
    assert "3 that are this person's strongest" in bank.forced_ranking.instructions


def test_lookup_and_cache() -> None:
    bank = load_item_bank("1")
    assert bank.item("vision-5").reverse is True
    assert bank.item("vision-5").text == "Leaves the team guessing why a piece of work matters."
    assert bank.item("process-1").side == "manager"
    with pytest.raises(KeyError):
        bank.item("vision-99")
    assert load_item_bank("1") is bank


def test_unknown_version_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown item bank version '7'"):
        load_item_bank("7")


def test_small_hand_built_bank() -> None:
    from tandem.review.items import Item

    bank = ItemBank(version="t", items=(Item("vision-1", "leader", "vision", False, "Does x."),))
    assert bank.by_practice()["vision"] == (bank.item("vision-1"),)
    assert bank.by_practice()["conflict"] == ()


def _broken(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = DATA.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "items_v1.toml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def test_the_shipped_file_loads_through_the_path_loader() -> None:
    bank, practices = item_module._load_bank_file(DATA)
    assert len(bank.items) == 50
    assert practices == PRACTICES


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ('id = "vision-2"', 'id = "vision-1"', "items[1].id", "duplicate item id 'vision-1'"),
        ('id = "vision-2"', 'id = "vision_2"', "items[1].id", "must have the form 'vision-<n>'"),
        ('id = "vision-2"', 'id = "change-9"', "items[1].id", "must have the form 'vision-<n>'"),
        (
            'id = "vision-5"\nside = "leader"\npractice = "vision"\nreverse = true',
            'id = "vision-5"\nside = "leader"\npractice = "vision"\nreverse = false',
            "items",
            "practice 'vision' has no reverse-keyed item",
        ),
        (
            'id = "conflict-2"\nside = "manager"',
            'id = "conflict-2"\nside = "leader"',
            "items[46].side",
            "conflict belongs to the manager side",
        ),
        ("reverse = false", 'reverse = "no"', "items[0].reverse", "must be true or false"),
        ('practice = "vision"', 'practice = "charisma"', "items[0].practice", "unknown practice"),
        ("reverse = false", "revers = false", "items[0].reverse", "is missing"),
        ('labels = ["never", ', "labels = [", "scale.labels", "must be 5 non-empty strings"),
        ('id = "change"', 'id = "novelty"', "practices", "must list the ten practices in order"),
        ("strongest = 3", "strongest = 0", "forced_ranking.strongest", "positive integer"),
        ('version = "1"', "version = 1", "version", "must be a non-empty string"),
    ],
)
def test_loader_rejects_a_broken_file(
    tmp_path: Path, old: str, new: str, field: str, message: str
) -> None:
    path = _broken(tmp_path, old, new)
    with pytest.raises(InputError) as caught:
        item_module._load_bank_file(path)
    assert caught.value.field == field
    assert str(path) in caught.value.message
    assert message in caught.value.message


def _without(text: str, first: str, stop: str) -> str:
    """The bank text with the items from ``first`` up to (not including) ``stop`` removed."""
    return text.replace(
        text[text.index(f'[[items]]\nid = "{first}"') : text.index(f'[[items]]\nid = "{stop}"')], ""
    )


def test_loader_counts_items_per_practice(tmp_path: Path) -> None:
    text = DATA.read_text(encoding="utf-8")
    path = tmp_path / "few.toml"
    path.write_text(_without(text, "allocation-4", "allocation-5"), encoding="utf-8")
    bank, _ = item_module._load_bank_file(path)  # 4 items: allowed
    assert len(bank.by_practice()["allocation"]) == 4
    path.write_text(_without(text, "allocation-3", "allocation-5"), encoding="utf-8")
    with pytest.raises(InputError, match="practice 'allocation' has 3 items; 4–6 are required"):
        item_module._load_bank_file(path)


def test_loader_rejects_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('version = "1\n', encoding="utf-8")
    with pytest.raises(InputError, match="not valid TOML"):
        item_module._load_bank_file(path)
