"""The request body cap, as a pure ASGI middleware: checked before anything parses a body.

A declared ``Content-Length`` above the limit is answered 413 at once, without reading a byte;
a body sent without one (chunked) is counted as it streams in, and the read that passes the
limit fails with the same 413. Both answers have the canonical error shape.
"""

from __future__ import annotations

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tandem.web.errors import error_response


class BodyTooLargeError(HTTPException):
    """The request body is larger than the app accepts (413, code ``too_large``)."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            status_code=413,
            detail=f"the request body is larger than {limit:,} bytes; send less",
        )


class BodyLimitMiddleware:
    """Refuses request bodies above ``max_bytes`` (settings: ``web.max_body_bytes``)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        refused: StarletteHTTPException | None = None
        if declared is not None and not (declared.isascii() and declared.isdigit()):
            refused = StarletteHTTPException(400, "the Content-Length header is not a number")
        elif declared is not None and int(declared) > self.max_bytes:
            refused = BodyTooLargeError(self.max_bytes)
        if refused is not None:
            await error_response(Request(scope), refused)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # FastAPI re-raises an HTTPException met while reading the body, so this
                    # reaches the one error handler as a 413.
                    raise BodyTooLargeError(self.max_bytes)
            return message

        await self.app(scope, counted, send)
