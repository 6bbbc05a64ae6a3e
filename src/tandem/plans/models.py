"""ORM models of development plans: a plan per person and cycle, its actions and their progress."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tandem.db.base import Base, UTCDateTime, utcnow
from tandem.people.models import Person
from tandem.review.models import ReviewCycle


class ActionStatus(enum.StrEnum):
    """Where a plan action stands."""

    PLANNED = "planned"
    DOING = "doing"
    DONE = "done"
    DROPPED = "dropped"


_STATUS_CHECK = "status IN ('planned', 'doing', 'done', 'dropped')"


class DevelopmentPlan(Base):
    """A plan to develop a person's weaker side, built from one review cycle."""

    __tablename__ = "development_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("review_cycle.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    plan_date: Mapped[dt.date] = mapped_column(Date)
    weaker_side: Mapped[str] = mapped_column(String(10))

    person: Mapped[Person] = relationship()
    cycle: Mapped[ReviewCycle] = relationship()
    actions: Mapped[list[PlanAction]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanAction.id"
    )

    __table_args__ = (CheckConstraint("weaker_side IN ('leader', 'manager')", name="weaker_side"),)


class PlanAction(Base):
    """One concrete action of a plan: behaviour, cadence, evidence and when to re-rate."""

    __tablename__ = "plan_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("development_plan.id", ondelete="CASCADE"), index=True
    )
    practice: Mapped[str] = mapped_column(String(40))
    action_id: Mapped[str] = mapped_column(String(80))
    behaviour: Mapped[str] = mapped_column(Text)
    cadence: Mapped[str] = mapped_column(String(200))
    evidence: Mapped[str] = mapped_column(Text)
    rerate_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=ActionStatus.PLANNED.value)

    plan: Mapped[DevelopmentPlan] = relationship(back_populates="actions")
    progress: Mapped[list[PlanProgress]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="PlanProgress.id"
    )

    __table_args__ = (CheckConstraint(_STATUS_CHECK, name="status"),)


class PlanProgress(Base):
    """A note on an action's progress, with the status it moved to."""

    __tablename__ = "plan_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_action_id: Mapped[int] = mapped_column(
        ForeignKey("plan_action.id", ondelete="CASCADE"), index=True
    )
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))

    action: Mapped[PlanAction] = relationship(back_populates="progress")

    __table_args__ = (CheckConstraint(_STATUS_CHECK, name="status"),)
