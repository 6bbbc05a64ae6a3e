"""The flow summary: lead and cycle time, SLE, throughput, WIP and flow efficiency in one report.

The building block; surfaces ask :func:`tandem.flow.service.flow_panel`, which adds item counts
by state, the requested throughput window, aging and mapping warnings from the same item facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tandem.flow.calendar import WorkCalendar
from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.flow.states import FlowEfficiencyReport, flow_efficiency
from tandem.flow.throughput import ThroughputSeries, throughput_from_items
from tandem.flow.timing import TimingReport, item_facts, timing_from_items
from tandem.flow.wip import WipSeries, unwindowed, wip_from_items


@dataclass(frozen=True)
class FlowSummary:
    """Every headline flow figure of one selection, each with its n and exclusions."""

    items: int
    done: int
    canceled: int
    open: int
    timing: TimingReport
    throughput: ThroughputSeries
    wip: WipSeries
    efficiency: FlowEfficiencyReport

    def to_dict(self, *, include_items: bool = False) -> dict[str, Any]:
        """The summary; ``include_items`` adds the drill-down: every done item with its lead
        and cycle time (``done_items``) and its flow efficiency (``flow_efficiency.items``)."""
        timing = self.timing.to_dict(include_items=include_items)
        throughput = self.throughput.to_dict()
        wip = self.wip.to_dict()
        return {
            "items": {
                "n": self.items,
                "done": self.done,
                "canceled": self.canceled,
                "open": self.open,
            },
            "working_time": timing["working_time"],
            "lead_time": timing["lead_time"],
            "cycle_time": timing["cycle_time"],
            "reopened_items": timing["reopened_items"],
            "sle": [
                {
                    "item_type": row["item_type"],
                    "p85_cycle_seconds": row["sle_p85_cycle_seconds"],
                    "n": row["cycle_time"]["n"],
                }
                for row in timing["by_item_type"]
            ],
            "by_item_type": timing["by_item_type"],
            "throughput": {
                key: throughput[key]
                for key in ("n", "excluded", "days", "per_day_mean", "zero_days", "weekly")
            },
            "wip": {key: wip[key] for key in ("n", "excluded", "days", "mean", "max", "last")},
            "flow_efficiency": self.efficiency.to_dict(include_items=include_items),
        } | ({"done_items": timing["items"]} if include_items else {})


def flow_summary(
    *,
    engine: FlowEngine,
    filters: Filters,
    mapping: StatusMapping,
    calendar: WorkCalendar | None = None,
) -> FlowSummary:
    """Lead and cycle time percentiles, SLE, throughput, WIP and flow efficiency."""
    items = item_facts(engine, filters, mapping)
    all_items = (
        items
        if filters.start is None and filters.end is None
        else item_facts(engine, unwindowed(filters), mapping)
    )
    return FlowSummary(
        items=len(items),
        done=sum(1 for i in items if i.status == "done"),
        canceled=sum(1 for i in items if i.status == "canceled"),
        open=sum(1 for i in items if i.status == "open"),
        timing=timing_from_items(items, filters, calendar),
        throughput=throughput_from_items(items, filters),
        wip=wip_from_items(all_items, filters),
        efficiency=flow_efficiency(engine=engine, filters=filters, mapping=mapping, items=items),
    )
