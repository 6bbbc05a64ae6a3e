"""Which column of an incident export holds what: detected by name, overridden by the user.

The names are those of PagerDuty's incident export (``id``, ``incident_number``, ``description``,
``created_on``, ``resolved_on``, ``service_name``, ``urgency``, ``status``) and Opsgenie's alert
export (``Alias``, ``TinyId``, ``Message``, ``CreatedAt``, ``ClosedAt``, ``UpdatedAt``, ``Tags``,
``Priority``, ``Teams``), plus the obvious generic spellings. Matching ignores case, spaces,
``_`` and ``-`` (``Created At`` = ``created_at`` = ``CreatedAt``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tandem.errors import InputError

#: Spellings per role, most specific first (compared as :func:`normalise` gives them).
STANDARD_NAMES: dict[str, tuple[str, ...]] = {
    "id": ("id", "incident_id", "incident_number", "number", "alias", "tinyid", "key"),
    "title": ("title", "description", "summary", "message", "name"),
    "opened": ("created_on", "created_at", "opened_at", "triggered_at", "start_time", "created"),
    "resolved": ("resolved_on", "resolved_at", "closed_at", "closed_on", "end_time", "resolved"),
    "updated": ("updated_at", "updated_on", "last_status_change_at"),
    "service": ("service_name", "service", "services", "impacted_services", "teams", "team"),
    "severity": ("urgency", "severity", "priority"),
    "status": ("status", "state"),
    "labels": ("tags", "labels"),
    "environment": ("environment", "env"),
    "url": ("html_url", "url", "link"),
}
ROLES = tuple(STANDARD_NAMES)
MANDATORY = ("id", "opened")


def normalise(name: str) -> str:
    """A column name compared without case, spaces, ``_`` or ``-``: ``Created At`` → createdat."""
    return re.sub(r"[\s_\-]+", "", name).lower()


@dataclass(frozen=True)
class IncidentColumns:
    """The column chosen per role (``None``: the file has none for that role)."""

    id: str
    opened: str
    title: str | None = None
    resolved: str | None = None
    updated: str | None = None
    service: str | None = None
    severity: str | None = None
    status: str | None = None
    labels: str | None = None
    environment: str | None = None
    url: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {role: getattr(self, role) for role in ROLES}


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    """``["opened=Start", "id=Key"]`` → ``{"opened": "Start", "id": "Key"}``; bad ones refused."""
    overrides: dict[str, str] = {}
    for pair in pairs:
        role, sep, column = pair.partition("=")
        role = role.strip().lower()
        if not sep or not column.strip():
            raise InputError(
                f"expected ROLE=COLUMN, got {pair!r} (roles: {', '.join(ROLES)})", field="column"
            )
        if role not in STANDARD_NAMES:
            raise InputError(
                f"unknown role {role!r} in {pair!r} (roles: {', '.join(ROLES)})", field="column"
            )
        overrides[role] = column.strip()
    return overrides


def resolve_columns(
    header: list[str], overrides: dict[str, str], *, path: Path | str
) -> IncidentColumns:
    """A column per role: the override first, else the first standard spelling in the header."""
    by_name: dict[str, str] = {}
    for name in header:
        by_name.setdefault(normalise(name), name)
    chosen: dict[str, str | None] = {}
    for role, wanted in overrides.items():
        actual = wanted if wanted in header else by_name.get(normalise(wanted))
        if actual is None:
            raise InputError(
                f"the {role} column {wanted!r} is not in the file; columns found: "
                + ", ".join(header),
                path=path,
                field=wanted,
            )
        chosen[role] = actual
    taken = {c for c in chosen.values() if c is not None}
    for role in ROLES:
        if role in chosen:
            continue
        candidates = (by_name.get(normalise(n)) for n in STANDARD_NAMES[role])
        found = next((c for c in candidates if c is not None and c not in taken), None)
        chosen[role] = found
        if found is not None:
            taken.add(found)
    for role in MANDATORY:
        if chosen[role] is None:
            raise InputError(
                f"no {role} column (looked for {', '.join(STANDARD_NAMES[role])}; name one as "
                f"{role}=COLUMN); columns found: {', '.join(header) or '(none)'}",
                path=path,
                field=role,
            )
    return IncidentColumns(**chosen)  # type: ignore[arg-type]  # id and opened checked above
