"""Resolving the people a CSV row names: by person id or by email, never creating anyone."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.people.models import Person


@dataclass(frozen=True)
class PersonLookup:
    """Known people: their ids and their emails (lower case) → ids."""

    ids: frozenset[int]
    by_email: Mapping[str, tuple[int, ...]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> PersonLookup:
        """Every person in the app database (a stand-in is nobody: never named by a file)."""
        ids: set[int] = set()
        by_email: dict[str, list[int]] = {}
        rows = session.execute(select(Person.id, Person.email).where(Person.stand_in.is_(False)))
        for pid, email in rows:
            ids.add(pid)
            if email:
                by_email.setdefault(email.lower(), []).append(pid)
        return cls(ids=frozenset(ids), by_email={e: tuple(sorted(p)) for e, p in by_email.items()})

    def resolve(self, ref: str) -> int | str:
        """The person id of ``ref`` (an id or an email), or why there is none."""
        if not ref:
            return "is empty"
        if ref.isascii() and ref.isdigit():
            return int(ref) if int(ref) in self.ids else f"{ref!r} is not a known person id"
        found = self.by_email.get(ref.lower(), ())
        if len(found) == 1:
            return found[0]
        if found:
            return f"{ref!r} matches several people ({', '.join(map(str, found))}); merge them"
        return f"{ref!r} is not a known person (people are never created by an import)"
