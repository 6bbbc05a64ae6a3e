"""The reliable-change test (pure): hand-computed verdicts, its reasons, and its calibration.

The calibration rates one SYNTHETIC organisation twice (``tests.profile.trend_calibration``):
with no true change, false "improved"/"declined" must stay ≤ 7 % at every rater count that gets
labels (a calibrated two-sided 95 % test gives 5 %); a planted change of 1.0 must be found.
"""

from __future__ import annotations

import doctest
import math
from dataclasses import replace

import pytest

from tandem.profile import trends
from tandem.profile.scoring import ERROR_UNKNOWN, NOT_ENOUGH_RATERS
from tandem.profile.trends import (
    BANK_CHANGED,
    DECLINED,
    IMPROVED,
    NO_CHANGE,
    TOWARDS_LEADER,
    TOWARDS_MANAGER,
    Change,
    CycleFigures,
    Figure,
    compare,
    reliable_change,
    trend,
)
from tandem.review.items import PRACTICE_IDS, ItemBank, load_item_bank
from tests.profile.bank import make_bank, make_next_bank
from tests.profile.trend_calibration import measure


def test_the_docstring_examples_hold() -> None:
    assert doctest.testmod(trends).failed == 0


def test_hand_computed_rci_and_verdicts() -> None:
    """x₁ = 3.10 (SE 0.15, 6 raters), x₂ = 3.55 (SE 0.20, 4 raters): SE_diff = √(.0225 + .04)
    = 0.25, RCI = 0.45 / 0.25 = 1.8 — not beyond 1.96. A fall of 0.50 gives −2.0: declined."""
    earlier = Figure(3.10, 0.15, 6)
    up = reliable_change(earlier, Figure(3.55, 0.20, 4))
    assert up.difference == pytest.approx(0.45)
    assert up.se == pytest.approx(0.25)
    assert up.rci == pytest.approx(1.8)
    assert up.verdict == NO_CHANGE and not up.reliable
    down = reliable_change(earlier, Figure(2.60, 0.20, 4))
    assert down.rci == pytest.approx(-2.0) and down.verdict == DECLINED and down.reliable
    # the same rise is reliable when the second cycle rests on more raters: SE 0.08 (≈ 25)
    tight = reliable_change(earlier, Figure(3.55, 0.08, 25))
    assert tight.rci == pytest.approx(0.45 / math.sqrt(0.0225 + 0.0064))
    assert tight.verdict == IMPROVED
    # the classic one-SEM RCI would judge both alike; the person's own SE tells them apart
    assert up.verdict != tight.verdict


def test_exactly_at_the_threshold_is_no_reliable_change() -> None:
    """|RCI| must exceed z: 1.0 / √(.09 + .16) = 2.0 exactly, tested at z = 2."""
    at = reliable_change(Figure(3.0, 0.3, 5), Figure(4.0, 0.4, 5), z=2.0)
    assert at.rci == 2.0 and at.verdict == NO_CHANGE
    assert reliable_change(Figure(3.0, 0.3, 5), Figure(4.0, 0.4, 5), z=1.99).verdict == IMPROVED
    assert reliable_change(Figure(3.0, 0.3, 5), Figure(3.0, 0.4, 5), z=0.0).verdict == NO_CHANGE


@pytest.mark.parametrize(
    ("earlier", "later", "verdict", "has_difference"),
    [
        (Figure(3.0, 0.1, 2), Figure(4.0, 0.1, 5), NOT_ENOUGH_RATERS, True),  # a manager + 1
        (Figure(3.0, 0.1, 5), Figure(4.0, 0.1, 1), NOT_ENOUGH_RATERS, True),  # a manager alone
        (Figure(None, None, 0), Figure(4.0, 0.1, 5), NOT_ENOUGH_RATERS, False),  # no score
        (Figure(3.0, None, 5), Figure(4.0, 0.1, 5), ERROR_UNKNOWN, True),  # small cohort
        (Figure(3.0, 0.0, 5), Figure(4.0, 0.0, 5), ERROR_UNKNOWN, True),  # no rater variance
    ],
)
def test_no_verdict_without_enough_raters_or_a_known_error(
    earlier: Figure, later: Figure, verdict: str, has_difference: bool
) -> None:
    change = reliable_change(earlier, later)
    assert change.verdict == verdict and not change.reliable
    assert (change.difference is not None) is has_difference


def _cycle(name: str, bank: str | ItemBank, vision: float, leaning: float) -> CycleFigures:
    return CycleFigures(
        cycle=name,
        bank=load_item_bank(bank) if isinstance(bank, str) else bank,
        practices={"vision": Figure(vision, 0.1, 6), "process": Figure(3.0, 0.1, 6)}
        | {p: Figure(3.0, 0.1, 6) for p in PRACTICE_IDS if p not in ("vision", "process")},
        L=Figure(3.5, 0.08, 6),
        M=Figure(3.0, 0.08, 6),
        leaning=Figure(leaning, 0.1, 5.2),
    )


def test_steps_first_to_last_bank_changes_and_the_leaning_direction() -> None:
    a, b, c = (
        _cycle("a", "1", 3.0, 0.0),
        _cycle("b", "1", 3.2, 0.5),
        _cycle("c", "1", 3.4, -0.5),
    )
    found = trend([a, b, c])
    assert [(s.earlier, s.later) for s in found.steps] == [("a", "b"), ("b", "c")]
    first, second = found.steps
    assert first.practices["vision"].verdict == NO_CHANGE  # 0.2 / √.02 = 1.41
    assert found.overall is not None and found.overall.practices["vision"].verdict == IMPROVED
    assert first.leaning.verdict == TOWARDS_LEADER  # +0.5 / √.02 = 3.5
    assert second.leaning.verdict == TOWARDS_MANAGER
    assert found.overall.leaning.verdict == TOWARDS_MANAGER
    assert first.L.verdict == NO_CHANGE and first.practices["process"].rci == 0.0
    assert trend([a, b]).overall is None and trend([a]).steps == ()
    other = compare(a, _cycle("v2", "2", 4.5, 0.0))
    assert not other.comparable
    assert {ch.verdict for ch in (*other.practices.values(), other.L, other.M, other.leaning)} == {
        BANK_CHANGED
    }
    assert other.practices["vision"].difference is None
    assert other.changed == PRACTICE_IDS  # shipped v1 → v2: no practice keeps its items


def test_across_versions_only_practices_with_the_same_items_are_compared() -> None:
    """vision and process keep their items word for word (hand-made banks): compared as usual;
    storytelling (split), change (item dropped), empowerment (routing) and the rest are not."""
    old = replace(make_bank({"storytelling": 5}), version="1")
    new = make_next_bank(old, "2")
    step = compare(_cycle("v1", old, 3.0, 0.0), _cycle("v2", new, 3.5, 0.5))
    vision = step.practices["vision"]  # 0.5 / √(0.1² + 0.1²) = 3.54
    assert vision.verdict == IMPROVED and vision.difference == pytest.approx(0.5)
    assert vision.rci == pytest.approx(0.5 / math.sqrt(0.02))
    assert step.practices["process"].verdict == NO_CHANGE and step.practices["process"].rci == 0.0
    assert not step.comparable
    assert step.changed == tuple(p for p in PRACTICE_IDS if p not in ("vision", "process"))
    for practice in step.changed:
        assert step.practices[practice] == Change(None, None, None, BANK_CHANGED), practice
    # L, M and L − M rest on practices whose items changed: not compared either
    assert {step.L.verdict, step.M.verdict, step.leaning.verdict} == {BANK_CHANGED}
    # the other way round (a v2 cycle closed before a v1 one) is the same comparison
    back = compare(_cycle("v2", new, 3.5, 0.5), _cycle("v1", old, 3.0, 0.0))
    assert back.changed == step.changed and back.practices["vision"].verdict == DECLINED


@pytest.mark.slow
def test_calibration_false_rate_and_power_with_known_truth() -> None:
    """400 SYNTHETIC people rated twice. No true change: false labels ≤ 7 % at every rater count
    with labels (binomial SD at 5 % over ≥ 3,000 tests: 0.4 %). A true rise of 1.0 on vision and
    fall of 1.0 on process: found in the right direction in most people from 6 raters on."""
    null = measure(people=400, seed=3)
    planted = measure(people=400, seed=3, change=(("vision", 1.0), ("process", -1.0)))
    print("\nk  labelled  false  ≥1 of 10  false L−M  power vision/process")
    for n, p in zip(null, planted, strict=True):
        print(
            f"{n.k:2d} {n.labelled:6d} {n.false_rate:6.1%} {n.any_false / n.people:6.0%} "
            f"{n.leaning_false / max(1, n.leaning_labelled):6.1%} "
            f"{p.power('vision'):5.0%} {p.power('process'):5.0%}"
        )
        if n.labelled >= 1000:
            assert n.false_rate <= 0.07
        if n.leaning_labelled >= 300:
            assert n.leaning_false / n.leaning_labelled <= 0.07
        # the unchanged practices of the changed organisation are no worse
        if p.labelled >= 1000:
            assert p.false_rate <= 0.07
    assert sum(n.labelled for n in null) >= 10_000  # labels at most counts, not a vacuous pass
    by_k = {p.k: p for p in planted}
    assert by_k[6].power("vision") >= 0.6 and by_k[6].power("process") >= 0.6
    assert by_k[12].power("vision") >= 0.9 and by_k[12].power("process") >= 0.9
    assert by_k[12].power("vision") > by_k[4].power("vision")  # more raters, more power


@pytest.mark.slow
def test_calibration_across_v1_and_v2_on_the_shared_items() -> None:
    """The same 400 SYNTHETIC people rated on v1, then on v2; both cycles rescored on the 32
    shared items. No true change: false labels ≤ 7 % wherever ≥ 1,000 tests got a label, and
    empowerment is never tested. A true rise of 1.0 on vision (3 shared items): still found
    in most people with 12 raters, less often than on the full items of one version."""
    v2 = load_item_bank("2")
    null = measure(people=400, seed=3, second_bank=v2)
    planted = measure(people=400, seed=3, change=(("vision", 1.0),), second_bank=v2)
    same = measure(people=400, seed=3, change=(("vision", 1.0),), counts=(12,))
    for n in null:
        if n.labelled >= 1000:
            assert n.false_rate <= 0.07
        assert n.labelled <= 400 * 9  # nine practices compared: empowerment never is
    assert sum(n.labelled for n in null) >= 8_000
    twelve = {p.k: p for p in planted}[12]
    assert 0.8 <= twelve.power("vision") < same[0].power("vision")
