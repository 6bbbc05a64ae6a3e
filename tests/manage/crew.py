"""A small organisation for the manager's toolkit tests: a team of five, a team of four."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from tandem.people.models import Membership, Person, Team
from tandem.profile.visibility import Viewer

FIVE = (
    ("lea", "leader"),
    ("max", "manager"),
    ("ann", "member"),
    ("bob", "member"),
    ("cat", "member"),
)
FOUR = (("kim", "manager"), ("dan", "member"), ("eve", "member"), ("fay", "member"))


@dataclass(frozen=True)
class Org:
    five: int  # team id
    four: int
    people: dict[str, int]  # name -> person id; "dir" and "adm" belong to no team

    def viewer(self, name: str, role: str | None = None) -> Viewer:
        """The person as the services' viewer, in their team role (or ``role``)."""
        found = dict(FIVE + FOUR).get(name, "member")
        return Viewer(person_id=self.people[name], role=role or found)


def build_org(session: Session) -> Org:
    five, four = Team(name="Five"), Team(name="Four")
    session.add_all([five, four])
    names = [n for n, _ in FIVE + FOUR] + ["dir", "adm"]
    people = {n: Person(display_name=n.title(), email=f"{n}@example.org") for n in names}
    session.add_all(people.values())
    session.flush()
    for team, roster in ((five, FIVE), (four, FOUR)):
        for name, role in roster:
            session.add(Membership(person_id=people[name].id, team_id=team.id, role=role))
    session.flush()
    return Org(five.id, four.id, {n: p.id for n, p in people.items()})
