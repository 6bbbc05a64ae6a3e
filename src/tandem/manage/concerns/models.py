"""ORM models of concerns and questions and their answers.

An anonymous item stores no author: ``author_id`` is NULL, ``raised_on`` is a day (never a
time), and its id is drawn at random (:func:`tandem.manage.concerns.service.raise_item`) so
neither the clock nor the id sequence places it between two named items. Its author may follow
it with a receipt whose SHA-256 alone is kept (``receipt_hash``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tandem.db.base import Base, UTCDateTime, utcnow
from tandem.people.models import Person

KINDS = ("concern", "question")
STATUSES = ("open", "answered", "closed")


class Concern(Base):
    """A concern or a question raised in a team, named or anonymous."""

    __tablename__ = "concern"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    receipt_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    raised_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")
    first_answer_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)

    author: Mapped[Person | None] = relationship()
    answers: Mapped[list[ConcernAnswer]] = relationship(
        back_populates="concern", cascade="all, delete-orphan", order_by="ConcernAnswer.id"
    )

    __table_args__ = (
        CheckConstraint("kind IN ('concern', 'question')", name="kind"),
        CheckConstraint("status IN ('open', 'answered', 'closed')", name="status"),
        CheckConstraint("NOT anonymous OR author_id IS NULL", name="anonymous_no_author"),
    )


class ConcernAnswer(Base):
    """A manager's (or the leader's) answer to an item, visible to the team."""

    __tablename__ = "concern_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    concern_id: Mapped[int] = mapped_column(
        ForeignKey("concern.id", ondelete="CASCADE"), index=True
    )
    answerer_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    answered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    concern: Mapped[Concern] = relationship(back_populates="answers")
    answerer: Mapped[Person | None] = relationship()
