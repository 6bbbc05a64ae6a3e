"""ORM model of feedback: one row per piece of feedback, from a giver to a receiver."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tandem.db.base import Base, UTCDateTime, utcnow
from tandem.people.models import Person

KINDS = ("praise", "redirect")


class Feedback(Base):
    """Situation, behaviour, impact and the giver's intent; ``lint_rules``: the rules the lint
    flagged and the giver saw before giving it as written (empty when the lint found nothing)."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    giver_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    receiver_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    situation: Mapped[str] = mapped_column(Text)
    behaviour: Mapped[str] = mapped_column(Text)
    impact: Mapped[str] = mapped_column(Text)
    intent: Mapped[str] = mapped_column(Text, default="")
    practice: Mapped[str | None] = mapped_column(String(40))
    lint_shown: Mapped[bool] = mapped_column(Boolean, default=False)
    lint_rules: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    giver: Mapped[Person] = relationship(foreign_keys=[giver_id])
    receiver: Mapped[Person] = relationship(foreign_keys=[receiver_id])

    __table_args__ = (
        CheckConstraint("kind IN ('praise', 'redirect')", name="kind"),
        CheckConstraint("giver_id <> receiver_id", name="not_self"),
    )
