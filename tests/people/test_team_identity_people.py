"""The people behind a team's identities (the flow service counts them per answer)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tandem.people import service
from tandem.people.models import Identity, Membership, Person, Team


def test_each_identity_maps_to_its_person_once_per_team(db_session: Session) -> None:
    five, solo = Team(name="Five"), Team(name="Solo")
    people = [Person(display_name=f"p{i}", email=f"p{i}@example.org") for i in range(3)]
    db_session.add_all([five, solo, *people])
    db_session.flush()
    for i, person in enumerate(people):
        db_session.add(Identity(identity_key=f"k{i}", source="t", kind="name", person_id=person.id))
    # p0 has a second identity; p2 is in Solo only; an identity nobody owns is in no team
    db_session.add(
        Identity(identity_key="k0-alt", source="t", kind="email", person_id=people[0].id)
    )
    db_session.add(Identity(identity_key="nobody", source="t", kind="name"))
    db_session.add_all(
        [
            Membership(person_id=people[0].id, team_id=five.id),
            Membership(person_id=people[1].id, team_id=five.id),
            Membership(person_id=people[2].id, team_id=solo.id),
        ]
    )
    db_session.flush()

    found = service.team_identity_people(session=db_session, teams=["Five"])
    assert found == {
        "k0": str(people[0].id),
        "k0-alt": str(people[0].id),
        "k1": str(people[1].id),
    }
    assert len(set(found.values())) == 2  # two people behind three identities
    both = service.team_identity_people(session=db_session, teams=["Five", "Solo"])
    assert set(both) == {"k0", "k0-alt", "k1", "k2"}
    assert service.team_identity_people(session=db_session, teams=["Nowhere"]) == {}
