"""Kudos and nudges on the app database (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.errors import InputError, NotFoundError
from tandem.people.models import Membership, Person, Team
from tandem.why.goals.models import Goal
from tandem.why.recognition import service
from tandem.why.recognition.models import Kudos, KudosRecipient

TODAY = dt.date(2026, 12, 5)


@dataclass(frozen=True)
class Crew:
    team: int
    other_team: int
    people: dict[str, int]  # name -> person id (ana, bo, cy, dee in the team; out elsewhere)
    goal: int
    other_goal: int


@pytest.fixture
def crew(db_session: Session) -> Crew:
    team, other = Team(name="Crew"), Team(name="Others")
    db_session.add_all([team, other])
    people = {name: Person(display_name=name.title()) for name in ("ana", "bo", "cy", "dee", "out")}
    db_session.add_all(people.values())
    db_session.flush()
    for name, role in (("ana", "leader"), ("bo", "manager"), ("cy", "member"), ("dee", "member")):
        db_session.add(Membership(person_id=people[name].id, team_id=team.id, role=role))
    db_session.add(Membership(person_id=people["out"].id, team_id=other.id))
    span = {"starts_on": dt.date(2026, 10, 1), "ends_on": dt.date(2026, 12, 31)}
    goal = Goal(team_id=team.id, title="Faster fixes", **span)
    other_goal = Goal(team_id=other.id, title="Not ours", **span)
    db_session.add_all([goal, other_goal])
    db_session.flush()
    return Crew(team.id, other.id, {n: p.id for n, p in people.items()}, goal.id, other_goal.id)


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def give(db: Session, crew: Crew, **changes: object) -> object:
    values: dict[str, object] = {
        "session": db,
        "team": crew.team,
        "giver_id": crew.people["ana"],
        "recipients": [crew.people["bo"]],
        "what": "Fixed the flaky deploy",
        "impact": "Releases go out on Fridays again",
        "goal_id": crew.goal,
    }
    values.update(changes)
    return service.give_kudos(**values)  # type: ignore[arg-type]


def kudos_rows(db: Session) -> int:
    return int(db.scalar(select(func.count(Kudos.id))) or 0) + int(
        db.scalar(select(func.count(KudosRecipient.id))) or 0
    )


def test_kudos_are_given_and_listed_newest_first_in_pages(db_session: Session, crew: Crew) -> None:
    p = crew.people
    first = service.give_kudos(
        session=db_session, team="Crew", giver_id=p["ana"], recipients=[p["bo"], p["cy"], p["bo"]],
        what="  Paired on\nthe outage ", impact="Back up in an hour", practice="championing",
        given_at=at(TODAY - dt.timedelta(days=2)),
    )  # fmt: skip
    assert [r.name for r in first.recipients] == ["Bo", "Cy"]  # duplicates dropped
    assert first.what == "Paired on the outage"  # whitespace folded
    assert first.practice_name is not None and first.goal is None
    for day in range(3):
        give(db_session, crew, given_at=at(TODAY - dt.timedelta(days=day), hour=15))
    page = service.list_kudos(session=db_session, team=crew.team, per_page=3)
    assert (page.total, page.pages, len(page.kudos)) == (4, 2, 3)
    days = [k.given_at for k in page.kudos]
    assert days == sorted(days, reverse=True)
    second = service.list_kudos(session=db_session, team=crew.team, page=2, per_page=3)
    assert [k.id for k in second.kudos] == [first.id]
    assert page.kudos[0].goal is not None and page.kudos[0].goal.title == "Faster fixes"
    received = service.received_kudos(session=db_session, team=crew.team, person_id=p["cy"])
    assert [k.id for k in received.kudos] == [first.id]
    assert received.person is not None and received.person.name == "Cy"
    with pytest.raises(NotFoundError):
        service.received_kudos(session=db_session, team=crew.team, person_id=p["out"])


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"recipients": ["out"]}, "recipients"),
        ({"recipients": ["bo", "out"]}, "recipients"),
        ({"recipients": ["ana"]}, "recipients"),
        ({"recipients": []}, "recipients"),
        ({"giver_id": "out"}, "giver"),
        ({"what": "   "}, "what"),
        ({"impact": ""}, "impact"),
        ({"impact": "x" * 1001}, "impact"),
        ({"goal_id": None}, "goal"),
        ({"goal_id": "other"}, "goal"),
        ({"practice": "vision"}, "goal"),  # a goal and a practice at once
        ({"goal_id": None, "practice": "juggling"}, "practice"),
    ],
)
def test_bad_kudos_name_the_field_and_write_nothing(
    db_session: Session, crew: Crew, changes: dict[str, object], field: str
) -> None:
    names = crew.people
    resolved: dict[str, object] = {}
    for key, value in changes.items():
        if key == "recipients":
            resolved[key] = [names[str(v)] for v in value]  # type: ignore[attr-defined]
        elif key == "giver_id":
            resolved[key] = names[str(value)]
        elif key == "goal_id" and value == "other":
            resolved[key] = crew.other_goal
        else:
            resolved[key] = value
    before = kudos_rows(db_session)
    with pytest.raises(InputError) as refused:
        give(db_session, crew, **resolved)
    assert refused.value.field == field
    assert kudos_rows(db_session) == before


def test_kudos_to_oneself_and_others_together_are_kept(db_session: Session, crew: Crew) -> None:
    p = crew.people
    done = give(db_session, crew, recipients=[p["ana"], p["dee"]])
    assert [r.id for r in done.recipients] == [p["ana"], p["dee"]]  # type: ignore[attr-defined]


def test_nudges_name_the_members_without_kudos_in_the_last_14_days(
    db_session: Session, crew: Crew
) -> None:
    p = crew.people
    # bo: on the 14th day back (inside); cy: on the 15th (outside); dee: after "today" (ignored)
    give(db_session, crew, recipients=[p["bo"]], given_at=at(TODAY - dt.timedelta(days=13), 0))
    give(db_session, crew, recipients=[p["cy"]], given_at=at(TODAY - dt.timedelta(days=14), 23))
    give(db_session, crew, recipients=[p["dee"]], given_at=at(TODAY + dt.timedelta(days=1), 0))
    found = service.nudges(session=db_session, team=crew.team, today=TODAY)
    assert found.first == TODAY - dt.timedelta(days=13)
    named = {n.person.name: n for n in found.nudges}
    assert set(named) == {"Ana", "Cy", "Dee"}
    assert named["Cy"].last_kudos_on == TODAY - dt.timedelta(days=14)
    assert "last kudos on" in named["Cy"].suggestion
    assert named["Dee"].last_kudos_on is None and "no kudos yet" in named["Dee"].suggestion
    later = service.nudges(session=db_session, team=crew.team, today=TODAY + dt.timedelta(days=1))
    assert "Dee" not in {n.person.name for n in later.nudges}
    assert "Out" not in {n.person.name for n in later.nudges}  # another team's person


def test_the_digests_kudos_are_those_given_in_the_period(db_session: Session, crew: Crew) -> None:
    inside = give(db_session, crew, given_at=at(TODAY - dt.timedelta(days=6), 0))
    give(db_session, crew, given_at=at(TODAY - dt.timedelta(days=7), 23))
    start = dt.datetime.combine(TODAY - dt.timedelta(days=6), dt.time(), tzinfo=dt.UTC)
    found = service.kudos_between(
        session=db_session, team=crew.team, start=start, end=start + dt.timedelta(days=7)
    )
    assert [k.id for k in found] == [inside.id]  # type: ignore[attr-defined]
