"""Pydantic shapes of users and sessions, shared by the CLI, the web app and tests."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel


class UserOut(BaseModel):
    """A web user as shown to people (never the password hash)."""

    id: int
    email: str
    role: str
    team_id: int | None
    team_name: str | None
    person_id: int | None
    display_name: str
    is_active: bool
    created_at: dt.datetime
    password_changed_at: dt.datetime


class NewSession(BaseModel):
    """A session just created: ``token`` goes into the cookie and is never stored as is."""

    id: int
    token: str
    csrf_token: str
    expires_at: dt.datetime


class SignedIn(BaseModel):
    """The user behind a valid session cookie, with that session's CSRF token."""

    user: UserOut
    session_id: int
    csrf_token: str
    expires_at: dt.datetime
