"""GitHub's REST and GraphQL endpoints, answered from a :class:`Recording` of DevLake raw tables.

Served (``{o}/{r}`` any repository the recording holds; others answer 404):

- ``GET /repos/{o}/{r}/pulls`` (``state``, ``sort``, ``direction``), ``/pulls/{n}/commits``,
  ``/pulls/{n}/reviews``, ``/pulls/comments`` (``since``);
- ``GET /repos/{o}/{r}/issues`` (``state``, ``since``, ``sort``, ``direction``; PRs included, as
  GitHub does), ``/issues/comments`` (``since``), ``/issues/events`` (newest first);
- ``GET /repos/{o}/{r}/actions/runs`` and ``/actions/runs/{id}/jobs`` (GitHub's wrapped pages),
  ``/releases``, ``/deployments`` and ``/deployments/{id}/statuses`` (from the GraphQL recording);
- ``POST /graphql``: the deployments query DevLake records (``repository(owner:, name:)
  { deployments(first:, after:) … }``), nodes in GraphQL's own field names.

Lists are paged by the server (``page``/``per_page``, ``Link``); ``since`` keeps items updated at
or after it.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any

from tandem.sources.replay.recorded import Recording
from tandem.sources.replay.server import Listing, Reply, Request, Router

REPO = "/repos/{owner}/{repo}"


def register(router: Router, recording: Recording) -> None:
    """Add the GitHub routes over ``recording`` to ``router``."""
    known = recording.repos("github")

    def repo_of(request: Request) -> str | None:
        name = f"{request.params['owner']}/{request.params['repo']}"
        return name if name in known else None

    def listing(
        table: str,
        *,
        default_direction: str = "desc",
        pick: Callable[[Request, Any, dict[str, Any]], bool] | None = None,
        wrap: str | None = None,
        time_key: str = "created_at",
    ) -> Callable[[Request], Reply | Listing]:
        def handle(request: Request) -> Reply | Listing:
            repo = repo_of(request)
            if repo is None:
                return Reply({"message": "Not Found"}, status=404)
            rows = recording.rows("github", table, repo)
            items = [r.item for r in rows if pick is None or pick(request, r.item, r.input)]
            items = _filtered(items, request.query, default_direction, time_key)
            if wrap is None:
                return Listing(items)
            key = wrap
            return Listing(items, wrap=lambda page, total: {"total_count": total, key: page})

        return handle

    def numbered(field: str) -> Callable[[Request, Any, dict[str, Any]], bool]:
        def pick(request: Request, item: Any, parent: dict[str, Any]) -> bool:
            return str(parent.get(field)) == request.params["number"]

        return pick

    def state(request: Request, item: Any, parent: dict[str, Any]) -> bool:
        wanted = request.query.get("state", "open")
        return wanted == "all" or item.get("state") == wanted

    router.add("GET", f"{REPO}/pulls", listing("api_pull_requests", pick=state))
    router.add(
        "GET",
        f"{REPO}/pulls/{{number}}/commits",
        listing("api_pull_request_commits", default_direction="asc", pick=numbered("Number")),
    )
    router.add(
        "GET",
        f"{REPO}/pulls/{{number}}/reviews",
        listing(
            "api_pull_request_reviews",
            default_direction="asc",
            pick=numbered("Number"),
            time_key="submitted_at",
        ),
    )
    router.add(
        "GET",
        f"{REPO}/pulls/comments",
        listing("api_pull_request_review_comments", default_direction="asc"),
    )
    router.add("GET", f"{REPO}/issues", listing("api_issues", pick=state))
    router.add("GET", f"{REPO}/issues/comments", listing("api_comments", default_direction="asc"))
    router.add("GET", f"{REPO}/issues/events", listing("api_events"))
    router.add("GET", f"{REPO}/actions/runs", listing("api_runs", wrap="workflow_runs"))

    def run_jobs(request: Request, item: Any, parent: dict[str, Any]) -> bool:
        return str(item.get("run_id")) == request.params["number"]

    router.add(
        "GET",
        f"{REPO}/actions/runs/{{number}}/jobs",
        listing("api_jobs", default_direction="asc", pick=run_jobs, wrap="jobs"),
    )
    router.add("GET", f"{REPO}/releases", listing("api_releases"))

    def deployments(request: Request) -> Reply | Listing:
        name = f"{request.params['owner']}/{request.params['repo']}"
        if name not in known:
            return Reply({"message": "Not Found"}, status=404)
        nodes = _deployment_nodes(recording, name)
        return Listing([_rest_deployment(node, request) for node in nodes])

    def statuses(request: Request) -> Reply | Listing:
        name = f"{request.params['owner']}/{request.params['repo']}"
        for node in _deployment_nodes(recording, name):
            if str(node.get("databaseId")) == request.params["number"]:
                return Listing(_rest_statuses(node))
        return Reply({"message": "Not Found"}, status=404)

    router.add("GET", f"{REPO}/deployments", deployments)
    router.add("GET", f"{REPO}/deployments/{{number}}/statuses", statuses)

    def graphql(request: Request) -> Reply:
        body = request.json() or {}
        query = str(body.get("query", ""))
        variables = body.get("variables") or {}
        if "deployments(" not in query:
            return Reply({"errors": [{"message": "this replay answers the deployments query"}]})
        name = f"{variables.get('owner')}/{variables.get('name')}"
        if name not in known:
            message = f"Could not resolve to a Repository with the name '{name}'."
            return Reply({"data": {"repository": None}, "errors": [{"message": message}]})
        nodes = _deployment_nodes(recording, name)
        size = max(1, min(int(variables.get("pageSize") or 100), 100))
        start = _cursor_offset(variables.get("skipCursor"))
        page = nodes[start : start + size]
        end = start + len(page)
        connection = {
            "totalCount": len(nodes),
            "pageInfo": {
                "endCursor": _cursor(end) if page else None,
                "hasNextPage": end < len(nodes),
            },
            "nodes": page,
        }
        return Reply(
            {"data": {"rateLimit": {"cost": 1}, "repository": {"deployments": connection}}}
        )

    router.add("POST", "/graphql", graphql)
    router.add("POST", "/api/graphql", graphql)


def _filtered(
    items: list[Any], query: dict[str, str], default_direction: str, time_key: str
) -> list[Any]:
    since = query.get("since")
    if since:
        items = [i for i in items if str(i.get("updated_at") or "") >= since]
    sort = query.get("sort", "created")
    key = "updated_at" if sort == "updated" else time_key
    direction = query.get("direction", default_direction)
    return sorted(items, key=lambda i: str(i.get(key) or ""), reverse=direction == "desc")


def graphql_names(value: Any) -> Any:
    """A DevLake struct (``CommitOid``, ``LatestStatus``, ``ID``) in GraphQL's names."""
    if isinstance(value, dict):
        return {_lower_first(k): graphql_names(v) for k, v in value.items()}
    if isinstance(value, list):
        return [graphql_names(v) for v in value]
    return value


def _lower_first(name: str) -> str:
    return name.lower() if name.isupper() else name[:1].lower() + name[1:]


def _deployment_nodes(recording: Recording, repo: str) -> list[dict[str, Any]]:
    nodes = [graphql_names(i) for i in recording.items("github", "graphql_deployment", repo)]
    return sorted(nodes, key=lambda n: str(n.get("createdAt") or ""), reverse=True)


def _cursor(offset: int) -> str:
    return base64.b64encode(f"cursor:{offset}".encode()).decode()


def _cursor_offset(cursor: Any) -> int:
    if not cursor:
        return 0
    try:
        text = base64.b64decode(str(cursor)).decode()
    except ValueError:
        return 0
    found = re.fullmatch(r"cursor:(\d+)", text)
    return int(found[1]) if found else 0


def _rest_deployment(node: dict[str, Any], request: Request) -> dict[str, Any]:
    ref = node.get("ref") or {}
    return {
        "id": node.get("databaseId"),
        "node_id": node.get("id"),
        "sha": node.get("commitOid"),
        "ref": ref.get("name"),
        "task": node.get("task"),
        "environment": node.get("environment"),
        "description": node.get("description"),
        "created_at": node.get("createdAt"),
        "updated_at": node.get("updatedAt"),
        "url": f"{request.path}/{node.get('databaseId')}",
    }


def _rest_statuses(node: dict[str, Any]) -> list[dict[str, Any]]:
    statuses = ((node.get("statuses") or {}).get("nodes")) or []
    if not statuses and node.get("latestStatus"):
        statuses = [node["latestStatus"]]
    listed = [
        {"state": str(s.get("state", "")).lower(), "created_at": s.get("updatedAt")}
        for s in statuses
    ]
    return sorted(listed, key=lambda s: str(s["created_at"] or ""), reverse=True)  # newest first
