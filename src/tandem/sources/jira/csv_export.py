"""Jira's "Export CSV (all fields)" file → work items and events (source ``jira-csv:<stem>``).

The export holds each issue's current state, never its status history. Each item therefore gets
what the file can vouch for: an event at ``Created`` (the current status when it is still in the
To Do category, else ``Created``), then, when the item has left To Do, one event entering its
current status at the time the file gives for it (``Resolved`` or ``Status Category Changed`` for
a done item, ``Status Category Changed`` for one in progress). Every object says
``"history_truncated": true``: the statuses in between are unknown.

Dates are written in the exporting user's time zone with no offset, in the site's date format
(default ``dd/MMM/yy h:mm a``, e.g. ``03/Dec/26 4:15 PM``) and its language's month names: the
caller passes all three. Bad rows are listed by line and column, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tandem.csvfile import BadRowsError, read_records
from tandem.errors import InputError
from tandem.lake import Lake
from tandem.settings import IngestSettings
from tandem.sources.bots import DEFAULT_BOT_RULES, BotRules
from tandem.sources.rows import LakeRows

DEFAULT_DATE_FORMAT = "%d/%b/%y %I:%M %p"
CREATED = "Created"

# Month abbreviations Jira writes per language, mapped to the English ones strptime reads.
MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "de": ("Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"),
    "fr": (
        "janv.",
        "févr.",
        "mars",
        "avr.",
        "mai",
        "juin",
        "juil.",
        "août",
        "sept.",
        "oct.",
        "nov.",
        "déc.",
    ),
    "es": ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"),
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "pt": ("jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"),
}
_ENGLISH = MONTHS["en"]

# Column names as Jira writes them (matched case-insensitively).
KEY, TYPE, STATUS, CREATED_AT = "issue key", "issue type", "status", "created"
RESOLVED, SUMMARY, ASSIGNEE, REPORTER = "resolved", "summary", "assignee", "reporter"
RESOLUTION, CATEGORY, CATEGORY_CHANGED = "resolution", "status category", "status category changed"
LABELS, SPRINT, PARENT, EPIC_LINK = "labels", "sprint", "parent", "custom field (epic link)"
ASSIGNEE_ID, REPORTER_ID, PROJECT = "assignee id", "reporter id", "project key"
REQUIRED = (KEY, STATUS, CREATED_AT)


@dataclass(frozen=True)
class DateFormat:
    """How the export writes dates: a strptime format, the month names' language, a time zone."""

    pattern: str = DEFAULT_DATE_FORMAT
    locale: str = "en"
    timezone: str = "UTC"

    def __post_init__(self) -> None:
        if self.locale not in MONTHS:
            raise InputError(
                f"unknown month-name language {self.locale!r}; one of {', '.join(MONTHS)}",
                field="locale",
            )
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InputError(f"unknown time zone {self.timezone!r}", field="timezone") from None

    def parse(self, value: str) -> dt.datetime:
        """The UTC time of one date cell; ``ValueError`` when it does not fit the format."""
        text = " ".join(value.split())
        months = MONTHS[self.locale]
        if months is not _ENGLISH:
            for number, name in sorted(enumerate(months), key=lambda m: -len(m[1])):
                pattern = re.compile(rf"(?<![^\W\d_]){re.escape(name)}(?![^\W\d_])", re.I)
                text, found = pattern.subn(_ENGLISH[number], text, count=1)
                if found:
                    break
        local = dt.datetime.strptime(text, self.pattern)
        if local.tzinfo is None:
            local = local.replace(tzinfo=ZoneInfo(self.timezone))
        return local.astimezone(dt.UTC)

    def example(self) -> str:
        """A date in this format, for error messages."""
        sample = dt.datetime(2026, 12, 3, 16, 15).strftime(self.pattern)
        return sample.replace("Dec", MONTHS[self.locale][11]) if "Dec" in sample else sample


@dataclass
class JiraCsvReport:
    """One export file's ingest."""

    source: str
    file: str
    items: int
    events: int
    objects_added: int
    events_added: int
    identities: int
    relations: int
    history_truncated: int
    statuses: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Columns:
    """Positions of the export's columns (a repeated column keeps every position)."""

    def __init__(self, header: Sequence[str], path: Path) -> None:
        self.positions: dict[str, list[int]] = {}
        for index, name in enumerate(header):
            self.positions.setdefault(" ".join(name.lower().split()), []).append(index)
        missing = [c for c in REQUIRED if c not in self.positions]
        if missing:
            raise InputError(
                "not a Jira CSV export: missing column "
                + ", ".join(repr(_title(c)) for c in missing),
                path=path,
                line=1,
            )

    def one(self, fields: Sequence[str], name: str) -> str:
        found = self.positions.get(name)
        return fields[found[0]].strip() if found else ""

    def every(self, fields: Sequence[str], name: str) -> list[str]:
        return [fields[i].strip() for i in self.positions.get(name, []) if fields[i].strip()]


def _title(column: str) -> str:
    return " ".join(word.capitalize() for word in column.split())


def default_source(path: Path) -> str:
    """``jira-csv:<file stem>``."""
    return f"jira-csv:{Path(path).name.split('.')[0]}"


def map_export(
    path: Path,
    *,
    source: str | None = None,
    dates: DateFormat | None = None,
    bots: BotRules = DEFAULT_BOT_RULES,
    limits: IngestSettings | None = None,
) -> LakeRows:
    """Lake rows of one export file; every bad row raises one :class:`BadRowsError`."""
    path = Path(path)
    dates = dates or DateFormat()
    source = source or default_source(path)
    records = read_records(path, limits=limits)
    if not records:
        raise InputError("the file is empty; expected Jira's header row", path=path, line=1)
    columns = _Columns(records[0][1], path)
    width = len(records[0][1])
    rows = LakeRows()
    identities: dict[str, dict[str, Any]] = {}
    problems: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for line, fields in records[1:]:
        if len(fields) != width:
            problems.append((line, f"expected {width} fields, found {len(fields)}"))
            continue
        try:
            _map_row(columns, fields, source, dates, bots, rows, identities)
        except _BadCell as bad:
            problems.append((line, f"column {_title(bad.column)!r}: {bad.message}"))
            continue
        key = columns.one(fields, KEY)
        if key in seen:
            problems.append((line, f"column 'Issue Key': {key} again (first on line {seen[key]})"))
        seen.setdefault(key, line)
    if problems:
        raise BadRowsError(path, problems)
    for identity in identities.values():
        rows.add_identity(**identity)
    return rows


class _BadCell(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


def _map_row(
    columns: _Columns,
    fields: Sequence[str],
    source: str,
    dates: DateFormat,
    bots: BotRules,
    rows: LakeRows,
    identities: dict[str, dict[str, Any]],
) -> None:
    def date(name: str) -> dt.datetime | None:
        value = columns.one(fields, name)
        if not value:
            return None
        try:
            return dates.parse(value)
        except ValueError:
            raise _BadCell(name, f"{value!r} is not a date like {dates.example()!r}") from None

    key = columns.one(fields, KEY)
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*-[0-9]+", key):
        raise _BadCell(KEY, f"{key!r} is not an issue key such as PROJ-12")
    status = columns.one(fields, STATUS)
    if not status:
        raise _BadCell(STATUS, "empty")
    created = date(CREATED_AT)
    if created is None:
        raise _BadCell(CREATED_AT, "empty")
    resolved = date(RESOLVED)
    changed = date(CATEGORY_CHANGED)
    category = _category(columns.one(fields, CATEGORY), resolved)
    oid = f"{source}:{key}"

    def person(name_column: str, id_column: str) -> str | None:
        name = columns.one(fields, name_column)
        account = columns.one(fields, id_column) or name
        if not account:
            return None
        identity = f"account:jira:{account}"
        if identity not in identities:
            identities[identity] = {
                "identity_key": identity,
                "source": source,
                "kind": "account",
                "display_name": name or None,
                "is_bot": bots.is_bot(name=name, email=None, identity_key=identity),
            }
        return identity

    assignee = person(ASSIGNEE, ASSIGNEE_ID)
    reporter = person(REPORTER, REPORTER_ID)
    parent = columns.one(fields, PARENT) or None
    epic = columns.one(fields, EPIC_LINK) or None
    rows.add_object(
        object_id=oid,
        object_type="work_item",
        source=source,
        external_key=key,
        title=columns.one(fields, SUMMARY) or None,
        item_type=columns.one(fields, TYPE) or None,
        created_at=created,
        attributes={
            "url": None,
            "labels": columns.every(fields, LABELS),
            "sprints": columns.every(fields, SPRINT),
            "parent": parent,
            "epic": epic,
            "status": status,
            "status_category": category,
            "resolution": columns.one(fields, RESOLUTION) or None,
            "resolved_at": resolved.isoformat() if resolved else None,
            "assignee": assignee,
            "history_truncated": True,
        },
    )
    entered = _entered(category, resolved, changed)
    first = status if category == "new" or entered is None else CREATED
    rows.add_event(
        event_id=_event_id(oid, "created"),
        object_id=oid,
        activity=first,
        timestamp=created,
        resource_key=reporter,
        source=source,
        ordinal=0,
        attributes={"initial": True},
    )
    if first != status and entered is not None:
        rows.add_event(
            event_id=_event_id(oid, "current"),
            object_id=oid,
            activity=status,
            timestamp=max(entered, created),
            resource_key=None,
            source=source,
            ordinal=1,
            attributes={"from_export": True},
        )
    for target in {parent, epic} - {None}:
        if target and re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*-[0-9]+", target):
            rows.add_relation(oid, f"{source}:{target}", "parent")


def _category(value: str, resolved: dt.datetime | None) -> str | None:
    """Jira's status category (new / indeterminate / done) from its name in the export, or
    ``done`` when a resolution date says so; ``None`` when the file does not tell."""
    name = " ".join(value.casefold().split())
    if name in {"to do", "new"}:
        return "new"
    if name in {"in progress", "indeterminate"}:
        return "indeterminate"
    if name in {"done", "complete"}:
        return "done"
    return "done" if resolved is not None else None


def _entered(
    category: str | None, resolved: dt.datetime | None, changed: dt.datetime | None
) -> dt.datetime | None:
    """When the item entered its current status, as far as the file tells."""
    if category == "done":
        return resolved or changed
    if category == "indeterminate":
        return changed
    return None


def _event_id(object_id: str, what: str) -> str:
    return hashlib.md5(f"{object_id}\x1f{what}".encode(), usedforsecurity=False).hexdigest()


def ingest_jira_csv(
    *,
    lake: Lake,
    path: Path,
    source: str | None = None,
    dates: DateFormat | None = None,
    bots: BotRules = DEFAULT_BOT_RULES,
    limits: IngestSettings | None = None,
) -> JiraCsvReport:
    """Map the whole file first (bad rows raise, nothing written), then write one batch."""
    source = source or default_source(path)
    rows = map_export(path, source=source, dates=dates, bots=bots, limits=limits)
    with lake.batch(label=f"jira-csv {source} {Path(path).name}") as batch:
        rows.write(batch)
    statuses: dict[str, int] = {}
    for event in rows.events:
        statuses[event["activity"]] = statuses.get(event["activity"], 0) + 1
    return JiraCsvReport(
        source=source,
        file=str(path),
        items=len(rows.objects),
        events=len(rows.events),
        objects_added=batch.result.added.get("objects", 0),
        events_added=batch.result.added.get("events", 0),
        identities=len(rows.identities),
        relations=len(rows.relations),
        history_truncated=len(rows.objects),
        statuses=dict(sorted(statuses.items())),
    )
