"""The balance's arithmetic: the 1/k split, shares summing to 1, percentages to exactly 100.0."""

from __future__ import annotations

import math

from hypothesis import assume, given
from hypothesis import strategies as st

from tandem.why.alignment.balance import Effort, GoalTarget, balance_rows, largest_remainder

GOALS = [GoalTarget(1, "a", 0.5), GoalTarget(2, "b", 0.3), GoalTarget(3, "c", None)]


def test_thirds_round_to_exactly_100_and_the_split_is_1_over_k() -> None:
    items = [Effort("x", 3.0, (1, 2, 3)), Effort("y", 1.0, ()), Effort("z", 2.0, (2,))]
    rows = balance_rows(items, GOALS)
    assert [(r.goal_id, r.effort) for r in rows] == [(1, 1.0), (2, 3.0), (3, 1.0), (None, 1.0)]
    # shares 1/6, 1/2, 1/6, 1/6 → 16.666…, 50, 16.666…, 16.666… → 16.7 + 50.0 + 16.7 + 16.6
    assert [r.percent for r in rows] == [16.7, 50.0, 16.7, 16.6]
    assert sum(round(r.percent * 10) for r in rows if r.percent is not None) == 1000
    assert math.fsum(r.share for r in rows if r.share is not None) == 1.0
    assert [r.flagged for r in rows] == [True, False, False, False]  # 1/6 < ½ × 0.5


def test_no_effort_gives_no_share_and_no_flag() -> None:
    rows = balance_rows([Effort("x", 0.0, (1,))], GOALS)
    assert all(r.share is None and r.percent is None and not r.flagged for r in rows)


@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=12))
def test_largest_remainder_always_sums_to_the_total(values: list[float]) -> None:
    assume(math.fsum(values) > 0)  # all zeros have no shares (tested above)
    parts = largest_remainder(values)
    assert sum(parts) == 1000 and all(p >= 0 for p in parts)
    quotas = [v / math.fsum(values) * 1000 for v in values]
    assert all(abs(p - q) < 1 for p, q in zip(parts, quotas, strict=True))
