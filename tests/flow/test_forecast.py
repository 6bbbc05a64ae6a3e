"""Monte Carlo forecasts: statistical sanity with fixed seeds, conventions, and bad input."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from tandem.errors import InputError
from tandem.flow.forecast import History, how_many, when_done

START = dt.date(2026, 3, 2)


def history(*counts: int, last: dt.date = START - dt.timedelta(days=1)) -> History:
    """Consecutive days ending on ``last`` with these counts."""
    first = last - dt.timedelta(days=len(counts) - 1)
    return History(days=[first + dt.timedelta(days=i) for i in range(len(counts))], counts=counts)


def test_constant_throughput_takes_exactly_items_over_rate_days() -> None:
    report = when_done(history(2, 2, 2, 2), items=30, start=START, seed=7)
    for name in ("p50", "p85", "p95"):
        assert report.percentiles[name] == {"date": START + dt.timedelta(days=14), "days": 15}
    assert report.unfinished_runs == 0
    assert report.runs == 10_000


def test_constant_throughput_how_many_is_rate_times_days() -> None:
    report = how_many(history(2, 2, 2), by_date=START + dt.timedelta(days=9), start=START, seed=1)
    assert {k: v["items"] for k, v in report.percentiles.items()} == {
        "p50": 20,
        "p85": 20,
        "p95": 20,
    }
    assert report.horizon_days == 10


def test_start_defaults_to_the_day_after_the_history() -> None:
    report = when_done(history(1, 1), items=1, seed=0)
    assert report.start == START
    assert report.percentiles["p50"]["date"] == START


def test_when_done_matches_the_geometric_distribution() -> None:
    # One item on three days in four: days to finish one item is geometric,
    # P(days <= d) = 1 - 4**-d = 0.75, 0.9375, 0.984 for d = 1, 2, 3, so P50 = 1, P85 = 2,
    # P95 = 3. The closest call, P(days <= 2) = 0.9375 against 0.95, is 5.7 Monte Carlo
    # standard errors (0.0022 at 10,000 runs) away, so the exact answer is expected.
    report = when_done(history(1, 1, 0, 1), items=1, start=START, seed=11)
    assert {k: v["days"] for k, v in report.percentiles.items()} == {"p50": 1, "p85": 2, "p95": 3}


def _binomial_at_least(n: int, share: float) -> int:
    """Largest k with P(Binomial(n, 1/2) >= k) >= share."""
    best = 0
    for k in range(n + 1):
        tail = sum(math.comb(n, j) for j in range(k, n + 1)) / 2**n
        if tail >= share:
            best = k
    return best


def test_how_many_matches_the_binomial_distribution() -> None:
    # Days of 0 or 4 items, equally likely: 100 days give 4 × Binomial(100, 1/2) items.
    # "P85" is the count reached in at least 85 % of runs. The Monte Carlo standard error of a
    # quantile here is about 0.3 items (sd 20, 10,000 runs), far below the lattice step of 4,
    # so the answer may differ from the exact one by at most one step.
    report = how_many(history(0, 4), by_date=START + dt.timedelta(days=99), start=START, seed=3)
    for p in (50, 85, 95):
        exact = 4 * _binomial_at_least(100, p / 100)
        assert abs(report.percentiles[f"p{p}"]["items"] - exact) <= 4, p
    counts = [report.percentiles[f"p{p}"]["items"] for p in (50, 85, 95)]
    assert counts == sorted(counts, reverse=True)  # more confidence, fewer items


def test_same_seed_same_answer_other_seed_may_differ() -> None:
    past = history(0, 3, 1, 0, 0, 5, 2, 1, 0, 4)
    one = when_done(past, items=50, start=START, seed=42).to_dict()
    two = when_done(past, items=50, start=START, seed=42).to_dict()
    assert one == two
    three = how_many(past, by_date=START + dt.timedelta(days=30), start=START, seed=42)
    four = how_many(past, by_date=START + dt.timedelta(days=30), start=START, seed=42)
    assert three.percentiles == four.percentiles


def test_zero_days_are_resampled_and_push_the_forecast_later() -> None:
    busy = when_done(history(3, 3, 3), items=60, start=START, seed=5)
    with_quiet_days = when_done(history(3, 0, 3, 0, 3, 0), items=60, start=START, seed=5)
    assert busy.percentiles["p50"]["days"] == 20
    assert with_quiet_days.percentiles["p50"]["days"] > 35  # about 40: half the days are zero
    assert with_quiet_days.zero_days == 3


def test_history_days_keeps_the_last_days() -> None:
    report = when_done(history(0, 0, 0, 0, 5, 5), items=10, start=START, seed=0, history_days=2)
    assert report.history_days == report.n == 2
    assert report.history_start == START - dt.timedelta(days=2)
    assert report.percentiles["p95"]["days"] == 2


def test_runs_that_never_finish_are_reported_not_looped_forever() -> None:
    report = when_done(
        history(1, *([0] * 999)), items=5, start=START, runs=2_000, seed=0, horizon_days=100
    )
    assert report.unfinished_runs > 1_900
    assert report.percentiles["p50"] == {"date": None, "days": None}
    assert report.notes


def test_report_dict_carries_n_history_and_exclusions() -> None:
    past = History(
        days=[START - dt.timedelta(days=2), START - dt.timedelta(days=1)],
        counts=[1, 3],
        n=4,
        excluded={"not_done": 2},
    )
    data = when_done(past, items=4, start=START, runs=100, seed=9).to_dict()
    assert data["n"] == 2
    assert data["history"] == {
        "start_date": "2026-02-28",
        "end_date": "2026-03-01",
        "days": 2,
        "items_done": 4,
        "zero_days": 0,
        "mean_per_day": 2.0,
    }
    assert data["excluded"] == {"not_done": 2}
    assert data["percentiles"]["p50"]["date"].startswith("2026-03-0")
    assert data["question"] == "when" and data["items"] == 4 and data["seed"] == 9


@pytest.mark.parametrize("items", [0, -3])
def test_items_must_be_positive(items: int) -> None:
    with pytest.raises(InputError, match="items: "):
        when_done(history(1, 2), items=items, start=START)


def test_by_date_in_the_past_is_refused() -> None:
    with pytest.raises(InputError, match="before the forecast start"):
        how_many(history(1, 2), by_date=START - dt.timedelta(days=1), start=START)


def test_by_date_beyond_the_horizon_is_refused() -> None:
    with pytest.raises(InputError, match="days ahead"):
        how_many(history(1), by_date=START + dt.timedelta(days=5000), start=START)


def test_empty_history_is_refused() -> None:
    with pytest.raises(InputError, match="no throughput history"):
        when_done(History(days=[], counts=[]), items=3, start=START)


def test_all_zero_history_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="no item was done in the 3 days"):
        when_done(history(0, 0, 0), items=3, start=START)
    with pytest.raises(InputError, match="no item was done"):
        how_many(history(0, 0, 0), by_date=START, start=START)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"runs": 0}, "runs: 0"), ({"history_days": 0}, "history days: 0")],
)
def test_bad_runs_or_window(kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(InputError, match=message):
        when_done(history(1, 2), items=3, start=START, **kwargs)  # type: ignore[arg-type]


def test_gaps_in_the_history_are_refused() -> None:
    gappy = History(
        days=[START - dt.timedelta(days=3), START - dt.timedelta(days=1)], counts=[1, 1]
    )
    with pytest.raises(InputError, match="consecutive"):
        when_done(gappy, items=3, start=START)
