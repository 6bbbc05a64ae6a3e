"""ORM model of the audit log: one append-only row per sensitive read or write."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tandem.db.base import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    """Who did what, when, about whom: never the sensitive content itself.

    ``actor`` is ``user:<id>`` (a web user), ``cli:<os user>`` (the command line) or ``system``.
    The person ids carry no foreign key on purpose: an event outlives the person it is about
    (``people.forget`` keeps the former id, nothing else).
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40), index=True)
    subject_person_id: Mapped[int | None] = mapped_column(Integer, index=True)
    related_person_id: Mapped[int | None] = mapped_column(Integer, index=True)
    target: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
