"""Every toolkit service checks the day it answers for (manage/days.py): a far day is an
InputError naming the field, never an OverflowError from a window counted back or on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tandem.errors import InputError
from tandem.manage.concerns import service as concerns
from tandem.manage.conflicts import service as conflicts
from tandem.manage.feedback import service as feedback
from tandem.manage.one_on_ones import service as one_on_ones
from tandem.profile.visibility import Viewer
from tests.manage.org import make_org

FAR = (dt.date(1, 1, 1), dt.date(1899, 12, 31), dt.date(2200, 1, 1), dt.date(9999, 12, 31))


def calls(viewer: Viewer) -> list[tuple[str, str, Callable[[Session, dt.date], Any]]]:
    director = Viewer(role="director")
    return [
        ("feedback cadence", "as_of",
         lambda s, d: feedback.cadence(session=s, viewer=viewer, as_of=d)),
        ("feedback counts", "as_of", lambda s, d: feedback.counts(session=s, as_of=d)),
        ("feedback of a person", "as_of",
         lambda s, d: feedback.person_counts(session=s, person_id=1, as_of=d)),
        ("1:1 pairs", "as_of",
         lambda s, d: one_on_ones.list_pairs(session=s, viewer=viewer, as_of=d)),
        ("1:1 counts", "as_of", lambda s, d: one_on_ones.counts(session=s, as_of=d)),
        ("concerns overview", "as_of",
         lambda s, d: concerns.overview(session=s, viewer=director, as_of=d)),
        ("conflict cases", "today",
         lambda s, d: conflicts.list_cases(session=s, viewer=viewer, today=d)),
    ]  # fmt: skip


def test_a_far_day_is_refused_naming_its_field(db_session: Session) -> None:
    org = make_org(db_session)
    for name, field, call in calls(org.viewer("max")):
        call(db_session, dt.date(2026, 3, 31))  # a day in range answers
        for far in FAR:
            with pytest.raises(InputError) as refused:
                call(db_session, far)
            assert refused.value.field == field, (name, far)
            assert "give a day between 1900-01-01 and 2199-12-31" in refused.value.message
