"""Who acts on the command line for the manager's toolkit: ``--as PERSON``, as the web's user.

The CLI goes through the same service rules as the web: ``--as`` names the person (id or
email) whose view and rights apply, with their web account's role (no account: member). The
operator has no individual's view: without a person, the toolkit's records are not shown.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from tandem.accounts import service as accounts_service
from tandem.audit.service import cli_actor
from tandem.errors import InputError
from tandem.people import service as people_service
from tandem.profile.visibility import OPERATOR, Viewer

__all__ = ["ActingOption", "acting_viewer", "as_of_day", "cli_actor", "viewer_or_operator"]

ActingOption = Annotated[
    str,
    typer.Option(
        "--as",
        help="The person acting (id or email): what they may read and write, as in the web app.",
    ),
]


def acting_viewer(session: Session, ref: str) -> Viewer:
    """The person ``--as`` names, with their account's role (no account: member)."""
    person = people_service.find_person(session=session, ref=ref)
    roles = [
        u.role for u in accounts_service.list_users(session=session) if u.person_id == person.id
    ]
    return Viewer(person_id=person.id, role=roles[0] if roles else "member")


def viewer_or_operator(session: Session, ref: str | None) -> Viewer:
    """:func:`acting_viewer` for ``ref``; without one, the operator (aggregates only, no
    person's records)."""
    return OPERATOR if ref is None else acting_viewer(session, ref)


def as_of_day(text: str | None) -> dt.date:
    """A toolkit command's ``YYYY-MM-DD`` day (none: today, UTC); the services check its range."""
    if text is None:
        return dt.datetime.now(dt.UTC).date()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text!r} is not a date (YYYY-MM-DD)", field="as-of") from None
