"""ORM models of conflict cases: the case, its parties (each with their own position,
interests, stake and satisfaction) and its follow-ups.

A case names no team: who may read it is decided by its people alone (the parties and the
facilitator), see :mod:`tandem.manage.conflicts.access`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tandem.db.base import Base, UTCDateTime, utcnow
from tandem.people.models import Person

KINDS = ("task", "process", "relationship", "status")
STATUSES = ("open", "in_mediation", "agreed", "closed", "escalated")
MODES = ("competing", "collaborating", "compromising", "avoiding", "accommodating")
POWER = ("balanced", "unequal")


class ConflictCase(Base):
    """One conflict between two or more people, with a facilitator (usually their manager)."""

    __tablename__ = "conflict_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(14))
    issue: Mapped[str] = mapped_column(Text)
    facilitator_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(14), default="open")
    time_pressure: Mapped[int] = mapped_column(default=3)
    power_balance: Mapped[str] = mapped_column(String(10), default="balanced")
    relationship_importance: Mapped[int] = mapped_column(default=3)
    facts: Mapped[list[str]] = mapped_column(JSON, default=list)
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    checklist: Mapped[list[str]] = mapped_column(JSON, default=list)
    chosen_mode: Mapped[str | None] = mapped_column(String(14))
    rationale: Mapped[str] = mapped_column(Text, default="")
    agreement: Mapped[str] = mapped_column(Text, default="")
    opened_on: Mapped[dt.date] = mapped_column(Date)
    agreed_on: Mapped[dt.date | None] = mapped_column(Date)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    facilitator: Mapped[Person | None] = relationship()
    parties: Mapped[list[ConflictParty]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="ConflictParty.id"
    )
    follow_ups: Mapped[list[ConflictFollowUp]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="ConflictFollowUp.id"
    )

    __table_args__ = (
        CheckConstraint("kind IN ('task', 'process', 'relationship', 'status')", name="kind"),
        CheckConstraint(
            "status IN ('open', 'in_mediation', 'agreed', 'closed', 'escalated')", name="status"
        ),
        CheckConstraint(
            "chosen_mode IS NULL OR chosen_mode IN "
            "('competing', 'collaborating', 'compromising', 'avoiding', 'accommodating')",
            name="chosen_mode",
        ),
        CheckConstraint("power_balance IN ('balanced', 'unequal')", name="power_balance"),
        CheckConstraint("time_pressure BETWEEN 1 AND 5", name="time_pressure"),
        CheckConstraint("relationship_importance BETWEEN 1 AND 5", name="relationship"),
    )


class ConflictParty(Base):
    """A party to a case: their position (what they ask for), interests (why), how much the
    issue matters to them (1–5) and, once it is settled, their own satisfaction (1–5)."""

    __tablename__ = "conflict_party"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("conflict_case.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    position: Mapped[str] = mapped_column(Text, default="")
    interests: Mapped[str] = mapped_column(Text, default="")
    importance: Mapped[int] = mapped_column(default=3)
    satisfaction: Mapped[int | None] = mapped_column()

    case: Mapped[ConflictCase] = relationship(back_populates="parties")
    person: Mapped[Person] = relationship()

    __table_args__ = (
        UniqueConstraint("case_id", "person_id"),
        CheckConstraint("importance BETWEEN 1 AND 5", name="importance"),
        CheckConstraint(
            "satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5", name="satisfaction"
        ),
    )


class ConflictFollowUp(Base):
    """Something agreed to do, by a due day, optionally owned by one of the case's people."""

    __tablename__ = "conflict_follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("conflict_case.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    due_on: Mapped[dt.date] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    done: Mapped[bool] = mapped_column(Boolean, default=False)

    case: Mapped[ConflictCase] = relationship(back_populates="follow_ups")
    owner: Mapped[Person | None] = relationship()
