"""Experiments: a hypothesis tested on the team's way of working, and how it came out.

An experiment has a title, a hypothesis, an owner (a person of the team), a start, an optional
planned end, what will be measured (words) and optionally a metric contract
(:func:`tandem.why.goals.metrics.parse_spec`). With a contract, every answer carries a
:class:`~tandem.why.change.schemas.MetricReading`: the metric **before** (window ending the day
before the start) and **during/after** (window ending on the conclusion day, else the planned
end, capped at the lake's last event day; no end: that day), both by
:func:`~tandem.why.goals.metrics.measure`, so each equals the HOW panel's figure for the same
team and window. A withheld value (fewer than 5 people) stays withheld, and so does the change.

Lifecycle: ``running`` → ``concluded`` (result supported | refuted | inconclusive, an outcome,
a conclusion day) or ``abandoned``; a finished experiment is not changed again.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.errors import ConflictError, InputError, NotFoundError, TandemError
from tandem.flow.engine import Filters, FlowEngine, parse_day
from tandem.flow.mapping import StatusMapping
from tandem.people import service as people_service
from tandem.people.models import Membership, Person
from tandem.why.change.models import RESULTS, Experiment
from tandem.why.change.schemas import (
    ExperimentList,
    ExperimentOut,
    MetricReading,
    PersonRef,
)
from tandem.why.goals.metrics import MetricSpec, MetricValue, measure, parse_spec, spec_from
from tandem.why.scope import find_team, team_filters
from tandem.workspace import Workspace

TITLE_MAX = 200
TEXT_MAX = 4000


def _text(value: str, field: str, *, required: bool, limit: int = TEXT_MAX) -> str:
    text = value.strip()
    if required and not text:
        raise InputError("must not be empty", field=field)
    if len(text) > limit:
        raise InputError(f"at most {limit} characters, not {len(text)}", field=field)
    return text


def _owner(session: Session, team_id: int, ref: str) -> Person:
    try:
        person = people_service.find_person(session=session, ref=ref.strip())
    except NotFoundError as error:
        raise InputError(error.message, field="owner") from None
    member = session.scalar(
        select(Membership.id).where(
            Membership.person_id == person.id, Membership.team_id == team_id
        )
    )
    if member is None:
        raise InputError(f"{person.display_name} is not a person of the team", field="owner")
    return person


def add_experiment(
    *,
    session: Session,
    team: int | str,
    title: str,
    hypothesis: str,
    owner: str,
    starts_on: str | dt.date | None,
    ends_on: str | dt.date | None = None,
    measure_text: str = "",
    metric: str | None = None,
) -> ExperimentOut:
    """Record a running experiment of ``team``; every problem names its field."""
    found = find_team(session, team)
    title = _text(title, "title", required=True, limit=TITLE_MAX)
    hypothesis = _text(hypothesis, "hypothesis", required=True)
    if not owner.strip():
        raise InputError("name the owner (an id or email of a person of the team)", field="owner")
    person = _owner(session, found.id, owner)
    start = parse_day(starts_on, "starts_on")
    if start is None:
        raise InputError("give the first day (YYYY-MM-DD)", field="starts_on")
    end = parse_day(ends_on, "ends_on")
    if end is not None and end < start:
        raise InputError("the planned end must not be before the start", field="ends_on")
    spec = parse_spec(metric) if metric and metric.strip() else None
    row = Experiment(
        team_id=found.id,
        title=title,
        hypothesis=hypothesis,
        owner_id=person.id,
        starts_on=start,
        ends_on=end,
        measure=_text(measure_text, "measure", required=False),
        metric=None if spec is None else spec.model_dump(mode="json"),
        status="running",
    )
    session.add(row)
    session.flush()
    return _out(row)


def _get(session: Session, team_id: int, experiment_id: int) -> Experiment:
    row = session.get(Experiment, experiment_id)
    if row is None or row.team_id != team_id:  # another team's experiment is not found here
        raise NotFoundError(f"no experiment {experiment_id} in this team")
    return row


def conclude_experiment(
    *,
    session: Session,
    team: int | str,
    experiment_id: int,
    result: str,
    outcome: str,
    concluded_on: str | dt.date | None,
) -> ExperimentOut:
    """Conclude a running experiment: supported, refuted or inconclusive, and what happened."""
    found = find_team(session, team)
    row = _get(session, found.id, experiment_id)
    if row.status != "running":
        raise ConflictError(f"experiment {experiment_id} is already {row.status}")
    if result not in RESULTS:
        raise InputError(f"{result!r}: give one of {', '.join(RESULTS)}", field="result")
    text = _text(outcome, "outcome", required=True)
    day = parse_day(concluded_on, "concluded_on")
    if day is None:
        raise InputError("give the day it was concluded (YYYY-MM-DD)", field="concluded_on")
    if day < row.starts_on:
        raise InputError("an experiment ends after it starts", field="concluded_on")
    row.status, row.result, row.outcome, row.concluded_on = "concluded", result, text, day
    session.flush()
    return _out(row)


def abandon_experiment(
    *,
    session: Session,
    team: int | str,
    experiment_id: int,
    outcome: str = "",
    abandoned_on: str | dt.date | None = None,
) -> ExperimentOut:
    """Abandon a running experiment (why, in ``outcome``)."""
    found = find_team(session, team)
    row = _get(session, found.id, experiment_id)
    if row.status != "running":
        raise ConflictError(f"experiment {experiment_id} is already {row.status}")
    day = parse_day(abandoned_on, "abandoned_on")
    if day is not None and day < row.starts_on:
        raise InputError("an experiment ends after it starts", field="abandoned_on")
    row.status, row.outcome, row.concluded_on = (
        "abandoned",
        _text(outcome, "outcome", required=False),
        day,
    )
    session.flush()
    return _out(row)


def list_experiments(
    *, session: Session, workspace: Workspace | None, team: int | str
) -> ExperimentList:
    """The team's experiments, newest start first, each with its metric reading (when it has a
    contract and ``workspace`` is given)."""
    found = find_team(session, team)
    rows = session.scalars(
        select(Experiment)
        .where(Experiment.team_id == found.id)
        .order_by(Experiment.starts_on.desc(), Experiment.id.desc())
    ).all()
    readings = _Readings(session, workspace, found.id) if workspace is not None else None
    try:
        experiments = [readings.out(row) if readings else _out(row) for row in rows]
    finally:
        if readings is not None:
            readings.close()
    return ExperimentList(
        team_id=found.id,
        team=found.name,
        lake_last_day=readings.last_day if readings else None,
        experiments=experiments,
    )


def show_experiment(
    *, session: Session, workspace: Workspace | None, team: int | str, experiment_id: int
) -> ExperimentOut:
    """One experiment of the team, with its metric reading."""
    found = find_team(session, team)
    row = _get(session, found.id, experiment_id)
    if workspace is None:
        return _out(row)
    readings = _Readings(session, workspace, found.id)
    try:
        return readings.out(row)
    finally:
        readings.close()


def count_experiments(*, session: Session, team_id: int) -> int:
    """How many experiments the team has (any status)."""
    return int(
        session.scalar(select(func.count(Experiment.id)).where(Experiment.team_id == team_id)) or 0
    )


def after_day(row: Experiment, last_day: dt.date | None) -> dt.date | None:
    """The last day of the during/after window (see the module docstring)."""
    end = row.concluded_on if row.status != "running" and row.concluded_on else row.ends_on
    if last_day is None:
        return end
    return last_day if end is None or end > last_day else end


class _Readings:
    """Measures experiments of one team with one engine and one team selection, made on first
    use and closed by :meth:`close`."""

    def __init__(self, session: Session, workspace: Workspace, team_id: int) -> None:
        self.session = session
        self.workspace = workspace
        self.team_id = team_id
        self.last_day = workspace.lake.last_day()
        self._engine: FlowEngine | None = None
        self._team: Filters | None = None

    def _opened(self) -> tuple[FlowEngine, Filters]:
        """The engine and the team's filters, made once for every experiment read."""
        if self._engine is None or self._team is None:
            self._team = team_filters(self.session, find_team(self.session, self.team_id))
            self._engine = FlowEngine(self.workspace.lake)
        return self._engine, self._team

    def close(self) -> None:
        """Close the engine, if one was opened."""
        if self._engine is not None:
            self._engine.close()
            self._engine = None

    def out(self, row: Experiment) -> ExperimentOut:
        if row.metric is None:
            return _out(row)
        try:
            reading = self.read(spec_from(row.metric), row)
        except TandemError as error:
            return _out(row, reading_error=error.message)
        return _out(row, reading=reading)

    def read(self, spec: MetricSpec, row: Experiment) -> MetricReading:
        end = after_day(row, self.last_day)
        if end is None:
            raise ConflictError("the lake holds no events to measure")
        if end < row.starts_on:
            raise ConflictError(f"the lake's events end on {end}, before the experiment starts")
        engine, filters = self._opened()
        settings = self.workspace.settings
        mapping = StatusMapping.from_settings(settings.flow)
        production = settings.flow.delivery.production
        before, after = (
            measure(
                spec,
                engine=engine,
                team=filters,
                mapping=mapping,
                as_of=day,
                production=production,
            )
            for day in (row.starts_on - dt.timedelta(days=1), end)
        )
        return reading_of(spec, before, after)


def reading_of(spec: MetricSpec, before: MetricValue, after: MetricValue) -> MetricReading:
    """Before, after, their change and whether it went the better way (withheld stays so)."""
    change = None
    improved = None
    if before.value is not None and after.value is not None:
        change = after.value - before.value
        if change != 0:
            improved = (change < 0) == (spec.better == "down")
    return MetricReading(
        spec=spec,
        text=spec.describe(),
        unit=spec.unit,
        better=spec.better,
        before=before,
        after=after,
        change=change,
        improved=improved,
    )


def _out(
    row: Experiment, *, reading: MetricReading | None = None, reading_error: str | None = None
) -> ExperimentOut:
    owner = row.owner
    return ExperimentOut(
        id=row.id,
        team_id=row.team_id,
        title=row.title,
        hypothesis=row.hypothesis,
        owner=None if owner is None else PersonRef(id=owner.id, name=owner.display_name),
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        measure=row.measure,
        metric=None if row.metric is None else spec_from(row.metric),
        status=row.status,
        result=row.result,
        outcome=row.outcome,
        concluded_on=row.concluded_on,
        reading=reading,
        reading_error=reading_error,
    )
