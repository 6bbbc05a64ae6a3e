"""Pydantic shapes of people and identities, shared by the CLI, the API and tests."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


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


class TeamOut(BaseModel):
    """A team and how many people are in it."""

    id: int
    name: str
    members: int


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


class PersonExport(BaseModel):
    """Everything Tandem's app database holds about one person (``tandem people export``).

    Reports are as the person sees them (every suppression rule kept); answers are only the
    ones the person gave; nothing names another rater.
    """

    format: str
    exported_at: str
    person: dict[str, Any]
    identities: list[IdentityOut]
    memberships: list[dict[str, Any]]
    cycle_memberships: list[dict[str, Any]]  # the teams as frozen for each review cycle
    user_account: dict[str, Any] | None
    reports: list[dict[str, Any]]
    answers_given: list[dict[str, Any]]
    form_timing: list[dict[str, Any]]  # time the person's web rating forms took (speeding)
    rankings_given: list[dict[str, Any]]
    comments_given: list[dict[str, Any]] = Field(default_factory=list)  # the person wrote them
    nominations: list[dict[str, Any]] = []  # as ratee or as rater; no other person named
    plans: list[dict[str, Any]]
    duos: list[dict[str, Any]]
    shares: list[dict[str, Any]]
    feedback: list[dict[str, Any]] = []  # given and received (the manager's toolkit)
    one_on_ones: list[dict[str, Any]] = []  # their pairs; private notes only their own
    # the why (tandem.why.personal_data): no other person named unless they gave to or got from
    kudos_given: list[dict[str, Any]] = []  # with whom they recognised (they chose them)
    kudos_received: list[dict[str, Any]] = []  # with the giver; other recipients counted only
    checkins: list[dict[str, Any]] = []
    goals_owned: list[dict[str, Any]] = []
    experiments_owned: list[dict[str, Any]] = []
    delegation_levels_set: list[dict[str, Any]] = []
    alignment_decisions: list[dict[str, Any]] = []
    naming_consent: dict[str, Any] | None = None  # their choice to be named in stories
    audit_events: list[dict[str, Any]]
    notes: list[str]
    # the manager's toolkit (issue 13): named concerns raised and answers written (anonymous
    # items are linked to no one); conflict cases only in an export the person makes themself
    concerns: dict[str, Any] = Field(default_factory=dict)
    conflict_cases: list[dict[str, Any]] = Field(default_factory=list)


class ForgetReport(BaseModel):
    """What ``tandem people forget`` removed and kept, by count (the person's name is not kept).

    ``*_anonymised``: closed-cycle rows they gave, now under the anonymous rater;
    ``*_kept``: closed-cycle rows about them, now under the former-member stand-in.
    """

    former_person_id: int
    answers_deleted: int
    answers_anonymised: int
    answers_kept: int
    rankings_deleted: int
    rankings_anonymised: int
    rankings_kept: int
    comments_deleted: int = 0
    comments_anonymised: int = 0
    comments_kept: int = 0
    comments_scrubbed: int = 0  # other comments that named them: the name replaced
    roster_rows_kept: int
    identities_unlinked: int
    memberships_removed: int
    plans_removed: int
    duos_removed: int
    shares_removed: int
    shares_kept: int
    user_removed: bool
    feedback_removed: int = 0  # feedback they gave or received
    one_on_one_pairs_removed: int = 0  # with meetings, agenda, actions, both partners' notes
    kudos_removed: int = 0  # kudos that recognised them alone
    kudos_recipient_removed: int = 0  # kudos with other recipients: they were taken off
    kudos_giver_removed: int = 0  # kudos they gave: kept for the recipients, giver cleared
    why_entries_detached: int = 0  # check-ins, goals, experiments, delegation, alignment, vision
    why_texts_scrubbed: int = 0  # kudos texts and check-in notes that named them
    concerns_deleted: int = 0  # concerns and questions they raised by name, with their answers
    concern_answers_unlinked: int = 0  # answers they wrote: kept for the team, author removed
    anonymous_rater_id: int | None
    former_member_id: int | None
