"""Errors of the HTTP core: each names the URL (credentials stripped), never a header."""

from __future__ import annotations

from tandem.errors import TandemError


class ApiError(TandemError):
    """A request that failed for good: after its retries, or at once when retrying cannot help.

    ``url`` is the redacted URL; ``status`` the HTTP status when a response came (else 502).
    """

    def __init__(self, message: str, *, url: str, status: int | None = None) -> None:
        super().__init__(f"{url}: {message}")
        self.url = url
        self.http_status = status
        if status is not None and 400 <= status < 500:
            self.status = status
        else:
            self.status = 502
