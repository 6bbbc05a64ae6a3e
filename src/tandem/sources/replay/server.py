"""A local HTTP server that answers like a real API from recorded payloads (demo and tests).

Usage::

    router = Router()
    github.register(router, Recording.load(folder))   # or jira.register(...), octokit...
    with ReplayServer(router) as server:               # 127.0.0.1, an ephemeral port
        server.url                                     # "http://127.0.0.1:PORT"
        server.faults.add(Fault("status", at=3, status=502))
        server.requests                                # every request seen (no secret headers)

A handler takes a :class:`Request` and returns a :class:`Reply` (any status, JSON or bytes) or a
:class:`Listing` (items the server pages with ``page``/``per_page`` and ``Link`` headers, as
GitHub does). Every JSON answer carries an ``ETag`` (a 304 answers a matching
``If-None-Match``) and ``X-RateLimit-*`` headers. Faults are injected by request number.
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

SECRET_HEADERS = frozenset({"authorization", "private-token", "cookie"})


@dataclass
class Request:
    """One request as a handler sees it; ``params`` are the route's ``{names}``."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""
    params: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class Reply:
    """An answer: ``body`` is JSON-serialisable, or ``bytes`` sent as they are."""

    body: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Listing:
    """Items the server pages (``page``/``per_page``, ``Link``); ``wrap`` shapes a page's
    body from its items and the total (GitHub's ``{"total_count": …, "workflow_runs": […]}``)."""

    items: list[Any]
    wrap: Callable[[list[Any], int], Any] | None = None
    default_per_page: int = 30
    max_per_page: int = 100


Handler = Callable[[Request], "Reply | Listing"]
FaultKind = Literal["status", "rate_limit", "truncate", "reshape", "kill"]


@dataclass
class Fault:
    """A failure injected at the ``at``-th request (1-based) whose path contains ``path``.

    - ``status``: answer ``status`` (default 502) ``times`` times in a row;
    - ``rate_limit``: a secondary rate limit, 403 with ``Retry-After: retry_after``;
    - ``truncate``: a 200 whose JSON body is cut in half;
    - ``reshape``: a 200 whose JSON body is ``reshape(body)`` (a payload of another shape);
    - ``kill``: from then on every request's connection is closed unanswered (the server
      "died") until the faults are cleared; ``action`` runs once when it fires (a test may
      kill a client process there).
    """

    kind: FaultKind
    at: int
    path: str | None = None
    status: int = 502
    retry_after: int = 60
    times: int = 1
    action: Callable[[], None] | None = None
    reshape: Callable[[Any], Any] | None = None
    fired: int = 0


class Faults:
    """The faults of a server (thread-safe); ``seen`` counts the requests each one matched."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._seen: dict[int, int] = {}
        self._lock = threading.Lock()
        self.killed = False

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self._seen.clear()
            self.killed = False

    def pick(self, path: str) -> Fault | None:
        """The fault to apply to this request, if any (counting it)."""
        with self._lock:
            if self.killed:
                return Fault("kill", at=0)
            for fault in self._faults:
                if fault.path is not None and fault.path not in path:
                    continue
                seen = self._seen[id(fault)] = self._seen.get(id(fault), 0) + 1
                if fault.at <= seen < fault.at + fault.times:
                    fault.fired += 1
                    if fault.kind == "kill":
                        self.killed = True
                    return fault
            return None


class Router:
    """Routes ``METHOD /path/{param}/...`` to handlers; modules register theirs side by side."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(pattern))
        self._routes.append((method.upper(), re.compile(f"^{regex}$"), handler))

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        def decorate(handler: Handler) -> Handler:
            self.add(method, pattern, handler)
            return handler

        return decorate

    def match(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
        for route_method, regex, handler in self._routes:
            found = regex.match(path)
            if found and route_method == method.upper():
                return handler, found.groupdict()
        return None


@dataclass
class SeenRequest:
    """A request the server received (secret headers reduced to their presence)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    status: int


class ReplayServer:
    """The server (see the module docstring): a context manager running in a daemon thread."""

    def __init__(
        self,
        router: Router,
        *,
        rate_limit: int = 5000,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.router = router
        self.faults = Faults()
        self.requests: list[SeenRequest] = []
        self.rate_limit = rate_limit
        self.remaining = rate_limit
        self.now = clock or time.time
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the replay server is not running")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> ReplayServer:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # headers and body go out in two writes: without this, Nagle's algorithm and
                # the client's delayed ACK hold every answer back some 40 ms
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_GET(self) -> None:
                server._serve(self)

            def do_POST(self) -> None:
                server._serve(self)

            def log_message(self, format: str, *args: Any) -> None:
                return None  # quiet: tests and the demo read ``requests`` instead

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="tandem-replay",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def count(self, path_contains: str = "") -> int:
        """Requests seen whose path contains ``path_contains``."""
        return sum(1 for r in self.requests if path_contains in r.path)

    # -- serving --------------------------------------------------------------------------------

    def _serve(self, http: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(http.path)
        length = int(http.headers.get("content-length") or 0)
        body = http.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in http.headers.items()}
        request = Request(
            method=http.command,
            path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers=headers,
            body=body,
        )
        fault = self.faults.pick(parts.path)
        if fault is not None and fault.kind == "kill":
            self._record(request, 0)
            if fault.action is not None and fault.fired == 1:
                fault.action()
            http.close_connection = True
            return
        status, reply_headers, payload = self._answer(request, fault)
        self._record(request, status)
        http.send_response(status)
        for name, value in reply_headers.items():
            http.send_header(name, value)
        http.send_header("Content-Length", str(len(payload)))
        http.end_headers()
        if payload:
            http.wfile.write(payload)

    def _record(self, request: Request, status: int) -> None:
        shown = {k: ("<present>" if k in SECRET_HEADERS else v) for k, v in request.headers.items()}
        with self._lock:
            self.requests.append(
                SeenRequest(request.method, request.path, request.query, shown, status)
            )

    def _rate_headers(self, *, spend: bool) -> dict[str, str]:
        with self._lock:
            if spend:
                self.remaining = max(self.remaining - 1, 0)
            remaining = self.remaining
        return {
            "X-RateLimit-Limit": str(self.rate_limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(int(self.now()) + 3600),
            "X-RateLimit-Resource": "core",
        }

    def _answer(self, request: Request, fault: Fault | None) -> tuple[int, dict[str, str], bytes]:
        if fault is not None and fault.kind == "status":
            return (
                fault.status,
                {"Content-Type": "application/json"},
                _dump({"message": f"Injected {fault.status}"}),
            )
        if fault is not None and fault.kind == "rate_limit":
            headers = {
                "Content-Type": "application/json",
                "Retry-After": str(fault.retry_after),
                **self._rate_headers(spend=False),
            }
            message = "You have exceeded a secondary rate limit. Please wait a few minutes."
            return 403, headers, _dump({"message": message})
        found = self.router.match(request.method, request.path)
        if found is None:
            return 404, {"Content-Type": "application/json"}, _dump({"message": "Not Found"})
        handler, params = found
        request.params = params
        reply = handler(request)
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if isinstance(reply, Listing):
            status, payload, link = 200, *self._page(request, reply)
            if link:
                headers["Link"] = link
        else:
            status = reply.status
            payload = reply.body if isinstance(reply.body, bytes) else _dump(reply.body)
            headers.update(reply.headers)
        etag = 'W/"' + hashlib.sha1(payload).hexdigest() + '"'
        if status == 200 and request.method == "GET":
            headers["ETag"] = etag
            if request.headers.get("if-none-match") == etag:
                return 304, {"ETag": etag, **self._rate_headers(spend=False)}, b""
        headers.update(self._rate_headers(spend=True))
        if fault is not None and fault.kind == "truncate":
            payload = payload[: max(len(payload) // 2, 1)]
        if fault is not None and fault.kind == "reshape" and fault.reshape is not None:
            payload = _dump(fault.reshape(json.loads(payload)))
        return status, headers, payload

    def _page(self, request: Request, listing: Listing) -> tuple[bytes, str]:
        per_page = _int(request.query.get("per_page"), listing.default_per_page)
        per_page = max(1, min(per_page, listing.max_per_page))
        page = max(_int(request.query.get("page"), 1), 1)
        total = len(listing.items)
        items = listing.items[(page - 1) * per_page : page * per_page]
        body = listing.wrap(items, total) if listing.wrap else items
        last = max((total + per_page - 1) // per_page, 1)
        links = []
        for rel, number in (("prev", page - 1), ("next", page + 1), ("last", last), ("first", 1)):
            if 1 <= number <= last and not (rel in ("last", "first") and number == page):
                query = urlencode({**request.query, "per_page": per_page, "page": number})
                links.append(f'<{self.url}{request.path}?{query}>; rel="{rel}"')
        return _dump(body), ", ".join(links)


def _dump(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


def _int(text: str | None, default: int) -> int:
    return int(text) if text is not None and text.isdigit() else default


def iter_paths(router: Router) -> Iterator[str]:
    """The route patterns of ``router`` (for docs and tests)."""
    for method, regex, _handler in router._routes:
        yield f"{method} {regex.pattern}"
