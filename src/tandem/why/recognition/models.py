"""ORM models of recognition: kudos with their recipients, and consent to be named in stories."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tandem.db.base import Base, UTCDateTime, utcnow
from tandem.people.models import Person, Team
from tandem.why.goals.models import Goal


class Kudos(Base):
    """Recognition from one person to one or more: what was done and its impact, linked to a goal
    or a practice (DESIGN §3, practice 5)."""

    __tablename__ = "kudos"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    giver_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    given_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    what: Mapped[str] = mapped_column(Text)
    impact: Mapped[str] = mapped_column(Text)
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goal.id", ondelete="SET NULL"))
    practice: Mapped[str | None] = mapped_column(String(40))

    team: Mapped[Team] = relationship()
    giver: Mapped[Person | None] = relationship()
    goal: Mapped[Goal | None] = relationship()
    recipients: Mapped[list[KudosRecipient]] = relationship(
        back_populates="kudos", cascade="all, delete-orphan", order_by="KudosRecipient.id"
    )


class KudosRecipient(Base):
    """One person a kudos recognises."""

    __tablename__ = "kudos_recipient"

    id: Mapped[int] = mapped_column(primary_key=True)
    kudos_id: Mapped[int] = mapped_column(ForeignKey("kudos.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)

    kudos: Mapped[Kudos] = relationship(back_populates="recipients")
    person: Mapped[Person] = relationship()

    __table_args__ = (UniqueConstraint("kudos_id", "person_id"),)


class NamingConsent(Base):
    """A person's own choice to be named as a contributor in impact stories and the brief
    (absent = not named; only the person sets it)."""

    __tablename__ = "naming_consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), unique=True)
    named: Mapped[bool] = mapped_column()
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
