"""CSRF protection: every POST, PUT, PATCH and DELETE carries a token that a forger cannot know.

Signed in, the token is the session's own (synchronizer token, stored server-side with the
session): forms carry it in a hidden ``csrf_token`` field, HTMX and JSON clients in the
``X-CSRF-Token`` header. Before sign-in (the sign-in and first-run forms) there is no session,
so the form's token is a signed double-submit: a random nonce plus its HMAC under a per-process
key, set in an HttpOnly cookie and repeated in the form; another site can neither read nor forge
the cookie, so it cannot produce a matching field.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from fastapi import Request, Response

from tandem.accounts.errors import CsrfError
from tandem.accounts.schemas import SignedIn
from tandem.web.config import CSRF_COOKIE, WebConfig
from tandem.web.deps import is_https

HEADER = "X-CSRF-Token"
FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
PRE_SESSION_PATHS = frozenset({"/login", "/setup"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
REFUSED = "the form expired or did not come from Tandem; reload the page and try again"


def mac(key: bytes, message: str) -> str:
    """HMAC-SHA256 of ``message`` under ``key``, URL-safe base64 without padding."""
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign_pre_session(key: bytes) -> str:
    """A new pre-session token: ``nonce.mac``."""
    nonce = secrets.token_urlsafe(18)
    return f"{nonce}.{mac(key, nonce)}"


def valid_pre_session(key: bytes, token: str | None) -> bool:
    """Whether ``token`` was signed by this process."""
    if not token or "." not in token:
        return False
    nonce, signature = token.split(".", 1)
    return hmac.compare_digest(signature, mac(key, nonce))


def pre_session_token(request: Request, config: WebConfig) -> tuple[str, bool]:
    """The token for a sign-in form, and whether the cookie must be (re)set."""
    cookie = request.cookies.get(CSRF_COOKIE)
    if cookie is not None and valid_pre_session(config.csrf_key, cookie):
        return cookie, False
    return sign_pre_session(config.csrf_key), True


def set_pre_session_cookie(
    response: Response, request: Request, config: WebConfig, token: str
) -> None:
    """Put the pre-session token in its HttpOnly cookie."""
    response.set_cookie(
        CSRF_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=is_https(request, config),
        path="/",
    )


async def check_csrf(request: Request, current: SignedIn | None, config: WebConfig) -> None:
    """Refuse a state-changing request without the right token (every route's guard calls it)."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(FORM_TYPES):
        value = (await request.form()).get(FIELD)
        sent = value if isinstance(value, str) else None
    if not sent:
        raise CsrfError(REFUSED)
    if current is not None and hmac.compare_digest(sent, current.csrf_token):
        return
    if request.url.path in PRE_SESSION_PATHS:
        cookie = request.cookies.get(CSRF_COOKIE)
        if (
            cookie
            and valid_pre_session(config.csrf_key, cookie)
            and hmac.compare_digest(sent, cookie)
        ):
            return
    raise CsrfError(REFUSED)
