"""The status mapping wizard: a source's statuses with counts and a proposed flow category.

A proposal comes, in this order, from a name rule that Jira's status categories cannot express
(``Blocked`` / ``On hold`` → waiting, ``Won't Do`` / ``Duplicate`` → canceled: Jira files both
under "in progress" or "done"; ``review`` / ``QA`` / ``test`` → active even where a workflow
files them under To Do), then from Jira's own ``statusCategory`` when the source knows it
(``new`` → new, ``indeterminate`` → active, ``done`` → done), then from the name rules alone
(:func:`propose_by_name`). Nothing is written unless a person saves it
(:func:`save_mapping`): ``[flow.mapping."<source>"]`` in ``tandem.toml``, written atomically
and audited.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tandem.errors import InputError, NotFoundError
from tandem.flow.mapping import CATEGORIES, Category, StatusMapping, default_category
from tandem.lake import Lake
from tandem.settings_file import write_source_mapping

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# Jira's status categories (``statusCategory.key``) as flow categories.
JIRA_CATEGORIES: dict[str, Category] = {"new": "new", "indeterminate": "active", "done": "done"}

_NAME_RULES: tuple[tuple[Category, re.Pattern[str]], ...] = (
    ("canceled", re.compile(r"cancel|won'?t|duplicate|reject|invalid|declined|abandon|无效")),
    ("waiting", re.compile(r"block|wait|on[ -]?hold|pending|paused|suspend|挂起")),
    ("active", re.compile(r"review|\bqa\b|test|verif|评审|测试")),
)


@dataclass(frozen=True)
class StatusProposal:
    """One status of a source: counts, the category in use, the one proposed and why."""

    activity: str
    events: int
    items: int
    current: Category
    configured: bool
    proposed: Category
    reason: str
    jira_category: str | None


@dataclass(frozen=True)
class MappingProposal:
    """Every status of one source, most frequent first."""

    source: str
    statuses: list[StatusProposal]

    def choices(self) -> dict[str, Category]:
        """Activity → proposed category (what ``--write`` saves)."""
        return {s.activity: s.proposed for s in self.statuses}

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "statuses": [asdict(s) for s in self.statuses],
            "changes": sum(1 for s in self.statuses if s.proposed != s.current or not s.configured),
        }


def propose_by_name(activity: str) -> tuple[Category, str]:
    """The category a status name suggests, and the rule that said so."""
    name = " ".join(activity.casefold().split())
    for category, pattern in _NAME_RULES:
        if pattern.search(name):
            return category, f"name matches {category} rule"
    return default_category(activity), "name default"


def propose(activity: str, jira_category: str | None) -> tuple[Category, str]:
    """The proposed category of one status (module docstring: the order of the rules)."""
    by_name, rule = propose_by_name(activity)
    if by_name in ("waiting", "canceled"):
        return by_name, rule
    if by_name == "active" and rule != "name default" and jira_category == "new":
        return by_name, rule  # "Under review" filed under To Do is work under way
    if jira_category in JIRA_CATEGORIES:
        return JIRA_CATEGORIES[jira_category], f"Jira status category {jira_category}"
    return by_name, rule


def sources(lake: Lake) -> list[str]:
    """Every source with events, by name."""
    with contextlib.closing(lake.connect(tables=("events",))) as con:
        rows = con.execute("SELECT DISTINCT source FROM events ORDER BY 1").fetchall()
    return [str(r[0]) for r in rows]


def jira_status_categories(lake: Lake, source: str) -> dict[str, str]:
    """Status name (casefolded) → Jira ``statusCategory.key``: from the source's sync state
    (``status_categories``, read from Jira's ``/status``) first, else the category most of the
    source's items give their current status."""
    found: dict[str, str] = {}
    state = lake.state(source)
    if isinstance(state, Mapping):
        for name, category in (state.get("status_categories") or {}).items():
            found[_key(str(name))] = str(category)
    with contextlib.closing(lake.connect(tables=("objects",))) as con:
        rows = con.execute(
            "SELECT status, category FROM ("
            " SELECT json_extract_string(attributes, '$.status') AS status,"
            " json_extract_string(attributes, '$.status_category') AS category, count(*) AS n"
            " FROM objects WHERE source = ? GROUP BY ALL)"
            " WHERE status IS NOT NULL AND category IS NOT NULL"
            " ORDER BY n DESC, category",
            [source],
        ).fetchall()
    for name, category in rows:
        found.setdefault(_key(str(name)), str(category))
    return found


def propose_mapping(*, lake: Lake, mapping: StatusMapping, source: str) -> MappingProposal:
    """The statuses of ``source`` with their counts and proposals (unknown source: not found)."""
    with contextlib.closing(lake.connect(tables=("events",))) as con:
        rows = con.execute(
            "SELECT activity, count(*) AS events, count(DISTINCT object_id) AS items "
            "FROM events WHERE source = ? AND NOT starts_with(object_id, '@') "
            "GROUP BY activity ORDER BY events DESC, activity",
            [source],
        ).fetchall()
    if not rows:
        known = ", ".join(sources(lake)) or "none yet"
        raise NotFoundError(f"no events of source {source!r} in the lake (sources: {known})")
    categories = jira_status_categories(lake, source)
    statuses = []
    for activity, events, items in rows:
        current, defaulted = mapping.categorize(source, activity)
        jira = categories.get(_key(activity))
        proposed, reason = propose(activity, jira)
        statuses.append(
            StatusProposal(
                activity=activity,
                events=int(events),
                items=int(items),
                current=current,
                configured=not defaulted,
                proposed=proposed,
                reason=reason,
                jira_category=jira,
            )
        )
    return MappingProposal(source=source, statuses=statuses)


def check_choices(source: str, choices: Mapping[str, str]) -> dict[str, Category]:
    """Each chosen category checked; a bad one names its field (the status)."""
    checked: dict[str, Category] = {}
    for activity, category in choices.items():
        value = category.strip().lower()
        if value not in CATEGORIES:
            raise InputError(
                f"{category!r} is not a flow category; one of {', '.join(CATEGORIES)}",
                field=f'flow.mapping."{source}".{json.dumps(activity, ensure_ascii=False)}',
            )
        checked[activity] = value
    return checked


def save_mapping(
    *,
    config_path: Path,
    source: str,
    choices: Mapping[str, str],
    session: Session | None = None,
    actor: str | None = None,
) -> dict[str, Category]:
    """Write ``[flow.mapping."<source>"]`` (replacing that table only) atomically; record it in
    the audit log when a session and actor are given (in their transaction)."""
    checked = check_choices(source, choices)
    if not checked:
        raise InputError("no status to save", field=f'flow.mapping."{source}"')
    if session is not None and actor is not None:  # recorded first: a failed write rolls it back
        from tandem.audit import service as audit

        counts: dict[str, int] = {}
        for category in checked.values():
            counts[category] = counts.get(category, 0) + 1
        audit.record(
            session=session,
            actor=actor,
            action="flow.mapping",
            target=f"source:{source}"[:200],
            detail={"statuses": len(checked), **{f"n_{k}": v for k, v in sorted(counts.items())}},
        )
    write_source_mapping(config_path, source, checked)
    return checked


def _key(activity: str) -> str:
    return " ".join(activity.casefold().split())
