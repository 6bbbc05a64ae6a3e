"""ORM model of a duo: a leader–manager pair suggested in a cycle and confirmed by a human."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tandem.db.base import Base, UTCDateTime
from tandem.people.models import Person
from tandem.review.models import ReviewCycle

CONSENTS = ("pending", "accepted", "declined")
_CONSENTS = "('pending', 'accepted', 'declined')"


class Duo(Base):
    """Two people paired in a cycle (``person_a_id < person_b_id``), with why and who confirmed.

    A pair is confirmed when ``confirmed_at`` is set; a confirmed pair always carries its
    tie-breaker and its review date (about 90 days later). A confirmed duo counts only once both
    people consented: ``a_consent`` and ``b_consent`` are ``pending`` until each partner accepts
    or declines for themselves.
    """

    __tablename__ = "duo"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("review_cycle.id", ondelete="CASCADE"))
    person_a_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    person_b_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON)
    tie_breaker: Mapped[str | None] = mapped_column(Text)
    review_date: Mapped[dt.date | None] = mapped_column(Date)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    confirmed_by: Mapped[str | None] = mapped_column(Text)
    a_consent: Mapped[str] = mapped_column(String(10), default="pending", server_default="pending")
    a_consent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    b_consent: Mapped[str] = mapped_column(String(10), default="pending", server_default="pending")
    b_consent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    cycle: Mapped[ReviewCycle] = relationship()
    person_a: Mapped[Person] = relationship(foreign_keys=[person_a_id])
    person_b: Mapped[Person] = relationship(foreign_keys=[person_b_id])

    __table_args__ = (
        UniqueConstraint("cycle_id", "person_a_id", "person_b_id"),
        CheckConstraint("person_a_id < person_b_id", name="ordered_pair"),
        CheckConstraint(
            "confirmed_at IS NULL OR (tie_breaker IS NOT NULL AND review_date IS NOT NULL)",
            name="confirmed_complete",
        ),
        CheckConstraint(f"a_consent IN {_CONSENTS}", name="a_consent"),
        CheckConstraint(f"b_consent IN {_CONSENTS}", name="b_consent"),
    )
