"""``ApiClient``: one HTTP API's base URL and credentials, with retries, rate limits and ETags.

Usage::

    with ApiClient(base_url="https://api.github.com", credentials=Credentials.bearer("GH")) as api:
        response = api.get("/repos/o/r/pulls", params={"state": "all"}, etag=old_etag)
        if not response.not_modified:
            items = response.json()

What is retried, and how (``RetryPolicy``): a 5xx answer, a dropped or refused connection, a
timeout, up to ``attempts`` tries, waiting ``base * 2**try`` seconds times a jitter in
[0.5, 1). Rate limits (``429``; a ``403`` with ``Retry-After`` or ``X-RateLimit-Remaining: 0``)
are waited out until ``Retry-After`` or ``X-RateLimit-Reset``, at most ``max_wait`` seconds a
time; an answer whose ``X-RateLimit-Remaining`` is 0 makes the *next* request wait for the reset
first. Other 4xx answers fail at once. All waits go through the injectable ``Clock``.
Only URLs on the base URL's origin are requested (a ``Link`` to another host never gets the
token), and bodies larger than ``ClientLimits.max_bytes`` are cut off with an error.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx2

from tandem.sources.http.auth import Credentials, redact, redact_url
from tandem.sources.http.clock import Clock, SystemClock
from tandem.sources.http.errors import ApiError

USER_AGENT = "tandem (+https://github.com/tandem)"
RETRY_STATUSES = frozenset({500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a request is tried again."""

    attempts: int = 5
    base: float = 1.0
    max_backoff: float = 60.0
    rate_limit_waits: int = 5
    max_wait: float = 3900.0  # a primary limit resets within the hour; a margin beyond it


@dataclass(frozen=True)
class ClientLimits:
    """Hard limits: the largest body accepted, the most pages one listing may take."""

    max_bytes: int = 64 * 2**20
    max_pages: int = 10_000
    timeout: float = 30.0


@dataclass
class ApiResponse:
    """A response read in full (``not_modified`` for a 304 to a conditional request)."""

    status: int
    url: str  # redacted
    headers: httpx2.Headers
    body: bytes = b""
    not_modified: bool = False

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    def json(self) -> Any:
        """The body as JSON; an error naming the URL when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise ApiError(
                f"the answer is not valid JSON ({exc.__class__.__name__} at byte "
                f"{getattr(exc, 'pos', '?')} of {len(self.body):,})",
                url=self.url,
                status=self.status,
            ) from None


@dataclass
class ClientStats:
    """What a client did: requests sent, retries, rate-limit waits, 304s, bytes read."""

    requests: int = 0
    retries: int = 0
    rate_limit_waits: int = 0
    not_modified: int = 0
    bytes: int = 0
    waited_seconds: float = 0.0
    by_status: dict[int, int] = field(default_factory=dict)


class ApiClient:
    """One API (see the module docstring); a context manager that closes its connections."""

    def __init__(
        self,
        *,
        base_url: str,
        credentials: Credentials | None = None,
        retry: RetryPolicy | None = None,
        limits: ClientLimits | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        headers: Mapping[str, str] | None = None,
        transport: httpx2.BaseTransport | None = None,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ApiError("not an http(s) URL", url=redact_url(base_url))
        self.base_url = base_url.rstrip("/")
        self.origin = (parts.scheme, parts.netloc.rsplit("@", 1)[-1].lower())
        self.credentials = credentials or Credentials.anonymous()
        self.retry = retry or RetryPolicy()
        self.limits = limits or ClientLimits()
        self.clock: Clock = clock or SystemClock()
        self.rng = rng or random.Random()
        self.stats = ClientStats()
        self._resume_at = 0.0  # a rate limit was exhausted: wait until then before the next call
        self._http = httpx2.Client(
            headers={"User-Agent": USER_AGENT, **(headers or {}), **self.credentials.headers},
            timeout=self.limits.timeout,
            follow_redirects=False,
            transport=transport,
        )

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def redact(self, text: str) -> str:
        """``text`` with this client's secrets masked."""
        return redact(text, self.credentials.secrets)

    def url(self, path_or_url: str) -> str:
        """The absolute URL of ``path_or_url``; an error for one outside the base URL's origin."""
        if "://" in path_or_url:
            url = path_or_url
        else:
            url = urljoin(self.base_url + "/", path_or_url.lstrip("/"))
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc.rsplit("@", 1)[-1].lower()) != self.origin:
            raise ApiError(
                f"refused: outside {self.origin[0]}://{self.origin[1]}, the source's URL",
                url=redact_url(url, self.credentials.secrets),
            )
        return url

    # -- requests -------------------------------------------------------------------------------

    def get(
        self,
        path_or_url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        etag: str | None = None,
    ) -> ApiResponse:
        """GET a URL; with ``etag``, a conditional request (a 304 comes back ``not_modified``)."""
        headers = {"If-None-Match": etag} if etag else {}
        return self.request("GET", path_or_url, params=params, headers=headers)

    def post_json(
        self, path_or_url: str, body: Any, *, params: Mapping[str, str | int] | None = None
    ) -> ApiResponse:
        """POST a JSON body."""
        return self.request("POST", path_or_url, params=params, json_body=body)

    def graphql(
        self, query: str, variables: Mapping[str, Any], *, path: str = "/graphql"
    ) -> dict[str, Any]:
        """Run a GraphQL query; its ``data``, or an error naming the URL and the first message."""
        response = self.post_json(path, {"query": query, "variables": dict(variables)})
        payload = response.json()
        if not isinstance(payload, dict):
            raise ApiError("the GraphQL answer is not an object", url=response.url)
        errors = payload.get("errors")
        if errors:
            first = errors[0].get("message", "?") if isinstance(errors[0], dict) else errors[0]
            raise ApiError(f"GraphQL error: {self.redact(str(first))}", url=response.url)
        data = payload.get("data")
        if not isinstance(data, dict):
            raise ApiError("the GraphQL answer has no data", url=response.url)
        return data

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
    ) -> ApiResponse:
        """One request with the retries and waits of the module docstring."""
        url = str(httpx2.URL(self.url(path_or_url)).copy_merge_params(dict(params or {})))
        shown = redact_url(url, self.credentials.secrets)
        failures = 0
        waits = 0
        while True:
            self._wait_for_reset(shown)
            try:
                response = self._send(method, url, headers, json_body, shown)
            except httpx2.TransportError as exc:
                failures += 1
                if failures >= self.retry.attempts:
                    raise ApiError(
                        f"no answer after {failures} tries ({exc.__class__.__name__}: "
                        f"{self.redact(str(exc))})",
                        url=shown,
                    ) from None
                self._back_off(failures)
                continue
            status = response.status
            self.stats.by_status[status] = self.stats.by_status.get(status, 0) + 1
            self._note_rate_limit(response)
            if status == 304:
                self.stats.not_modified += 1
                response.not_modified = True
                return response
            if 200 <= status < 300:
                return response
            wait = self._rate_limit_wait(response)
            if wait is not None:
                waits += 1
                if waits > self.retry.rate_limit_waits:
                    raise ApiError(
                        f"still rate limited after {waits - 1} waits", url=shown, status=status
                    )
                if wait > self.retry.max_wait:
                    raise ApiError(
                        f"rate limited for {wait:,.0f} s more, beyond the "
                        f"{self.retry.max_wait:,.0f} s the client waits; sync again later",
                        url=shown,
                        status=status,
                    )
                self.stats.rate_limit_waits += 1
                self._sleep(wait)
                continue
            if status in RETRY_STATUSES:
                failures += 1
                if failures >= self.retry.attempts:
                    raise ApiError(
                        f"HTTP {status} after {failures} tries", url=shown, status=status
                    )
                self._back_off(failures)
                continue
            raise ApiError(
                f"HTTP {status}{_error_detail(response, self.credentials.secrets)}",
                url=shown,
                status=status,
            )

    # -- internals ------------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        json_body: Any,
        shown: str,
    ) -> ApiResponse:
        self.stats.requests += 1
        with self._http.stream(method, url, headers=dict(headers or {}), json=json_body) as raw:
            declared = raw.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > self.limits.max_bytes:
                raise _too_large(shown, self.limits.max_bytes)
            chunks: list[bytes] = []
            size = 0
            for chunk in raw.iter_bytes():
                size += len(chunk)
                if size > self.limits.max_bytes:
                    raise _too_large(shown, self.limits.max_bytes)
                chunks.append(chunk)
            self.stats.bytes += size
            return ApiResponse(
                status=raw.status_code, url=shown, headers=raw.headers, body=b"".join(chunks)
            )

    def _back_off(self, failures: int) -> None:
        self.stats.retries += 1
        delay = min(self.retry.base * 2 ** (failures - 1), self.retry.max_backoff)
        self._sleep(delay * self.rng.uniform(0.5, 1.0))

    def _sleep(self, seconds: float) -> None:
        self.stats.waited_seconds += seconds
        self.clock.sleep(seconds)

    def _note_rate_limit(self, response: ApiResponse) -> None:
        remaining = response.headers.get("x-ratelimit-remaining")
        reset = _number(response.headers.get("x-ratelimit-reset"))
        if remaining == "0" and reset is not None and 200 <= response.status < 400:
            self._resume_at = max(self._resume_at, reset + 1)

    def _wait_for_reset(self, shown: str) -> None:
        wait = self._resume_at - self.clock.now()
        self._resume_at = 0.0
        if wait > 0:
            if wait > self.retry.max_wait:
                raise ApiError(
                    f"the rate limit resets in {wait:,.0f} s, beyond the "
                    f"{self.retry.max_wait:,.0f} s the client waits; sync again later",
                    url=shown,
                )
            self.stats.rate_limit_waits += 1
            self._sleep(wait)

    def _rate_limit_wait(self, response: ApiResponse) -> float | None:
        """Seconds to wait before trying again, if ``response`` is a rate limit; else ``None``."""
        if response.status not in (403, 429):
            return None
        retry_after = _number(response.headers.get("retry-after"))
        if retry_after is not None:
            return max(retry_after, 1.0)
        reset = _number(response.headers.get("x-ratelimit-reset"))
        limited = response.status == 429 or response.headers.get("x-ratelimit-remaining") == "0"
        if limited and reset is not None:
            return max(reset - self.clock.now() + 1, 1.0)
        if response.status == 429 or b"rate limit" in response.body[:2048].lower():
            return 60.0  # GitHub: a secondary limit without Retry-After, wait at least a minute
        return None


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _too_large(shown: str, limit: int) -> ApiError:
    return ApiError(f"the answer exceeds the {limit:,}-byte limit of one response", url=shown)


def _error_detail(response: ApiResponse, secrets: tuple[str, ...]) -> str:
    """The API's own message of an error body (GitHub and GitLab ``message``, Jira
    ``errorMessages``), short and redacted; empty when there is none."""
    try:
        body = json.loads(response.body[:65536])
    except ValueError:
        return ""
    message: Any = None
    if isinstance(body, dict):
        message = body.get("message") or body.get("error") or body.get("errorMessages")
    if isinstance(message, list):
        message = "; ".join(str(m) for m in message[:3])
    if not message:
        return ""
    return ": " + redact(str(message), secrets)[:300]
