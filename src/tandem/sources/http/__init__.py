"""The HTTP core every API connector uses (GitHub, GitLab, Jira): one client, its errors, pages.

``ApiClient`` sends the credentials a source's ``token_env`` names, retries what may pass
(5xx, dropped connections) with exponential backoff and jitter, waits out rate limits on an
injectable clock, makes conditional requests with ETags, caps response sizes and page counts,
and never lets a token reach a message: errors name the URL, never a header.
"""

from __future__ import annotations

from tandem.sources.http.auth import Credentials, redact
from tandem.sources.http.client import ApiClient, ApiResponse, ClientLimits, RetryPolicy
from tandem.sources.http.clock import Clock, ManualClock, SystemClock
from tandem.sources.http.errors import ApiError
from tandem.sources.http.pagination import (
    Page,
    link_pages,
    next_link,
    numbered_pages,
    offset_pages,
)

__all__ = [
    "ApiClient",
    "ApiError",
    "ApiResponse",
    "ClientLimits",
    "Clock",
    "Credentials",
    "ManualClock",
    "Page",
    "RetryPolicy",
    "SystemClock",
    "link_pages",
    "next_link",
    "numbered_pages",
    "offset_pages",
    "redact",
]
