"""One error handler: the canonical JSON body under ``/api``, an HTML page, or an HTMX partial.

Every failure becomes an :class:`ErrorInfo` first (``TandemError`` subclasses, HTTP errors,
validation errors, anything unexpected), then is answered in the shape the client asked for::

    {"error": {"status": 404, "code": "not_found", "message": "…", "field": null}}

A page that needs a signed-in user redirects to the sign-in form instead of showing a 401.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tandem.accounts.errors import ThrottledError
from tandem.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    TandemError,
    WorkspaceError,
)
from tandem.web.templating import render

log = logging.getLogger(__name__)

HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "throttled",
}
ERROR_CODES: dict[type[TandemError], str] = {
    InputError: "invalid_input",
    NotFoundError: "not_found",
    ConflictError: "conflict",
    WorkspaceError: "workspace_error",
}
HTTP_MESSAGES = {
    401: "sign in first",
    403: "your role does not give access to this page",
    404: "there is no such page",
    405: "this address does not accept that method",
}


@dataclass(frozen=True)
class ErrorInfo:
    """What went wrong, in the words shown to the user."""

    status: int
    code: str
    message: str
    field: str | None = None
    headers: dict[str, str] | None = None

    def body(self) -> dict[str, Any]:
        """The canonical JSON body."""
        return {
            "error": {
                "status": self.status,
                "code": self.code,
                "message": self.message,
                "field": self.field,
            }
        }


def _tandem_code(exc: TandemError) -> str:
    own = getattr(type(exc), "code", None)
    if isinstance(own, str):
        return own
    for cls in type(exc).__mro__:
        if cls in ERROR_CODES:
            return ERROR_CODES[cls]
    return HTTP_CODES.get(exc.status, "error")


def describe(exc: Exception) -> ErrorInfo:
    """The :class:`ErrorInfo` of any exception (an unexpected one is a 500 without details)."""
    if isinstance(exc, TandemError):
        headers = None
        if isinstance(exc, ThrottledError):
            headers = {"Retry-After": str(exc.retry_after)}
        field = getattr(exc, "field", None)
        return ErrorInfo(exc.status, _tandem_code(exc), exc.message, field, headers)
    if isinstance(exc, RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path")]
        field = ".".join(loc) or None
        message = str(first.get("msg", "the request is not valid"))
        return ErrorInfo(422, "validation_error", message, field)
    if isinstance(exc, StarletteHTTPException):
        code = HTTP_CODES.get(exc.status_code, "http_error")
        detail = exc.detail if isinstance(exc.detail, str) else None
        generic = {"Not Found", "Method Not Allowed", "Unauthorized", "Forbidden"}
        shown = HTTP_MESSAGES.get(exc.status_code) if detail in generic else detail
        headers = dict(exc.headers) if exc.headers else None
        return ErrorInfo(exc.status_code, code, shown or code.replace("_", " "), None, headers)
    return ErrorInfo(500, "internal_error", "something went wrong on the server; it was logged")


def wants_json(request: Request) -> bool:
    """API clients get JSON: everything under ``/api``."""
    path = request.url.path
    return path == "/api" or path.startswith("/api/")


def is_htmx(request: Request) -> bool:
    """Whether the request came from HTMX (it swaps a partial into the page)."""
    return request.headers.get("hx-request") == "true"


def _html(request: Request, info: ErrorInfo, partial: bool) -> Response:
    name = "partials/error.html" if partial else "error.html"
    try:
        return render(request, name, {"error": info}, status_code=info.status, headers=info.headers)
    except Exception:  # the error page itself failed (e.g. no database): plain text still works
        log.exception("could not render the error page")
        return HTMLResponse(info.message, status_code=info.status, headers=info.headers)


def error_response(request: Request, exc: Exception) -> Response:
    """The answer to ``exc`` for this request: JSON, an HTMX partial, a page or a redirect."""
    info = describe(exc)
    if info.status >= 500:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    if wants_json(request):
        return JSONResponse(info.body(), status_code=info.status, headers=info.headers)
    if info.status == 401:
        target = "/login"
        if request.method == "GET" and request.url.path not in ("/", "/login"):
            target += "?next=" + quote(request.url.path, safe="/")
        if is_htmx(request):
            response = _html(request, info, partial=True)
            response.headers["HX-Redirect"] = target
            return response
        return RedirectResponse(target, status_code=303)
    return _html(request, info, partial=is_htmx(request))


async def _handler(request: Request, exc: Exception) -> Response:
    return error_response(request, exc)


class UnexpectedErrorMiddleware:
    """Answers an unexpected exception (a 500) inside the app's own middleware.

    Starlette answers an exception handled by ``Exception`` in its outermost middleware, outside
    every middleware the app adds, so a 500 would miss the security headers. Added before
    :class:`~tandem.web.security.SecurityHeadersMiddleware`, this sits inside it. An exception
    after the response started is left to the server (nothing more can be sent).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            if started:
                raise
            await error_response(Request(scope, receive), exc)(scope, receive, send)


def install(app: FastAPI) -> None:
    """Route every error of ``app`` through :func:`error_response`.

    ``Exception`` keeps a handler too, for a failure in a middleware outside
    :class:`UnexpectedErrorMiddleware` (which :func:`tandem.web.app.create_app` adds).
    """
    for kind in (TandemError, StarletteHTTPException, RequestValidationError, Exception):
        app.add_exception_handler(kind, _handler)
