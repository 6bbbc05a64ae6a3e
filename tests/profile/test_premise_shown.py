"""The premise report as an org page shows it: the 2×2 counts, and what small counts withhold.

SYNTHETIC organisations only (``tandem.profile.synthetic``). The 2×2 table is recomputed here
from the split halves apart from the service; the suppression rules are tried against what a
reader could derive from the figures left shown.
"""

from __future__ import annotations

import functools
import re

import numpy as np
import pytest

from tandem.profile import split_raters
from tandem.profile.premise import premise_report
from tandem.profile.premise_shown import MIN_CELL, shown_premise
from tandem.profile.schemas import PremiseOut
from tests.profile.test_premise import cycle_of

CELLS = ("both", "leader_only", "manager_only", "neither")


@functools.cache
def report_of(n_people: int, seed: int) -> PremiseOut:
    return premise_report(cycle_of(n_people, seed))


def test_the_two_by_two_table_is_the_mean_of_the_two_assignments() -> None:
    scores = cycle_of(60, 4)
    sides = split_raters.split_sides(scores.rated)
    high = {k: v >= np.quantile(v, 2 / 3) for k, v in vars(sides).items() if k[0] in "lm"}
    tables = []
    for l_side, m_side in ((high["l_a"], high["m_b"]), (high["l_b"], high["m_a"])):
        tables.append(
            [
                (l_side & m_side).sum(),
                (l_side & ~m_side).sum(),
                (~l_side & m_side).sum(),
                (~l_side & ~m_side).sum(),
            ]
        )
    expected = [(a + b) / 2 for a, b in zip(*tables, strict=True)]
    shown = shown_premise(premise_report(scores))
    assert shown.both_high is not None
    assert [shown.both_high.table[c] for c in CELLS] == pytest.approx(expected)
    assert sum(expected) == len(sides.ratees) == shown.both_high.n
    assert all(value >= MIN_CELL for value in expected)  # so nothing is withheld here
    assert shown.both_high.observed == report_of(60, 4).both_high.observed


def test_one_small_count_withholds_the_table_and_what_gives_it_back() -> None:
    report = report_of(60, 4)
    n = report.both_high.n
    assert report.both_high.high_l_share is not None
    # move people out of "both" until 4 remain there: the margins stay, "both" is 4 people
    changed = report.model_copy(
        update={"both_high": report.both_high.model_copy(update={"observed": 4 / n})}
    )
    shown = shown_premise(changed)
    assert shown.both_high is not None
    assert set(shown.both_high.table.values()) == {"suppressed"}
    for field in ("observed", "observed_ci95", "ratio", "ratio_ci95", "difference"):
        assert getattr(shown.both_high, field) == "suppressed", field
    assert shown.both_high.difference_ci95 == "suppressed"
    assert shown.both_high.withheld_because is not None
    # what stays cannot give the count back: n and the margins admit every count from 0 to
    # the smaller margin (Fréchet bounds)
    assert shown.both_high.high_l_share == report.both_high.high_l_share
    # the verdict (a direction, no figure) stays
    assert shown.verdict == report.verdict
    # a count of exactly MIN_CELL is shown, and zero (it points to nobody)
    for both in (float(MIN_CELL), 0.0):
        edge = report.model_copy(
            update={"both_high": report.both_high.model_copy(update={"observed": both / n})}
        )
        table = shown_premise(edge).both_high
        assert table is not None and table.table["both"] == both


def leaning_of(counts: dict[str, int]) -> PremiseOut:
    return report_of(60, 4).model_copy(update={"leaning_counts": counts})


def test_small_leaning_counts_are_withheld_with_a_complement() -> None:
    shown = shown_premise(
        leaning_of({"leader-leaning": 3, "manager-leaning": 30, "balanced": 20, "unknown": 7})
    ).leaning
    assert shown is not None and shown.of == 60
    # 3 is withheld; with the total shown it would be 60 − the rest, so the next smallest
    # non-zero count goes too — not "unknown" (7): the page shows n, the people with L and M,
    # and unknown ≥ 60 − n, equal when all of them lean or not reliably; so balanced (20)
    assert shown.counts == {
        "leader-leaning": "suppressed",
        "manager-leaning": 30,
        "balanced": "suppressed",
        "unknown": 7,
    }
    assert shown.reliably == shown.leader == shown.manager == "suppressed"
    two = shown_premise(
        leaning_of({"leader-leaning": 2, "manager-leaning": 4, "balanced": 54, "unknown": 0})
    ).leaning
    assert two is not None
    assert [k for k, v in two.counts.items() if v == "suppressed"] == [
        "leader-leaning",
        "manager-leaning",
    ]
    assert two.counts["unknown"] == 0  # zero is shown, so it cannot be the complement


def test_full_counts_show_the_shares() -> None:
    report = report_of(60, 4)
    shown = shown_premise(report).leaning
    assert shown is not None and shown.counts == report.leaning_counts
    assert shown.reliably == report.leaning_reliably


def test_too_small_a_cohort_shows_no_number() -> None:
    report = report_of(6, 1)
    assert not report.enough_data and sum(report.leaning_counts.values()) == 6
    shown = shown_premise(report)
    assert (shown.correlations, shown.both_high, shown.leaning) == ([], None, None)
    assert shown.verdict == "not enough data" and shown.notes == []
    figures = re.findall(r"\d+", shown.model_dump_json().replace(report.cycle, ""))
    assert set(figures) == {str(report.min_n), str(MIN_CELL)}  # the floors, nothing counted
