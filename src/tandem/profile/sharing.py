"""Sharing a 360 report: the ratee sees it first and chooses to share it with their manager.

DESIGN §7: "the ratee sees their 360 report first and chooses what to share". A report is
private to its ratee until they share it; sharing is per review cycle and can be taken back.
A share goes to the line manager at the time of sharing and **records that person**
(``shared_with_person_id``): after a reorg the recipient keeps reading it and the new line
manager does not, until the ratee shares it again with them. What the recipient then sees is
the others' view only: self ratings inform the person alone (DESIGN §6), so self scores, blind
spots, hidden strengths and the person's own forced-ranking block stay private
(``include_self=False`` in :func:`tandem.profile.service.person_profile`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from pydantic import BaseModel
from sqlalchemy import Boolean, ForeignKey, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from tandem.db.base import Base, UTCDateTime, utcnow
from tandem.db.unique import insert_if_absent
from tandem.errors import ConflictError, NotFoundError
from tandem.people.models import Person
from tandem.profile import service as profile_service
from tandem.review import service as review_service
from tandem.review.models import ReviewCycle


class ReportShare(Base):
    """A ratee's choice about their report of one cycle; no row means not shared."""

    __tablename__ = "report_share"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("review_cycle.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    shared_with_manager: Mapped[bool] = mapped_column(Boolean, default=False)  # shared at all
    shared_with_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )  # the recipient: the line manager when it was shared
    shared_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("cycle_id", "person_id"),)


class ShareOut(BaseModel):
    """Whether a person's report of a cycle is shared, with whom, and since when.

    ``shared_with_manager`` says whether it is shared at all; ``shared_with_id`` is the recorded
    recipient, who may no longer be the line manager (``manager_id``) after a reorg.
    """

    cycle: str
    person_id: int
    manager_id: int | None
    manager_name: str | None = None
    shared_with_manager: bool
    shared_with_id: int | None = None
    shared_with_name: str | None = None
    shared_at: dt.datetime | None


def _cycle(session: Session, cycle: str | ReviewCycle) -> ReviewCycle:
    if isinstance(cycle, ReviewCycle):
        return cycle
    return review_service.get_cycle(session=session, name=cycle)


def _person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFoundError(f"no person {person_id}")
    return person


def shared_with(*, session: Session, cycle_id: int, person_id: int) -> int | None:
    """The person the report of the cycle is shared with (``None``: not shared)."""
    row = session.execute(
        select(ReportShare.shared_with_manager, ReportShare.shared_with_person_id).where(
            ReportShare.cycle_id == cycle_id, ReportShare.person_id == person_id
        )
    ).one_or_none()
    if row is None or not row[0]:
        return None
    return row[1]


def shared_with_reader(
    *, session: Session, cycle_id: int, reader_id: int, people: Iterable[int]
) -> set[int]:
    """Those of ``people`` who shared their report of the cycle with ``reader_id`` (by person)."""
    return set(
        session.scalars(
            select(ReportShare.person_id).where(
                ReportShare.cycle_id == cycle_id,
                ReportShare.shared_with_manager.is_(True),
                ReportShare.shared_with_person_id == reader_id,
                ReportShare.person_id.in_(set(people)),
            )
        )
    )


def _name(session: Session, person_id: int | None) -> str | None:
    found = None if person_id is None else session.get(Person, person_id)
    return None if found is None else found.display_name


def share_state(*, session: Session, cycle: str | ReviewCycle, person_id: int) -> ShareOut:
    """The person's sharing choice for the cycle (not shared until they choose)."""
    found = _cycle(session, cycle)
    person = _person(session, person_id)
    row = session.scalar(
        select(ReportShare).where(
            ReportShare.cycle_id == found.id, ReportShare.person_id == person.id
        )
    )
    shared = bool(row and row.shared_with_manager and row.shared_with_person_id is not None)
    recipient = row.shared_with_person_id if row and shared else None
    return ShareOut(
        cycle=found.name,
        person_id=person.id,
        manager_id=person.manager_id,
        manager_name=_name(session, person.manager_id),
        shared_with_manager=shared,
        shared_with_id=recipient,
        shared_with_name=_name(session, recipient),
        shared_at=row.shared_at if row and shared else None,
    )


def set_shared(
    *, session: Session, cycle: str | ReviewCycle, person_id: int, shared: bool
) -> ShareOut:
    """The ratee shares their report of the cycle with their line manager, or takes it back.

    The share records today's line manager as its recipient; sharing again after a reorg moves
    it to the new line manager (and away from the old one).
    """
    found = _cycle(session, cycle)
    person = _person(session, person_id)
    if not profile_service.is_ratee(session=session, cycle=found, person_id=person.id):
        raise NotFoundError(
            f"{person.display_name} (id {person.id}) is not rated in review cycle "
            f"{found.name!r}: there is no report to share"
        )
    if shared and person.manager_id is None:
        raise ConflictError(
            f"{person.display_name} (id {person.id}) has no line manager to share the report with"
        )
    key = {"cycle_id": found.id, "person_id": person.id}
    # the row exists once this returns, whoever made it (a parallel request may have won)
    insert_if_absent(session, ReportShare, {**key, "shared_with_manager": False}, unique=[*key])
    row = session.scalars(
        select(ReportShare).where(
            ReportShare.cycle_id == found.id, ReportShare.person_id == person.id
        )
    ).one()
    now = utcnow()
    recipient = person.manager_id if shared else None
    if shared and not (row.shared_with_manager and row.shared_with_person_id == recipient):
        row.shared_at = now
    if not shared:
        row.shared_at = None
    row.shared_with_manager = shared
    row.shared_with_person_id = recipient
    row.updated_at = now
    session.flush()
    return share_state(session=session, cycle=found, person_id=person.id)
