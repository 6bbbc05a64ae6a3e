"""Which column of an event log holds the case, activity, timestamp, resource and lifecycle."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tandem.errors import InputError
from tandem.sources.contracts import ColumnMapping

#: Standard spellings per role, most specific first; matched case-insensitively.
STANDARD_NAMES: dict[str, tuple[str, ...]] = {
    "case": ("case:concept:name", "case_id", "caseid", "case id", "case", "case_concept_name"),
    "activity": ("concept:name", "activity", "activity_name", "activity name", "event", "task"),
    "timestamp": (
        "time:timestamp",
        "timestamp",
        "time",
        "complete_timestamp",
        "end_timestamp",
        "start_timestamp",
    ),
    "resource": ("org:resource", "resource", "user", "org:role", "performer"),
    "lifecycle": ("lifecycle:transition", "lifecycle", "transition"),
}
MANDATORY = ("case", "activity", "timestamp")
ROLES = ("case", "activity", "timestamp", "resource", "lifecycle")


@dataclass(frozen=True)
class ResolvedColumns:
    """The columns chosen for each role (``None``: the log has none for that optional role)."""

    case: str
    activity: str
    timestamp: str
    resource: str | None
    lifecycle: str | None

    def used(self) -> set[str]:
        return {name for name in (self.as_dict().values()) if name is not None}

    def as_dict(self) -> dict[str, str | None]:
        return {role: getattr(self, role) for role in ROLES}


def resolve_columns(found: list[str], mapping: ColumnMapping, *, path: Path) -> ResolvedColumns:
    """Pick a column per role: the explicit mapping first, else the first standard name found."""
    by_lower: dict[str, str] = {}
    for name in found:
        by_lower.setdefault(name.lower(), name)
    chosen: dict[str, str | None] = {}
    taken: set[str] = set()
    for role in ROLES:
        explicit = getattr(mapping, role)
        if explicit is not None:
            actual = explicit if explicit in found else by_lower.get(explicit.lower())
            if actual is None:
                raise InputError(
                    f"the {role} column {explicit!r} is not in the file; columns found: "
                    + _listing(found),
                    path=path,
                    field=explicit,
                )
            chosen[role] = actual
            taken.add(actual)
    for role in ROLES:
        if role in chosen:
            continue
        candidates = (by_lower.get(name) for name in STANDARD_NAMES[role])
        chosen[role] = next((c for c in candidates if c is not None and c not in taken), None)
        if chosen[role] is not None:
            taken.add(str(chosen[role]))
    for role in MANDATORY:
        if chosen[role] is None:
            raise InputError(
                f"no {role} column (looked for {', '.join(STANDARD_NAMES[role])}; map one "
                f"explicitly); columns found: {_listing(found)}",
                path=path,
                field=role,
            )
    return ResolvedColumns(
        case=str(chosen["case"]),
        activity=str(chosen["activity"]),
        timestamp=str(chosen["timestamp"]),
        resource=chosen["resource"],
        lifecycle=chosen["lifecycle"],
    )


def _listing(found: list[str]) -> str:
    return ", ".join(found) if found else "(none)"
