"""Jinja2 templates (autoescaped), the navigation by role, and one ``render`` for every page."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from tandem import __version__
from tandem.accounts.schemas import SignedIn
from tandem.web import csrf
from tandem.web.config import WebConfig
from tandem.web.permissions import allowed

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")


@dataclass(frozen=True)
class NavItem:
    """A link in the main navigation, shown to users allowed ``action`` (on their own team)."""

    label: str
    path: str
    action: str


def make_templates() -> Jinja2Templates:
    """The template environment; ``static(path)`` gives a local, versioned asset URL."""
    templates = Jinja2Templates(directory=TEMPLATES)
    templates.env.globals["static"] = lambda path: f"/static/{path}?v={__version__}"
    templates.env.globals["version"] = __version__
    return templates


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render page ``name`` with the user, the CSRF token and the navigation they may see."""
    config: WebConfig = request.app.state.config
    templates: Jinja2Templates = request.app.state.templates
    signed_in: SignedIn | None = getattr(request.state, "signed_in", None)
    user = signed_in.user if signed_in else None
    set_cookie = False
    if signed_in is not None:
        token = signed_in.csrf_token
    else:
        token, set_cookie = csrf.pre_session_token(request, config)
    nav: list[NavItem] = request.app.state.nav
    full = {
        "user": user,
        "csrf_token": token,
        "nav": [item for item in nav if allowed(user, item.action)],
        "current_path": request.url.path,
        **(context or {}),
    }
    response = templates.TemplateResponse(
        request, name, full, status_code=status_code, headers=headers
    )
    if set_cookie:
        csrf.set_pre_session_cookie(response, request, config, token)
    return response
