"""GitLab REST v4 routes over a folder of fixture payloads (no recorded GitLab traffic exists).

The folder holds JSON in GitLab's documented shapes: ``project.json``, the listings
``merge_requests.json``, ``issues.json``, ``deployments.json``, ``pipelines.json``,
``releases.json``, and per-item sub-resources keyed by iid or id
(``merge_request_commits.json``, ``merge_request_approvals.json``, ``merge_request_notes.json``,
``issue_state_events.json``, ``pipeline_details.json``). Listings honour ``updated_after``,
``order_by`` and ``sort`` and are paged as GitLab pages them (``page``/``per_page``, default 20,
at most 100; ``X-Page``, ``X-Per-Page``, ``X-Next-Page``, ``X-Prev-Page``, ``X-Total``,
``X-Total-Pages``, ``Link``). Every answer carries GitLab's ``RateLimit-*`` headers; with
``limit_every`` every n-th request is refused ``429`` with ``Retry-After``, as GitLab.com does.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from tandem.sources.replay.server import ReplayServer, Reply, Request, Router

API = "/api/v4/projects/{project}"
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100


class GitLabFixtures:
    """The routes of one project (see the module docstring)."""

    def __init__(
        self,
        folder: Path,
        *,
        token: str | None = None,
        rate_limit: int = 2000,
        limit_every: int | None = None,
        retry_after: int = 7,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.folder = folder
        self.project = self._load("project.json")
        self.token = token
        self.rate_limit = rate_limit
        self.limit_every = limit_every
        self.retry_after = retry_after
        self.clock = clock
        self.served = 0
        self.refused = 0
        self._lock = threading.Lock()

    def _load(self, name: str) -> Any:
        return json.loads((self.folder / name).read_text(encoding="utf-8"))

    def register(self, router: Router) -> None:
        listings = ("merge_requests", "issues", "deployments", "pipelines", "releases")
        router.add("GET", API, self._guard(lambda request: Reply(self.project)))
        for listing in listings:
            router.add("GET", f"{API}/{listing}", self._guard(self._listing(listing)))
        for pattern, name in (
            (f"{API}/merge_requests/{{key}}/commits", "merge_request_commits.json"),
            (f"{API}/merge_requests/{{key}}/notes", "merge_request_notes.json"),
            (f"{API}/issues/{{key}}/resource_state_events", "issue_state_events.json"),
        ):
            router.add("GET", pattern, self._guard(self._keyed(name, paged=True)))
        for pattern, name in (
            (f"{API}/merge_requests/{{key}}/approvals", "merge_request_approvals.json"),
            (f"{API}/pipelines/{{key}}", "pipeline_details.json"),
        ):
            router.add("GET", pattern, self._guard(self._keyed(name, paged=False)))

    # -- handlers -------------------------------------------------------------------------------

    def _guard(self, handler: Callable[[Request], Reply]) -> Callable[[Request], Reply]:
        """Authentication, the project, the rate limit, then ``handler``."""

        def guarded(request: Request) -> Reply:
            with self._lock:
                self.served += 1
                number = self.served
                limited = self.limit_every is not None and number % self.limit_every == 0
                remaining = max(self.rate_limit - number, 0)
            headers = self._rate_headers(0 if limited else remaining)
            if self.token is not None and request.headers.get("private-token") != self.token:
                return Reply({"message": "401 Unauthorized"}, status=401, headers=headers)
            wanted = request.params.get("project")
            if wanted not in (
                str(self.project["id"]),
                quote(self.project["path_with_namespace"], safe=""),
            ):
                return Reply({"message": "404 Project Not Found"}, status=404, headers=headers)
            if limited:
                with self._lock:
                    self.refused += 1
                return Reply(
                    {"message": "429 Too Many Requests"},
                    status=429,
                    headers={**headers, "Retry-After": str(self.retry_after)},
                )
            reply = handler(request)
            reply.headers = {**headers, **reply.headers}
            return reply

        return guarded

    def _rate_headers(self, remaining: int) -> dict[str, str]:
        reset = int(self.clock()) + 60
        return {
            "RateLimit-Limit": str(self.rate_limit),
            "RateLimit-Observed": str(self.rate_limit - remaining),
            "RateLimit-Remaining": str(remaining),
            "RateLimit-Reset": str(reset),
            "RateLimit-ResetTime": dt.datetime.fromtimestamp(reset, dt.UTC).strftime(
                "%a, %d %b %Y %H:%M:%S GMT"
            ),
        }

    def _listing(self, name: str) -> Callable[[Request], Reply]:
        def handler(request: Request) -> Reply:
            items = list(self._load(f"{name}.json"))
            after = request.query.get("updated_after")
            if after:
                since = _time(after)
                items = [i for i in items if _time(i["updated_at"]) >= since]
            order = request.query.get("order_by")
            if order:
                items.sort(
                    key=lambda i: (_time(i.get(order)), i.get("id", 0)),
                    reverse=request.query.get("sort", "desc") == "desc",
                )
            return _paged(request, items)

        return handler

    def _keyed(self, name: str, *, paged: bool) -> Callable[[Request], Reply]:
        def handler(request: Request) -> Reply:
            found = self._load(name).get(request.params["key"])
            if found is None:
                return Reply({"message": "404 Not found"}, status=404)
            return _paged(request, list(found)) if paged else Reply(found)

        return handler


def _time(value: Any) -> dt.datetime:
    if not value:
        return dt.datetime.min.replace(tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(str(value)).astimezone(dt.UTC)


def _paged(request: Request, items: list[Any]) -> Reply:
    """One page of ``items`` with GitLab's offset-pagination headers."""
    per_page = request.query.get("per_page", "")
    size = min(int(per_page), MAX_PER_PAGE) if per_page.isdigit() and int(per_page) else None
    size = size or DEFAULT_PER_PAGE
    page = request.query.get("page", "")
    number = int(page) if page.isdigit() and int(page) > 0 else 1
    total_pages = max((len(items) + size - 1) // size, 1)
    headers = {
        "X-Page": str(number),
        "X-Per-Page": str(size),
        "X-Next-Page": str(number + 1) if number < total_pages else "",
        "X-Prev-Page": str(number - 1) if number > 1 else "",
        "X-Total": str(len(items)),
        "X-Total-Pages": str(total_pages),
    }
    links = []
    for rel, target in (
        ("prev", number - 1),
        ("next", number + 1),
        ("first", 1),
        ("last", total_pages),
    ):
        if 1 <= target <= total_pages and (rel in ("first", "last") or target != number):
            query = urlencode({**request.query, "page": target, "per_page": size})
            host = request.headers.get("host", "127.0.0.1")
            links.append(f'<http://{host}{request.path}?{query}>; rel="{rel}"')
    headers["Link"] = ", ".join(links)
    return Reply(items[(number - 1) * size : number * size], headers=headers)


def gitlab_server(
    folder: Path, *, token: str | None = None, **options: Any
) -> tuple[ReplayServer, GitLabFixtures]:
    """A (not yet started) server answering GitLab's API for the project in ``folder``, and its
    routes (which count what they served and refused); ``options`` go to
    :class:`GitLabFixtures` (``limit_every``, ``retry_after``, ``rate_limit``, ``clock``)."""
    router = Router()
    fixtures = GitLabFixtures(folder, token=token, **options)
    fixtures.register(router)
    return ReplayServer(router), fixtures
