"""Data quality per source: what in the lake makes flow figures less trustworthy.

Counts by source only (never a person): items and events; items whose history the source cut
(``history_truncated``); items with no event in a ``done`` status under the mapping in use;
events without a resource (who moved the item is unknown); the share of events made by bots;
and statuses no ``[flow.mapping]`` names (their category is a default from the name).
Definitions: docs/metrics.md, "Data quality".
"""

from __future__ import annotations

import contextlib
from dataclasses import asdict, dataclass, field
from typing import Any

import pyarrow as pa

from tandem.flow.mapping import StatusMapping
from tandem.lake import Lake


@dataclass(frozen=True)
class SourceQuality:
    """One source's data-quality counts."""

    source: str
    items: int
    events: int
    truncated_items: int
    items_without_done: int
    events_without_resource: int
    bot_events: int
    statuses: int
    unmapped_statuses: list[str] = field(default_factory=list)

    @property
    def bot_share(self) -> float | None:
        return self.bot_events / self.events if self.events else None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "bot_share": self.bot_share}


def source_quality(*, lake: Lake, mapping: StatusMapping) -> list[SourceQuality]:
    """Every source with work-item events (delivery objects, ``@…``, are not items), by name."""
    with contextlib.closing(lake.connect(tables=("events", "objects", "identities"))) as con:
        pairs = con.execute(
            "SELECT DISTINCT source, activity FROM events "
            "WHERE NOT starts_with(object_id, '@') ORDER BY 1, 2"
        ).fetchall()
        categories = {
            "source": [s for s, _ in pairs],
            "activity": [a for _, a in pairs],
            "category": [mapping.categorize(s, a)[0] for s, a in pairs],
            "defaulted": [mapping.categorize(s, a)[1] for s, a in pairs],
        }
        con.register("status_categories", pa.table(categories))
        rows = con.execute(
            """
            WITH e AS (
                SELECT e.*, c.category, coalesce(i.is_bot, false) AS bot
                FROM events e
                JOIN status_categories c USING (source, activity)
                LEFT JOIN identities i ON i.identity_key = e.resource_key
                WHERE NOT starts_with(e.object_id, '@')
            ),
            per_item AS (
                SELECT source, object_id, bool_or(category = 'done') AS done
                FROM e GROUP BY source, object_id
            ),
            truncated AS (
                SELECT source, count(*) AS n FROM objects
                WHERE NOT starts_with(object_id, '@')
                  AND json_extract(attributes, '$.history_truncated')::VARCHAR = 'true'
                GROUP BY source
            )
            SELECT e.source,
                   count(DISTINCT e.object_id),
                   count(*),
                   any_value(coalesce(t.n, 0)),
                   (SELECT count(*) FROM per_item p WHERE p.source = e.source AND NOT p.done),
                   count(*) FILTER (WHERE e.resource_key IS NULL),
                   count(*) FILTER (WHERE e.bot),
                   count(DISTINCT e.activity)
            FROM e LEFT JOIN truncated t USING (source)
            GROUP BY e.source ORDER BY e.source
            """
        ).fetchall()
    unmapped: dict[str, list[str]] = {}
    for source, activity, defaulted in zip(
        categories["source"], categories["activity"], categories["defaulted"], strict=True
    ):
        if defaulted:
            unmapped.setdefault(source, []).append(activity)
    return [
        SourceQuality(
            source=str(source),
            items=int(items),
            events=int(events),
            truncated_items=int(truncated),
            items_without_done=int(no_done),
            events_without_resource=int(no_resource),
            bot_events=int(bots),
            statuses=int(statuses),
            unmapped_statuses=unmapped.get(str(source), []),
        )
        for source, items, events, truncated, no_done, no_resource, bots, statuses in rows
    ]
