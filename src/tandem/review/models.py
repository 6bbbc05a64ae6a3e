"""ORM models of 360 review cycles: who rates whom, their answers and the forced-ranking block."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tandem.db.base import Base, UTCDateTime, utcnow
from tandem.people.models import Person


class CycleStatus(enum.StrEnum):
    """Whether a cycle still accepts assignments and answers."""

    OPEN = "open"
    CLOSED = "closed"


class Relation(enum.StrEnum):
    """How the rater stands to the ratee (``report``: a direct report rating their manager)."""

    SELF = "self"
    MANAGER = "manager"
    PEER = "peer"
    REPORT = "report"


RELATIONS: tuple[str, ...] = tuple(r.value for r in Relation)
_RELATION_CHECK = "relation IN ('self', 'manager', 'peer', 'report')"
# A rater rates themself exactly when the relation is "self".
_SELF_CHECK = "(relation = 'self') = (ratee_id = rater_id)"


class ReviewCycle(Base):
    """One round of 360 reviews, pinned to the item bank version it was created with."""

    __tablename__ = "review_cycle"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=CycleStatus.OPEN.value)
    item_bank_version: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # when raters should have answered by (reminders, the overdue marker); None: no date
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    # planned missingness: each rater other than self answers this many items of each practice
    # (a balanced rotation, tandem.review.subsets); None: every item
    items_per_practice: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (CheckConstraint("status IN ('open', 'closed')", name="status"),)


class ReviewAssignment(Base):
    """A rater asked to rate a ratee in a cycle, in one relation."""

    __tablename__ = "review_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("review_cycle.id", ondelete="CASCADE"))
    ratee_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    rater_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(String(10))
    # web form timing (tandem.review.quality's speeding flag): the seconds from each signed form
    # opening to its save, summed, and the answers those saves posted
    form_seconds: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    timed_answers: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # planned missingness (tandem.review.subsets): the rater's share, numbered per ratee and
    # relation when assigned and never renumbered; None for self (asked every item)
    rotation: Mapped[int | None] = mapped_column(Integer, nullable=True)

    cycle: Mapped[ReviewCycle] = relationship()
    ratee: Mapped[Person] = relationship(foreign_keys=[ratee_id])
    rater: Mapped[Person] = relationship(foreign_keys=[rater_id])

    __table_args__ = (
        UniqueConstraint("cycle_id", "ratee_id", "rater_id"),
        CheckConstraint(_RELATION_CHECK, name="relation"),
        CheckConstraint(_SELF_CHECK, name="self_rater"),
    )


class ReviewResponse(Base):
    """One answer: a rater's frequency rating (1–5) of a ratee on one item; NULL = can't observe."""

    __tablename__ = "review_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("review_cycle.id", ondelete="CASCADE"))
    ratee_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    rater_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(String(10))
    item_id: Mapped[str] = mapped_column(String(40))
    value: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("cycle_id", "ratee_id", "rater_id", "item_id"),
        CheckConstraint("value BETWEEN 1 AND 5", name="value"),
        CheckConstraint(_RELATION_CHECK, name="relation"),
        CheckConstraint(_SELF_CHECK, name="self_rater"),
    )


class RankingKind(enum.StrEnum):
    """Which end of the forced ranking a practice was put at."""

    STRONGEST = "strongest"
    WEAKEST = "weakest"


class ForcedRanking(Base):
    """The optional forced-ranking block: a rater's 3 strongest and 3 weakest practices."""

    __tablename__ = "forced_ranking"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("review_cycle.id", ondelete="CASCADE"))
    ratee_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    rater_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    practice: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(10))
    rank: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint("cycle_id", "ratee_id", "rater_id", "kind", "rank"),
        CheckConstraint("kind IN ('strongest', 'weakest')", name="kind"),
        CheckConstraint("rank BETWEEN 1 AND 3", name="rank"),
    )


COMMENT_MAX_CHARS = 1000  # a comment's length limit, in characters after trimming


class ReviewComment(Base):
    """A rater's free-text comment on one practice of one ratee in a cycle (never self).

    Tied to the rater's assignment by (cycle, ratee, rater), the key the answers use too, so that
    merge and forget move, keep or delete it with them. No timestamp: nothing may order the
    comments by when they were written (docs/people-science.md, "Comments").
    """

    __tablename__ = "review_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("review_cycle.id", ondelete="CASCADE"))
    ratee_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    rater_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(String(10))
    practice: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("cycle_id", "ratee_id", "rater_id", "practice"),
        CheckConstraint("relation IN ('manager', 'peer', 'report')", name="relation"),
        CheckConstraint("ratee_id <> rater_id", name="not_self"),
        CheckConstraint(f"length(text) BETWEEN 1 AND {COMMENT_MAX_CHARS}", name="text_length"),
    )


class NominationStatus(enum.StrEnum):
    """Where a rater nomination stands: waiting for the manager, approved or rejected."""

    NOMINATED = "nominated"
    APPROVED = "approved"
    REJECTED = "rejected"


class NominatedBy(enum.StrEnum):
    """Who put the rater forward: the ratee, their manager, or an admin (the operator)."""

    RATEE = "ratee"
    MANAGER = "manager"
    ADMIN = "admin"


class ReviewNomination(Base):
    """A rater put forward for a ratee in a cycle; its approval creates the assignment."""

    __tablename__ = "review_nomination"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("review_cycle.id", ondelete="CASCADE"))
    ratee_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    rater_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default=NominationStatus.NOMINATED.value)
    nominated_by: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(String(500))  # the manager's, on a decision
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("cycle_id", "ratee_id", "rater_id"),
        CheckConstraint("relation IN ('manager', 'peer', 'report')", name="relation"),
        CheckConstraint("status IN ('nominated', 'approved', 'rejected')", name="status"),
        CheckConstraint("nominated_by IN ('ratee', 'manager', 'admin')", name="nominated_by"),
        CheckConstraint("ratee_id <> rater_id", name="not_self"),
    )
