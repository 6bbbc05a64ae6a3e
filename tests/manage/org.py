"""A small org for the manager's toolkit tests: Dee manages Max, Max manages Ann and Bob."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from tandem.people.models import Person
from tandem.profile.visibility import Viewer


@dataclass(frozen=True)
class Org:
    """Ids: ``dee`` (Max's manager), ``max`` (manager), ``ann`` and ``bob`` (his reports),
    ``eve`` (in no line with them), ``dir`` and ``adm`` (people whose role is director/admin)."""

    ids: dict[str, int]

    def viewer(self, name: str) -> Viewer:
        """The person as a viewer (``dir``: director, ``adm``: admin, others: their team role)."""
        role = {"dir": "director", "adm": "admin", "max": "manager", "dee": "manager"}
        return Viewer(person_id=self.ids[name], role=role.get(name, "member"))


def make_org(session: Session) -> Org:
    names = {"dee": "Dee", "max": "Max", "ann": "Ann", "bob": "Bob", "eve": "Eve",
             "dir": "Dora Director", "adm": "Adam Admin"}  # fmt: skip
    people = {k: Person(display_name=v, email=f"{k}@example.org") for k, v in names.items()}
    session.add_all(people.values())
    session.flush()
    people["max"].manager_id = people["dee"].id
    people["ann"].manager_id = people["max"].id
    people["bob"].manager_id = people["max"].id
    # the director manages Dee in the roster: still aggregates only (DESIGN §7)
    people["dee"].manager_id = people["dir"].id
    session.flush()
    return Org({k: p.id for k, p in people.items()})
