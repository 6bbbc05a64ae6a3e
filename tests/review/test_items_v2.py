"""Item bank v2: split items, routing by relation, the overuse scale and the link to v1."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tandem.errors import InputError
from tandem.profile.answers import Answer, overuse_scores, rater_scores
from tandem.review import items as item_module
from tandem.review.items import (
    MIN_ROUTED,
    PRACTICE_IDS,
    RATER_RELATIONS,
    available_versions,
    common_bank,
    comparable_practices,
    load_item_bank,
    shipped_versions,
)
from tests.profile.bank import make_bank, make_next_bank

DATA = Path(item_module.__file__).parent / "data"
DOUBLE_BARRELLED = ("empowerment-1", "vision-4", "storytelling-2", "allocation-1", "change-2")


def test_v2_is_published_and_new_cycles_take_it() -> None:
    assert shipped_versions() == ("1", "2")
    assert available_versions() == ("1", "2")
    assert load_item_bank() is load_item_bank("2")
    v2 = load_item_bank("2")
    assert (v2.version, v2.status, v2.previous_version) == ("2", "published", "1")
    assert load_item_bank("1").version == "1"  # v1 stays loadable by number, for its cycles


def test_double_barrelled_items_are_split_and_not_linked_as_the_same() -> None:
    v1, v2 = load_item_bank("1"), load_item_bank("2")
    for old in DOUBLE_BARRELLED:
        parts = [i for i in v2.items if i.split_from == old]
        assert len(parts) >= 2, old
        assert old not in v2.comparable_items().values()
        for part in parts:
            assert part.practice == v1.item(old).practice
            assert part.text.endswith(".")
            assert part.text != v1.item(old).text


def test_unchanged_items_keep_id_and_text_of_v1() -> None:
    v1, v2 = load_item_bank("1"), load_item_bank("2")
    same = v2.comparable_items()
    assert same  # the map is not empty
    for new_id, old_id in same.items():
        assert new_id == old_id
        assert v2.item(new_id).text == v1.item(old_id).text
        assert v2.item(new_id).reverse == v1.item(old_id).reverse
    # every v2 practice item is either the same as a v1 item or split from one
    for item in v2.items:
        if item.scale == "practice":
            assert (item.same_as is None) != (item.split_from is None), item.id


def test_v2_practices_are_scoreable_for_every_relation_that_rates_them() -> None:
    v2 = load_item_bank("2")
    for practice_id, items in v2.by_practice().items():
        assert 4 <= len(items) <= 6
        assert not any(i.reverse for i in items)  # the overuse scale took the reverse items' job
        assert len(v2.overuse_by_practice()[practice_id]) == 2
        for relation in RATER_RELATIONS:
            routed = v2.routed_count(practice_id, relation)
            assert routed == 0 or routed >= MIN_ROUTED, (practice_id, relation)
        assert v2.routed_count(practice_id, "self") == len(items)
    # peers are not asked about conduct towards direct reports, seen one to one
    assert v2.routed_count("performance", "peer") == 0
    assert not v2.item("communication-1").rated_by("peer")
    assert v2.item("communication-1").rated_by("report")


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = (DATA / "items_v2.toml").read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "items_v2.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            'raters = ["self", "manager", "peer", "report"]',
            'raters = ["self", "boss"]',
            "items[0].raters",
            "must be a non-empty list of different relations from self, manager, peer, report",
        ),
        (
            'id = "vision-overuse-1"',
            'id = "vision-9"',
            "items[46].id",
            "'vision-9' must have the form 'vision-overuse-<n>'",
        ),
        (
            'practice = "vision"\nscale = "overuse"',
            'practice = "vision"\nscale = "derailer"',
            "items[46].scale",
            "must be one of practice, overuse",
        ),
        (
            'raters = ["self", "manager", "peer", "report"]\nsame_as = "empowerment-3"',
            'raters = ["self", "manager", "report"]\nsame_as = "empowerment-3"',
            "items",
            "practice 'empowerment' routes 2 item(s) to peer raters; a relation rates none of "
            "a practice's items or at least 3",
        ),
        (
            "Connects individual tasks to the larger goal they serve.",
            "Connects each task to the larger goal it serves.",
            "items[2].same_as",
            "the text or keying differs from 'vision-3' of version 1",
        ),
        (
            'same_as = "vision-3"',
            'same_as = "vision-99"',
            "items[2].same_as",
            "no item 'vision-99'",
        ),
        ('previous_version = "1"', 'previous_version = "2"', "previous_version", "earlier version"),
        ('status = "published"', 'status = "beta"', "status", "must be one of published, preview"),
    ],
)
def test_loader_rejects_a_broken_v2_file(
    tmp_path: Path, old: str, new: str, field: str, message: str
) -> None:
    path = _broken(tmp_path, old, new)
    with pytest.raises(InputError) as caught:
        item_module._load_bank_file(path)
    assert caught.value.field == field
    assert str(path) in caught.value.message
    assert message in caught.value.message


def test_overuse_items_never_enter_a_practice_score() -> None:
    v2 = load_item_bank("2")
    practice = [Answer(7, "report", i.id, 4) for i in v2.by_practice()["vision"]]
    overuse = [Answer(7, "report", i.id, 1) for i in v2.overuse_by_practice()["vision"]]
    (scores,) = rater_scores(practice + overuse, v2)
    assert scores.practices["vision"] == 4.0  # the 1s of the overuse scale are not in it
    over = overuse_scores(practice + overuse, v2)
    assert over[7]["vision"] == 1.0
    assert over[7]["conflict"] is None  # not answered: no overuse score, never a zero
    assert overuse_scores(practice, v2) == {}
    assert overuse_scores([Answer(7, "report", "vision-1", 4)], load_item_bank("1")) == {}


def test_the_75_percent_rule_counts_only_items_routed_to_the_relation() -> None:
    v2 = load_item_bank("2")
    routed = [i for i in v2.by_practice()["empowerment"] if i.rated_by("peer")]
    assert len(routed) == 3
    peer = [Answer(5, "peer", i.id, 5) for i in routed]
    (scores,) = rater_scores(peer, v2)
    # 3 of the 3 routed items: a score (against all 5 items, 3 of 5 would fail the rule)
    assert scores.practices["empowerment"] == 5.0
    assert scores.practices["performance"] is None  # peers are never asked about it
    # a stray answer to an item not routed to peers is no part of the peer's score
    stray = [Answer(5, "peer", "empowerment-2", 1)]
    (with_stray,) = rater_scores(peer + stray, v2)
    assert with_stray.practices["empowerment"] == 5.0
    # the same five answers from a report: all 5 items are routed, 4 of 5 answered passes
    report = [Answer(6, "report", i.id, 5) for i in routed] + [
        Answer(6, "report", "empowerment-2", 1)
    ]
    (as_report,) = rater_scores(report, v2)
    assert as_report.practices["empowerment"] == pytest.approx((5 * 3 + 1) / 4)


def test_every_practice_id_is_in_v2() -> None:
    assert tuple(load_item_bank("2").by_practice()) == PRACTICE_IDS


def test_no_practice_keeps_its_item_set_from_v1_to_v2() -> None:
    """v2 dropped every practice's reverse item, so no practice score compares across v1 → v2."""
    v1, v2 = load_item_bank("1"), load_item_bank("2")
    assert comparable_practices(v1, v2) == comparable_practices(v2, v1) == frozenset()
    assert comparable_practices(v2, v2) == comparable_practices(v1, v1) == frozenset(PRACTICE_IDS)
    dropped = {i.id for i in v1.items if i.reverse}
    assert len(dropped) == 10 and not dropped & set(v2.comparable_items().values())


def test_a_practice_compares_only_when_its_items_are_the_same_in_both_versions() -> None:
    old = replace(make_bank({"storytelling": 5}), version="1")
    new = make_next_bank(old, "2")
    # vision and process: every item same_as, none dropped, same raters
    assert comparable_practices(old, new) == comparable_practices(new, old) == {"vision", "process"}
    # storytelling split an item, change dropped one, empowerment routed one away from peers,
    # the others have new (unlinked) items: none of them compares
    unrelated = replace(old, version="0")  # not new's previous version: nothing compares
    assert comparable_practices(unrelated, new) == frozenset()


def test_the_common_bank_keeps_the_items_both_versions_share_asked_of_both_relations() -> None:
    """Hand-made banks: vision and process share all 4 items; storytelling split its first
    item, so it keeps its other 4; change dropped its reverse item and keeps 3; empowerment
    routed item 1 away from peers: peers rate the other 3 there, every other relation all 4;
    the unlinked practices share nothing and are left out."""
    old = replace(make_bank({"storytelling": 5}), version="1")
    new = make_next_bank(old, "2")
    common = common_bank(old, new)
    assert common == common_bank(new, old) and common.version == "1&2"
    kept = {p: [i.id for i in items] for p, items in common.by_practice().items() if items}
    assert kept == {
        "vision": ["vision-1", "vision-2", "vision-3", "vision-4"],
        "storytelling": ["storytelling-2", "storytelling-3", "storytelling-4", "storytelling-5"],
        "empowerment": ["empowerment-1", "empowerment-2", "empowerment-3", "empowerment-4"],
        "change": ["change-1", "change-2", "change-3"],
        "process": ["process-1", "process-2", "process-3", "process-4"],
    }
    assert common.item("empowerment-1").raters == ("self", "manager", "report")
    assert common.routed_count("empowerment", "peer") == MIN_ROUTED
    assert common.item("vision-4").reverse  # the same keying as in both versions
    assert comparable_practices(common, common) == set(kept)
    with pytest.raises(ValueError, match="not linked"):
        common_bank(replace(old, version="0"), new)


def test_a_practice_with_fewer_than_three_shared_items_for_a_relation_is_left_out() -> None:
    """Two shared items, or a relation rating only two of the shared ones: nothing compares."""
    old = replace(make_bank(), version="1")
    new = make_next_bank(old, "2")
    items = []
    for item in new.items:
        if item.id in ("vision-1", "vision-2"):  # vision keeps vision-3 and vision-4 only
            items.append(replace(item, same_as=None, id=f"vision-{int(item.id[-1]) + 10}"))
        elif item.id in ("process-1", "process-2"):  # peers now rate process-3 and -4 only
            items.append(replace(item, raters=("self", "manager", "report")))
        else:
            items.append(item)
    common = common_bank(old, replace(new, items=tuple(items)))
    assert common.by_practice()["vision"] == () and common.by_practice()["process"] == ()
    assert not {"vision", "process"} & comparable_practices(common, common)


def test_v1_and_v2_share_32_items_over_nine_practices() -> None:
    """35 v2 items are v1 items word for word; empowerment's peers rate only 2 of its 3, so
    empowerment is left out and nine practices compare on 32 shared items."""
    v1, v2 = load_item_bank("1"), load_item_bank("2")
    assert len(v2.comparable_items()) == 35
    common = common_bank(v1, v2)
    counts = {p: len(items) for p, items in common.by_practice().items()}
    assert counts["empowerment"] == 0 and sum(counts.values()) == 32
    assert all(c >= MIN_ROUTED for p, c in counts.items() if p != "empowerment")
    assert comparable_practices(common, common) == set(PRACTICE_IDS) - {"empowerment"}
    for item in common.items:  # word for word and keyed alike in both versions
        assert (v1.item(item.id).text, v1.item(item.id).reverse) == (item.text, item.reverse)
        assert set(item.raters) <= set(v1.item(item.id).raters) & set(v2.item(item.id).raters)
    assert common.item("performance-1").raters == ("self", "manager", "report")  # v2 routing
