"""A team's vision: its statement, its postcard from the future and the day it looks to."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.flow.engine import parse_day
from tandem.why.goals import fields, records
from tandem.why.goals.models import Vision
from tandem.why.goals.schemas import VisionOut
from tandem.why.scope import find_team


def set_vision(
    *,
    session: Session,
    team: int | str,
    statement: str,
    postcard: str = "",
    horizon: dt.date | str | None = None,
    author_id: int | None = None,
) -> VisionOut:
    """Set (or replace) the team's vision statement, postcard from the future and its date."""
    found = find_team(session, team)
    text = fields.text(statement, "statement", fields.MAX_STATEMENT, required=True)
    card = fields.text(postcard, "postcard", fields.MAX_TEXT)
    day = parse_day(horizon, "horizon")
    vision = session.scalar(select(Vision).where(Vision.team_id == found.id))
    if vision is None:
        vision = Vision(team_id=found.id, statement=text)
        session.add(vision)
    vision.statement, vision.postcard, vision.horizon = text, card, day
    vision.updated_by_id = author_id
    vision.updated_at = dt.datetime.now(dt.UTC)
    session.flush()
    return records.vision_out(vision, session)


def show_vision(*, session: Session, team: int | str) -> VisionOut | None:
    """The team's vision, or None when it has none yet."""
    found = find_team(session, team)
    vision = session.scalar(select(Vision).where(Vision.team_id == found.id))
    return None if vision is None else records.vision_out(vision, session)
