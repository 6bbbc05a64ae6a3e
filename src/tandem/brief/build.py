"""Gather the brief: one answer per section from the services, for one team and period.

:func:`build_brief` is what ``tandem brief`` and ``GET /why/brief`` call. It computes nothing
of its own: the WHY slot is :func:`tandem.brief.why.why_section` (the wiring point of the goals,
stories and recognition services), the HOW section the flow and delivery services
(:mod:`tandem.brief.how`), the PEOPLE section coverage, duos and plans for one viewer
(:mod:`tandem.brief.people`).

The period: the ``start``–``end`` days given (both included), by default the
:data:`DEFAULT_DAYS` days ending on the work data's last day (``as_of``, the lake's own period,
never today). A team with no work data or too few people still gets a brief: each part it
cannot show carries the reason.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from tandem.brief.how import HOW_STEPS, how_section
from tandem.brief.people import people_section
from tandem.brief.schemas import (
    Bottlenecks,
    Brief,
    BriefHeader,
    DeliveryFigures,
    FlowFigures,
    ForecastFigures,
    HowSection,
    Part,
)
from tandem.brief.why import WhySection, why_section
from tandem.db.base import utcnow
from tandem.db.session import session_scope
from tandem.duos import teams as duos_teams
from tandem.errors import InputError
from tandem.flow.engine import FIRST_DAY, LAST_DAY, Filters, FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.profile import frozen_roster
from tandem.profile.visibility import Viewer
from tandem.progress import NoProgress, Progress
from tandem.why.scope import TeamRef, find_team, require_days, team_filters
from tandem.workspace import Workspace

DEFAULT_DAYS = 90  # the HOW panel's throughput and forecast history
HEADS = ("leader", "manager")
NO_WORK_DATA = "the lake holds no work data yet, so there is no flow to show (tandem ingest)"


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def period(
    *, as_of: dt.date | None, start: dt.date | None, end: dt.date | None
) -> tuple[dt.date | None, dt.date | None]:
    """The brief's first and last day (included): as given, else :data:`DEFAULT_DAYS` ending on
    the work data's last day; at least 7 days (an input error naming ``from``)."""
    for name, day in (("from", start), ("to", end)):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise InputError(f"give a day between {FIRST_DAY} and {LAST_DAY}", field=name)
    last = end or as_of
    first = start or (last - dt.timedelta(days=DEFAULT_DAYS - 1) if last else None)
    if first is not None and last is not None and first > last:
        raise InputError("the first day must not be after the last day", field="from")
    if first is not None and last is not None:  # a team window: 7 days or more (DESIGN §7)
        require_days(first, last, what="team briefs")
    return first, last


def head_viewer(*, session: Session, team: TeamRef, role: str) -> Viewer:
    """The team's ``role`` (leader or manager) as frozen for the latest closed cycle, as the
    viewer of the people figures; without a closed cycle or that person, a viewer who knows
    nobody's results (the aggregates alone)."""
    if role not in HEADS:
        raise InputError(f"{role!r} is not one of {', '.join(HEADS)}", field="for")
    cycle = duos_teams.latest_closed_cycle(session=session)
    if cycle is None:
        return Viewer(role=role)  # no cycle: the people section says so, whoever reads it
    members = frozen_roster.teams(session=session, cycle=cycle).get(team.name, [])
    found = [m.person_id for m in members if m.role == role]
    return Viewer(person_id=found[0], role=role) if found else Viewer(role=role)


def build_brief(
    *,
    workspace: Workspace,
    team: int | str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    viewer: Viewer | None = None,
    prepared_for: str = "leader",
    people_allowed: bool = True,
    why: WhySection | None = None,
    progress: Progress | None = None,
) -> Brief:
    """The brief of ``team`` for the period (default: the last 90 days of the work data).

    The people figures are those ``viewer`` may see (default: the team's ``prepared_for``,
    leader or manager, of the latest closed cycle); ``people_allowed=False`` withholds them
    (a reader who may not see the team's coverage). ``why`` replaces the WHY slot's builder
    (tests; the surfaces leave it to :func:`tandem.brief.why.why_section`).
    """
    progress = progress or NoProgress()
    progress.start("Gathering the brief", total=HOW_STEPS + 2)
    with session_scope(workspace.engine) as session:
        found = find_team(session, team)
        ref = TeamRef(id=found.id, name=found.name)
        filters = team_filters(session, found)
        who = viewer
        if people_allowed and who is None:
            who = head_viewer(session=session, team=ref, role=prepared_for)
        people = people_section(session=session, team=ref, viewer=who if people_allowed else None)
        progress.advance()
        with FlowEngine(workspace.lake) as engine:
            now = engine.now()
            as_of = now.date() if now is not None else None
            first, last = period(as_of=as_of, start=start, end=end)
            section = why or why_section(
                session=session, workspace=workspace, engine=engine, team=ref, as_of=as_of,
                start=first, end=last,
            )  # fmt: skip
            progress.advance()
            if as_of is None or first is None or last is None:
                how = _no_work_data()
            else:
                window = Filters(
                    start=_midnight(first),
                    end=_midnight(last + dt.timedelta(days=1)),
                    teams=filters.teams,
                    team_people=filters.team_people,
                    include_bots=filters.include_bots,
                )
                how = how_section(
                    engine=engine,
                    filters=window,
                    mapping=StatusMapping.from_settings(workspace.settings.flow),
                    production=workspace.settings.flow.delivery.production,
                    progress=progress,
                )
    progress.finish()
    header = BriefHeader(
        team=ref,
        start=first,
        end=last,
        as_of=as_of,
        generated_at=utcnow().replace(microsecond=0),
        prepared_for=f"the team's {prepared_for}" if viewer is None else "you",
    )
    return Brief(header=header, why=section, how=how, people=people)


def _no_work_data() -> HowSection:
    return HowSection(
        flow=Part[FlowFigures].withheld(NO_WORK_DATA),
        bottlenecks=Part[Bottlenecks].withheld(NO_WORK_DATA),
        forecast=Part[ForecastFigures].withheld(NO_WORK_DATA),
        delivery=Part[DeliveryFigures].withheld(NO_WORK_DATA),
    )
