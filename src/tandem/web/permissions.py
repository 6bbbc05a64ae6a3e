"""Who may do what: one registry of actions and one :func:`allowed` check, deny by default.

Every route declares its action through :func:`requires`, attached at router level; the app
refuses to start when a route has none (:func:`check_every_route`). Rules follow DESIGN §7:
team roles see their own team, directors see every team's aggregates, admins run the install,
and a person's profile is theirs (their manager sees it only once they share it).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from tandem.accounts.errors import AuthenticationError, PermissionDeniedError
from tandem.accounts.schemas import UserOut
from tandem.profile.visibility import INDIVIDUAL_ROLES, Viewer
from tandem.web.csrf import check_csrf
from tandem.web.deps import Config, DbSession, OptionalSignedIn, parse_id
from tandem.web.nul import refuse_nul


class ScopeKind(enum.StrEnum):
    """What an action is about: nothing (public), the whole install, a team, or a person."""

    PUBLIC = "public"
    GLOBAL = "global"
    TEAM = "team"
    SELF = "self"


@dataclass(frozen=True)
class TeamResource:
    """A team's data (flow, duos, coverage)."""

    team_id: int


@dataclass(frozen=True)
class PersonResource:
    """One person's data; ``shared_with_person_id``: whom the ratee shared the cycle's report with.

    The reader right follows the recorded recipient, not the role: ``manager_person_id`` (the
    line manager today) grants nothing by itself.
    """

    person_id: int
    manager_person_id: int | None = None
    shared_with_person_id: int | None = None


@dataclass(frozen=True)
class RatingResource:
    """A 360 rating of ``ratee`` by ``rater``; ``assigned``: an open cycle assigns it."""

    rater_person_id: int
    ratee_person_id: int
    assigned: bool = True


@dataclass(frozen=True)
class DuoResource:
    """A confirmed duo and its two partners (each answers for themselves)."""

    duo_id: int
    partner_person_ids: tuple[int, int]


Resource = TeamResource | PersonResource | RatingResource | DuoResource
Rule = Callable[[UserOut, Any], bool]
Explain = Callable[[UserOut, Any], str | None]  # why a denial happened, when it is not the role

DENIED = "your role does not give access to this page"


@dataclass(frozen=True)
class Action:
    """A named thing a user may do, what it is scoped to, and the rule deciding it."""

    name: str
    description: str
    scope: ScopeKind
    rule: Rule
    explain: Explain | None = None

    def denial(self, user: UserOut, resource: Any) -> str:
        """The message of a refusal of ``user`` on ``resource``."""
        found = self.explain(user, resource) if self.explain is not None else None
        return found or DENIED


ACTIONS: dict[str, Action] = {}


def register(
    name: str, description: str, scope: ScopeKind, rule: Rule, explain: Explain | None = None
) -> Action:
    """Add an action to the registry (names are unique)."""
    if name in ACTIONS:
        raise ValueError(f"action {name!r} is registered already")
    ACTIONS[name] = action = Action(name, description, scope, rule, explain)
    return action


def _roles(*roles: str) -> Rule:
    return lambda user, _resource: user.role in roles


def _team_rule(*team_roles: str, any_team: tuple[str, ...] = ("director",)) -> Rule:
    def rule(user: UserOut, resource: Any) -> bool:
        if user.role in any_team:
            return True
        team_id = resource.team_id if isinstance(resource, TeamResource) else user.team_id
        return user.role in team_roles and user.team_id is not None and team_id == user.team_id

    return rule


def _own_profile(user: UserOut, resource: Any) -> bool:
    if user.person_id is None:
        return False
    if resource is None:
        return True
    if not isinstance(resource, PersonResource):
        return False
    if resource.person_id == user.person_id:
        return True
    # a share makes its recipient a reader only in a role that may see individuals: directors
    # and admins see aggregates only, even when someone shared with them (DESIGN §7)
    return resource.shared_with_person_id == user.person_id and user.role in INDIVIDUAL_ROLES


def _own_rating(user: UserOut, resource: Any) -> bool:
    if user.person_id is None:
        return False
    if resource is None:
        return True
    return (
        isinstance(resource, RatingResource)
        and resource.assigned
        and resource.rater_person_id == user.person_id
        and resource.ratee_person_id != user.person_id
    )


def _unassigned_rating(_user: UserOut, resource: Any) -> str | None:
    if isinstance(resource, RatingResource) and not resource.assigned:
        return "you are not assigned to rate this person in an open cycle"
    return None


def _own_duo(user: UserOut, resource: Any) -> bool:
    if user.person_id is None:
        return False
    if resource is None:
        return True
    return isinstance(resource, DuoResource) and user.person_id in resource.partner_person_ids


def viewer_of(user: UserOut) -> Viewer:
    """The signed-in user as the services' viewer: what they may see of a person's results."""
    return Viewer(person_id=user.person_id, role=user.role)


ALL_ROLES = ("admin", "director", "leader", "manager", "member")

PUBLIC = register("public", "Pages anyone may open: sign-in, first-run setup, API schema.",
                  ScopeKind.PUBLIC, lambda _user, _resource: True)  # fmt: skip
VIEW_HOME = register("view_home", "The home page.", ScopeKind.GLOBAL, _roles(*ALL_ROLES))
MANAGE_OWN_ACCOUNT = register(
    "manage_own_account",
    "One's own account: who am I, change password, sign out.",
    ScopeKind.SELF,
    _roles(*ALL_ROLES),
)
VIEW_HOW = register(
    "view_how",
    "The team's flow: summary, bottlenecks, process map, aging WIP, forecast.",
    ScopeKind.TEAM,
    _team_rule("leader", "manager", "member"),
)
VIEW_PROFILE = register(
    "view_profile",
    "A person's profile and plan: their own; their manager's only once shared.",
    ScopeKind.SELF,
    _own_profile,
)
RATE_COLLEAGUE = register(
    "rate_colleague",
    "Rate a colleague one is assigned to in a 360 cycle.",
    ScopeKind.SELF,
    _own_rating,
    _unassigned_rating,
)
CHOOSE_RATERS = register(
    "choose_raters",
    "Nominate one's own raters in an open cycle; approve or reject one's direct reports' "
    "nominations (an admin: anyone's). The service checks the line manager.",
    ScopeKind.SELF,
    lambda user, _resource: user.person_id is not None or user.role == "admin",
)
VIEW_DUOS = register(
    "view_duos",
    "Duo suggestions with explanations for a team.",
    ScopeKind.TEAM,
    _team_rule("leader", "manager"),
)
CONFIRM_DUO = register(
    "confirm_duo",
    "Confirm a suggested leader–manager pair for a team.",
    ScopeKind.TEAM,
    _team_rule("leader", "manager"),
)
RESPOND_DUO = register(
    "respond_duo",
    "Accept or decline a confirmed duo one is a partner of, for oneself.",
    ScopeKind.SELF,
    _own_duo,
)
VIEW_COVERAGE = register(
    "view_coverage",
    "Which practices one's own team covers (aggregates, n ≥ 5; names only of who shared with "
    "you). Directors see aggregates only: the org view.",
    ScopeKind.TEAM,
    _team_rule("leader", "manager", any_team=()),
)
VIEW_ORG_COVERAGE = register(
    "view_org_coverage",
    "Coverage and duos across all teams (aggregates only).",
    ScopeKind.GLOBAL,
    _roles("director", "admin"),
)
VIEW_PREMISE = register(
    "view_premise",
    "The essay's premise tested on the organisation's ratings (aggregates only, n ≥ 10, "
    "counts under 5 withheld).",
    ScopeKind.GLOBAL,
    _roles("director", "admin"),
)
ADMIN_USERS = register(
    "admin_users", "Manage users, roles and teams.", ScopeKind.GLOBAL, _roles("admin")
)
ADMIN_SOURCES = register(
    "admin_sources", "Connect sources and see ingest status.", ScopeKind.GLOBAL, _roles("admin")
)
ADMIN_REVIEW = register(
    "admin_review",
    "A review cycle's completion per ratee and rater group, naming pending raters.",
    ScopeKind.GLOBAL,
    _roles("admin"),
)
VIEW_AUDIT = register(
    "view_audit",
    "The audit log: who read whose report, who changed roles, merges, exports, forgets.",
    ScopeKind.GLOBAL,
    _roles("admin"),
)

VIEW_WHY = register(
    "view_why",
    "The team's why: vision, goals and key-result progress, alignment and investment, stories, "
    "kudos and wins, experiments, the change radar, the delegation board, the brief.",
    ScopeKind.TEAM,
    _team_rule("leader", "manager", "member"),
)
EDIT_WHY = register(
    "edit_why",
    "Set the team's vision, goals, key results and check-ins, alignment rules and links, "
    "experiments and the delegation board.",
    ScopeKind.TEAM,
    _team_rule("leader", "manager", any_team=()),
)
READ_KUDOS = register(
    "read_kudos",
    "The team's kudos wall: who recognised whom and what for (the team's own leader, manager "
    "and members; a director reads counts only, through view_why).",
    ScopeKind.TEAM,
    _team_rule("leader", "manager", "member", any_team=()),
)
GIVE_KUDOS = register(
    "give_kudos",
    "Give kudos to colleagues of one's own team; choose whether one is named in stories.",
    ScopeKind.TEAM,
    _team_rule("leader", "manager", "member", any_team=()),
)

PLAN_ALLOCATION = register(
    "plan_allocation",
    "Run the allocation optimiser on a plan one uploads (a recommendation; nothing is stored "
    "and no workspace record is read): leaders, managers, directors and admins.",
    ScopeKind.GLOBAL,
    _roles("leader", "manager", "director", "admin"),
)


def _individual(user: UserOut, _resource: Any) -> bool:
    """A person in a team role: the service decides which records are theirs to read."""
    return user.person_id is not None and user.role in INDIVIDUAL_ROLES


USE_FEEDBACK = register(
    "use_feedback",
    "Give feedback; read what one gave, received, or one's direct reports received; one's "
    "feedback cadence. The service admits the giver, the receiver and the receiver's manager.",
    ScopeKind.SELF,
    _individual,
)
USE_ONE_ON_ONES = register(
    "use_one_on_ones",
    "One's own 1:1s with one's line manager or direct reports: agenda, actions, notes, the "
    ".ics. The service admits the pair's two people only; private notes their author only.",
    ScopeKind.SELF,
    _individual,
)
VIEW_MANAGE_COUNTS = register(
    "view_manage_counts",
    "Counts of feedback and 1:1 pairs across the organisation (aggregates only, n ≥ 5).",
    ScopeKind.GLOBAL,
    _roles("director", "admin"),
)
# The manager's toolkit (issue 13): concerns and questions; conflict cases.
VIEW_CONCERNS = register(
    "view_concerns",
    "The team's concerns and questions with their answers, time to first answer and aging "
    "(the team's people; directors and admins: counts only).",
    ScopeKind.TEAM,
    _team_rule("leader", "manager", "member", any_team=()),
)
RAISE_CONCERN = register(
    "raise_concern",
    "Raise a concern or a question in one's own team (anonymously in a team of 5 or more); "
    "follow an anonymous one by its receipt.",
    ScopeKind.TEAM,
    _team_rule("leader", "manager", "member", any_team=()),
)
ANSWER_CONCERN = register(
    "answer_concern",
    "Answer or close the team's concerns and questions (its managers and leader; the service "
    "checks the item's team).",
    ScopeKind.TEAM,
    _team_rule("leader", "manager", any_team=()),
)
VIEW_CONCERN_COUNTS = register(
    "view_concern_counts",
    "Every team's counts of concerns and questions and time to first answer (no item).",
    ScopeKind.GLOBAL,
    _roles("director", "admin"),
)
# The manager's toolkit (issue 13): performance check-ins.
VIEW_CHECKINS = register(
    "view_checkins",
    "The check-ins page: one's own check-in and one's reports' (people in a team role), a "
    "team's check-in (its leader and manager; directors and admins: bands only).",
    ScopeKind.GLOBAL,
    _roles(*ALL_ROLES),
)
READ_PERSON_CHECKIN = register(
    "read_person_checkin",
    "A person's check-in: key results, feedback and 1:1 cadence. The service admits the person "
    "and their line manager only (anyone else: not found).",
    ScopeKind.SELF,
    _individual,
)
READ_TEAM_CHECKIN = register(
    "read_team_checkin",
    "A team's check-in: its leader and manager (members by name, cadence of their own "
    "reports); directors and admins any team, bands only. Never a ranking.",
    ScopeKind.TEAM,
    _team_rule("leader", "manager", any_team=("director", "admin")),
)
CONFLICT_CASES = register(
    "conflict_cases",
    "Conflict cases one takes part in, as a party or the facilitator: every role may ask, the "
    "service shows a case to its people only (no director, admin or leader outside it).",
    ScopeKind.SELF,
    lambda user, _resource: user.person_id is not None,
)


def allowed(user: UserOut | None, action: Action | str, resource: Resource | None = None) -> bool:
    """Whether ``user`` may do ``action`` on ``resource``; unknown actions and anonymity: no."""
    found = ACTIONS.get(action if isinstance(action, str) else action.name)
    if found is None:
        return False
    if found.scope is ScopeKind.PUBLIC:
        return True
    if user is None or not user.is_active:
        return False
    return bool(found.rule(user, resource))


def ensure_allowed(user: UserOut, action: Action | str, resource: Resource | None = None) -> None:
    """Raise the refusal :func:`allowed` decides, with the action's message (403).

    For a view's second look at a rule its route's guard checked already: the refusal and its
    message come from the registry, never from the view.
    """
    found = ACTIONS[action] if isinstance(action, str) else action
    if not allowed(user, found, resource):
        raise PermissionDeniedError(found.denial(user, resource))


def linked_person_id(user: UserOut, action: Action | str) -> int:
    """The viewer's own person id, for an action whose rule needs one (refused otherwise)."""
    ensure_allowed(user, action)
    if user.person_id is None:  # every such rule refuses this already
        raise PermissionDeniedError("your account is not linked to a person")
    return user.person_id


ResourceLoader = Callable[[Request, Any, UserOut], Resource | None]


def path_resource(request: Request, _db: Any, _user: UserOut) -> Resource | None:
    """The resource named by the path: ``{team_id}`` → team, ``{person_id}`` → person."""
    params = request.path_params
    if "team_id" in params:
        return TeamResource(parse_id(str(params["team_id"]), "team"))
    if "person_id" in params:
        return PersonResource(parse_id(str(params["person_id"]), "person"))
    return None


class Requires:
    """Router-level guard of every route: sign-in (401), then CSRF (403), then the action (403).

    CSRF is checked here rather than in a separate app-wide dependency so that an anonymous
    request is told to sign in first; since every route must carry exactly one guard
    (:func:`check_every_route`), every state-changing request is still checked.
    """

    def __init__(self, action: Action, load: ResourceLoader = path_resource) -> None:
        self.action = action
        self.load = load

    async def __call__(
        self, request: Request, current: OptionalSignedIn, db: DbSession, config: Config
    ) -> None:
        public = self.action.scope is ScopeKind.PUBLIC
        if current is None and not public:
            raise AuthenticationError("sign in first")
        await check_csrf(request, current, config)
        await refuse_nul(request)
        if current is None or public:
            return
        resource = await run_in_threadpool(self.load, request, db, current.user)
        ensure_allowed(current.user, self.action, resource)


def requires(action: Action | str, load: ResourceLoader = path_resource) -> Requires:
    """The dependency guarding a router with ``action`` (``Depends(requires(...))``)."""
    found = ACTIONS[action] if isinstance(action, str) else action
    return Requires(found, load)


def route_action(route: BaseRoute) -> Action | None:
    """The action guarding ``route`` (``None`` when it has none, or several)."""
    if not isinstance(route, APIRoute):
        return None
    guards = [d.call for d in route.dependant.dependencies if isinstance(d.call, Requires)]
    return guards[0].action if len(guards) == 1 else None


def iter_routes(routes: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, BaseRoute]]:
    """Every route with its full path, looking into included routers."""
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI keeps includes lazily
        if included is not None:
            context = getattr(route, "include_context", None)
            yield from iter_routes(included.routes, prefix + getattr(context, "prefix", ""))
        else:
            yield prefix + str(getattr(route, "path", "")), route


def check_every_route(routes: list[BaseRoute], *, exempt: tuple[str, ...] = ()) -> None:
    """Deny by default: raise when a route is not guarded by exactly one action."""
    for path, route in iter_routes(routes):
        if path not in exempt and route_action(route) is None:
            raise RuntimeError(f"route {path!r} has no action; add Depends(requires(...))")
