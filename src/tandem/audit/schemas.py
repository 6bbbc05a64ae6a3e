"""Pydantic shapes of the audit log, shared by the CLI, the admin page and its JSON twin."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from pydantic import BaseModel


class AuditAction(enum.StrEnum):
    """The closed registry of audited actions; ``record`` refuses any other name."""

    REPORT_READ = "report.read"  # a 360 report read by anyone but its ratee
    REPORT_SHARE = "report.share"
    REPORT_UNSHARE = "report.unshare"
    USER_ADD = "user.add"
    USER_ROLE = "user.role"
    USER_RESET = "user.reset"  # an admin set a new password
    DUO_CONFIRM = "duo.confirm"
    DUO_RESPOND = "duo.respond"  # a partner accepted or declined (their consent)
    PEOPLE_MERGE = "people.merge"
    PEOPLE_LINK = "people.link"
    PEOPLE_EXPORT = "people.export"
    PEOPLE_FORGET = "people.forget"
    LAKE_DROP = "lake.drop"
    REVIEW_QUALITY = "review.quality"  # the response-quality report, which names raters
    REVIEW_NOMINATE = "review.nominate"  # a rater put forward for a ratee (or added at once)
    REVIEW_DECIDE = "review.decide"  # a nomination approved or rejected
    REVIEW_REMIND = "review.remind"  # a rater reminded of their unfinished forms (once a day)
    REVIEW_COMPLETION = "review.completion"  # the completion view that names pending raters
    FLOW_MAPPING = "flow.mapping"  # a source's status mapping saved into tandem.toml
    STORY_CONSENT = "story.consent"  # a person chose (not) to be named in impact stories
    ALLOCATION_RUN = "allocation.run"  # an allocation plan of named people was optimised
    FEEDBACK_GIVE = "feedback.give"  # ids, kind and lint rules seen: never the text
    FEEDBACK_READ = "feedback.read"  # a manager read feedback their report received
    ONE_ON_ONE_PAIR = "one_on_one.pair"  # a 1:1 pair started or its cadence changed
    CONCERN_RAISE = "concern.raise"  # a named concern or question (anonymous ones: no event)
    CONCERN_ANSWER = "concern.answer"
    CONCERN_CLOSE = "concern.close"
    CHECKIN_READ = "checkin.read"  # a line manager read a report's check-in (ids only)


ACTION_NAMES: tuple[str, ...] = tuple(a.value for a in AuditAction)


class AuditEventOut(BaseModel):
    """One audit event; ``actor_label`` names a web user by their current email while they exist."""

    id: int
    at: dt.datetime
    actor: str
    actor_label: str
    action: str
    subject_person_id: int | None
    related_person_id: int | None
    target: str | None
    detail: dict[str, Any]


class AuditListOut(BaseModel):
    """Audit events, newest first, and how many."""

    events: list[AuditEventOut]
    count: int
