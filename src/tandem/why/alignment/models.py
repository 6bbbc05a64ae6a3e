"""ORM models of alignment: rules that link work to goals, and people's decisions on links."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tandem.db.base import Base, UTCDateTime, utcnow
from tandem.why.goals.models import Goal

RULE_KINDS = ("label", "parent", "path", "keyword", "source", "item_type")


class AlignmentRule(Base):
    """A rule linking work items to a goal: a label, an epic/parent, a changed path, a keyword
    in the title, a source or an item type (``pattern`` is matched as the rule kind says)."""

    __tablename__ = "alignment_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    pattern: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    goal: Mapped[Goal] = relationship()

    __table_args__ = (
        CheckConstraint(
            "kind IN ('label', 'parent', 'path', 'keyword', 'source', 'item_type')", name="kind"
        ),
        UniqueConstraint("goal_id", "kind", "pattern"),
    )


class AlignmentLink(Base):
    """A person's decision on one work item and one goal: ``accepted`` links it (a suggestion
    taken or a link made by hand), ``rejected`` unlinks it even where a rule matches."""

    __tablename__ = "alignment_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal.id", ondelete="CASCADE"), index=True)
    object_id: Mapped[str] = mapped_column(String(400), index=True)  # a lake object
    decision: Mapped[str] = mapped_column(String(10))
    origin: Mapped[str] = mapped_column(String(10))  # suggestion | manual
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    goal: Mapped[Goal] = relationship()

    __table_args__ = (
        CheckConstraint("decision IN ('accepted', 'rejected')", name="decision"),
        CheckConstraint("origin IN ('suggestion', 'manual')", name="origin"),
        UniqueConstraint("goal_id", "object_id"),
    )
