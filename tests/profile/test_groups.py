"""Rater groups of one practice: what a shown figure may reveal, over many rater line-ups.

The subtraction attack: a viewer holds two shown figures whose rater sets differ by fewer than
3 people (or knows their own answers inside one), and subtracts n·mean to recover them. The
rules that close it are checked here on random line-ups (seeded, so every run is the same):

* every shown group is the single, labelled manager, or has ≥ 3 raters (managers: ≥ 4, so 3
  remain after the recipient of a shared report subtracts their own answers);
* shown groups hold disjoint raters (the pool only takes suppressed peer/report groups);
* the others' score is the mean over the raters behind the shown groups (the groups' means
  weighted by their n): it is a function of the shown figures alone, a suppressed rater moves
  no shown number, so no difference of shown numbers isolates them.
"""

from __future__ import annotations

import doctest
import random

import pytest

from tandem.profile import groups as groups_module
from tandem.profile.answers import RaterScores
from tandem.profile.groups import (
    MIN_GROUP_N,
    MIN_MANAGER_GROUP_N,
    SINGLE_MANAGER_LABEL,
    SUPPRESSED,
    GroupScore,
    practice_figures,
    practice_groups,
)

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
