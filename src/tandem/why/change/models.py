"""ORM model of an experiment: a hypothesis tested on the team's way of working."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tandem.db.base import Base, UTCDateTime, utcnow
from tandem.people.models import Person, Team

EXPERIMENT_STATUSES = ("running", "concluded", "abandoned")
RESULTS = ("supported", "refuted", "inconclusive")


class Experiment(Base):
    """An experiment (DESIGN §3, practice 4): hypothesis, owner, start, the measure (optionally a
    metric contract, :class:`tandem.why.goals.metrics.MetricSpec` as JSON) and its outcome."""

    __tablename__ = "experiment"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    hypothesis: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)  # planned end; null = open-ended
    measure: Mapped[str] = mapped_column(Text, default="")
    metric: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    status: Mapped[str] = mapped_column(String(10), default="running")
    result: Mapped[str | None] = mapped_column(String(12))
    outcome: Mapped[str] = mapped_column(Text, default="")
    concluded_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team] = relationship()
    owner: Mapped[Person | None] = relationship()

    __table_args__ = (
        CheckConstraint("status IN ('running', 'concluded', 'abandoned')", name="status"),
        CheckConstraint(
            "result IS NULL OR result IN ('supported', 'refuted', 'inconclusive')", name="result"
        ),
        CheckConstraint("ends_on IS NULL OR starts_on <= ends_on", name="period"),
    )
