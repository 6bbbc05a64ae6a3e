"""ORM models of 1:1s: a pair, its meetings, agenda items, action items and notes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tandem.db.base import Base, UTCDateTime, utcnow
from tandem.manage.one_on_ones.rules import DEFAULT_CADENCE_DAYS
from tandem.people.models import Person


class OneOnOnePair(Base):
    """A line manager and one of their direct reports who meet 1:1 every ``cadence_days``."""

    __tablename__ = "one_on_one_pair"

    id: Mapped[int] = mapped_column(primary_key=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    cadence_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_CADENCE_DAYS)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    manager: Mapped[Person] = relationship(foreign_keys=[manager_id])
    report: Mapped[Person] = relationship(foreign_keys=[report_id])
    meetings: Mapped[list[OneOnOneMeeting]] = relationship(
        back_populates="pair", cascade="all, delete-orphan", order_by="OneOnOneMeeting.starts_at"
    )

    __table_args__ = (
        UniqueConstraint("manager_id", "report_id"),
        CheckConstraint("manager_id <> report_id", name="two_people"),
        CheckConstraint("cadence_days >= 1 AND cadence_days <= 90", name="cadence"),
    )


class OneOnOneMeeting(Base):
    """One meeting of a pair: when it starts (UTC) and how long it is planned for."""

    __tablename__ = "one_on_one_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(
        ForeignKey("one_on_one_pair.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    minutes: Mapped[int] = mapped_column(Integer, default=30)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    pair: Mapped[OneOnOnePair] = relationship(back_populates="meetings")

    __table_args__ = (CheckConstraint("minutes >= 5 AND minutes <= 480", name="minutes"),)


class AgendaItem(Base):
    """A point either partner put on the agenda of a meeting; open ones carry over to the next
    meeting (they stay one row: ``meeting_id`` is the meeting it was first raised for)."""

    __tablename__ = "one_on_one_agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(
        ForeignKey("one_on_one_pair.id", ondelete="CASCADE"), index=True
    )
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("one_on_one_meeting.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open")
    resolved_meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("one_on_one_meeting.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[Person | None] = relationship()
    meeting: Mapped[OneOnOneMeeting] = relationship(foreign_keys=[meeting_id])

    __table_args__ = (CheckConstraint("status IN ('open', 'resolved')", name="status"),)


class ActionItem(Base):
    """Something one partner (``owner_id``) agreed to do by ``due_date``."""

    __tablename__ = "one_on_one_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(
        ForeignKey("one_on_one_pair.id", ondelete="CASCADE"), index=True
    )
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("one_on_one_meeting.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[Person] = relationship(foreign_keys=[owner_id])


class MeetingNote(Base):
    """A note on a meeting: shared (both partners read it) or private (its author alone)."""

    __tablename__ = "one_on_one_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("one_on_one_meeting.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
