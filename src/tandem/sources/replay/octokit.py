"""octokit/fixtures scenarios (recorded GitHub exchanges) as replay routes.

A ``normalized-fixture.json`` is a list of exchanges (``method``, ``path`` with its query,
``status``, ``headers``, ``response``); each is answered as recorded, with
``https://api.github.com`` in ``Link`` headers pointed at the replay server.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tandem.errors import InputError
from tandem.sources.replay.server import Reply, Request, Router

GITHUB = "https://api.github.com"
KEPT_HEADERS = ("link", "etag", "retry-after", "x-ratelimit-limit", "x-ratelimit-remaining")


def register(router: Router, fixture: Path) -> int:
    """Add the exchanges of ``fixture`` to ``router``; the number added."""
    try:
        exchanges = json.loads(fixture.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(
            f"not a readable fixture ({exc.__class__.__name__})", path=fixture
        ) from None
    by_route: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for exchange in exchanges:
        parts = urlsplit(exchange["path"])
        by_route[(exchange["method"].upper(), parts.path)].append(exchange)
    for (method, path), recorded in by_route.items():
        router.add(method, path, _answer(recorded))
    return len(exchanges)


def _answer(recorded: list[dict[str, Any]]) -> Any:
    def handle(request: Request) -> Reply:
        for exchange in recorded:
            query = dict(parse_qsl(urlsplit(exchange["path"]).query))
            if query == request.query:
                here = f"http://{request.headers.get('host', '127.0.0.1')}"
                headers = {
                    name: str(value).replace(GITHUB, here)
                    for name, value in exchange.get("headers", {}).items()
                    if name.lower() in KEPT_HEADERS
                }
                return Reply(
                    exchange.get("response"), status=int(exchange["status"]), headers=headers
                )
        return Reply({"message": "Not Found"}, status=404)

    return handle
