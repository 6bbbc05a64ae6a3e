"""What leaves the wall: the digest's naming rule and the directors' counts (SQLite and
PostgreSQL). Each test tries to find a person who did not agree to be named, by name, by id or
by a kudos text that could be looked up on the wall."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from tandem.errors import InputError
from tandem.people.models import Membership, Person, Team
from tandem.why.goals.models import Goal
from tandem.why.recognition import service
from tandem.why.recognition.counts import kudos_counts
from tandem.why.recognition.digest import digest_markdown
from tandem.why.recognition.naming import told_kudos
from tandem.why.recognition.schemas import Digest, TeamAchievements
from tandem.why.scope import TeamRef
from tandem.why.stories.consent import set_naming_consent

TODAY = dt.date(2026, 12, 3)  # a Thursday


@dataclass(frozen=True)
class Crew:
    team: int
    people: dict[str, int]
    goal: int


@pytest.fixture
def crew(db_session: Session) -> Crew:
    team = Team(name="Lighthouse")
    db_session.add(team)
    people = {n: Person(display_name=f"{n.title()} Brackwater") for n in ("ana", "bo", "cy")}
    db_session.add_all(people.values())
    db_session.flush()
    for person in people.values():
        db_session.add(Membership(person_id=person.id, team_id=team.id, role="member"))
    goal = Goal(team_id=team.id, title="Calm nights", starts_on=dt.date(2026, 10, 1),
                ends_on=dt.date(2026, 12, 31))  # fmt: skip
    db_session.add(goal)
    db_session.flush()
    return Crew(team.id, {n: p.id for n, p in people.items()}, goal.id)


def give(db: Session, crew: Crew, giver: str, to: list[str], what: str, day: dt.date) -> int:
    return service.give_kudos(
        session=db, team=crew.team, giver_id=crew.people[giver],
        recipients=[crew.people[r] for r in to], what=what, impact="Fewer pages",
        goal_id=crew.goal, given_at=dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC),
    ).id  # fmt: skip


def agree(db: Session, crew: Crew, name: str, named: bool = True) -> None:
    pid = crew.people[name]
    set_naming_consent(session=db, person_id=pid, by_person_id=pid, named=named, actor="t")


def test_a_kudos_is_told_only_when_every_recipient_agreed(db_session: Session, crew: Crew) -> None:
    agree(db_session, crew, "bo")
    to_bo = give(db_session, crew, "ana", ["bo"], "Bo fixed the pager", TODAY)
    to_both = give(db_session, crew, "bo", ["ana", "cy"], "Cleared the queue", TODAY)
    to_bo_cy = give(db_session, crew, "cy", ["bo", "cy"], "Paired all week", TODAY)
    start = dt.datetime.combine(TODAY, dt.time(), tzinfo=dt.UTC)
    given = service.kudos_between(
        session=db_session, team=crew.team, start=start, end=start + dt.timedelta(days=1)
    )
    told, untold = told_kudos(db_session, given)
    assert [k.id for k in told] == [to_bo] and untold == 2
    assert told[0].giver is None  # Ana never agreed: the giver is not named either
    digest = Digest(team=TeamRef(id=crew.team, name="Lighthouse"), first=TODAY, last=TODAY,
                    days=1, kudos=told, kudos_total=3, kudos_not_told=untold,
                    achievements=TeamAchievements(
                        team=TeamRef(id=crew.team, name="Lighthouse"), as_of=None,
                        as_of_rule="no_work_data", first=None, days=1, achievements=[],
                        withheld=[]))  # fmt: skip
    text = digest_markdown(digest) + json.dumps(digest.model_dump(mode="json"))
    for hidden in ("Ana Brackwater", "Cy Brackwater", "Cleared the queue", "Paired all week",
                   f"kudos {to_both}", f"kudos {to_bo_cy}", f"person {crew.people['cy']}",
                   f"person {crew.people['ana']}"):  # fmt: skip
        assert hidden not in text, hidden
    assert "**a teammate** → Bo Brackwater: Bo fixed the pager" in text
    assert "2 kudos to teammates who did not all agree to be named" in text
    # Cy agrees: the kudos to Bo and Cy is told; Ana's "yes" then names her as a giver
    agree(db_session, crew, "cy")
    agree(db_session, crew, "ana")
    told, untold = told_kudos(db_session, given)
    assert sorted(k.id for k in told) == sorted([to_bo, to_both, to_bo_cy]) and untold == 0
    assert {k.giver.name for k in told if k.giver} == {
        "Ana Brackwater",
        "Bo Brackwater",
        "Cy Brackwater",
    }
    # and taking it back hides it again
    agree(db_session, crew, "cy", named=False)
    told, untold = told_kudos(db_session, given)
    assert [k.id for k in told] == [to_bo] and untold == 2


def test_counts_add_up_per_week_and_goal_and_name_nobody(db_session: Session, crew: Crew) -> None:
    monday = TODAY - dt.timedelta(days=TODAY.weekday())
    give(db_session, crew, "ana", ["bo"], "One", TODAY)
    give(db_session, crew, "bo", ["cy"], "Two", monday)
    give(db_session, crew, "cy", ["ana"], "Three", monday - dt.timedelta(days=1))  # last week
    give(db_session, crew, "cy", ["ana"], "Too old", monday - dt.timedelta(weeks=3))
    give(db_session, crew, "cy", ["ana"], "Tomorrow", TODAY + dt.timedelta(days=1))
    found = kudos_counts(session=db_session, team=crew.team, weeks=2, today=TODAY)
    assert found.first == monday - dt.timedelta(weeks=1) and found.last == TODAY
    assert [(w.week, w.count) for w in found.per_week] == [
        (monday - dt.timedelta(weeks=1), 1),
        (monday, 2),
    ]
    assert found.total == 3
    assert [(c.kind, c.key, c.name, c.count) for c in found.per_link] == [
        ("goal", str(crew.goal), "Calm nights", 3)
    ]
    text = json.dumps(found.model_dump(mode="json"))
    assert "Brackwater" not in text and "One" not in text and "Three" not in text
    for weeks in (0, 105):
        with pytest.raises(InputError) as refused:
            kudos_counts(session=db_session, team=crew.team, weeks=weeks, today=TODAY)
        assert refused.value.field == "weeks"
