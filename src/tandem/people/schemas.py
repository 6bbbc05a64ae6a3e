"""Pydantic shapes of people and identities, shared by the CLI, the API and tests."""

from __future__ import annotations

from pydantic import BaseModel


class IdentitySeen(BaseModel):
    """One identity as a source saw it (a row of the lake's ``identities`` table)."""

    identity_key: str
    source: str
    kind: str
    display_name: str | None
    is_bot: bool


class IdentityOut(BaseModel):
    """One identity as shown to users."""

    identity_key: str
    source: str
    kind: str
    display_name: str | None
    is_bot: bool
    linked_by: str


class PersonOut(BaseModel):
    """A person with their identities and teams."""

    id: int
    display_name: str
    email: str | None
    is_bot: bool
    identities: list[IdentityOut]
    teams: dict[str, str]


class SyncReport(BaseModel):
    """What an identity sync did."""

    identities_seen: int
    identities_added: int
    people_added: int
    auto_linked: int


class RosterReport(BaseModel):
    """What a roster import did (people are matched by email)."""

    rows: int
    people_created: int
    people_updated: int
    people_unchanged: int
    teams_created: int
    memberships_removed: int
