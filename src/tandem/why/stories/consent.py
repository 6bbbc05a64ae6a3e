"""Naming consent: a person's own choice to be named as a contributor in impact stories.

No row means not named. Only the person sets or changes it (:func:`set_naming_consent` refuses
anyone else), each change is audited (``story.consent``), and a story names exactly the people
:func:`named_people` returns: everyone else is counted, never named (``docs/why.md``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.accounts.errors import PermissionDeniedError
from tandem.audit import service as audit
from tandem.db.base import utcnow
from tandem.errors import InputError, NotFoundError
from tandem.people.models import Person
from tandem.why.recognition.models import NamingConsent


class ConsentOut(BaseModel):
    """A person's naming choice: ``named`` (false when never given) and when it was made."""

    model_config = ConfigDict(frozen=True)

    person_id: int
    named: bool
    decided_at: dt.datetime | None = None


def naming_consent(*, session: Session, person_id: int) -> ConsentOut:
    """The person's current choice (not named when they never chose)."""
    row = session.scalar(select(NamingConsent).where(NamingConsent.person_id == person_id))
    if row is None:
        return ConsentOut(person_id=person_id, named=False)
    return ConsentOut(person_id=person_id, named=row.named, decided_at=row.decided_at)


def set_naming_consent(
    *, session: Session, person_id: int, by_person_id: int | None, named: bool, actor: str
) -> ConsentOut:
    """The person ``by_person_id`` sets their own choice; anyone else is refused (403).

    Setting the same choice again changes nothing and records nothing.
    """
    if by_person_id is None or by_person_id != person_id:
        raise PermissionDeniedError("only the person themselves may choose to be named in stories")
    person = session.get(Person, person_id)
    if person is None or person.stand_in:
        raise NotFoundError(f"no person with id {person_id}")
    if person.is_bot:
        raise InputError(f"{person.display_name} is a bot: a bot is never named", field="person")
    row = session.scalar(select(NamingConsent).where(NamingConsent.person_id == person_id))
    if row is not None and row.named == named:
        return naming_consent(session=session, person_id=person_id)
    if row is None:
        row = NamingConsent(person_id=person_id, named=named, decided_at=utcnow())
        session.add(row)
    else:
        row.named = named
        row.decided_at = utcnow()
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="story.consent",
        subject_person_id=person_id,
        target=f"person:{person_id}",
        detail={"named": named},
    )
    return naming_consent(session=session, person_id=person_id)


def named_people(*, session: Session, person_ids: Iterable[int]) -> dict[int, str]:
    """Person id → display name of those among ``person_ids`` who agreed to be named."""
    wanted = sorted(set(person_ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(Person.id, Person.display_name)
        .join(NamingConsent, NamingConsent.person_id == Person.id)
        .where(Person.id.in_(wanted), NamingConsent.named.is_(True), Person.stand_in.is_(False))
    )
    return {int(pid): str(name) for pid, name in rows}
