"""Team memberships frozen per review cycle, so a cycle's team and org views never move.

Differencing attack this closes: a cycle's answers are fixed once it closes, so if its team and
org views were computed from *today's* roster, moving one person into a shown team would change
that team's aggregates by exactly that person's scores (n·mean before and after). The views of a
cycle are therefore computed from the memberships (team, person, role) frozen when the cycle is
created (:func:`freeze`, called by ``review_service.create_cycle``) and frozen again when it is
closed (``review_service.close_cycle``); after close they never change, whatever the roster does.
The team's name is kept with the row, so renaming or deleting a team later changes nothing either.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ForeignKey, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from tandem.db.base import Base, UTCDateTime, utcnow
from tandem.people.models import Membership, Person, Team
from tandem.review.models import ReviewCycle


class CycleMembership(Base):
    """One membership (team, person, role) as it stood when the cycle was frozen."""

    __tablename__ = "cycle_membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("review_cycle.id", ondelete="CASCADE"), index=True
    )
    team_name: Mapped[str] = mapped_column(String(200))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    frozen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("cycle_id", "team_name", "person_id"),)


@dataclass(frozen=True)
class FrozenMember:
    """A member of a team in a cycle's frozen roster."""

    person_id: int
    name: str
    role: str


def freeze(*, session: Session, cycle: ReviewCycle) -> int:
    """Replace the cycle's frozen roster by today's memberships; returns how many were frozen."""
    session.execute(delete(CycleMembership).where(CycleMembership.cycle_id == cycle.id))
    now = utcnow()
    rows = session.execute(
        select(Team.name, Membership.person_id, Membership.role).join(
            Team, Team.id == Membership.team_id
        )
    ).all()
    session.add_all(
        CycleMembership(
            cycle_id=cycle.id, team_name=name, person_id=person, role=role, frozen_at=now
        )
        for name, person, role in rows
    )
    session.flush()
    return len(rows)


def teams(*, session: Session, cycle: ReviewCycle) -> dict[str, list[FrozenMember]]:
    """Team name → members (by person id) as frozen for the cycle; teams by name."""
    rows = session.execute(
        select(
            CycleMembership.team_name,
            CycleMembership.person_id,
            Person.display_name,
            CycleMembership.role,
        )
        .join(Person, Person.id == CycleMembership.person_id)
        .where(CycleMembership.cycle_id == cycle.id)
        .order_by(CycleMembership.team_name, CycleMembership.person_id)
    )
    out: dict[str, list[FrozenMember]] = {}
    for team, person, name, role in rows:
        out.setdefault(str(team), []).append(FrozenMember(int(person), str(name), str(role)))
    return out


def roles(*, session: Session, cycle: ReviewCycle) -> dict[int, frozenset[str]]:
    """Person id → the roles they held in any team of the cycle's frozen roster."""
    rows = session.execute(
        select(CycleMembership.person_id, CycleMembership.role).where(
            CycleMembership.cycle_id == cycle.id
        )
    )
    out: dict[int, set[str]] = {}
    for person, role in rows:
        out.setdefault(int(person), set()).add(str(role))
    return {person: frozenset(held) for person, held in out.items()}
