"""Status mapping: every activity or status of every source belongs to one flow category.

Categories are ``new``, ``waiting``, ``active``, ``done`` and ``canceled``. A source's mapping
comes from ``[flow.mapping.<source>]`` in ``tandem.toml`` (``[flow.mapping."*"]`` applies to every
source; a source's own entry wins). An activity listed nowhere gets a default from its name
(:func:`default_category`) and is reported as *defaulted*, never dropped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import ibis
import ibis.expr.types as ir

from tandem.flow.engine import Filters, FlowEngine
from tandem.settings import FLOW_CATEGORIES, FlowSettings

Category = Literal["new", "waiting", "active", "done", "canceled"]
CATEGORIES: tuple[Category, ...] = cast(tuple[Category, ...], FLOW_CATEGORIES)
ALL_SOURCES = "*"

# Checked in this order; the first match wins, anything else is active work.
_DEFAULT_RULES: tuple[tuple[Category, re.Pattern[str]], ...] = (
    ("canceled", re.compile(r"cancel|reject|discard|abort|withdrawn|won'?t (do|fix)|declined")),
    ("done", re.compile(r"\b(closed?|done|resolved|completed?|finished|released|merged)\b")),
    (
        "waiting",
        re.compile(
            r"wait|pending|\bon[ -]?hold\b|\bblocked\b|awaiting|update from customer|queued"
        ),
    ),
    ("new", re.compile(r"^(open|opened|new|created?|submitted|registered|to ?do|backlog)$")),
)


def default_category(activity: str) -> Category:
    """The category an activity gets from its name alone.

    Examples
    --------
    >>> default_category("Closed"), default_category("Pending vendor"), default_category("Open")
    ('done', 'waiting', 'new')
    >>> default_category("Assignment")
    'active'
    """
    name = " ".join(activity.casefold().split())
    for category, pattern in _DEFAULT_RULES:
        if pattern.search(name):
            return category
    return "active"


@dataclass(frozen=True)
class StatusMapping:
    """Explicit activity → category per source (casefolded activity names)."""

    sources: dict[str, dict[str, Category]] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: FlowSettings) -> StatusMapping:
        """The mapping written in ``[flow.mapping]`` (both spellings accepted)."""
        sources: dict[str, dict[str, Category]] = {}
        for source, entries in settings.mapping.items():
            table = sources.setdefault(source, {})
            for key, value in entries.items():
                if isinstance(value, list):
                    for activity in value:
                        table[_key(activity)] = cast(Category, key.lower())
                else:
                    table[_key(key)] = cast(Category, value.lower())
        return cls(sources)

    def categorize(self, source: str, activity: str) -> tuple[Category, bool]:
        """``(category, defaulted)`` of one activity of one source."""
        key = _key(activity)
        for scope in (source, ALL_SOURCES):
            found = self.sources.get(scope, {}).get(key)
            if found is not None:
                return found, False
        return default_category(activity), True


def mapping_table_name(source: str) -> str:
    """``[flow.mapping.<source>]`` as TOML spells it (quoted unless a bare key: ``jira:x/P``
    needs quotes).

    >>> mapping_table_name("tiny"), mapping_table_name("jira:example.net/OPS")
    ('[flow.mapping.tiny]', '[flow.mapping."jira:example.net/OPS"]')
    """
    name = source if re.fullmatch(r"[A-Za-z0-9_-]+", source) else json.dumps(source)
    return f"[flow.mapping.{name}]"


def _key(activity: str) -> str:
    return " ".join(activity.casefold().split())


def mapping_table(engine: FlowEngine, filters: Filters, mapping: StatusMapping) -> ir.Table:
    """A small table ``(source, activity, category, defaulted)`` joinable on source + activity."""
    pairs = engine.backend.to_pyarrow(
        engine.events(filters)
        .select("source", "activity")
        .distinct()
        .order_by(["source", "activity"])
    ).to_pylist()
    rows: dict[str, list[Any]] = {"source": [], "activity": [], "category": [], "defaulted": []}
    for pair in pairs:
        category, defaulted = mapping.categorize(pair["source"], pair["activity"])
        rows["source"].append(pair["source"])
        rows["activity"].append(pair["activity"])
        rows["category"].append(category)
        rows["defaulted"].append(defaulted)
    schema = ibis.schema(
        {"source": "string", "activity": "string", "category": "string", "defaulted": "boolean"}
    )
    return ibis.memtable(rows, schema=schema)


def categorized_events(engine: FlowEngine, filters: Filters, mapping: StatusMapping) -> ir.Table:
    """The event selection with each event's ``category`` and its position ``pos`` in its case.

    ``pos`` numbers a case's events from 0 by timestamp, then source order (ties keep file order).
    """
    events = engine.events(filters)
    table = mapping_table(engine, filters, mapping)
    right = table.select(m_source=table.source, m_activity=table.activity, category=table.category)
    joined = events.inner_join(
        right, [events.source == right.m_source, events.activity == right.m_activity]
    ).drop("m_source", "m_activity")
    order = ibis.window(group_by="case_id", order_by=["timestamp", "ordinal"])
    return joined.mutate(pos=ibis.row_number().over(order))


@dataclass(frozen=True)
class MappingRow:
    """One activity of one source, its category and how often it occurs."""

    source: str
    activity: str
    category: Category
    defaulted: bool
    events: int
    cases: int


@dataclass(frozen=True)
class MappingReport:
    """The status mapping in use, per source, with counts; defaulted activities are listed."""

    rows: list[MappingRow]

    def sources_without(self, category: Category) -> list[str]:
        """The sources none of whose activities maps to ``category``."""
        have = {row.source for row in self.rows if row.category == category}
        return sorted({row.source for row in self.rows} - have)

    def warnings(self) -> list[str]:
        """What makes figures unknown: a source with no ``done`` state has no item ever done
        (no lead/cycle time, throughput or forecast); no ``waiting`` state makes flow efficiency
        unknown. Each says how to fix it."""
        found = [
            f'source {source!r}: no activity maps to "done", so no item is ever done (no '
            f"lead or cycle time, throughput or forecast); map its closing activities in "
            f'{mapping_table_name(source)} of tandem.toml, e.g. done = ["Closed"]'
            for source in self.sources_without("done")
        ]
        found += [
            f'source {source!r}: no activity maps to "waiting", so flow efficiency is '
            f"unknown; map its waiting states in {mapping_table_name(source)} of tandem.toml, e.g. "
            f'"In Review" = "waiting"'
            for source in self.sources_without("waiting")
        ]
        return found

    def to_dict(self) -> dict[str, Any]:
        sources: dict[str, list[dict[str, Any]]] = {}
        for row in self.rows:
            sources.setdefault(row.source, []).append(
                {
                    "activity": row.activity,
                    "category": row.category,
                    "defaulted": row.defaulted,
                    "events": row.events,
                    "cases": row.cases,
                }
            )
        return {
            "sources": sources,
            "n": sum(row.events for row in self.rows),
            "activities": len(self.rows),
            "defaulted": [
                {"source": r.source, "activity": r.activity, "category": r.category}
                for r in self.rows
                if r.defaulted
            ],
            "warnings": self.warnings(),
        }


def mapping_report(
    *, engine: FlowEngine, filters: Filters, mapping: StatusMapping
) -> MappingReport:
    """Every activity in the selection with its category, event and case counts."""
    events = engine.events(filters)
    counts = engine.backend.to_pyarrow(
        events.group_by(["source", "activity"])
        .aggregate(events=events.count(), cases=events.case_id.nunique())
        .order_by(["source", ibis.desc("events"), "activity"])
    ).to_pylist()
    rows = []
    for count in counts:
        category, defaulted = mapping.categorize(count["source"], count["activity"])
        rows.append(
            MappingRow(
                source=count["source"],
                activity=count["activity"],
                category=category,
                defaulted=defaulted,
                events=int(count["events"]),
                cases=int(count["cases"]),
            )
        )
    return MappingReport(rows)
