"""Where flow metrics run: an Ibis backend over the lake, and the event selection they all share.

Every metric is an Ibis expression over :meth:`FlowEngine.events`, so the same code runs on
DuckDB in-process (the default) and on Apache Spark (``engine="spark"``: local mode or a Spark
Connect server, the optional extra ``tandem[spark]``; ``tandem.flow.spark``) reading the same
Parquet files the lake manifest lists.

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

Delivery objects (pull requests, deployments, incidents, CI runs, releases) are never cases: their
``object_id`` starts with ``@`` (``docs/connectors.md``), so both routes below drop them with one
prefix test on ``events.object_id`` before anything else (:func:`work_item_events`), no join.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import ibis
import ibis.expr.datatypes as dt_type
import ibis.expr.types as ir

from tandem.errors import InputError
from tandem.flow import spark
from tandem.lake import Lake
from tandem.lake.steps import STEP_COLUMNS

if TYPE_CHECKING:
    import pyarrow as pa

EngineName = Literal["duckdb", "spark"]
_temp_ids = itertools.count()
#: The days a window may name: wide for any real history, narrow enough that date arithmetic
#: (a default window's 90 days, a day-by-day series) never leaves the calendar.
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2199, 12, 31)


def parse_day(value: str | dt.date | None, field: str) -> dt.date | None:
    """A day from ``YYYY-MM-DD`` (or a date; a datetime gives its date) between
    :data:`FIRST_DAY` and :data:`LAST_DAY`; ``None`` or blank text is ``None``. A bad value is
    an :class:`InputError` naming ``field`` (a form field or a command-line option)."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            raise InputError(f"{text!r} is not a date (YYYY-MM-DD)", field=field) from None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not FIRST_DAY <= value <= LAST_DAY:
        raise InputError(f"give a day between {FIRST_DAY} and {LAST_DAY}", field=field)
    return value


@dataclass(frozen=True)
class Filters:
    """What every flow metric can be restricted to.

    ``teams`` maps each selected team to its members' identity keys (resolved by the surface
    from the app database) and ``resources`` lists identity keys: both **select items** — the
    whole cases whose history has at least one event by one of those resources — never cut
    events out of a case, so an item's state, times and age are those of its whole history
    (an item another team closed is closed for every team). A team with no known identities
    selects nothing. ``start``/``end`` keep whole cases that have at least one event in
    ``[start, end)`` (a case is never cut in two, so durations stay true); metrics with their
    own window semantics (e.g. throughput counts items *done* in the window) document them in
    ``docs/metrics.md``. Only ``include_bots=False`` removes events from a case.

    ``team_people`` maps the teams' identity keys to their person (one person may have several
    identities): the flow service counts the distinct people behind a team answer with it
    (:func:`tandem.flow.service.people_behind`); a key missing from it counts as a person.
    """

    start: dt.datetime | None = None
    end: dt.datetime | None = None
    sources: tuple[str, ...] = ()
    item_types: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    teams: dict[str, tuple[str, ...]] = field(default_factory=dict)
    team_people: dict[str, str] = field(default_factory=dict)
    include_bots: bool = True
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def keeps_whole_cases(self) -> bool:
        """Whether the selection keeps or drops whole cases only (no event is cut from a case).

        Then the lake's step facts (``tandem.lake.steps``) hold for the selection as stored.
        """
        return self.include_bots

    @property
    def people(self) -> tuple[str, ...] | None:
        """The identity keys whose items are selected (``resources`` ∪ team members), or None
        when neither filter is set (an empty tuple selects nothing)."""
        if not self.resources and not self.teams:
            return None
        keys = set(self.resources) | {k for keys in self.teams.values() for k in keys}
        return tuple(sorted(keys))

    def without_people(self) -> Filters:
        """These filters without ``resources`` and ``teams``: the whole log the items come from."""
        return replace(self, resources=(), teams={}, team_people={})

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise InputError(f"the window's {name}: give a time zone")
            if value is not None and not FIRST_DAY <= value.date() <= LAST_DAY:
                raise InputError(
                    f"the window's {name} must lie between {FIRST_DAY} and {LAST_DAY}",
                    field=name,
                )
        if self.start and self.end and self.start >= self.end:
            raise InputError("the window's start must be before its end")


def utc(column: ir.TimestampColumn) -> ir.TimestampColumn:
    """A timestamp column typed as UTC.

    DuckDB reads the lake's ``timestamp[us, UTC]`` as ``TIMESTAMPTZ`` (Ibis: ``timestamp('UTC')``);
    Spark reads it as an instant in the session time zone (UTC here) that Ibis types without a
    zone, so results would come back naive. The cast only retypes it (no value changes).
    """
    if column.type().timezone is not None:
        return column
    return column.cast(dt_type.Timestamp(timezone="UTC", scale=6))


def collect_in_order(
    engine: FlowEngine, value: ir.Column, order_by: list[ir.Column]
) -> ir.ArrayScalar:
    """The aggregate ``value`` of each group as an array, ordered by ``order_by``.

    DuckDB has ``list(value ORDER BY …)``; Spark has no ordered ``array_agg``, so there each group
    collects ``(order_by…, value)`` structs, sorts them (structs compare field by field) and keeps
    the values. The struct route gives the same arrays on DuckDB too, but was ~10× slower there
    (2 M events: 3.8 s against 0.4 s), so DuckDB keeps its ordered aggregate.
    """
    if engine.name == "duckdb":
        return value.collect(order_by=order_by)
    fields = {f"k{i}": key for i, key in enumerate(order_by)}
    fields["value"] = value
    collected: ir.ArrayValue = ibis.struct(fields).collect()
    return collected.sort().map(lambda step: step["value"])


class FlowEngine:
    """An Ibis connection over one lake; not thread-safe (one per thread or request).

    ``engine="duckdb"`` opens an in-process DuckDB connection with one view per lake table.
    ``engine="spark"`` uses the process's Spark session (:func:`tandem.flow.spark.session`:
    local, or on the Spark Connect server ``spark_remote``) and registers one temporary view per
    lake table over the same Parquet files; the views are private to this engine and dropped by
    :meth:`close`.
    """

    def __init__(
        self, lake: Lake, *, engine: EngineName = "duckdb", spark_remote: str | None = None
    ) -> None:
        if engine not in ("duckdb", "spark"):
            raise InputError(f"engine {engine!r} is not one of duckdb, spark")
        self.lake = lake
        self.name: EngineName = engine
        self._raw: Any = None
        self._views: dict[str, str] = {}
        self._session: Any = None
        if engine == "duckdb":
            self._raw = lake.connect()
            self.backend = ibis.duckdb.from_connection(self._raw)
        else:
            self._session = spark.session(spark_remote)
            self.backend = ibis.pyspark.connect(self._session)
            self._views = spark.lake_views(self._session, lake)

    def close(self) -> None:
        """Release the connection (DuckDB) or drop this engine's views (local Spark).

        On a Spark Connect server the views are left to the session, which drops them when it
        ends (at exit): a drop is a round trip per table, and a close must never wait on a
        server (one such drop was seen to hang in a loaded test run)."""
        if self._raw is not None:
            self._raw.close()
        if self._views and not spark.is_remote(self._session):
            for view in self._views.values():
                self._session.catalog.dropTempView(view)
        self._views = {}

    def __enter__(self) -> FlowEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def materialized(self, expr: ir.Table) -> Iterator[ir.Table]:
        """``expr`` computed once and kept for several queries (DuckDB: a temporary table,
        dropped on exit); other engines get ``expr`` itself.

        Ibis's own ``Table.cache()`` cannot drop its table on DuckDB 2 (a malformed
        ``DROP TABLE``), so the temporary table is made on the raw connection.
        """
        if self._raw is None:
            yield expr
            return
        name = f"tandem_materialized_{next(_temp_ids)}"
        self._raw.execute(f'CREATE TEMP TABLE "{name}" AS {ibis.to_sql(expr, dialect="duckdb")}')
        try:
            yield self.backend.table(name)
        finally:
            self._raw.execute(f'DROP TABLE IF EXISTS "{name}"')

    def now(self, filters: Filters | None = None) -> dt.datetime | None:
        """ "Now" of a report: the last timestamp of the whole log the selection comes from
        (``filters`` without people filters and window), so an item's age never depends on
        which team or window selected it; null for an empty log."""
        base = replace((filters or Filters()).without_people(), start=None, end=None)
        value = self.events(base, details=False).timestamp.max().to_pyarrow().as_py()
        if value is None:
            return None
        instant: dt.datetime = value
        return instant.astimezone(dt.UTC)

    def to_pyarrow(self, expr: ir.Table) -> pa.Table:
        """``expr``'s result as an Arrow table.

        On DuckDB the compiled SQL runs on the raw connection: Ibis's own ``to_pyarrow`` there
        imports pandas for its type converter (~0.4 s on a process's first query, more than a
        5 M-event variants query takes). Column types are those DuckDB exports.
        """
        if self._raw is None:
            return expr.to_pyarrow()
        return self._raw.sql(ibis.to_sql(expr, dialect="duckdb")).to_arrow_table()

    def table(self, name: str) -> ir.Table:
        """A lake table as an Ibis table."""
        return self.backend.table(self._views.get(name, name))

    def events(self, filters: Filters | None = None, *, details: bool = True) -> ir.Table:
        """The event selection described in the module docstring, filtered.

        ``details=False`` leaves out the item type, object type and bot flag (and the joins
        that fetch them, unless a filter needs them) and adds the step facts instead:
        ``prev_activity``, ``prev_wait_us``, ``is_last``, ``trace`` and ``trace_us``
        (``tandem.lake.steps``; true for the selection only when
        :attr:`Filters.keeps_whole_cases`).
        """
        filters = filters or Filters()
        if not details and not filters.item_types and filters.include_bots:
            return self._stepped_events(filters)
        events = work_item_events(self.table("events"))
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
            timestamp=utc(joined.timestamp),
            ordinal=joined.ordinal,
            lifecycle=joined.lifecycle,
            resource=joined.resource_key,
            source=joined.source,
            item_type=joined.item_type,
            object_type=joined.object_type,
            is_bot=joined.bot.fill_null(False),
            **({} if details else {name: joined[name] for name in STEP_COLUMNS}),
        )
        if filters.sources:
            selection = selection.filter(selection.source.isin(filters.sources))
        if filters.item_types:
            selection = selection.filter(selection.item_type.isin(filters.item_types))
        selection = _involving(selection, filters)
        if not filters.include_bots:
            selection = selection.filter(~selection.is_bot)
        selection = _within_window(selection, filters)
        if not details:
            selection = selection.drop("item_type", "object_type", "is_bot")
        return selection

    def _stepped_events(self, filters: Filters) -> ir.Table:
        """Events with their step facts, no joins (see :meth:`events`)."""
        events = work_item_events(self.table("events"))
        selection = events.select(
            case_id=events.object_id,
            activity=events.activity,
            timestamp=utc(events.timestamp),
            ordinal=events.ordinal,
            lifecycle=events.lifecycle,
            resource=events.resource_key,
            source=events.source,
            **{name: events[name] for name in STEP_COLUMNS},
        )
        if filters.sources:
            selection = selection.filter(selection.source.isin(filters.sources))
        return _within_window(_involving(selection, filters), filters)


DELIVERY_PREFIX = "@"  # object ids of delivery objects (docs/connectors.md) start with it


def work_item_events(events: ir.Table) -> ir.Table:
    """The lake's ``events`` without those of delivery objects (``object_id`` starting ``@``)."""
    return events.filter(~events.object_id.startswith(DELIVERY_PREFIX))


def _involving(selection: ir.Table, filters: Filters) -> ir.Table:
    """Whole cases with at least one event by the filters' resources or team members."""
    people = filters.people
    if people is None:
        return selection
    if not people:
        return selection.filter(ibis.literal(False))
    cases = selection.filter(selection.resource.isin(people)).select("case_id").distinct()
    return selection.semi_join(cases, "case_id")


def _within_window(selection: ir.Table, filters: Filters) -> ir.Table:
    """Whole cases with at least one event in the filters' window (all cases without one)."""
    if filters.start is None and filters.end is None:
        return selection
    inside = ibis.literal(True)
    if filters.start is not None:
        inside &= selection.timestamp >= filters.start
    if filters.end is not None:
        inside &= selection.timestamp < filters.end
    cases = selection.filter(inside).select("case_id").distinct()
    return selection.semi_join(cases, "case_id")
