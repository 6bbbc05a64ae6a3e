"""The app factory: ``create_app(workspace)`` wires routers, errors, CSRF, headers and assets."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import sessionmaker

from tandem import __version__
from tandem.web import auth, errors, pages
from tandem.web.config import WebConfig
from tandem.web.permissions import MANAGE_OWN_ACCOUNT, VIEW_HOME, check_every_route
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
        NavItem("Password", "/account/password", MANAGE_OWN_ACCOUNT.name),
    ]
    errors.install(app)
    app.add_middleware(SecurityHeadersMiddleware)
    for router in (auth.public, auth.account, pages.home, pages.api_docs):
        app.include_router(router)
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC), name="static")
    check_every_route(app.routes, exempt=(STATIC_PATH,))
    return app
