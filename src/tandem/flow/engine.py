"""Where flow metrics run: an Ibis backend over the lake, and the event selection they all share.

Every metric is an Ibis expression over :meth:`FlowEngine.events`, so the same code runs on
DuckDB in-process (the default) and, later, on Spark reading the same Parquet files.

The event selection (one row per event):

========== ===================================================================================
case_id    the object the event belongs to (``events.object_id``)
activity   the activity or status
timestamp  UTC
ordinal    order in the source; breaks timestamp ties (events order by timestamp, ordinal)
lifecycle  start / complete / …, null when the source has none
resource   the resource's identity key, null when unknown
source     the source name
item_type  the object's item type (null when unknown); ``object_type`` its object type
is_bot     whether the resource is a bot (false when there is no resource)
========== ===================================================================================
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

import ibis
import ibis.expr.types as ir

from tandem.errors import InputError
from tandem.lake import Lake

EngineName = Literal["duckdb", "spark"]


@dataclass(frozen=True)
class Filters:
    """What every flow metric can be restricted to.

    ``start``/``end`` keep whole cases that have at least one event in ``[start, end)`` (a case
    is never cut in two, so durations stay true); metrics with their own window semantics (e.g.
    throughput counts items *done* in the window) document them in ``docs/metrics.md``.
    """

    start: dt.datetime | None = None
    end: dt.datetime | None = None
    sources: tuple[str, ...] = ()
    item_types: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    include_bots: bool = True
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise InputError(f"--{'from' if name == 'start' else 'to'}: give a time zone")
        if self.start and self.end and self.start >= self.end:
            raise InputError("--from must be before --to")


class FlowEngine:
    """An Ibis connection over one lake; not thread-safe (one per thread or request)."""

    def __init__(self, lake: Lake, *, engine: EngineName = "duckdb") -> None:
        if engine != "duckdb":
            raise InputError(f"engine {engine!r} is not available yet (use duckdb)")
        self.lake = lake
        self.name: EngineName = engine
        self._raw = lake.connect()
        self.backend = ibis.duckdb.from_connection(self._raw)

    def close(self) -> None:
        """Release the connection."""
        self._raw.close()

    def __enter__(self) -> FlowEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def table(self, name: str) -> ir.Table:
        """A lake table as an Ibis table."""
        return self.backend.table(name)

    def events(self, filters: Filters | None = None) -> ir.Table:
        """The event selection described in the module docstring, filtered."""
        filters = filters or Filters()
        events = self.table("events")
        objects = self.table("objects")
        identities = self.table("identities")
        joined = events.left_join(
            objects.select(
                object_id=objects.object_id,
                item_type=objects.item_type,
                object_type=objects.object_type,
            ),
            events.object_id == objects.object_id,
        ).left_join(
            identities.select(identity_key=identities.identity_key, bot=identities.is_bot),
            events.resource_key == identities.identity_key,
        )
        selection = joined.select(
            case_id=joined.object_id,
            activity=joined.activity,
            timestamp=joined.timestamp,
            ordinal=joined.ordinal,
            lifecycle=joined.lifecycle,
            resource=joined.resource_key,
            source=joined.source,
            item_type=joined.item_type,
            object_type=joined.object_type,
            is_bot=joined.bot.fill_null(False),
        )
        if filters.sources:
            selection = selection.filter(selection.source.isin(filters.sources))
        if filters.item_types:
            selection = selection.filter(selection.item_type.isin(filters.item_types))
        if filters.resources:
            selection = selection.filter(selection.resource.isin(filters.resources))
        if not filters.include_bots:
            selection = selection.filter(~selection.is_bot)
        if filters.start is not None or filters.end is not None:
            inside = ibis.literal(True)
            if filters.start is not None:
                inside &= selection.timestamp >= filters.start
            if filters.end is not None:
                inside &= selection.timestamp < filters.end
            cases = selection.filter(inside).select("case_id").distinct()
            selection = selection.semi_join(cases, "case_id")
        return selection
