"""ORM models of the delegation board: decision areas and the level each was set to, over time."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tandem.db.base import Base, UTCDateTime, utcnow
from tandem.people.models import Person, Team

#: The seven levels of delegation, from the leader deciding alone to the team deciding alone.
LEVELS = ("tell", "sell", "consult", "agree", "advise", "inquire", "delegate")


class DecisionArea(Base):
    """A kind of decision (e.g. "release timing", "hiring") on a team's board; ``duo_id`` scopes
    it to a confirmed pair instead of the whole team. ``review_on``: the next quarterly review."""

    __tablename__ = "decision_area"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    duo_id: Mapped[int | None] = mapped_column(ForeignKey("duo.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    review_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team] = relationship()
    levels: Mapped[list[DelegationLevel]] = relationship(
        back_populates="area", cascade="all, delete-orphan", order_by="DelegationLevel.id"
    )

    __table_args__ = (UniqueConstraint("team_id", "duo_id", "name"),)


class DelegationLevel(Base):
    """The level (1 tell … 7 delegate) an area was set to, by whom, when and why: the board's
    history is these rows in order; the newest is the current level."""

    __tablename__ = "delegation_level"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(
        ForeignKey("decision_area.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[int] = mapped_column()
    set_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")

    area: Mapped[DecisionArea] = relationship(back_populates="levels")
    set_by: Mapped[Person | None] = relationship()

    __table_args__ = (CheckConstraint("level >= 1 AND level <= 7", name="level"),)
