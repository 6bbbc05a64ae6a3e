"""ORM models of people, identities, teams and memberships."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tandem.db.base import Base, UTCDateTime, utcnow


class Role(enum.StrEnum):
    """A person's role in a team."""

    LEADER = "leader"
    MANAGER = "manager"
    MEMBER = "member"


class Person(Base):
    """Someone (or some bot) who appears in the work data or the organisation.

    A **stand-in** (``stand_in``) is no one: it holds, under a neutral name and nothing else,
    the answers and frozen-roster rows of a person forgotten after a cycle closed
    (:func:`tandem.people.privacy.forget_person`), so that cycle's results never change. A
    stand-in is never found by reference, listed, rated, paired, merged or shown on its own
    (:func:`tandem.people.service.find_person`); it only counts inside the cycle's aggregates.
    """

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    stand_in: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The line manager (from the roster): whom this person reports to; NULL at the top or unknown.
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )

    identities: Mapped[list[Identity]] = relationship(
        back_populates="person", order_by="Identity.identity_key"
    )
    manager: Mapped[Person | None] = relationship(
        remote_side=[id], back_populates="reports", foreign_keys=[manager_id]
    )
    reports: Mapped[list[Person]] = relationship(
        back_populates="manager", foreign_keys=[manager_id], order_by="Person.id"
    )
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )


class Identity(Base):
    """An identity found in a source (an email in git, a resource in an event log, …).

    An identity maps to at most one person. ``linked_by`` records how: ``auto`` (same email or
    mailmap at ingestion) or ``manual`` (``tandem people merge|link``); manual links are never
    undone by a later sync.
    """

    __tablename__ = "identity"

    id: Mapped[int] = mapped_column(primary_key=True)
    identity_key: Mapped[str] = mapped_column(String(400), unique=True)
    source: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    display_name: Mapped[str | None] = mapped_column(String(200))
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    linked_by: Mapped[str] = mapped_column(String(10), default="auto")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[Person | None] = relationship(back_populates="identities")

    __table_args__ = (CheckConstraint("linked_by IN ('auto', 'manual')", name="linked_by"),)


class Team(Base):
    """A team: a leader, a manager and members."""

    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="team", cascade="all, delete-orphan"
    )


class Membership(Base):
    """A person's place in a team, with a role."""

    __tablename__ = "membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(10), default=Role.MEMBER.value)

    person: Mapped[Person] = relationship(back_populates="memberships")
    team: Mapped[Team] = relationship(back_populates="memberships")

    __table_args__ = (
        UniqueConstraint("person_id", "team_id"),
        CheckConstraint("role IN ('leader', 'manager', 'member')", name="role"),
    )
