"""Pages of a listing, in the three styles the connectors meet.

- ``link_pages``: GitHub (and GitLab's keyset pagination): follow ``Link: <…>; rel="next"``.
- ``offset_pages``: Jira: ``startAt`` / ``maxResults`` / ``total`` (or ``isLast``) in the body.
- ``numbered_pages``: GitLab: ``page`` / ``per_page`` with the next page in ``X-Next-Page``.

Each yields :class:`Page` objects (the items and the response) lazily, so a connector can commit
a lake batch between pages, and stops with an error naming the URL past ``max_pages``
(``ClientLimits.max_pages`` by default). A first page answered 304 (``etag`` given) yields one
page with ``not_modified`` set and no items: nothing changed, nothing more is fetched.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from tandem.sources.http.client import ApiClient, ApiResponse
from tandem.sources.http.errors import ApiError

_LINK = re.compile(r"<([^>]*)>\s*;\s*([^,]*)")


@dataclass
class Page:
    """One page of a listing: its items (``[]`` when ``not_modified``) and its response."""

    number: int
    items: list[Any]
    response: ApiResponse

    @property
    def not_modified(self) -> bool:
        return self.response.not_modified

    @property
    def etag(self) -> str | None:
        return self.response.etag


def next_link(link_header: str | None) -> str | None:
    """The ``rel="next"`` URL of a ``Link`` header, if any."""
    for url, attributes in _LINK.findall(link_header or ""):
        if re.search(r'\brel\s*=\s*"?([^";]*\s)?next[\s";]?', attributes + ";"):
            return str(url)
    return None


def _items(
    response: ApiResponse, key: str | Callable[[Any], list[Any]] | None, body: Any = None
) -> list[Any]:
    """The page's items (``body``: the response already parsed, else it is parsed here)."""
    body = response.json() if body is None else body
    items: Any
    if callable(key):
        items = key(body)
    elif key is not None:
        items = body.get(key) if isinstance(body, dict) else None
    else:
        items = body
    if not isinstance(items, list):
        where = f" under {key!r}" if isinstance(key, str) else ""
        raise ApiError(f"expected a list of items{where}", url=response.url)
    return items


def _check_pages(number: int, max_pages: int, response: ApiResponse) -> None:
    if number > max_pages:
        raise ApiError(f"more than {max_pages:,} pages; the listing was stopped", url=response.url)


def link_pages(
    client: ApiClient,
    path: str,
    *,
    params: Mapping[str, str | int] | None = None,
    etag: str | None = None,
    items_key: str | Callable[[Any], list[Any]] | None = None,
    max_pages: int | None = None,
) -> Iterator[Page]:
    """Pages following ``Link rel="next"``; ``etag`` makes the first request conditional."""
    limit = max_pages or client.limits.max_pages
    response = client.get(path, params=params, etag=etag)
    number = 1
    while True:
        if response.not_modified:
            yield Page(number, [], response)
            return
        yield Page(number, _items(response, items_key), response)
        following = next_link(response.headers.get("link"))
        if following is None:
            return
        number += 1
        _check_pages(number, limit, response)
        response = client.get(following)


def offset_pages(
    client: ApiClient,
    path: str,
    *,
    params: Mapping[str, str | int] | None = None,
    items_key: str = "values",
    page_size: int = 100,
    start_param: str = "startAt",
    size_param: str = "maxResults",
    max_pages: int | None = None,
) -> Iterator[Page]:
    """Pages of an offset listing (Jira): until ``isLast``, ``total`` reached or an empty page."""
    limit = max_pages or client.limits.max_pages
    start = 0
    number = 1
    while True:
        query = {**dict(params or {}), start_param: start, size_param: page_size}
        response = client.get(path, params=query)
        body = response.json()  # parsed once: a page may be large
        items = _items(response, items_key, body)
        yield Page(number, items, response)
        start += len(items)
        total = body.get("total") if isinstance(body, dict) else None
        last = body.get("isLast") if isinstance(body, dict) else None
        if not items or last is True or (isinstance(total, int) and start >= total):
            return
        number += 1
        _check_pages(number, limit, response)


def numbered_pages(
    client: ApiClient,
    path: str,
    *,
    params: Mapping[str, str | int] | None = None,
    per_page: int = 100,
    etag: str | None = None,
    items_key: str | None = None,
    max_pages: int | None = None,
) -> Iterator[Page]:
    """Pages ``page=1,2,…`` (GitLab) while ``X-Next-Page`` names the next one."""
    limit = max_pages or client.limits.max_pages
    page = 1
    number = 1
    while True:
        query = {**dict(params or {}), "page": page, "per_page": per_page}
        response = client.get(path, params=query, etag=etag if number == 1 else None)
        if response.not_modified:
            yield Page(number, [], response)
            return
        yield Page(number, _items(response, items_key), response)
        following = response.headers.get("x-next-page", "").strip()
        if not following.isdigit():
            return
        page = int(following)
        number += 1
        _check_pages(number, limit, response)
