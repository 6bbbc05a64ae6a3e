"""Monte Carlo forecasts from daily throughput: "when will N items be done", "how many by a date".

Each run replays the future one day at a time, drawing every day's count with replacement from
the days of history (zero days included: a quiet day is as likely in the future as in the past).
Runs are simulated together, a block of days at a time (NumPy, no Python loop over runs), so
10,000 runs over years of days stay in a few MiB.

Conventions (``docs/metrics.md``, "Monte Carlo forecasts"):

- day 0 of a forecast is ``start``; items done "by a date" are done by the end of that day.
- ``when_done``: the P85 date is the date by which at least 85 % of runs had finished
  (the empirical quantile, no interpolation); runs still short after the horizon (10 years by
  default) are reported as ``unfinished_runs`` and a percentile they reach is null.
- ``how_many``: the P85 count is the count reached in at least 85 % of runs — the 15th percentile
  of the simulated counts, so P85 ≤ P50 (the more confident answer is the smaller count).
- a history with no item done cannot forecast: :class:`~tandem.errors.InputError`, never a loop.

Example
-------
>>> import datetime as dt
>>> history = History(days=[dt.date(2026, 1, d) for d in (1, 2)], counts=[2, 2])
>>> report = when_done(history, items=10, start=dt.date(2026, 1, 3), seed=1)
>>> report.percentiles["p85"]["date"], report.percentiles["p85"]["days"]
(datetime.date(2026, 1, 7), 5)
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

from tandem.errors import InputError

DEFAULT_RUNS = 10_000
DEFAULT_HORIZON_DAYS = 3_653  # ten years
MAX_RUNS = 1_000_000
PERCENTILES = (50, 85, 95)
_BLOCK_DAYS = 64  # days simulated per step: 10,000 runs × 64 days of int64 is 5 MiB


class Throughput(Protocol):
    """Daily throughput as :func:`tandem.flow.throughput.daily_throughput` returns it."""

    @property
    def days(self) -> Sequence[dt.date]: ...

    @property
    def counts(self) -> Sequence[int]: ...


@dataclass(frozen=True)
class History:
    """A plain daily throughput series (consecutive days, zero days included)."""

    days: Sequence[dt.date]
    counts: Sequence[int]
    n: int = 0
    excluded: Any = None


@dataclass
class ForecastReport:
    """One forecast: the question, the percentiles, and the history they rest on."""

    question: Literal["when", "how_many"]
    start: dt.date
    runs: int
    seed: int | None
    horizon_days: int
    history_start: dt.date
    history_end: dt.date
    history_days: int
    history_items: int
    zero_days: int
    percentiles: dict[str, dict[str, Any]]
    items: int | None = None
    by_date: dt.date | None = None
    unfinished_runs: int = 0
    excluded: Any = None
    notes: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        """Days of history the forecast resamples."""
        return self.history_days

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``tandem flow forecast --json``."""
        return {
            "question": self.question,
            "items": self.items,
            "by_date": self.by_date.isoformat() if self.by_date else None,
            "start_date": self.start.isoformat(),
            "runs": self.runs,
            "seed": self.seed,
            "horizon_days": self.horizon_days,
            "n": self.n,
            "history": {
                "start_date": self.history_start.isoformat(),
                "end_date": self.history_end.isoformat(),
                "days": self.history_days,
                "items_done": self.history_items,
                "zero_days": self.zero_days,
                "mean_per_day": self.history_items / self.history_days,
            },
            "excluded": self.excluded,
            "unfinished_runs": self.unfinished_runs,
            "percentiles": {
                name: {
                    key: value.isoformat() if isinstance(value, dt.date) else value
                    for key, value in entry.items()
                }
                for name, entry in self.percentiles.items()
            },
            "notes": list(self.notes),
        }


def when_done(
    series: Throughput,
    items: int,
    start: dt.date | None = None,
    runs: int = DEFAULT_RUNS,
    seed: int | None = None,
    *,
    history_days: int | None = None,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> ForecastReport:
    """P50/P85/P95 dates by which ``items`` more items are done, resampling daily throughput.

    ``start`` defaults to the day after the history; ``history_days`` keeps only the last days.
    """
    if items <= 0:
        raise InputError(f"items: {items} is not a positive number of items")
    history, counts = _history(series, history_days)
    start = start or history.end + dt.timedelta(days=1)
    _check_runs(runs, horizon_days)
    rng = np.random.default_rng(seed)
    finished_after = np.full(runs, -1, dtype=np.int64)  # days taken; -1 while unfinished
    done = np.zeros(runs, dtype=np.int64)
    for first_day in range(0, horizon_days, _BLOCK_DAYS):
        block = min(_BLOCK_DAYS, horizon_days - first_day)
        draws = counts[rng.integers(0, counts.size, size=(runs, block))]
        totals = done[:, None] + np.cumsum(draws, axis=1)
        crossed = totals >= items
        newly = (finished_after < 0) & crossed[:, -1]
        finished_after[newly] = first_day + np.argmax(crossed[newly], axis=1) + 1
        done = totals[:, -1]
        if (finished_after >= 0).all():
            break
    unfinished = int((finished_after < 0).sum())
    ordered = np.sort(np.where(finished_after < 0, np.iinfo(np.int64).max, finished_after))
    percentiles: dict[str, dict[str, Any]] = {}
    for p in PERCENTILES:
        days = int(ordered[math.ceil(p * runs / 100) - 1])
        if days == np.iinfo(np.int64).max:
            percentiles[f"p{p}"] = {"date": None, "days": None}
        else:
            percentiles[f"p{p}"] = {"date": start + dt.timedelta(days=days - 1), "days": days}
    notes = []
    if unfinished:
        notes.append(
            f"{unfinished} of {runs} runs had not finished after {horizon_days} days; "
            "a percentile they reach is null"
        )
    return history.report(
        "when",
        start=start,
        runs=runs,
        seed=seed,
        horizon_days=horizon_days,
        percentiles=percentiles,
        items=items,
        unfinished_runs=unfinished,
        notes=notes,
    )


def how_many(
    series: Throughput,
    by_date: dt.date,
    start: dt.date | None = None,
    runs: int = DEFAULT_RUNS,
    seed: int | None = None,
    *,
    history_days: int | None = None,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> ForecastReport:
    """P50/P85/P95 counts of items done from ``start`` to the end of ``by_date``.

    P85 is the count reached in at least 85 % of runs (the 15th percentile of the counts).
    """
    history, counts = _history(series, history_days)
    start = start or history.end + dt.timedelta(days=1)
    if by_date < start:
        raise InputError(f"date {by_date.isoformat()} is before the forecast start {start}")
    days = (by_date - start).days + 1
    if days > horizon_days:
        raise InputError(f"date {by_date.isoformat()} is more than {horizon_days} days ahead")
    _check_runs(runs, horizon_days)
    rng = np.random.default_rng(seed)
    done = np.zeros(runs, dtype=np.int64)
    for first_day in range(0, days, _BLOCK_DAYS):
        block = min(_BLOCK_DAYS, days - first_day)
        done += counts[rng.integers(0, counts.size, size=(runs, block))].sum(axis=1)
    ordered = np.sort(done)
    percentiles = {
        f"p{p}": {"items": int(ordered[runs - math.ceil(p * runs / 100)])} for p in PERCENTILES
    }
    return history.report(
        "how_many",
        start=start,
        runs=runs,
        seed=seed,
        horizon_days=days,
        percentiles=percentiles,
        by_date=by_date,
        notes=[],
    )


@dataclass(frozen=True)
class _Window:
    start: dt.date
    end: dt.date
    days: int
    items: int
    zero_days: int
    excluded: Any

    def report(self, question: Literal["when", "how_many"], **fields: Any) -> ForecastReport:
        return ForecastReport(
            question=question,
            history_start=self.start,
            history_end=self.end,
            history_days=self.days,
            history_items=self.items,
            zero_days=self.zero_days,
            excluded=self.excluded,
            **fields,
        )


def _history(series: Throughput, history_days: int | None) -> tuple[_Window, npt.NDArray[np.int64]]:
    """The window resampled and its counts; clear errors for what cannot be forecast from."""
    days, counts = list(series.days), list(series.counts)
    if len(days) != len(counts):
        raise InputError("throughput history: days and counts differ in length")
    if history_days is not None:
        if history_days <= 0:
            raise InputError(f"history days: {history_days} is not a positive number of days")
        days, counts = days[-history_days:], counts[-history_days:]
    if not days:
        raise InputError("no throughput history to forecast from (no day in the window)")
    if any(later - earlier != dt.timedelta(days=1) for earlier, later in itertools.pairwise(days)):
        raise InputError("throughput history: days must be consecutive (zero days included)")
    values = np.asarray(counts, dtype=np.int64)
    if (values < 0).any():
        raise InputError("throughput history: a day has a negative count")
    if not values.any():
        raise InputError(
            f"no item was done in the {len(days)} days of history "
            f"({days[0].isoformat()} to {days[-1].isoformat()}); nothing to forecast from"
        )
    window = _Window(
        start=days[0],
        end=days[-1],
        days=len(days),
        items=int(values.sum()),
        zero_days=int((values == 0).sum()),
        excluded=getattr(series, "excluded", None),
    )
    return window, values


def _check_runs(runs: int, horizon_days: int) -> None:
    if not 1 <= runs <= MAX_RUNS:
        raise InputError(f"runs: {runs} is not between 1 and {MAX_RUNS:,}")
    if horizon_days <= 0:
        raise InputError(f"horizon: {horizon_days} is not a positive number of days")
