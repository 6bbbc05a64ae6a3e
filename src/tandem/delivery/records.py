"""The delivery objects of the lake as plain records: pull requests, deployments, incidents.

Connectors write them by the contract of ``docs/connectors.md`` (``@pr:…``, ``@deployment:…``,
``@incident:…`` objects, their events and relations). The queries are Ibis expressions over the
flow engine's tables, so they run on DuckDB or Spark alike; what comes back is one row per
delivery event or relation (small next to the work-item log), turned into frozen records here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import ibis

from tandem.flow.engine import FlowEngine, utc

PR_PREFIX = "@pr:"
DEPLOYMENT_PREFIX = "@deployment:"
INCIDENT_PREFIX = "@incident:"
COMMIT_PREFIX = "@commit:"
LINK_KINDS = ("merged_as", "contains", "deploys", "caused_by")


@dataclass(frozen=True)
class Review:
    """One review of a pull request: when, by whom (identity key, null when unknown)."""

    at: dt.datetime
    reviewer: str | None
    reviewer_is_bot: bool
    state: str | None


@dataclass(frozen=True)
class PullRequest:
    """A pull (merge) request with the events its stages are measured from (UTC)."""

    object_id: str
    source: str
    repo: str
    author: str | None
    author_is_bot: bool
    created_at: dt.datetime | None
    ready_at: dt.datetime | None  # the first ready_for_review event, null when none
    merged_at: dt.datetime | None
    commit_times: tuple[dt.datetime, ...]
    reviews: tuple[Review, ...]
    merged_as: str | None  # the merge, squash or last rebased commit
    contains: frozenset[str]  # the PR's own commits (relations and commit events)
    commit_summaries: tuple[tuple[str, dt.datetime, str, str | None], ...] = ()
    # (sha, authored at, summary, author email key) of commit events that carry a summary


@dataclass(frozen=True)
class Deployment:
    """A deployment of ``sha`` to ``environment`` of ``service``; ``deployed_at`` is when it
    succeeded (null for a failed or unfinished one)."""

    object_id: str
    source: str
    repo: str
    service: str
    environment: str
    sha: str | None
    status: str | None
    created_at: dt.datetime | None
    deployed_at: dt.datetime | None

    @property
    def succeeded(self) -> bool:
        return self.deployed_at is not None


@dataclass(frozen=True)
class Incident:
    """An incident; ``caused_by`` names the deployments the source blames, when it does."""

    object_id: str
    source: str
    service: str | None
    environment: str | None
    opened_at: dt.datetime | None
    resolved_at: dt.datetime | None
    caused_by: tuple[str, ...] = ()


@dataclass
class DeliveryRecords:
    """Every delivery record of a lake, and the identities flagged as bots."""

    pull_requests: list[PullRequest] = field(default_factory=list)
    deployments: list[Deployment] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    bots: frozenset[str] = frozenset()

    @property
    def last_pull_request_event(self) -> dt.datetime | None:
        """The latest instant a pull request mentions (the PR flow's default window end)."""
        instants: list[dt.datetime] = []
        for pr in self.pull_requests:
            instants += [t for t in (pr.created_at, pr.merged_at) if t is not None]
            instants += [r.at for r in pr.reviews]
        return max(instants, default=None)

    @property
    def last_deployment_event(self) -> dt.datetime | None:
        """The latest instant a deployment or incident mentions (the four keys' default window
        end)."""
        instants: list[dt.datetime] = []
        for d in self.deployments:
            instants += [t for t in (d.created_at, d.deployed_at) if t is not None]
        for i in self.incidents:
            instants += [t for t in (i.opened_at, i.resolved_at) if t is not None]
        return max(instants, default=None)


def repo_key(source: str, attributes: dict[str, Any]) -> str:
    """The repository an object belongs to: its ``repo`` attribute, else its source's name
    (``github:acme/shop`` → ``acme/shop``)."""
    repo = attributes.get("repo")
    if isinstance(repo, str) and repo:
        return repo
    return source.split(":", 1)[1] if ":" in source else source


def _attrs(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _instant(value: Any) -> dt.datetime | None:
    """A datetime (from Arrow) or an ISO text (from JSON attributes), in UTC; null otherwise."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, str) and value:
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed.astimezone(dt.UTC) if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _commit_sha(object_id: str) -> str:
    return object_id.removeprefix(COMMIT_PREFIX)


def read_records(engine: FlowEngine) -> DeliveryRecords:
    """Every pull request, deployment and incident of the lake, with events and relations."""
    objects = engine.table("objects")
    delivery = (
        objects.object_id.startswith(PR_PREFIX)
        | objects.object_id.startswith(DEPLOYMENT_PREFIX)
        | objects.object_id.startswith(INCIDENT_PREFIX)
    )
    object_rows = engine.to_pyarrow(
        objects.filter(delivery).select(
            "object_id", "source", created_at=utc(objects.created_at), attributes=objects.attributes
        )
    ).to_pylist()
    events = engine.table("events")
    event_rows = engine.to_pyarrow(
        events.filter(
            events.object_id.startswith(PR_PREFIX)
            | events.object_id.startswith(DEPLOYMENT_PREFIX)
            | events.object_id.startswith(INCIDENT_PREFIX)
        )
        .select(
            "object_id",
            "activity",
            "ordinal",
            "resource_key",
            "attributes",
            timestamp=utc(events.timestamp),
        )
        .order_by(["object_id", "timestamp", "ordinal"])
    ).to_pylist()
    relations = engine.table("relations")
    relation_rows = engine.to_pyarrow(
        relations.filter(relations.kind.isin(LINK_KINDS)).select("from_object", "to_object", "kind")
    ).to_pylist()
    identities = engine.table("identities")
    bot_rows = engine.to_pyarrow(
        identities.filter(identities.is_bot == ibis.literal(True)).select("identity_key")
    )
    bots = frozenset(bot_rows.column(0).to_pylist())

    by_object: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in event_rows:
        by_object[row["object_id"]].append(row)
    links: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in relation_rows:
        links[(row["from_object"], row["kind"])].append(row["to_object"])

    records = DeliveryRecords(bots=bots)
    for obj in object_rows:
        oid, attributes = obj["object_id"], _attrs(obj["attributes"])
        own = by_object.get(oid, [])
        if oid.startswith(PR_PREFIX):
            records.pull_requests.append(_pull_request(obj, attributes, own, links, bots))
        elif oid.startswith(DEPLOYMENT_PREFIX):
            records.deployments.append(_deployment(obj, attributes, own))
        else:
            records.incidents.append(_incident(obj, attributes, own, links))
    return records


def _first(rows: list[dict[str, Any]], activity: str) -> dict[str, Any] | None:
    return next((row for row in rows if row["activity"] == activity), None)


def _pull_request(
    obj: dict[str, Any],
    attributes: dict[str, Any],
    rows: list[dict[str, Any]],
    links: dict[tuple[str, str], list[str]],
    bots: frozenset[str],
) -> PullRequest:
    oid = obj["object_id"]
    author = _text(attributes.get("author"))
    created = _first(rows, "created")
    ready = _first(rows, "ready_for_review")
    merged = _first(rows, "merged")
    commit_rows = [row for row in rows if row["activity"] == "commit"]
    contains = {_commit_sha(o) for o in links.get((oid, "contains"), [])}
    summaries = []
    for row in commit_rows:
        event_attrs = _attrs(row["attributes"])
        sha = _text(event_attrs.get("sha"))
        if sha:
            contains.add(sha)
        summary = _text(event_attrs.get("summary"))
        if sha and summary:
            email = _text(event_attrs.get("author_email"))
            summaries.append(
                (sha, row["timestamp"], summary, f"email:{email.lower()}" if email else None)
            )
    merged_as = next(iter(sorted(links.get((oid, "merged_as"), []))), None)
    merged_sha = _commit_sha(merged_as) if merged_as else _text(attributes.get("merge_commit_sha"))
    reviews = tuple(
        Review(
            at=row["timestamp"],
            reviewer=row["resource_key"],
            reviewer_is_bot=row["resource_key"] in bots
            or bool(_attrs(row["attributes"]).get("is_bot")),
            state=_text(_attrs(row["attributes"]).get("state")),
        )
        for row in rows
        if row["activity"] == "review"
    )
    return PullRequest(
        object_id=oid,
        source=obj["source"],
        repo=repo_key(obj["source"], attributes),
        author=author,
        author_is_bot=bool(attributes.get("author_is_bot")) or (author in bots),
        created_at=created["timestamp"] if created else _instant(obj["created_at"]),
        ready_at=ready["timestamp"] if ready else None,
        merged_at=merged["timestamp"] if merged else None,
        commit_times=tuple(row["timestamp"] for row in commit_rows),
        reviews=reviews,
        merged_as=merged_sha,
        contains=frozenset(contains),
        commit_summaries=tuple(summaries),
    )


def _deployment(
    obj: dict[str, Any], attributes: dict[str, Any], rows: list[dict[str, Any]]
) -> Deployment:
    repo = repo_key(obj["source"], attributes)
    status = _text(attributes.get("status"))
    deployed = _first(rows, "deployed")
    failed = _first(rows, "deployment_failed")
    created = _first(rows, "deployment_created")
    created_at = created["timestamp"] if created else _instant(obj["created_at"])
    deployed_at = deployed["timestamp"] if deployed else None
    if deployed_at is None and failed is None and (status or "").lower() == "success":
        deployed_at = created_at  # a source with a status but no events: it succeeded then
    return Deployment(
        object_id=obj["object_id"],
        source=obj["source"],
        repo=repo,
        service=_text(attributes.get("service")) or repo,
        environment=_text(attributes.get("environment")) or "",
        sha=_text(attributes.get("sha")),
        status=status,
        created_at=created_at,
        deployed_at=deployed_at,
    )


def _incident(
    obj: dict[str, Any],
    attributes: dict[str, Any],
    rows: list[dict[str, Any]],
    links: dict[tuple[str, str], list[str]],
) -> Incident:
    opened = _first(rows, "incident_opened")
    resolved = _first(rows, "incident_resolved")
    return Incident(
        object_id=obj["object_id"],
        source=obj["source"],
        service=_text(attributes.get("service")),
        environment=_text(attributes.get("environment")),
        opened_at=opened["timestamp"] if opened else _instant(obj["created_at"]),
        resolved_at=resolved["timestamp"] if resolved else _instant(attributes.get("resolved_at")),
        caused_by=tuple(sorted(links.get((obj["object_id"], "caused_by"), []))),
    )
