"""Teams and people as the surfaces read them: listed with member counts, one by id."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tandem.errors import NotFoundError
from tandem.people import service
from tandem.people.models import Identity, Membership, Person, Team
from tandem.people.schemas import TeamOut


def _org(session: Session) -> dict[str, int]:
    """Five: three people, two of them with identities; Empty: nobody; Solo: one person."""
    five, empty, solo = Team(name="Five"), Team(name="Empty"), Team(name="Solo")
    people = [Person(display_name=f"p{i}", email=f"p{i}@example.org") for i in range(4)]
    session.add_all([five, empty, solo, *people])
    session.flush()
    for i in (0, 1):
        session.add(Identity(identity_key=f"k{i}", source="t", kind="name", person_id=people[i].id))
    session.add(Identity(identity_key="k0-alt", source="t", kind="email", person_id=people[0].id))
    session.add_all(
        [Membership(person_id=p.id, team_id=five.id) for p in people[:3]]
        + [Membership(person_id=people[3].id, team_id=solo.id)]
    )
    session.flush()
    return {"Five": five.id, "Empty": empty.id, "Solo": solo.id, "p0": people[0].id}


def test_teams_are_listed_by_name_with_their_member_counts(db_session: Session) -> None:
    ids = _org(db_session)
    assert service.list_teams(session=db_session) == [
        TeamOut(id=ids["Empty"], name="Empty", members=0),
        TeamOut(id=ids["Five"], name="Five", members=3),
        TeamOut(id=ids["Solo"], name="Solo", members=1),
    ]
    assert service.get_team(session=db_session, team_id=ids["Five"]) == TeamOut(
        id=ids["Five"], name="Five", members=3
    )
    with pytest.raises(NotFoundError, match="there is no team 999999"):
        service.get_team(session=db_session, team_id=999999)


def test_people_in_the_work_data_count_once_whatever_their_identities(
    db_session: Session,
) -> None:
    ids = _org(db_session)
    # p0 (two identities) and p1 appear; p2 has none
    assert service.team_people_in_work_data(session=db_session, team_id=ids["Five"]) == 2
    assert service.team_people_in_work_data(session=db_session, team_id=ids["Solo"]) == 0
    assert service.team_people_in_work_data(session=db_session, team_id=ids["Empty"]) == 0


def test_a_person_by_id(db_session: Session) -> None:
    ids = _org(db_session)
    assert service.get_person(session=db_session, person_id=ids["p0"]).display_name == "p0"
    with pytest.raises(NotFoundError, match="there is no person 999999"):
        service.get_person(session=db_session, person_id=999999)
