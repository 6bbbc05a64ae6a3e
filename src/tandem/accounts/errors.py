"""Account failures, in the one ``TandemError`` hierarchy (the web maps ``status`` and ``code``)."""

from __future__ import annotations

from tandem.errors import TandemError


class AuthenticationError(TandemError):
    """Not signed in, or the email and password do not match."""

    status = 401
    code = "unauthenticated"


class PermissionDeniedError(TandemError):
    """Signed in, but this role or scope may not do that."""

    status = 403
    code = "forbidden"


class CsrfError(TandemError):
    """A state-changing request without the right CSRF token."""

    status = 403
    code = "csrf_failed"


class ThrottledError(TandemError):
    """Too many failed sign-ins; try again after ``retry_after`` seconds."""

    status = 429
    code = "throttled"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
