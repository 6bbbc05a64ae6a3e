"""The brief's people section on the demo organisation (a closed synthetic cycle, four teams of
eight), on SQLite and PostgreSQL: the figures are the coverage and duo services' answers for the
team's leader, with no name and no individual's score; plans are counted from 5 people on."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy.orm import Session

from tandem.brief.build import head_viewer
from tandem.brief.people import people_section
from tandem.brief.render import render_brief
from tandem.brief.schemas import (
    Bottlenecks,
    Brief,
    BriefHeader,
    DeliveryFigures,
    FlowFigures,
    ForecastFigures,
    HowSection,
    Part,
    PeopleSection,
)
from tandem.brief.why import WhySection
from tandem.demo.org import DEMO_CYCLE
from tandem.duos import teams as duos_teams
from tandem.people.models import Person
from tandem.plans import service as plans_service
from tandem.plans.team import team_plans
from tandem.profile import frozen_roster
from tandem.profile import team as team_service
from tandem.review import service as review_service
from tandem.why.scope import team_ref

TEAM = "Beacon"


def _brief(session: Session, people: PeopleSection) -> str:
    ref = team_ref(session, TEAM)
    none = "not in this test"
    brief = Brief(
        header=BriefHeader(
            team=ref,
            start=None,
            end=None,
            as_of=None,
            generated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            prepared_for="the team's leader",
        ),
        why=WhySection.not_set_up(),
        how=HowSection(
            flow=Part[FlowFigures].withheld(none),
            bottlenecks=Part[Bottlenecks].withheld(none),
            forecast=Part[ForecastFigures].withheld(none),
            delivery=Part[DeliveryFigures].withheld(none),
        ),
        people=people,
    )
    return render_brief(brief)


def _members(session: Session) -> list[frozen_roster.FrozenMember]:
    cycle = review_service.get_cycle(session=session, name=DEMO_CYCLE)
    return frozen_roster.teams(session=session, cycle=cycle)[TEAM]


def test_coverage_and_duos_are_the_services_answers_without_names(
    demo_db_session: Session,
) -> None:
    session = demo_db_session
    ref = team_ref(session, TEAM)
    viewer = head_viewer(session=session, team=ref, role="leader")
    assert viewer.person_id is not None
    section = people_section(session=session, team=ref, viewer=viewer)
    view = team_service.team_view(session=session, team=TEAM, cycle=DEMO_CYCLE, viewer=viewer)
    coverage = section.coverage.value
    assert section.coverage.state == "shown" and coverage is not None
    assert coverage.scored_members == view.scored_members >= 5
    for cell in coverage.cells:
        given = view.practices[cell.practice]
        assert cell.call == given.call
        assert cell.mean == (None if given.mean == "suppressed" else given.mean)
        assert cell.covering == (None if given.covering == "suppressed" else given.covering)
    duos = duos_teams.team_duos(session=session, team_id=ref.id, cycle=DEMO_CYCLE, viewer=viewer)
    shown = section.duos.value
    assert shown is not None
    assert shown.suggested_pairs == len(duos.suggestions.pairs)
    assert shown.unpaired == len(duos.suggestions.unpaired)
    html = _brief(session, section)
    # no member's name: the page names those who shared with the leader, the brief nobody
    for member in _members(session):
        assert member.name not in html
    assert "explanation" not in section.duos.model_dump_json()


def test_plans_are_counted_from_five_people_on(demo_db_session: Session) -> None:
    session = demo_db_session
    cycle = review_service.get_cycle(session=session, name=DEMO_CYCLE)
    made = 0
    for member in _members(session):
        person = session.get(Person, member.person_id)
        assert person is not None and person.email
        plan = plans_service.get_or_create_plan(
            session=session, person=person.email, cycle=DEMO_CYCLE, plan_date=dt.date(2026, 7, 1)
        )
        made += plan.has_plan
        counted = team_plans(session=session, team=TEAM, cycle=cycle)
        if made < 5:
            # four plans: no count, no practice, no action status (one plan would be told)
            assert counted.with_plan is None and counted.withheld
            assert counted.practices == {} and counted.actions is None
        else:
            assert counted.with_plan == made and counted.withheld is None
            assert all(n >= 5 for n in counted.practices.values())
            assert counted.actions is not None and sum(counted.actions.values()) > 0
    assert made >= 5
    ref = team_ref(session, TEAM)
    viewer = head_viewer(session=session, team=ref, role="manager")
    section = people_section(session=session, team=ref, viewer=viewer)
    html = _brief(session, section)
    found = re.search(r'data-figure="plans.with_plan" data-value="(\d+)"', html)
    assert found and int(found.group(1)) == made


def test_a_reader_the_coverage_rule_does_not_admit_gets_reasons(demo_db_session: Session) -> None:
    section = people_section(session=demo_db_session, team=team_ref(demo_db_session, TEAM),
                             viewer=None)  # fmt: skip
    for part in (section.coverage, section.duos, section.plans):
        assert part.state == "withheld" and part.value is None
        assert "leader and manager" in (part.reason or "")
