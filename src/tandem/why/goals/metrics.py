"""Metric contracts a key result (or an experiment) is bound to, measured by the how engines.

A :class:`MetricSpec` names one figure of ``docs/metrics.md`` — a flow figure of
:func:`tandem.flow.service.flow_panel` or a DORA key of
:func:`tandem.delivery.service.dora_metrics` — with its statistic, its selection (item type,
source) and a trailing window. :func:`measure` asks that service for the window ending on a
day and reads the one figure back, so a key result's value *is* the metric's own value for the
same team and window: there is no second formula to drift (``tests/why/test_metrics.py``).

Units: durations in days, throughput in items per week, deployment frequency in deployment
days per week, flow efficiency and change failure rate as shares (0–1), WIP in items.

Privacy: a team answer with fewer than :data:`~tandem.flow.service.MIN_PEOPLE` people behind
it is withheld by the service; :func:`measure` returns it as a value of ``None`` with the
reason, so a key result never shows what its panel would not.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tandem.delivery.privacy import MIN_WINDOW_DAYS as DELIVERY_MIN_WINDOW_DAYS
from tandem.errors import ConflictError, InputError
from tandem.flow.calendar import WorkCalendar
from tandem.flow.engine import FIRST_DAY, LAST_DAY, Filters, FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.flow.throughput import throughput_from_items
from tandem.flow.timing import Item, item_facts, timing_from_items
from tandem.flow.wip import unwindowed, wip_from_items

DAY = 86_400.0

FlowMetric = Literal["cycle_time", "lead_time", "throughput", "wip", "flow_efficiency"]
DeliveryMetric = Literal[
    "deployment_frequency", "change_lead_time", "change_failure_rate", "time_to_restore"
]
MetricName = Literal[
    "cycle_time",
    "lead_time",
    "throughput",
    "wip",
    "flow_efficiency",
    "deployment_frequency",
    "change_lead_time",
    "change_failure_rate",
    "time_to_restore",
]
Stat = Literal["p50", "p85", "p95"]

DURATIONS = frozenset({"cycle_time", "lead_time", "change_lead_time", "time_to_restore"})
DELIVERY = frozenset(
    {"deployment_frequency", "change_lead_time", "change_failure_rate", "time_to_restore"}
)
UNITS: dict[str, str] = {
    "cycle_time": "days",
    "lead_time": "days",
    "change_lead_time": "days",
    "time_to_restore": "days",
    "throughput": "items/week",
    "wip": "items",
    "flow_efficiency": "share",
    "deployment_frequency": "days/week",
    "change_failure_rate": "share",
}
#: The better direction of each metric: lower (``down``) or higher (``up``).
BETTER: dict[str, Literal["down", "up"]] = {
    "cycle_time": "down",
    "lead_time": "down",
    "change_lead_time": "down",
    "time_to_restore": "down",
    "throughput": "up",
    "wip": "down",
    "flow_efficiency": "up",
    "deployment_frequency": "up",
    "change_failure_rate": "down",
}
MAX_WINDOW_DAYS = 366
#: A team answer's window is at least a week, the delivery services' own floor: narrower
#: windows let two answers be differenced down to one person's work (docs/metrics.md).
MIN_WINDOW_DAYS = DELIVERY_MIN_WINDOW_DAYS


class MetricSpec(BaseModel):
    """One figure of a metric contract: e.g. P85 cycle time of item type Bug over 30 days."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    metric: MetricName
    stat: Stat | None = None  # durations only; P85 when not given
    item_type: str | None = Field(default=None, max_length=200)
    source: str | None = Field(default=None, max_length=200)
    window_days: int = Field(default=30, ge=MIN_WINDOW_DAYS, le=MAX_WINDOW_DAYS)

    @model_validator(mode="after")
    def _stat_for_durations(self) -> MetricSpec:
        if self.metric in DURATIONS:
            if self.stat is None:
                return self.model_copy(update={"stat": "p85"})
        elif self.stat is not None:
            raise ValueError(f"{self.metric} has no percentile: leave stat out")
        if self.metric in DELIVERY and self.item_type is not None:
            raise ValueError(f"{self.metric} is about deployments: it has no item type")
        return self

    @property
    def unit(self) -> str:
        """The unit the value is given in."""
        return UNITS[self.metric]

    @property
    def better(self) -> Literal["down", "up"]:
        """Whether lower or higher values are better."""
        return BETTER[self.metric]

    def describe(self) -> str:
        """``"P85 cycle time of Bug items, 30-day window"``."""
        name = self.metric.replace("_", " ")
        head = f"{self.stat.upper()} {name}" if self.stat else name
        what = f" of {self.item_type} items" if self.item_type else ""
        where = f" from {self.source}" if self.source else ""
        return f"{head}{what}{where}, {self.window_days}-day window"


def parse_spec(text: str) -> MetricSpec:
    """A spec from its short form ``metric[:stat][,item_type=Bug][,source=jira][,window=30]``,
    e.g. ``cycle_time:p85,item_type=Bug``; an :class:`InputError` names what is wrong."""
    head, *options = [part.strip() for part in text.split(",")]
    metric, _, stat = head.partition(":")
    values: dict[str, object] = {"metric": metric.strip()}
    if stat:
        values["stat"] = stat.strip().lower()
    names = {"item_type": "item_type", "type": "item_type", "source": "source",
             "window": "window_days", "window_days": "window_days"}  # fmt: skip
    for option in options:
        key, sep, value = option.partition("=")
        if not sep or key.strip() not in names:
            raise InputError(
                f"{option!r}: give options as item_type=…, source=… or window=DAYS",
                field="metric",
            )
        values[names[key.strip()]] = value.strip()
    return spec_from(values)


def spec_from(values: object) -> MetricSpec:
    """A spec from stored or posted JSON, with the problem named on failure."""
    try:
        return MetricSpec.model_validate(values)
    except ValueError as error:
        first = str(error).splitlines()
        detail = "; ".join(line.strip() for line in first[1:3]) if len(first) > 1 else first[0]
        raise InputError(f"metric contract: {detail}", field="metric") from None


class MetricValue(BaseModel):
    """A spec measured over one window: the value (null when unknown or withheld), the number
    of things it rests on, and why it is withheld when it is."""

    model_config = ConfigDict(frozen=True)

    as_of: dt.date  # the window's last day (included)
    start: dt.date
    value: float | None
    n: int
    withheld: str | None = None


def window_for(spec: MetricSpec, as_of: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """``[start, end)`` in UTC of the ``window_days`` ending on ``as_of`` (included)."""
    if not FIRST_DAY <= as_of <= LAST_DAY:
        raise InputError(f"the day must lie between {FIRST_DAY} and {LAST_DAY}", field="as_of")
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return end - dt.timedelta(days=spec.window_days), end


def spec_filters(spec: MetricSpec, team: Filters, as_of: dt.date) -> Filters:
    """The team's filters narrowed to the spec's selection and window."""
    start, end = window_for(spec, as_of)
    return Filters(
        start=start,
        end=end,
        sources=(spec.source,) if spec.source else team.sources,
        item_types=(spec.item_type,) if spec.item_type else team.item_types,
        teams=team.teams,
        team_people=team.team_people,
        include_bots=team.include_bots,
    )


def measure(
    spec: MetricSpec,
    *,
    engine: FlowEngine,
    team: Filters,
    mapping: StatusMapping,
    as_of: dt.date,
    calendar: WorkCalendar | None = None,
    production: str | None = None,
) -> MetricValue:
    """The spec's value over the window ending on ``as_of``, read from the service's answer."""
    from tandem.flow.service import TooFewPeopleError

    filters = spec_filters(spec, team, as_of)
    start = (filters.start or window_for(spec, as_of)[0]).date()
    try:
        if spec.metric in DELIVERY:
            value, n, withheld = _delivery(spec, engine, filters, production)
            if withheld is not None:  # the figure rests on fewer people than the answer
                return MetricValue(as_of=as_of, start=start, value=None, n=n, withheld=withheld)
        else:
            value, n, withheld = _flow(spec, engine, filters, mapping, calendar)
            if withheld is not None:
                return MetricValue(as_of=as_of, start=start, value=None, n=n, withheld=withheld)
    except TooFewPeopleError as error:
        return MetricValue(as_of=as_of, start=start, value=None, n=0, withheld=str(error))
    except ConflictError as error:  # e.g. no work data for the selection
        return MetricValue(as_of=as_of, start=start, value=None, n=0, withheld=str(error))
    return MetricValue(as_of=as_of, start=start, value=value, n=n)


def _flow(
    spec: MetricSpec,
    engine: FlowEngine,
    filters: Filters,
    mapping: StatusMapping,
    calendar: WorkCalendar | None,
) -> tuple[float | None, int, str | None]:
    """The one figure of :func:`tandem.flow.service.flow_panel` the spec names, computed with
    the panel's own steps in the panel's order, without the sections the figure does not read
    (aging WIP, the mapping report, the other figures): the same value, and the same
    :class:`~tandem.flow.service.TooFewPeopleError` first (``tests/why/test_goal_progress.py``
    compares each with the panel)."""
    from tandem.flow.service import require_people

    require_people(engine=engine, filters=filters)
    items = item_facts(engine, filters, mapping)
    if spec.metric in ("cycle_time", "lead_time"):
        timing = timing_from_items(items, filters, calendar).to_dict()
        figure = timing[spec.metric]
        seconds = figure[f"{spec.stat}_seconds"]
        return (None if seconds is None else seconds / DAY), int(figure["n"]), None
    if spec.metric == "flow_efficiency":
        from tandem.flow.states import flow_efficiency

        report = flow_efficiency(engine=engine, filters=filters, mapping=mapping, items=items)
        efficiency = report.to_dict()
        return efficiency["overall"], int(efficiency.get("n", len(items))), None
    all_items = _unwindowed_items(engine, filters, mapping)
    if spec.metric == "wip":
        last = wip_from_items(all_items, filters).to_dict()["last"]
        return (None if last is None else float(last)), len(items), None
    return _throughput(engine, filters, all_items)


def _throughput(
    engine: FlowEngine, filters: Filters, all_items: list[Item]
) -> tuple[float | None, int, str | None]:
    """Throughput per week as the panel reads it: its own window, withheld alone below the
    people floor (then nothing is read)."""
    from tandem.flow.service import shortfall, throughput_window, window_text

    try:
        window = throughput_window(engine=engine, filters=filters)
    except InputError:  # an empty selection: no days
        empty = throughput_from_items([], filters).to_dict()
        per_day = empty["per_day_mean"]
        return (None if per_day is None else per_day * 7), int(empty["n"]), None
    if (window.start, window.end) != (filters.start, filters.end):
        _, withheld = shortfall(
            engine=engine, filters=window, what=f"throughput's window ({window_text(window)})"
        )
        if withheld is not None:
            return None, 0, withheld
    series = throughput_from_items(all_items, window).to_dict()
    per_day = series["per_day_mean"]
    return (None if per_day is None else per_day * 7), int(series["n"]), None


#: Each engine's items of a selection without its window (what WIP and throughput read), by
#: selection and status mapping: a key result's weekly history asks for the same ones at every
#: point. An engine reads one state of the lake, so its answers hold while it is open.
_UNWINDOWED: weakref.WeakKeyDictionary[FlowEngine, dict[tuple[Hashable, ...], list[Item]]] = (
    weakref.WeakKeyDictionary()
)


_UNWINDOWED_LOCK = threading.Lock()  # engines are per thread; the map of them is shared


def _unwindowed_items(engine: FlowEngine, filters: Filters, mapping: StatusMapping) -> list[Item]:
    whole = unwindowed(filters)
    key = (selection_key(whole), json.dumps(mapping.sources, sort_keys=True))
    with _UNWINDOWED_LOCK:
        known = _UNWINDOWED.setdefault(engine, {})
        items = known.get(key)
    if items is None:
        items = item_facts(engine, whole, mapping)
        with _UNWINDOWED_LOCK:
            known[key] = items
    return items


def _delivery(
    spec: MetricSpec, engine: FlowEngine, filters: Filters, production: str | None
) -> tuple[float | None, int, str | None]:
    from tandem.delivery.linkage import DEFAULT_PRODUCTION
    from tandem.delivery.service import dora_metrics

    # delivery reads the window and the team only, as the HOW panel's Delivery section does
    # (sources and item types select work items, which deployments are not)
    window = Filters(
        start=filters.start, end=filters.end, teams=filters.teams, team_people=filters.team_people
    )
    report = dora_metrics(
        engine=engine, filters=window, production=production or DEFAULT_PRODUCTION
    )
    # each key is checked on the people behind its own changes: a key withheld alone is read
    # as withheld, with the service's reason
    if spec.metric == "deployment_frequency":
        freq = report.deployment_frequency
        return freq.per_week, freq.deployments, freq.withheld
    if spec.metric == "change_failure_rate":
        rate = report.change_failure_rate
        return rate.value, rate.deployments, rate.withheld
    figure = (
        report.change_lead_time.figure
        if spec.metric == "change_lead_time"
        else report.time_to_restore
    )
    seconds = getattr(figure, f"{spec.stat}_seconds")
    return (None if seconds is None else seconds / DAY), figure.n, figure.withheld


class Measure(Protocol):
    """How a caller caches measures: ``compute`` or a cached answer for the same question."""

    def __call__(
        self,
        spec: MetricSpec,
        team: Filters,
        as_of: dt.date,
        compute: Callable[[], MetricValue],
    ) -> MetricValue: ...


def uncached(
    spec: MetricSpec, team: Filters, as_of: dt.date, compute: Callable[[], MetricValue]
) -> MetricValue:
    """No cache: every question is computed."""
    return compute()


def selection_key(team: Filters) -> tuple[Hashable, ...]:
    """A hashable, canonical form of a team selection (its dict fields sorted)."""
    return (
        team.start,
        team.end,
        tuple(sorted(team.sources)),
        tuple(sorted(team.item_types)),
        tuple(sorted(team.resources)),
        tuple(sorted((name, tuple(sorted(keys))) for name, keys in team.teams.items())),
        tuple(sorted(team.team_people.items())),
        team.include_bots,
        tuple(sorted(team.extra.items())),
    )


class MeasureMemo:
    """A :class:`Measure` for one call that asks several services (the brief): each question —
    contract, day, team selection — is measured once. Only for one engine, status mapping,
    calendar and production pattern: what else a measure depends on."""

    def __init__(self) -> None:
        self._answers: dict[tuple[Hashable, ...], MetricValue] = {}
        self.computed = 0  # how many questions were measured (the rest were answered again)

    def __call__(
        self,
        spec: MetricSpec,
        team: Filters,
        as_of: dt.date,
        compute: Callable[[], MetricValue],
    ) -> MetricValue:
        key = (spec.model_dump_json(), as_of, selection_key(team))
        if key not in self._answers:
            self._answers[key] = compute()
            self.computed += 1
        return self._answers[key]
