"""ORM models of the vision and goals: a team's vision, its goals, key results and check-ins."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tandem.db.base import Base, UTCDateTime, utcnow
from tandem.people.models import Person, Team

GOAL_STATUSES = ("active", "achieved", "dropped")
KR_KINDS = ("metric", "manual")
DIRECTIONS = ("down", "up")


class Vision(Base):
    """A team's vision statement and its "postcard from the future" (one per team)."""

    __tablename__ = "vision"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), unique=True)
    statement: Mapped[str] = mapped_column(Text)
    postcard: Mapped[str] = mapped_column(Text, default="")
    horizon: Mapped[dt.date | None] = mapped_column(Date)  # the postcard's date
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    team: Mapped[Team] = relationship()


class Goal(Base):
    """A team goal for a period, with its why and, optionally, its target share of the effort."""

    __tablename__ = "goal"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    why: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    # the share of the team's effort this goal should get (0–1), for the investment balance
    target_share: Mapped[float | None] = mapped_column(Float)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default="active")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team] = relationship()
    owner: Mapped[Person | None] = relationship()
    key_results: Mapped[list[KeyResult]] = relationship(
        back_populates="goal", cascade="all, delete-orphan", order_by="KeyResult.id"
    )

    __table_args__ = (
        CheckConstraint("status IN ('active', 'achieved', 'dropped')", name="status"),
        CheckConstraint("starts_on <= ends_on", name="period"),
        CheckConstraint(
            "target_share IS NULL OR (target_share >= 0 AND target_share <= 1)",
            name="target_share",
        ),
    )


class KeyResult(Base):
    """A key result of a goal: bound to a metric contract (``metric``) or entered by hand.

    ``metric`` holds a :class:`tandem.why.goals.metrics.MetricSpec` as JSON for ``kind='metric'``
    (null for ``manual``); ``baseline`` and ``target`` are in the spec's unit, ``direction`` says
    whether lower (``down``) or higher (``up``) is better.
    """

    __tablename__ = "key_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    metric: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    unit: Mapped[str] = mapped_column(String(40), default="")
    direction: Mapped[str] = mapped_column(String(4))
    baseline: Mapped[float | None] = mapped_column(Float)
    target: Mapped[float] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    goal: Mapped[Goal] = relationship(back_populates="key_results")
    checkins: Mapped[list[CheckIn]] = relationship(
        back_populates="key_result", cascade="all, delete-orphan", order_by="CheckIn.id"
    )

    __table_args__ = (
        CheckConstraint("kind IN ('metric', 'manual')", name="kind"),
        CheckConstraint("direction IN ('down', 'up')", name="direction"),
        CheckConstraint(
            "(kind = 'metric' AND metric IS NOT NULL) OR (kind = 'manual' AND metric IS NULL)",
            name="metric_kind",
        ),
    )


class CheckIn(Base):
    """A check-in on a key result: the confidence (0–10) it will be reached, a note, and for a
    manual key result the value entered (a metric key result's value comes from the lake)."""

    __tablename__ = "key_result_checkin"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_result_id: Mapped[int] = mapped_column(
        ForeignKey("key_result.id", ondelete="CASCADE"), index=True
    )
    checked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    value: Mapped[float | None] = mapped_column(Float)
    confidence: Mapped[int] = mapped_column()
    note: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    key_result: Mapped[KeyResult] = relationship(back_populates="checkins")

    __table_args__ = (CheckConstraint("confidence >= 0 AND confidence <= 10", name="confidence"),)
