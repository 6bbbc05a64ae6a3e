"""The brief's data: one typed answer per section, gathered from the services (``build.py``).

Every part is a :class:`Part`: the service's figures (``value``) when they are shown, or the
reason they are not (``state`` ``withheld`` or ``not_set_up``). The HTML (``render.py``) and
``tandem brief --json`` draw this one object, so the file and the JSON cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

from tandem.brief.why import WhySection
from tandem.delivery.schemas import Figure
from tandem.flow.service import ItemCounts, Percentiles
from tandem.plans.team import TeamPlansOut
from tandem.why.scope import TeamRef

T = TypeVar("T")
State = Literal["shown", "withheld", "not_set_up"]


class Part(BaseModel, Generic[T]):
    """A section's figures, or why there are none (withheld, or not set up yet)."""

    model_config = ConfigDict(frozen=True)

    state: State
    value: T | None = None
    reason: str | None = None

    @classmethod
    def shown(cls, value: T) -> Part[T]:
        return cls(state="shown", value=value)

    @classmethod
    def withheld(cls, reason: str) -> Part[T]:
        return cls(state="withheld", reason=reason)

    @classmethod
    def not_set_up(cls, reason: str) -> Part[T]:
        return cls(state="not_set_up", reason=reason)


# -- how --------------------------------------------------------------------------------------


class WeekCount(BaseModel):
    """Items done in one ISO week."""

    model_config = ConfigDict(frozen=True)

    week: str
    count: int


class FlowFigures(BaseModel):
    """The flow panel's headline figures (:func:`tandem.flow.service.flow_panel`), as given."""

    model_config = ConfigDict(frozen=True)

    people: int | None
    items: ItemCounts
    lead_time: Percentiles
    cycle_time: Percentiles
    throughput_per_day: float | None
    throughput_n: int | None
    throughput_days: int
    throughput_start: dt.date | None
    throughput_end: dt.date | None
    throughput_withheld: str | None
    weekly: list[WeekCount]
    wip_now: int | None
    flow_efficiency: float | None
    flow_efficiency_unknown: str | None
    warnings: list[str]


class BottleneckRow(BaseModel):
    """One bottleneck of :func:`tandem.flow.bottlenecks.bottlenecks` (handoffs unnamed)."""

    model_config = ConfigDict(frozen=True)

    kind: str
    name: str
    impact_seconds: float
    count: int
    cases: int
    median_seconds: float | None


class Bottlenecks(BaseModel):
    """The top bottlenecks by wait impact, and how many candidates were not shown."""

    model_config = ConfigDict(frozen=True)

    cases: int
    transitions: int
    candidates: int
    rows: list[BottleneckRow]


class ForecastPoint(BaseModel):
    """A forecast percentile: the day by which the items are done, and in how many days."""

    model_config = ConfigDict(frozen=True)

    date: dt.date | None
    days: int | None


class ForecastFigures(BaseModel):
    """When will ``items`` more items be done (:func:`tandem.flow.service.forecast`)."""

    model_config = ConfigDict(frozen=True)

    items: int
    start_date: dt.date
    runs: int
    seed: int | None
    history_start: dt.date
    history_end: dt.date
    history_days: int
    history_items: int
    percentiles: dict[str, ForecastPoint]
    notes: list[str]


class DeliveryFigures(BaseModel):
    """The four keys (:func:`tandem.delivery.service.dora_metrics`), no per-change rows."""

    model_config = ConfigDict(frozen=True)

    people: int | None
    deployments: int
    deployment_days: int
    per_week: float | None
    change_lead_time: Figure
    changes: int
    unlinked: int
    failure_rate: float | None
    failed_deployments: int
    time_to_restore: Figure


class HowSection(BaseModel):
    """The how: flow, bottlenecks, forecast and delivery of the team's work in the period."""

    model_config = ConfigDict(frozen=True)

    flow: Part[FlowFigures]
    bottlenecks: Part[Bottlenecks]
    forecast: Part[ForecastFigures]
    delivery: Part[DeliveryFigures]


# -- people -----------------------------------------------------------------------------------


class CoverageCell(BaseModel):
    """One practice of the team's coverage: the call and its aggregates, or ``suppressed``."""

    model_config = ConfigDict(frozen=True)

    practice: str
    side: str
    call: str  # covered | gap | uncertain | suppressed
    chance: float | None
    covering: int | None
    mean: float | None
    scored: int


class CoverageFigures(BaseModel):
    """The team's coverage (:func:`tandem.profile.team.team_view`) without any name."""

    model_config = ConfigDict(frozen=True)

    cycle: str
    members: int
    scored_members: int
    min_shown: int
    cells: list[CoverageCell]
    gaps: list[str]
    uncertain: list[str]
    suppressed: list[str]
    notes: list[str]


class DuoFigures(BaseModel):
    """The team's duos in counts (:func:`tandem.duos.teams.team_duos`): no names, no scores."""

    model_config = ConfigDict(frozen=True)

    cycle: str
    suggested_pairs: int
    unpaired: int
    confirmed: dict[str, int]  # status → duos of the team's members
    formal_proposed: bool | None  # the team's leader and manager: proposed by the matching too
    formal_scored: bool | None


class PeopleSection(BaseModel):
    """Coverage, duos and development plans of the team, in aggregate."""

    model_config = ConfigDict(frozen=True)

    cycle: str | None
    coverage: Part[CoverageFigures]
    duos: Part[DuoFigures]
    plans: Part[TeamPlansOut]


# -- the brief --------------------------------------------------------------------------------


class BriefHeader(BaseModel):
    """Who the brief is about and for, which period, and how fresh the data is."""

    model_config = ConfigDict(frozen=True)

    team: TeamRef
    start: dt.date | None  # the period's first day
    end: dt.date | None  # its last day (included)
    as_of: dt.date | None  # the work data's last day
    generated_at: dt.datetime
    prepared_for: str  # e.g. "the team's leader": whose view the people figures are


class Brief(BaseModel):
    """The whole brief: its header and its three sections."""

    model_config = ConfigDict(frozen=True)

    header: BriefHeader
    why: WhySection
    how: HowSection
    people: PeopleSection

    def withheld(self) -> list[tuple[str, str]]:
        """Every part not shown, as (part, reason): the brief's list of what it left out."""
        parts: list[tuple[str, Part[Any]]] = [
            ("Flow", self.how.flow),
            ("Bottlenecks", self.how.bottlenecks),
            ("Forecast", self.how.forecast),
            ("Delivery", self.how.delivery),
            ("Coverage", self.people.coverage),
            ("Duos", self.people.duos),
            ("Development plans", self.people.plans),
        ]
        out = [(name, part.reason or "") for name, part in parts if part.state != "shown"]
        if self.why.state != "shown":
            out.insert(0, ("Why", self.why.reason or ""))
        return out
