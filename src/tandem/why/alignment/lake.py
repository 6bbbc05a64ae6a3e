"""The work items of a selection as alignment reads them, from the lake through the flow engine.

Every query is an Ibis expression restricted to the selection's items (a semi-join on the
flow engine's item facts), so only the team's items in the window ever reach Python:

- facts: status, created/done times (:func:`tandem.flow.timing.item_facts_table`, the same
  facts as the HOW panel), joined with ``objects`` for the key, title and attributes;
- labels and parents from the attributes (``labels`` list, ``parent`` and ``epic`` keys,
  ``docs/connectors.md``) and from ``parent`` relations (the parent's object id and key);
- changed paths: ``commit_files`` of the commits linked to the item — a relation between the
  item and ``@commit:<sha>``, or one through a pull request that ``fixes``/``mentions`` the item
  and ``contains`` or was ``merged_as`` the commit;
- resources: the identity keys with events on the item;
- effort (:data:`EFFORT_MODEL`): the item's time in ``active`` states inside the window.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from tandem.delivery.records import COMMIT_PREFIX, PR_PREFIX
from tandem.flow.engine import DELIVERY_PREFIX, Filters, FlowEngine, utc
from tandem.flow.mapping import StatusMapping
from tandem.flow.states import state_visits
from tandem.flow.timing import item_facts_table
from tandem.why.alignment.rules import ItemSignals

DAY = 86_400.0
EFFORT_MODEL = (
    "active days: each item contributes the calendar days it spent in states of the flow "
    "category 'active' inside the window (waiting, new and finished states count nothing; "
    "an open item's current active state runs to the log's last event)"
)
PR_LINKS = ("fixes", "mentions")
COMMIT_LINKS = ("contains", "merged_as")


@dataclass(frozen=True)
class LakeItem:
    """One work item of the selection with everything alignment needs."""

    signals: ItemSignals
    external_key: str
    description: str
    status: str
    created_at: dt.datetime
    done_at: dt.datetime | None
    resources: tuple[str, ...]
    effort_days: float


def read_items(engine: FlowEngine, filters: Filters, mapping: StatusMapping) -> list[LakeItem]:
    """The selection's items, ordered by object id."""
    facts = item_facts_table(engine, filters, mapping)
    rows = _arrow(engine, facts.order_by("case_id")).to_pylist()
    ids = ibis.memtable(
        {"sel_id": [row["case_id"] for row in rows]}, schema=ibis.schema({"sel_id": "string"})
    )
    objects = engine.table("objects")
    objects = objects.semi_join(ids, objects.object_id == ids.sel_id).select(
        "object_id", "external_key", "title", "attributes"
    )
    info = {row["object_id"]: row for row in _arrow(engine, objects).to_pylist()}
    parents = _parent_relations(engine, ids)
    paths = _changed_paths(engine, ids)
    resources = _resources(engine, filters, ids)
    effort = _active_days(engine, filters, mapping)
    items = []
    for row in rows:
        oid = row["case_id"]
        obj = info.get(oid) or {}
        attrs = _attributes(obj.get("attributes"))
        labels = attrs.get("labels")
        own_parents = [str(attrs[key]) for key in ("parent", "epic") if attrs.get(key)]
        done_at = _utc(row["done_at"])
        canceled = row["canceled_at"] is not None
        items.append(
            LakeItem(
                signals=ItemSignals(
                    object_id=oid,
                    title=obj.get("title") or "",
                    source=row["source"],
                    item_type=row["item_type"],
                    labels=tuple(str(x) for x in labels) if isinstance(labels, list) else (),
                    parents=tuple(dict.fromkeys([*own_parents, *parents.get(oid, ())])),
                    paths=tuple(sorted(paths.get(oid, ()))),
                ),
                external_key=obj.get("external_key") or oid,
                description=str(attrs.get("description") or attrs.get("body") or ""),
                status="done" if done_at is not None else "canceled" if canceled else "open",
                created_at=_utc(row["created_at"]) or dt.datetime(1970, 1, 1, tzinfo=dt.UTC),
                done_at=done_at,
                resources=tuple(sorted(resources.get(oid, ()))),
                effort_days=effort.get(oid, 0.0),
            )
        )
    return items


def _arrow(engine: FlowEngine, expr: ir.Table) -> pa.Table:
    """``expr``'s rows (through the backend, which registers the in-memory tables)."""
    return engine.backend.to_pyarrow(expr)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return value.astimezone(dt.UTC) if value is not None else None


def _attributes(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _parent_relations(engine: FlowEngine, ids: ir.Table) -> dict[str, list[str]]:
    """Each item's parents by ``parent`` relations (child → parent): id and key."""
    relations = engine.table("relations")
    links = relations.filter(relations.kind == "parent")
    links = links.semi_join(ids, links.from_object == ids.sel_id)
    objects = engine.table("objects").select("object_id", "external_key")
    named = links.left_join(objects, links.to_object == objects.object_id).select(
        "from_object", "to_object", "external_key"
    )
    found: dict[str, list[str]] = defaultdict(list)
    for row in _arrow(engine, named.order_by(["from_object", "to_object"])).to_pylist():
        found[row["from_object"]].append(row["to_object"])
        if row["external_key"]:
            found[row["from_object"]].append(row["external_key"])
    return found


def _changed_paths(engine: FlowEngine, ids: ir.Table) -> dict[str, set[str]]:
    """Files changed by each item's commits (directly related, or through a pull request)."""
    relations = engine.table("relations")
    is_commit_to = relations.to_object.startswith(COMMIT_PREFIX)
    is_commit_from = relations.from_object.startswith(COMMIT_PREFIX)
    direct_to = relations.filter(is_commit_to).semi_join(ids, relations.from_object == ids.sel_id)
    direct_from = relations.filter(is_commit_from).semi_join(ids, relations.to_object == ids.sel_id)
    pr_links = relations.filter(
        relations.kind.isin(PR_LINKS) & relations.from_object.startswith(PR_PREFIX)
    ).semi_join(ids, relations.to_object == ids.sel_id)
    pr_links = pr_links.select(pr=pr_links.from_object, item=pr_links.to_object)
    pr_commits = relations.filter(relations.kind.isin(COMMIT_LINKS) & is_commit_to)
    via_pr = pr_links.inner_join(pr_commits, pr_links.pr == pr_commits.from_object).select(
        item=pr_links.item, commit=pr_commits.to_object
    )
    linked = ibis.union(
        direct_to.select(item=direct_to.from_object, commit=direct_to.to_object),
        direct_from.select(item=direct_from.to_object, commit=direct_from.from_object),
        via_pr,
        distinct=True,
    )
    linked = linked.mutate(sha=linked.commit.substr(len(COMMIT_PREFIX)))
    files = engine.table("commit_files").select(f_sha="sha", path="path")
    changed = linked.inner_join(files, linked.sha == files.f_sha).select("item", "path").distinct()
    found: dict[str, set[str]] = defaultdict(set)
    for row in _arrow(engine, changed).to_pylist():
        found[row["item"]].add(row["path"])
    return found


def _resources(engine: FlowEngine, filters: Filters, ids: ir.Table) -> dict[str, set[str]]:
    events = engine.events(filters, details=False)
    pairs = (
        events.filter(events.resource.notnull())
        .semi_join(ids, events.case_id == ids.sel_id)
        .select("case_id", "resource")
        .distinct()
    )
    found: dict[str, set[str]] = defaultdict(set)
    for row in _arrow(engine, pairs).to_pylist():
        found[row["case_id"]].add(row["resource"])
    return found


def _active_days(engine: FlowEngine, filters: Filters, mapping: StatusMapping) -> dict[str, float]:
    """Each item's days in ``active`` states, clipped to ``[start, end)`` (:data:`EFFORT_MODEL`)."""
    now = engine.now(filters) or dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    visits = state_visits(engine, filters, mapping, now=now)
    visits = visits.filter(visits.category == "active")
    begin = utc(visits.timestamp)
    until = utc(visits.until)
    if filters.start is not None:
        start = ibis.literal(filters.start)
        begin = ibis.greatest(begin, start)
        until = ibis.greatest(until, start)
    if filters.end is not None:
        end = ibis.literal(filters.end)
        until = ibis.least(until, end)
        begin = ibis.least(begin, end)
    clipped = visits.mutate(
        micros=until.delta(begin, unit="microsecond"),
    )
    per_item = clipped.group_by("case_id").aggregate(micros=clipped.micros.sum())
    found: dict[str, float] = {}
    for row in _arrow(engine, per_item).to_pylist():
        found[row["case_id"]] = max(0.0, float(row["micros"] or 0)) / 1_000_000 / DAY
    return found


def window_filters(filters: Filters, start: dt.datetime | None, end: dt.datetime | None) -> Filters:
    """``filters`` restricted to ``[start, end)`` (the flow engine's window semantics)."""
    return dataclasses.replace(filters, start=start, end=end)


def is_work_item(engine: FlowEngine, object_id: str) -> bool:
    """Whether the lake holds ``object_id`` as a work item (never a delivery object)."""
    if not object_id or object_id.startswith(DELIVERY_PREFIX):
        return False
    objects = engine.table("objects")
    found = objects.filter(objects.object_id == object_id).count()
    return bool(engine.backend.to_pyarrow(found).as_py())
