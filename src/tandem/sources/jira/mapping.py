"""Jira REST issue payloads → lake rows (docs/connectors.md): pure, no HTTP.

An issue of ``search`` with ``expand=changelog`` becomes one ``work_item`` object, one event per
status it entered (the first at ``created``: the status before the first status change, or the
current status when it never changed), the identities of everyone who touched it and its
relations (parent and epic: ``parent``; issue links: ``mentions``). An inline changelog Jira cut
short (``changelog.total`` above the histories it returned) is completed from the
``/issue/{id}/changelog`` pages when the caller passes them; otherwise the object says
``"history_truncated": true``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tandem.errors import InputError
from tandem.sources.bots import DEFAULT_BOT_RULES, BotRules
from tandem.sources.jira import shape
from tandem.sources.rows import LakeRows
from tandem.sources.shape import PayloadShapeError, check, label

WORK_ITEM = "work_item"
Payload = Mapping[str, Any]


@dataclass(frozen=True)
class Site:
    """A Jira site: its host (for source names) and base URL (for browse links)."""

    host: str
    base_url: str

    @classmethod
    def from_url(cls, url: str) -> Site:
        """The site of any REST URL (``self`` of an issue) or of the site's base URL."""
        parts = urlsplit(url)
        if not parts.scheme or not parts.netloc:
            raise InputError(f"not a Jira URL: {url!r}", field="url")
        path = parts.path
        cut = path.find("/rest/")
        base_path = (path[:cut] if cut >= 0 else path).rstrip("/")
        return cls(
            host=parts.netloc.lower(), base_url=f"{parts.scheme}://{parts.netloc}{base_path}"
        )


def source_name(host: str, project: str) -> str:
    """``jira:<host>/<PROJECT>``."""
    return f"jira:{host}/{project}"


def object_id(host: str, key: str) -> str:
    """The work item of an issue key: ``jira:<host>/<PROJECT>:<KEY>`` (project = key prefix)."""
    return f"{source_name(host, project_of(key))}:{key}"


def project_of(key: str) -> str:
    """``PROJ`` of ``PROJ-12``."""
    return key.rsplit("-", 1)[0]


def parse_time(value: str, *, field_name: str = "created") -> dt.datetime:
    """A Jira timestamp (``2020-06-12T08:13:13.360+0800``) in UTC."""
    try:
        parsed = dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")
    except (TypeError, ValueError):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except (TypeError, ValueError):
            raise InputError(f"not a Jira timestamp: {value!r}", field=field_name) from None
    if parsed.tzinfo is None:
        raise InputError(f"a Jira timestamp without a UTC offset: {value!r}", field=field_name)
    return parsed.astimezone(dt.UTC)


def account_id(user: Payload | None) -> str | None:
    """A user's stable id: Cloud ``accountId`` (also read from its ``self`` URL when blanked),
    Server ``name`` or ``key``; ``None`` for no user."""
    if not user:
        return None
    found = user.get("accountId")
    if found:
        return str(found)
    query = parse_qs(urlsplit(str(user.get("self") or "")).query)
    if query.get("accountId"):
        return query["accountId"][0]
    for key in ("name", "key"):
        if user.get(key):
            return str(user[key])
    return None


def account_key(account: str) -> str:
    """The identity key of a Jira account: ``account:jira:<accountId or name>``."""
    return f"account:jira:{account}"


@dataclass
class IssueHistory:
    """An issue's changelog histories, oldest first, and whether some are missing."""

    histories: list[Payload]
    truncated: bool


def inline_history(issue: Payload) -> IssueHistory:
    """The changelog an issue came with; truncated when Jira returned fewer than ``total``."""
    changelog = issue.get("changelog") or {}
    histories = list(changelog.get("histories") or [])
    total = int(changelog.get("total", len(histories)) or 0)
    return IssueHistory(histories=_oldest_first(histories), truncated=total > len(histories))


def needs_changelog(issue: Payload) -> bool:
    """Whether the issue's inline changelog is incomplete (fetch ``/issue/{id}/changelog``)."""
    return inline_history(issue).truncated


def _oldest_first(histories: Iterable[Payload]) -> list[Payload]:
    def order(history: Payload) -> tuple[dt.datetime, int, str]:
        ident = str(history.get("id") or "")
        return (
            parse_time(str(history.get("created")), field_name="changelog.created"),
            int(ident) if ident.isdigit() else 0,
            ident,
        )

    return sorted(histories, key=order)


@dataclass
class _Users:
    """Every user an issue names, for the identities table (first name seen wins)."""

    bots: BotRules
    seen: dict[str, dict[str, Any]] = field(default_factory=dict)

    source: str = "jira"

    def add(self, user: Payload | None) -> str | None:
        account = account_id(user)
        if account is None or user is None:
            return None
        key = account_key(account)
        if key not in self.seen:
            name = user.get("displayName") or user.get("name") or None
            email = user.get("emailAddress") or None
            app = str(user.get("accountType") or "") == "app"  # Jira Cloud's apps and automation
            self.seen[key] = {
                "identity_key": key,
                "source": self.source,
                "kind": "account",
                "display_name": str(name) if name else None,
                "is_bot": app or self.bots.is_bot(name=name, email=email, identity_key=key),
            }
        return key


def map_issues(
    issues: Iterable[Payload],
    *,
    changelogs: Mapping[str, Sequence[Payload]] | None = None,
    bots: BotRules = DEFAULT_BOT_RULES,
    site: Site | None = None,
) -> LakeRows:
    """Lake rows of Jira issues. ``changelogs`` maps an issue id to its full changelog (the
    ``values`` of every ``/issue/{id}/changelog`` page) for issues whose inline one was cut;
    ``site`` (the configured URL) names the source, else each issue's ``self`` URL does."""
    rows = LakeRows()
    users = _Users(bots)
    for number, issue in enumerate(issues, start=1):
        check_issue(issue, number)
        full = (changelogs or {}).get(str(issue.get("id")))
        _map_issue(issue, full, rows, users, site)
    for identity in users.seen.values():
        rows.add_identity(**identity)
    return rows


def check_issue(issue: Any, number: int) -> None:
    """Refuse an issue (the ``number``-th of its page) whose shape the mapper cannot read."""
    if not isinstance(issue, Mapping):
        raise PayloadShapeError(
            f"Jira issue number {number} is {label(issue)}, not an object", field="issues"
        )
    key = issue.get("key")
    if not key or not issue.get("fields"):
        raise InputError(
            f"a Jira issue without key or fields (id {issue.get('id')!r})", field="key"
        )
    check(shape.Issue, issue, what=f"Jira issue {label(issue, 'key')}")


def _map_issue(
    issue: Payload,
    full: Sequence[Payload] | None,
    rows: LakeRows,
    users: _Users,
    configured: Site | None,
) -> None:
    key = str(issue["key"])
    fields = issue["fields"]
    for page_value in full or ():
        check(shape.History, page_value, what=f"a changelog page of Jira issue {key}")
    site = configured or Site.from_url(str(issue.get("self") or ""))
    project = str((fields.get("project") or {}).get("key") or project_of(key))
    source = source_name(site.host, project)
    oid = f"{source}:{key}"
    users.source = source
    created = parse_time(str(fields.get("created")), field_name="fields.created")
    history = inline_history(issue)
    if history.truncated and full is not None:
        history = IssueHistory(histories=_oldest_first(full), truncated=False)

    parent = (fields.get("parent") or {}).get("key")
    epic = _epic_key(fields)
    status = fields.get("status") or {}
    assignee = users.add(fields.get("assignee"))
    creator = users.add(fields.get("creator")) or users.add(fields.get("reporter"))
    users.add(fields.get("reporter"))
    attributes = {
        "url": f"{site.base_url}/browse/{key}",
        "labels": list(fields.get("labels") or []),
        "parent": parent,
        "epic": epic,
        "status": status.get("name"),
        "status_category": (status.get("statusCategory") or {}).get("key"),
        "resolution": (fields.get("resolution") or {}).get("name"),
        "resolved_at": _iso(fields.get("resolutiondate")),
        "assignee": assignee,
        "history_truncated": history.truncated,
    }
    rows.add_object(
        object_id=oid,
        object_type=WORK_ITEM,
        source=source,
        external_key=key,
        title=fields.get("summary"),
        item_type=(fields.get("issuetype") or {}).get("name"),
        created_at=created,
        attributes=attributes,
    )

    changes = [
        (history_entry, number, item)
        for history_entry in history.histories
        for number, item in enumerate(history_entry.get("items") or [])
        if str(item.get("field", "")).lower() == "status"
    ]
    initial = (changes[0][2].get("fromString") if changes else status.get("name")) or status.get(
        "name"
    )
    if initial:
        rows.add_event(
            event_id=_event_id(oid, "created"),
            object_id=oid,
            activity=str(initial),
            timestamp=created,
            resource_key=creator,
            source=source,
            ordinal=0,
            attributes={"initial": True},
        )
    for ordinal, (entry, number, item) in enumerate(changes, start=1):
        if not item.get("toString"):
            continue
        rows.add_event(
            event_id=_event_id(oid, f"{entry.get('id')}/{number}"),
            object_id=oid,
            activity=str(item["toString"]),
            timestamp=max(
                parse_time(str(entry.get("created")), field_name="changelog.created"), created
            ),
            resource_key=users.add(entry.get("author")),
            source=source,
            ordinal=ordinal,
            attributes={"from": item.get("fromString"), "history_id": str(entry.get("id"))},
        )

    for target in {parent, epic} - {None}:
        rows.add_relation(oid, object_id(site.host, str(target)), "parent")
    for subtask in fields.get("subtasks") or []:
        if subtask.get("key"):
            rows.add_relation(object_id(site.host, str(subtask["key"])), oid, "parent")
    for link in fields.get("issuelinks") or []:
        other = (link.get("outwardIssue") or link.get("inwardIssue") or {}).get("key")
        if other:
            rows.add_relation(oid, object_id(site.host, str(other)), "mentions")


def _epic_key(fields: Payload) -> str | None:
    """The epic: the agile API's ``epic``, Cloud's classic Epic Link, or an Epic parent."""
    epic = fields.get("epic")
    if isinstance(epic, Mapping) and epic.get("key"):
        return str(epic["key"])
    parent = fields.get("parent") or {}
    parent_type = ((parent.get("fields") or {}).get("issuetype") or {}).get("name")
    if parent_type and str(parent_type).lower() == "epic":
        return str(parent.get("key"))
    return None


def _iso(value: Any) -> str | None:
    if not value:
        return None
    return parse_time(str(value), field_name="fields.resolutiondate").isoformat()


def _event_id(object_id: str, what: str) -> str:
    return hashlib.md5(f"{object_id}\x1f{what}".encode(), usedforsecurity=False).hexdigest()


def attributes_json(value: Mapping[str, Any]) -> str:
    """Attributes as the lake stores them (sorted keys, UTF-8 kept)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
