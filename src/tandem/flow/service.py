"""The flow service: one answer per page or section, so no two numbers on a page disagree.

Surfaces (``tandem flow …``, the HOW panel, the home page) call these typed, keyword-only
functions and only render what they return. :func:`flow_panel` computes the item facts of a
selection once and derives every headline figure from them — item counts, lead and cycle
percentiles over the same items, throughput over the requested window, WIP, aging and flow
efficiency — so "open" in a header and the WIP beside it are the same items.

Privacy (DESIGN §7): an answer about a team is given only when at least ``min_people`` distinct
people of the team did work inside the window on the selected items (:func:`people_behind`);
below that it would describe individuals (a one-day window holding one person's work), and
:class:`TooFewPeopleError` says so. Each figure is checked on the window it reads: throughput
and the forecast read the 90 days before the end when no start is given, a narrower window
than the selection's, so they are checked again on their own window and withheld alone (with
the reason) while the figures of the selection are shown.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import ibis
from pydantic import BaseModel, ConfigDict

from tandem.errors import ConflictError, InputError
from tandem.flow import forecast as flow_forecast
from tandem.flow.calendar import WorkCalendar
from tandem.flow.engine import DELIVERY_PREFIX, Filters, FlowEngine, work_item_events
from tandem.flow.mapping import StatusMapping, mapping_report
from tandem.flow.states import flow_efficiency
from tandem.flow.throughput import daily_throughput, history_window, throughput_from_items
from tandem.flow.timing import item_facts, timing_from_items
from tandem.flow.wip import aging_wip, unwindowed, wip_from_items

MIN_PEOPLE = 5  # DESIGN §7: people-derived aggregates need n ≥ 5
THROUGHPUT_DAYS = 90  # throughput without a start: the last 90 days (the forecast's history)


class TooFewPeopleError(ConflictError):
    """A team answer would rest on fewer than the minimum number of people: withheld."""

    code = "too_few_people"


class ItemCounts(BaseModel):
    """The items of the selection by status; ``open = in_progress + not_started``."""

    model_config = ConfigDict(frozen=True)

    n: int
    done: int
    canceled: int
    open: int
    in_progress: int
    not_started: int


class Percentiles(BaseModel):
    """n, P50/P85/P95 and mean of durations in seconds (null when n = 0)."""

    model_config = ConfigDict(frozen=True)

    n: int
    p50_seconds: float | None
    p85_seconds: float | None
    p95_seconds: float | None
    mean_seconds: float | None


class FlowPanel(BaseModel):
    """Every headline flow figure of one selection, from one set of item facts.

    ``summary``, ``wip`` and ``aging`` are the full reports (timing, throughput, WIP, aging and
    efficiency as JSON) the tables and charts draw; the typed headline fields are read from them,
    so they cannot disagree.
    """

    model_config = ConfigDict(frozen=True)

    people: int | None  # distinct people behind a team answer; null without a team filter
    items: ItemCounts
    lead_time: Percentiles
    cycle_time: Percentiles
    throughput_per_day: float | None
    throughput_days: int
    throughput_start: dt.date | None
    throughput_end: dt.date | None  # the last day, included
    throughput_withheld: str | None  # why throughput is withheld (its window's people), or null
    wip_now: int | None
    flow_efficiency: float | None
    flow_efficiency_unknown: str | None
    warnings: list[str]
    summary: dict[str, Any]
    wip: dict[str, Any]
    aging: dict[str, Any]


def people_behind(*, engine: FlowEngine, filters: Filters) -> int:
    """Distinct people of the filters' teams (``Filters.team_people``: identity key → person)
    with at least one event inside the window on the items the filters select."""
    members = sorted({key for keys in filters.teams.values() for key in keys})
    events = engine.events(filters, details=False)
    inside = events.resource.isin(members) if members else ibis.literal(False)
    if filters.start is not None:
        inside &= events.timestamp >= filters.start
    if filters.end is not None:
        inside &= events.timestamp < filters.end
    keys = events.filter(inside).select("resource").distinct()
    found = engine.backend.to_pyarrow(keys).column(0).to_pylist()
    return len({filters.team_people.get(key, key) for key in found})


def shortfall(
    *, engine: FlowEngine, filters: Filters, min_people: int = MIN_PEOPLE, what: str = ""
) -> tuple[int | None, str | None]:
    """The people behind a team answer over ``filters`` and, below ``min_people``, the reason it
    is withheld (``what`` names the figure, e.g. "throughput's window …"); ``(None, None)``
    without a team filter."""
    if not filters.teams:
        return None, None
    found = people_behind(engine=engine, filters=filters)
    if found >= min_people:
        return found, None
    teams = ", ".join(sorted(filters.teams))
    where = what or "this selection"
    return found, (
        f"withheld: the work of team {teams} in {where} comes from fewer than {min_people} "
        f"people; team flow is shown from {min_people} people on, so that it never describes "
        "one person (widen the window or drop a filter)"
    )


def require_people(
    *, engine: FlowEngine, filters: Filters, min_people: int = MIN_PEOPLE, what: str = ""
) -> int | None:
    """The number of people behind a team answer; :class:`TooFewPeopleError` below
    ``min_people``. Without a team filter there is nothing to check (null)."""
    found, reason = shortfall(engine=engine, filters=filters, min_people=min_people, what=what)
    if reason is not None:
        raise TooFewPeopleError(reason)
    return found


def window_text(window: Filters) -> str:
    """``"2024-01-01 to 2024-03-30"``: a window's first and last day (included)."""
    first = window.start.date().isoformat() if window.start else "the first event"
    last = (window.end - dt.timedelta(days=1)).date().isoformat() if window.end else "the last"
    return f"{first} to {last}"


def _percentiles(data: dict[str, Any]) -> Percentiles:
    return Percentiles(**{key: data[key] for key in Percentiles.model_fields})


def throughput_window(
    *, engine: FlowEngine, filters: Filters, days: int = THROUGHPUT_DAYS
) -> Filters:
    """The filters of throughput's window: the requested ``[start, end)``; without a start, the
    ``days`` before the end (the day after the whole log's last event when no end is given) —
    never from the earliest item, so one early item cannot stretch the average."""
    start, end = history_window(engine, filters, days)
    return dataclasses.replace(filters, start=start, end=end)


def flow_panel(
    *,
    engine: FlowEngine,
    filters: Filters,
    mapping: StatusMapping,
    calendar: WorkCalendar | None = None,
    min_people: int = MIN_PEOPLE,
    include_items: bool = False,
) -> FlowPanel:
    """Item counts, lead/cycle time, throughput, WIP, aging and flow efficiency of a selection.

    A team selection is withheld below ``min_people`` people (:func:`require_people`); so is
    throughput alone when its own window (the 90 days before the end without a start) holds
    fewer (``throughput_withheld`` says why). ``include_items`` adds the drill-down lists to
    ``summary``.
    """
    behind = require_people(engine=engine, filters=filters, min_people=min_people)
    items = item_facts(engine, filters, mapping)
    windowed = filters.start is not None or filters.end is not None
    all_items = item_facts(engine, unwindowed(filters), mapping) if windowed else items
    timing = timing_from_items(items, filters, calendar).to_dict(include_items=include_items)
    efficiency = flow_efficiency(engine=engine, filters=filters, mapping=mapping, items=items)
    wip = wip_from_items(all_items, filters).to_dict()
    aging = aging_wip(
        engine=engine, filters=filters, mapping=mapping, items=items, calendar=calendar
    ).to_dict()
    tp_withheld: str | None = None
    try:
        window = throughput_window(engine=engine, filters=filters)
    except InputError:  # an empty selection: no days
        throughput = throughput_from_items([], filters).to_dict()
        throughput["start_date"] = throughput["end_date"] = None
    else:
        if (window.start, window.end) != (filters.start, filters.end):  # else checked above
            _, tp_withheld = shortfall(
                engine=engine,
                filters=window,
                min_people=min_people,
                what=f"throughput's window ({window_text(window)})",
            )
        throughput = throughput_from_items(all_items, window).to_dict()
        if tp_withheld is not None:
            throughput = _withheld_throughput(throughput)
        throughput["start_date"] = window.start.date().isoformat() if window.start else None
        last = window.end - dt.timedelta(days=1) if window.end else None
        throughput["end_date"] = last.date().isoformat() if last else None
    throughput["withheld"] = tp_withheld
    warnings = mapping_report(engine=engine, filters=filters, mapping=mapping).warnings()
    done = sum(1 for i in items if i.status == "done")
    canceled = sum(1 for i in items if i.status == "canceled")
    open_items = len(items) - done - canceled
    counts = ItemCounts(
        n=len(items),
        done=done,
        canceled=canceled,
        open=open_items,
        in_progress=aging["n"],
        not_started=open_items - aging["n"],
    )
    fe = efficiency.to_dict(include_items=include_items)
    summary: dict[str, Any] = {
        "items": counts.model_dump(),
        "people": behind,
        "working_time": timing["working_time"],
        "lead_time": timing["lead_time"],
        "cycle_time": timing["cycle_time"],
        "reopened_items": timing["reopened_items"],
        "sle": [
            {
                "item_type": row["item_type"],
                "p85_cycle_seconds": row["sle_p85_cycle_seconds"],
                "n": row["cycle_time"]["n"],
            }
            for row in timing["by_item_type"]
        ],
        "by_item_type": timing["by_item_type"],
        "throughput": {
            key: throughput[key]
            for key in (
                "n",
                "excluded",
                "days",
                "start_date",
                "end_date",
                "per_day_mean",
                "zero_days",
                "weekly",
                "withheld",
            )
        },
        "wip": {key: wip[key] for key in ("n", "excluded", "days", "mean", "max", "last")},
        "flow_efficiency": fe,
        "warnings": warnings,
    } | ({"done_items": timing["items"]} if include_items else {})
    return FlowPanel(
        people=behind,
        items=counts,
        lead_time=_percentiles(timing["lead_time"]),
        cycle_time=_percentiles(timing["cycle_time"]),
        throughput_per_day=throughput["per_day_mean"],
        throughput_days=throughput["days"],
        throughput_start=dt.date.fromisoformat(throughput["start_date"])
        if throughput["start_date"]
        else None,
        throughput_end=dt.date.fromisoformat(throughput["end_date"])
        if throughput["end_date"]
        else None,
        throughput_withheld=tp_withheld,
        wip_now=wip["last"],
        flow_efficiency=fe["overall"],
        flow_efficiency_unknown=fe["unknown"],
        warnings=warnings,
        summary=summary,
        wip=wip,
        aging=aging,
    )


def _withheld_throughput(throughput: dict[str, Any]) -> dict[str, Any]:
    """Throughput with every count blanked (the days of the window stay: they are no one's)."""
    return throughput | {
        "n": None,
        "excluded": {},
        "per_day_mean": None,
        "zero_days": None,
        "daily": [],
        "weekly": [],
    }


class ForecastAnswer(BaseModel):
    """A Monte Carlo forecast (``ForecastReport.to_dict()``) over the throughput history."""

    model_config = ConfigDict(frozen=True)

    people: int | None
    report: dict[str, Any]


def forecast(
    *,
    engine: FlowEngine,
    filters: Filters,
    mapping: StatusMapping,
    items: int | None = None,
    by_date: dt.date | None = None,
    history_days: int = THROUGHPUT_DAYS,
    runs: int = 10_000,
    seed: int | None = None,
    min_people: int = MIN_PEOPLE,
) -> ForecastAnswer:
    """When will ``items`` more items be done, or how many by ``by_date`` (exactly one).

    The forecast resamples the throughput of its history window only, so the people behind it
    are counted there (:class:`TooFewPeopleError` below ``min_people``)."""
    if (items is None) == (by_date is None):
        raise InputError("give exactly one of a number of items or a date")
    if history_days <= 0:
        raise InputError(f"history: {history_days} is not a positive number of days")
    window = throughput_window(engine=engine, filters=filters, days=history_days)
    behind = require_people(
        engine=engine,
        filters=window,
        min_people=min_people,
        what=""  # the selection's own window
        if (window.start, window.end) == (filters.start, filters.end)
        else f"the forecast's history ({window_text(window)})",
    )
    series = daily_throughput(engine, window, mapping)
    if items is not None:
        report = flow_forecast.when_done(series, items, runs=runs, seed=seed)
    else:
        assert by_date is not None
        report = flow_forecast.how_many(series, by_date, runs=runs, seed=seed)
    return ForecastAnswer(people=behind, report=report.to_dict())


class DataOptions(BaseModel):
    """The sources and item types in the lake (what a filter form offers)."""

    model_config = ConfigDict(frozen=True)

    sources: list[str]
    item_types: list[str]


def data_options(*, engine: FlowEngine) -> DataOptions:
    """The distinct sources and item types of the whole lake, sorted."""
    events, objects = work_item_events(engine.table("events")), engine.table("objects")
    objects = objects.filter(~objects.object_id.startswith(DELIVERY_PREFIX))
    sources = engine.backend.to_pyarrow(events.select("source").distinct()).column(0).to_pylist()
    kinds = engine.backend.to_pyarrow(objects.select("item_type").distinct()).column(0).to_pylist()
    return DataOptions(
        sources=sorted(s for s in sources if s), item_types=sorted(k for k in kinds if k)
    )
