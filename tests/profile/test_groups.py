"""Rater groups of one practice: what a shown figure may reveal, over many rater line-ups.

The subtraction attack: a viewer holds two shown figures whose rater sets differ by fewer than
3 people (or knows their own answers inside one), and subtracts n·mean to recover them. The
rules that close it are checked here on random line-ups (seeded, so every run is the same):

* every shown group is the single, labelled manager, or has ≥ 3 raters (managers: ≥ 4, so 3
  remain after the recipient of a shared report subtracts their own answers);
* shown groups hold disjoint raters (the pool only takes suppressed peer/report groups);
* the others' score is the mean over the raters behind the shown groups (the groups' means
  weighted by their n): it is a function of the shown figures alone, a suppressed rater moves
  no shown number, so no difference of shown numbers isolates them;
* a reader other than the ratee sees a part of the ratee's figures: the ratee's groups, less
  the one holding their own rating when it would not hide 3 others from them — never a group
  formed or pooled for the reader alone, which beside the ratee's view would isolate raters.
"""

from __future__ import annotations

import doctest
import random
from collections.abc import Sequence

import pytest

from tandem.profile import groups as groups_module
from tandem.profile.answers import RaterScores, rater_scores
from tandem.profile.groups import (
    MIN_GROUP_N,
    MIN_MANAGER_GROUP_N,
    SINGLE_MANAGER_LABEL,
    SUPPRESSED,
    GroupScore,
    PracticeFigures,
    practice_figures,
    practice_groups,
)
from tandem.profile.synthetic import generate_org
from tandem.review.items import load_item_bank

RELATIONS = ("manager", "peer", "report")


def line_up(rng: random.Random) -> list[RaterScores]:
    counts = {"manager": rng.randint(0, 5), "peer": rng.randint(0, 5), "report": rng.randint(0, 5)}
    raters = []
    for relation, n in counts.items():
        for _ in range(n):
            value = None if rng.random() < 0.15 else rng.randint(4, 20) / 4
            raters.append(RaterScores(len(raters) + 1, relation, {"vision": value}))
    return raters


def shown_numbers(raters: list[RaterScores]) -> tuple[object, ...]:
    groups, others = practice_groups(raters, "vision")
    return (*sorted((k, repr(g)) for k, g in groups.items()), others)


@pytest.mark.parametrize("seed", range(40))
def test_no_shown_figure_reveals_fewer_than_three_raters(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(50):
        raters = line_up(rng)
        groups, others = practice_groups(raters, "vision")
        valid = {
            r: [x.rater for x in raters if x.relation == r and x.practices["vision"] is not None]
            for r in RELATIONS
        }
        shown = {k: g for k, g in groups.items() if isinstance(g, GroupScore)}
        for name, group in shown.items():
            if name == "manager" and group.n == 1:
                assert group.label == SINGLE_MANAGER_LABEL
            elif name == "manager":
                assert group.n >= MIN_MANAGER_GROUP_N
            else:
                assert group.n >= MIN_GROUP_N
        # the raters behind the shown groups are disjoint and never more than there are
        pooled = sum(len(valid[r]) for r in ("peer", "report") if groups.get(r) is SUPPRESSED)
        if "others" in shown:
            assert shown["others"].n == pooled
        assert sum(g.n for g in shown.values()) <= sum(len(v) for v in valid.values())
        if 2 <= len(valid["manager"]) < MIN_MANAGER_GROUP_N:
            assert groups["manager"] is SUPPRESSED
        # the others' score is a function of the shown groups alone: their n-weighted mean,
        # over exactly the raters they hold
        if shown:
            total = sum(g.n for g in shown.values())
            weighted = sum(g.n * g.mean for g in shown.values()) / total
            assert others == pytest.approx(weighted, rel=1e-12)
            assert len(practice_figures(raters, "vision").raters) == total
        else:
            assert others is None and practice_figures(raters, "vision").raters == frozenset()


@pytest.mark.parametrize("seed", range(20))
def test_a_suppressed_rater_moves_no_shown_number(seed: int) -> None:
    rng = random.Random(1000 + seed)
    checked = 0
    for _ in range(50):
        raters = line_up(rng)
        groups, _ = practice_groups(raters, "vision")
        for index, rater in enumerate(raters):
            if groups.get(rater.relation) is not SUPPRESSED or rater.practices["vision"] is None:
                continue
            if groups.get("others") not in (SUPPRESSED, None) and rater.relation != "manager":
                continue  # pooled into a shown pool of ≥ 3: that is the pool's purpose
            changed = list(raters)
            changed[index] = RaterScores(rater.rater, rater.relation, {"vision": 1.0})
            assert shown_numbers(changed) == shown_numbers(raters)
            checked += 1
    assert checked > 0


@pytest.mark.parametrize("seed", range(20))
def test_a_viewer_among_the_raters_still_leaves_three_behind_every_mean(seed: int) -> None:
    rng = random.Random(2000 + seed)
    for _ in range(50):
        raters = line_up(rng)
        valid = [r for r in raters if r.practices["vision"] is not None]
        if not valid:
            continue
        viewer = rng.choice(valid)
        groups, _ = practice_groups(raters, "vision", viewer=viewer.rater)
        pooled = [r for r in valid if r.relation != "manager" and groups[r.relation] is SUPPRESSED]
        holding = "others" if viewer in pooled else viewer.relation
        group = groups.get(holding)
        if isinstance(group, GroupScore) and not (holding == "manager" and group.n == 1):
            assert group.n - 1 >= MIN_GROUP_N  # what the viewer learns: the mean of the rest


def test_the_docstring_examples_hold() -> None:
    assert doctest.testmod(groups_module).failed == 0


# -- a reader's view is a part of the ratee's ----------------------------------------------------


def _holding(figures: PracticeFigures, rater: RaterScores) -> str:
    """The ratee's group holding ``rater``'s rating: their relation's, or the pool."""
    group = figures.groups.get(rater.relation)
    return "others" if group is SUPPRESSED and rater.relation != "manager" else rater.relation


def assert_a_part_of_the_ratees(raters: Sequence[RaterScores], practice: str) -> int:
    """Every reader's figures against the ratee's; returns how many groups a reader lost."""
    own = practice_figures(raters, practice)
    lost = 0
    readers = [r for r in raters if r.practices.get(practice) is not None]
    outsider = max((r.rater for r in raters), default=0) + 1
    assert practice_figures(raters, practice, viewer=outsider) == own
    for reader in readers:
        seen = practice_figures(raters, practice, viewer=reader.rater)
        holding = _holding(own, reader)
        # the same groups, each the ratee's or hidden: none formed or pooled for the reader
        assert seen.groups.keys() == own.groups.keys()
        for name, group in seen.groups.items():
            if isinstance(group, GroupScore):
                assert own.groups[name] == group
            elif name != holding:
                assert own.groups[name] is SUPPRESSED  # only the reader's own group is lost
        assert seen.raters <= own.raters
        shown = [g for g in seen.groups.values() if isinstance(g, GroupScore)]
        if shown:  # the others' score is a function of the groups the reader sees
            total = sum(g.n for g in shown)
            assert seen.others == pytest.approx(sum(g.n * g.mean for g in shown) / total)
            assert len(seen.raters) == total
        else:
            assert seen.others is None and seen.raters == frozenset()
        # the reader's own group: shown to them only when 3 others remain behind it (or it is
        # them alone, a single manager reading their own answers)
        mine = seen.groups[holding]
        if isinstance(mine, GroupScore):
            assert mine.n >= MIN_GROUP_N + 1 or (holding == "manager" and mine.n == 1)
            assert reader.rater in seen.raters
        else:
            assert reader.rater not in seen.raters
            lost += isinstance(own.groups[holding], GroupScore)
    return lost


@pytest.mark.parametrize("seed", range(20))
def test_a_readers_groups_are_a_part_of_the_ratees_on_random_line_ups(seed: int) -> None:
    rng = random.Random(3000 + seed)
    lost = sum(assert_a_part_of_the_ratees(line_up(rng), "vision") for _ in range(50))
    assert lost > 0  # some readers were inside a group of 3


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_readers_groups_are_a_part_of_the_ratees_on_synthetic_cycles(seed: int) -> None:
    """Every rater of every ratee of a synthetic cycle (1–12 raters, peers and reports drawn at
    random, some below the 75 % rule) as the reader of that ratee's report, every practice."""
    bank = load_item_bank("1")
    org = generate_org(bank, n_people=40, seed=seed, raters_per_person=(1, 12), missing_rate=0.1)
    lost = 0
    for answers in org.answers.values():
        raters = [r for r in rater_scores(answers, bank) if r.relation != "self"]
        for practice in bank.by_practice():
            lost += assert_a_part_of_the_ratees(raters, practice)
    assert lost > 0


def test_a_reader_in_a_group_of_three_gets_no_pool_the_ratee_does_not_see() -> None:
    """The flaw this rule closes: peers 1, 2, 3 and two reports. Re-pooled for peer 1, the
    reader's pool of 5 beside the ratee's peer mean of 3 (shared with them) gives the two
    reports' mean back: (5·pool − 3·peers) / 2."""
    raters = [RaterScores(r, "peer", {"vision": 3.0}) for r in (1, 2, 3)] + [
        RaterScores(r, "report", {"vision": v}) for r, v in ((4, 1.0), (5, 2.0))
    ]
    own = practice_figures(raters, "vision")
    assert own.groups == {"peer": GroupScore(3.0, 3), "report": SUPPRESSED, "others": SUPPRESSED}
    seen = practice_figures(raters, "vision", viewer=1)
    assert seen.groups == {"peer": SUPPRESSED, "report": SUPPRESSED, "others": SUPPRESSED}
    assert (seen.others, seen.raters) == (None, frozenset())
    # with a fourth peer the reader keeps the ratee's peer group, and still no pool
    four = [*raters, RaterScores(6, "peer", {"vision": 4.0})]
    assert practice_figures(four, "vision", viewer=1) == practice_figures(four, "vision")
