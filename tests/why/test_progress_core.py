"""The pure progress core: fraction by direction, reached, the on-track rule, the history days."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from tandem.why.goals import progress as core


@pytest.mark.parametrize(
    ("baseline", "target", "value", "direction", "expected"),
    [
        (10.0, 5.0, 7.5, "down", 0.5),
        (10.0, 5.0, 12.0, "down", 0.0),  # worse than the start: clamped
        (10.0, 5.0, 4.0, "down", 1.0),  # beyond the target: reached
        (2.0, 10.0, 4.0, "up", 0.25),
        (2.0, 10.0, 10.0, "up", 1.0),
        (3.0, 5.0, 6.0, "down", 0.0),  # the baseline lay beyond the target, the value does not
        (5.0, 5.0, 6.0, "down", 0.0),
        (None, 5.0, 6.0, "down", None),  # no start: unknown, not 0
        (10.0, 5.0, None, "down", None),  # withheld value: unknown, not 0
        (None, 5.0, 4.0, "down", 1.0),  # reached needs no baseline
    ],
)
def test_progress_fraction(
    baseline: float | None,
    target: float,
    value: float | None,
    direction: str,
    expected: float | None,
) -> None:
    got = core.progress(baseline=baseline, target=target, value=value, direction=direction)  # type: ignore[arg-type]
    assert got == (None if expected is None else pytest.approx(expected))


@pytest.mark.parametrize(
    ("progress", "elapsed", "confidence", "expected"),
    [
        (0.5, 0.55, None, "on_track"),
        (0.5, 0.70, None, "at_risk"),
        (0.5, 0.80, None, "off_track"),
        (0.5, 0.55, 3, "at_risk"),  # low confidence lowers one step
        (0.5, 0.70, 2, "off_track"),
        (0.5, 0.80, 0, "off_track"),
        (0.2, 0.80, 10, "off_track"),  # confidence never raises
        (None, 0.5, 8, "on_track"),
        (None, 0.5, 5, "at_risk"),
        (None, 0.5, 3, "off_track"),
        (None, 0.5, None, "unknown"),
    ],
)
def test_track_rule(
    progress: float | None, elapsed: float, confidence: int | None, expected: str
) -> None:
    assert (
        core.track(progress=progress, elapsed=elapsed, reached=False, confidence=confidence)
        == expected
    )
    assert core.track(progress=1.0, elapsed=elapsed, reached=True, confidence=0) == "reached"


def test_elapsed_share_and_worst() -> None:
    first, last = dt.date(2014, 1, 1), dt.date(2014, 1, 10)
    assert core.elapsed_share(starts_on=first, ends_on=last, as_of=dt.date(2014, 1, 5)) == 0.5
    assert core.elapsed_share(starts_on=first, ends_on=last, as_of=dt.date(2013, 1, 1)) == 0.0
    assert core.elapsed_share(starts_on=first, ends_on=last, as_of=dt.date(2015, 1, 1)) == 1.0
    assert core.worst(["reached", "at_risk", "unknown"]) == "at_risk"
    assert core.worst(["unknown"]) == "unknown"


@pytest.mark.parametrize("days", [0, 6, 7, 8, 90, 365, 3 * 365, 40 * 365])
def test_history_days_are_weekly_and_bounded(days: int) -> None:
    first = dt.date(2000, 1, 3)
    last = first + dt.timedelta(days=days)
    got = core.history_days(starts_on=first, as_of=last, max_points=60)
    assert got[0] == first and got[-1] == last and len(got) <= 60
    assert got == sorted(set(got))
    steps = {(b - a).days for a, b in itertools.pairwise(got[:-1])}
    assert all(step % 7 == 0 for step in steps)
    if days <= 57 * 7:
        assert len(got) == days // 7 + 1 + (days % 7 != 0)
