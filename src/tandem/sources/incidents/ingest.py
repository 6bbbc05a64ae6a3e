"""``tandem ingest incidents``: a PagerDuty/Opsgenie-style CSV into incident objects and events.

Each row is one incident: ``@incident:incidents:<stem>:<id>`` with ``incident_opened`` at its
creation and, once resolved, ``incident_resolved`` (docs/connectors.md). Every row is checked
before anything is written; one bad row refuses the file, each problem named by line and column.
Event keys are the incident and the activity, so importing the file again (or a later export
that repeats these incidents) adds nothing; an incident resolved since the last export adds its
``incident_resolved`` event.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tandem.csvfile import BadRowsError, CsvRow, read_table
from tandem.lake import Lake
from tandem.settings import IngestSettings
from tandem.sources.incidents.columns import IncidentColumns, resolve_columns
from tandem.sources.incidents.times import BadTimestamp, parse_timestamp, zone
from tandem.sources.rows import LakeRows

#: Status words meaning the incident is over (PagerDuty ``resolved``, Opsgenie ``closed``).
CLOSED_STATUSES = frozenset({"resolved", "closed", "done", "fixed"})
SOURCE_PREFIX = "incidents:"


@dataclass
class IncidentIngestReport:
    """One incident file's import."""

    source: str
    file: str
    columns: dict[str, str | None]
    incidents: int
    resolved: int
    open: int
    events: int
    objects_added: int
    events_added: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Incident:
    """One checked row."""

    line: int
    key: str
    title: str | None
    opened_at: dt.datetime
    resolved_at: dt.datetime | None
    attributes: dict[str, Any]


def source_name(path: Path, name: str | None) -> str:
    """``incidents:<name>``; the name defaults to the file name without its extensions."""
    if name is None:
        name = path.name
        for suffix in (".gz", ".csv"):
            if name.lower().endswith(suffix) and len(name) > len(suffix):
                name = name[: -len(suffix)]
    name = name.removeprefix(SOURCE_PREFIX).strip()
    if not name or name.startswith("@"):
        raise BadRowsError(path, [(1, f"unusable source name {name!r}")])
    return SOURCE_PREFIX + name


def ingest_incidents(
    *,
    lake: Lake,
    path: Path,
    source: str | None = None,
    overrides: dict[str, str] | None = None,
    timezone: str | None = None,
    limits: IngestSettings | None = None,
) -> IncidentIngestReport:
    """Import one incident CSV (plain or gzip); bad input raises an InputError, writing nothing."""
    path = Path(path)
    limits = limits or IngestSettings()
    tz = zone(timezone)
    name = source_name(path, source)
    header, rows, problems = read_table(path, limits=limits)
    columns = resolve_columns(header, overrides or {}, path=path)
    incidents = _check_rows(rows, columns, problems, tz=tz, limits=limits)
    if problems:
        raise BadRowsError(path, problems)
    lake_rows = _lake_rows(incidents, source=name)
    with lake.batch(label=f"incidents {name} {path.name}") as batch:
        lake_rows.write(batch)
    resolved = sum(1 for i in incidents if i.resolved_at is not None)
    return IncidentIngestReport(
        source=name,
        file=str(path),
        columns=columns.as_dict(),
        incidents=len(incidents),
        resolved=resolved,
        open=len(incidents) - resolved,
        events=len(lake_rows.events),
        objects_added=batch.result.added.get("objects", 0),
        events_added=batch.result.added.get("events", 0),
    )


def _check_rows(
    rows: list[CsvRow],
    columns: IncidentColumns,
    problems: list[tuple[int, str]],
    *,
    tz: ZoneInfo | None,
    limits: IngestSettings,
) -> list[Incident]:
    """Every row as an :class:`Incident`; each bad value is appended to ``problems``."""
    earliest = dt.datetime.combine(limits.earliest, dt.time(), tzinfo=dt.UTC)
    latest = dt.datetime.combine(limits.latest() + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    first_line: dict[str, int] = {}
    incidents: list[Incident] = []
    for row in rows:
        found: list[str] = []

        def value(column: str | None, row: CsvRow = row) -> str:
            return row.values.get(column, "") if column is not None else ""

        def timestamp(column: str | None, found: list[str] = found) -> dt.datetime | None:
            raw = value(column)
            if column is None or not raw:
                return None
            try:
                parsed = parse_timestamp(raw, timezone=tz)
            except BadTimestamp as bad:
                found.append(f"column {column!r}: {bad}")
                return None
            if not earliest <= parsed < latest:
                found.append(
                    f"column {column!r}: timestamp {raw!r} lies outside "
                    f"{limits.earliest.isoformat()} .. {limits.latest().isoformat()} "
                    "(ingest.earliest and ingest.latest_ahead_days); fix the value, or widen "
                    "the window in tandem.toml"
                )
                return None
            return parsed

        key = value(columns.id)
        if not key:
            found.append(f"column {columns.id!r}: no incident id")
        elif key in first_line:
            found.append(
                f"column {columns.id!r}: duplicate id {key!r} (first on line {first_line[key]})"
            )
        else:
            first_line[key] = row.line
        opened_at = timestamp(columns.opened)
        if opened_at is None and not value(columns.opened):
            found.append(f"column {columns.opened!r}: no creation time")
        status = value(columns.status)
        closed = status.lower() in CLOSED_STATUSES
        resolved_at = timestamp(columns.resolved)
        resolved_column = columns.resolved
        if resolved_at is None and not value(columns.resolved) and closed and columns.updated:
            # Opsgenie exports may lack ClosedAt: a closed alert's last update is its closing.
            resolved_at, resolved_column = timestamp(columns.updated), columns.updated
        if closed and resolved_at is None and not found:
            found.append(
                f"column {columns.status!r}: status {status!r} but no resolution time "
                f"(looked in {', '.join(c for c in (columns.resolved, columns.updated) if c)})"
                if columns.resolved or columns.updated
                else f"column {columns.status!r}: status {status!r} but the file has no "
                "resolution time column (name one as resolved=COLUMN)"
            )
        if opened_at and resolved_at and resolved_at < opened_at:
            found.append(
                f"column {resolved_column!r}: resolved at {resolved_at.isoformat()}, before it "
                f"was opened ({opened_at.isoformat()})"
            )
        if found:
            problems.extend((row.line, message) for message in found)
            continue
        assert opened_at is not None  # a row without one was refused above
        incidents.append(
            Incident(
                line=row.line,
                key=key,
                title=value(columns.title) or None,
                opened_at=opened_at,
                resolved_at=resolved_at,
                attributes={
                    "service": value(columns.service) or None,
                    "environment": value(columns.environment) or None,
                    "severity": value(columns.severity) or None,
                    "status": status or None,
                    "resolved_at": resolved_at,
                    "url": value(columns.url) or None,
                    "labels": split_labels(value(columns.labels)),
                },
            )
        )
    return incidents


def split_labels(text: str) -> list[str]:
    """Tags as exports write them: ``a, b``, ``[a, b]`` or ``a;b`` → ``["a", "b"]``."""
    inner = text.strip().removeprefix("[").removesuffix("]")
    parts = (part.strip().strip("'\"").strip() for part in re.split(r"[,;]", inner))
    return [part for part in parts if part]


def _lake_rows(incidents: list[Incident], *, source: str) -> LakeRows:
    rows = LakeRows()
    for incident in incidents:
        object_id = f"@incident:{source}:{incident.key}"
        rows.add_object(
            object_id=object_id,
            object_type="incident",
            source=source,
            external_key=incident.key,
            title=incident.title,
            created_at=incident.opened_at,
            attributes=incident.attributes,
        )
        rows.add_event(
            object_id=object_id,
            activity="incident_opened",
            timestamp=incident.opened_at,
            source=source,
            ordinal=0,
            key=(),
        )
        if incident.resolved_at is not None:
            rows.add_event(
                object_id=object_id,
                activity="incident_resolved",
                timestamp=incident.resolved_at,
                source=source,
                ordinal=1,
                key=(),
            )
    return rows
