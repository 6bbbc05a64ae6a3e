"""The app factory: ``create_app(workspace)`` wires routers, errors, CSRF, headers and assets."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import sessionmaker

from tandem import __version__
from tandem.web import (
    admin,
    admin_flow,
    audit,
    auth,
    coverage,
    duos,
    errors,
    home,
    how,
    manage,
    nominations,
    pages,
    people,
    premise,
    why,
)
from tandem.web.config import WebConfig
from tandem.web.limits import BodyLimitMiddleware
from tandem.web.permissions import (
    ADMIN_USERS,
    MANAGE_OWN_ACCOUNT,
    RATE_COLLEAGUE,
    VIEW_COVERAGE,
    VIEW_DUOS,
    VIEW_HOME,
    VIEW_HOW,
    VIEW_ORG_COVERAGE,
    VIEW_PREMISE,
    VIEW_PROFILE,
    VIEW_WHY,
    check_every_route,
)
from tandem.web.review_cache import ReviewCache, ReviewCacheMiddleware
from tandem.web.security import SecurityHeadersMiddleware
from tandem.web.templating import STATIC, NavItem, make_templates
from tandem.workspace import Workspace

STATIC_PATH = "/static"


def create_app(workspace: Workspace, config: WebConfig | None = None) -> FastAPI:
    """The web app serving ``workspace``; every route is guarded by an action (deny by default)."""
    app = FastAPI(
        title="Tandem",
        version=__version__,
        summary="The leader–manager pair, served from your team's real work data.",
        openapi_url=None,  # served by pages.openapi_document, behind the same guard as all
        docs_url=None,
        redoc_url=None,
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.workspace = workspace
    app.state.config = config or WebConfig()
    app.state.session_factory = sessionmaker(workspace.engine, expire_on_commit=False)
    app.state.templates = make_templates()
    app.state.nav = [
        NavItem("Home", "/", VIEW_HOME.name),
        NavItem("Why", "/why", VIEW_WHY.name),
        NavItem("How", "/how", VIEW_HOW.name),
        NavItem("My profile", "/people/me", VIEW_PROFILE.name),
        NavItem("Rate", "/people/rate", RATE_COLLEAGUE.name),
        NavItem("Duos", "/duos", VIEW_DUOS.name),
        NavItem("Feedback", "/manage/feedback", "use_feedback"),
        NavItem("1:1s", "/manage/one-on-ones", "use_one_on_ones"),
        NavItem("Check-ins", "/manage/check-ins", "view_checkins"),
        NavItem("Concerns", "/manage/concerns", "view_concerns"),
        NavItem("Conflicts", "/manage/conflicts", "conflict_cases"),
        NavItem("Allocation", "/manage/allocation", "plan_allocation"),
        NavItem("Coverage", "/coverage", VIEW_COVERAGE.name),
        NavItem("Org coverage", "/coverage/org", VIEW_ORG_COVERAGE.name),
        NavItem("Premise", "/premise", VIEW_PREMISE.name),
        NavItem("Admin", "/admin", ADMIN_USERS.name),
        NavItem("Password", "/account/password", MANAGE_OWN_ACCOUNT.name),
    ]
    app.state.review_cache = ReviewCache(workspace.engine)
    errors.install(app)
    # Outermost last: headers on every answer (a 413 and a 500 too), the body cap before parsing.
    app.add_middleware(ReviewCacheMiddleware, cache=app.state.review_cache)
    app.add_middleware(errors.UnexpectedErrorMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=workspace.settings.web.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    for router in (auth.public, auth.account, pages.api_docs):
        app.include_router(router)
    for router in (home.page, home.api, how.page, how.api, *why.ROUTERS, *manage.ROUTERS):
        app.include_router(router)
    # people.rate and nominations before people.profile: /people/rate and /api/people/raters
    # are not a /people/{person_id}
    for router in (people.rate, nominations.router, people.profile, duos.view, duos.confirm,
                   duos.respond, coverage.team, coverage.org, premise.router, admin.users,
                   admin.sources, admin.review, admin_flow.router, audit.view):  # fmt: skip
        app.include_router(router)
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC), name="static")
    check_every_route(app.routes, exempt=(STATIC_PATH,))
    return app
