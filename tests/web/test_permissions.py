"""Every action's rule, for every role, on the own team, another team and people (DESIGN §7)."""

from __future__ import annotations

import datetime as dt

import pytest

from tandem.accounts.errors import PermissionDeniedError
from tandem.accounts.schemas import UserOut
from tandem.web.permissions import (
    ACTIONS,
    DuoResource,
    PersonResource,
    RatingResource,
    TeamResource,
    allowed,
    ensure_allowed,
    linked_person_id,
)

OWN, OTHER = 1, 2
ME, MY_REPORT, STRANGER = 10, 11, 12
ROLES = ("admin", "director", "leader", "manager", "member")
ALL = set(ROLES)

# action -> (roles allowed on their own team / globally, roles allowed on another team)
TEAM_OR_GLOBAL: dict[str, tuple[set[str], set[str]]] = {
    "public": (ALL, ALL),
    "view_home": (ALL, ALL),
    "manage_own_account": (ALL, ALL),
    "view_how": ({"director", "leader", "manager", "member"}, {"director"}),
    "view_duos": ({"director", "leader", "manager"}, {"director"}),
    "confirm_duo": ({"director", "leader", "manager"}, {"director"}),
    "view_coverage": ({"leader", "manager"}, set()),  # directors: aggregates only (org view)
    "view_org_coverage": ({"director", "admin"}, {"director", "admin"}),
    "view_premise": ({"director", "admin"}, {"director", "admin"}),  # org aggregates only
    "admin_users": ({"admin"}, {"admin"}),
    "admin_sources": ({"admin"}, {"admin"}),
    "view_audit": ({"admin"}, {"admin"}),
    "admin_review": ({"admin"}, {"admin"}),
    "choose_raters": (ALL, ALL),  # one's own raters; the service checks the line manager
    "view_why": ({"director", "leader", "manager", "member"}, {"director"}),
    "edit_why": ({"leader", "manager"}, set()),  # the team's pair, never another team's
    "give_kudos": ({"leader", "manager", "member"}, set()),
    # the manager's toolkit: people in a team role (any team); the service decides which
    # records are theirs (giver/receiver/manager, the pair, a note's author)
    "use_feedback": ({"leader", "manager", "member"}, {"leader", "manager", "member"}),
    "use_one_on_ones": ({"leader", "manager", "member"}, {"leader", "manager", "member"}),
    "view_manage_counts": ({"director", "admin"}, {"director", "admin"}),  # aggregates only
    "read_kudos": ({"leader", "manager", "member"}, set()),  # directors: counts (view_why)
    "plan_allocation": (ALL - {"member"}, ALL - {"member"}),  # a plan the user sends, no team's
    # the manager's toolkit: concerns are the team's (directors: counts only); a conflict case
    # may be asked for by any person, the service shows it to its parties and facilitator only
    "view_concerns": ({"leader", "manager", "member"}, set()),
    "raise_concern": ({"leader", "manager", "member"}, set()),
    "answer_concern": ({"leader", "manager"}, set()),
    "view_concern_counts": ({"director", "admin"}, {"director", "admin"}),
    "conflict_cases": (ALL, ALL),
    # check-ins: the page for everyone (it shows what each may read); a person's check-in to
    # people in a team role (the service admits the person and their line manager); a team's
    # to its leader and manager, to directors and admins any team (bands only)
    "view_checkins": (ALL, ALL),
    "read_person_checkin": ({"leader", "manager", "member"}, {"leader", "manager", "member"}),
    "read_team_checkin": ({"admin", "director", "leader", "manager"}, {"admin", "director"}),
}
PERSON_ACTIONS = {"view_profile", "rate_colleague", "respond_duo"}


def user(role: str, *, active: bool = True, person_id: int | None = ME) -> UserOut:
    team = OWN if role in ("leader", "manager", "member") else None
    now = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    return UserOut(
        id=1, email=f"{role}@x.org", role=role, team_id=team, team_name=None,
        person_id=person_id, display_name=role, is_active=active, created_at=now,
        password_changed_at=now,
    )  # fmt: skip


def test_every_action_has_expectations() -> None:
    assert set(ACTIONS) == set(TEAM_OR_GLOBAL) | PERSON_ACTIONS


@pytest.mark.parametrize("role", ROLES)
def test_conflict_cases_need_a_person(role: str) -> None:
    assert not allowed(user(role, person_id=None), "conflict_cases")


@pytest.mark.parametrize("action", sorted(TEAM_OR_GLOBAL))
@pytest.mark.parametrize("role", ROLES)
def test_team_and_global_actions(action: str, role: str) -> None:
    own, other = TEAM_OR_GLOBAL[action]
    assert allowed(user(role), action, TeamResource(OWN)) is (role in own)
    assert allowed(user(role), action, TeamResource(OTHER)) is (role in other)
    assert allowed(user(role), action) is (role in own)  # no resource: one's own team


@pytest.mark.parametrize("role", ROLES)
def test_profiles_are_their_owners_and_shared_reports_their_managers(role: str) -> None:
    me = user(role)
    assert allowed(me, "view_profile", PersonResource(ME))
    assert not allowed(me, "view_profile", PersonResource(STRANGER))
    unshared = PersonResource(MY_REPORT, manager_person_id=ME, shared_with_person_id=None)
    shared = PersonResource(MY_REPORT, manager_person_id=ME, shared_with_person_id=ME)
    someone_elses = PersonResource(STRANGER, manager_person_id=99, shared_with_person_id=99)
    individuals = role not in ("director", "admin")  # they see aggregates only, shared or not
    assert not allowed(me, "view_profile", unshared)
    assert allowed(me, "view_profile", shared) is individuals
    assert not allowed(me, "view_profile", someone_elses)
    # the right follows the recorded recipient, not the role: a later manager gets nothing,
    # the earlier one keeps it
    reorganised = PersonResource(MY_REPORT, manager_person_id=ME, shared_with_person_id=99)
    moved_away = PersonResource(MY_REPORT, manager_person_id=99, shared_with_person_id=ME)
    assert not allowed(me, "view_profile", reorganised)
    assert allowed(me, "view_profile", moved_away) is individuals
    assert not allowed(user(role, person_id=None), "view_profile", PersonResource(ME))


@pytest.mark.parametrize("role", ROLES)
def test_ratings_only_by_the_assigned_rater_and_never_of_oneself(role: str) -> None:
    me = user(role)
    assert allowed(me, "rate_colleague", RatingResource(ME, MY_REPORT))
    assert not allowed(me, "rate_colleague", RatingResource(STRANGER, MY_REPORT))
    assert not allowed(me, "rate_colleague", RatingResource(ME, ME))
    assert not allowed(me, "rate_colleague", TeamResource(OWN))
    # no open cycle assigns it: refused, and the registry says why
    assert not allowed(me, "rate_colleague", RatingResource(ME, MY_REPORT, assigned=False))


def test_a_refusal_carries_the_action_s_message() -> None:
    me = user("member")
    with pytest.raises(PermissionDeniedError, match="not assigned to rate this person"):
        ensure_allowed(me, "rate_colleague", RatingResource(ME, MY_REPORT, assigned=False))
    with pytest.raises(PermissionDeniedError, match="your role does not give access"):
        ensure_allowed(me, "rate_colleague", RatingResource(ME, ME))
    with pytest.raises(PermissionDeniedError, match="your role does not give access"):
        ensure_allowed(user("admin"), "view_how", TeamResource(0))  # all work data
    ensure_allowed(user("director"), "view_how", TeamResource(0))
    assert linked_person_id(me, "view_profile") == ME
    with pytest.raises(PermissionDeniedError):
        linked_person_id(user("member", person_id=None), "rate_colleague")


def test_deny_by_default() -> None:
    assert not allowed(user("admin"), "no_such_action")
    assert not allowed(None, "view_home")
    assert allowed(None, "public")
    assert not allowed(user("admin", active=False), "admin_users")
    teamless_leader = user("leader").model_copy(update={"team_id": None})
    assert not allowed(teamless_leader, "view_how")
    assert not allowed(teamless_leader, "view_how", TeamResource(OWN))


@pytest.mark.parametrize("role", ROLES)
def test_a_duo_is_answered_by_its_partners_only(role: str) -> None:
    me = user(role)
    assert allowed(me, "respond_duo", DuoResource(1, (ME, STRANGER)))
    assert not allowed(me, "respond_duo", DuoResource(1, (MY_REPORT, STRANGER)))
    assert not allowed(me, "respond_duo", TeamResource(OWN))
    assert not allowed(user(role, person_id=None), "respond_duo", DuoResource(1, (ME, STRANGER)))


@pytest.mark.parametrize("role", ROLES)
def test_choosing_raters_needs_a_person_unless_admin(role: str) -> None:
    assert allowed(user(role, person_id=None), "choose_raters") is (role == "admin")


@pytest.mark.parametrize("action", ["use_feedback", "use_one_on_ones", "read_person_checkin"])
@pytest.mark.parametrize("role", ROLES)
def test_the_toolkit_needs_a_person(action: str, role: str) -> None:
    assert not allowed(user(role, person_id=None), action)
