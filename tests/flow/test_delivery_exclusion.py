"""Delivery objects (``@pr:…``, ``@deployment:…``) never become cases of the flow engine."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from tandem.flow.dfg import performance_dfg
from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.flow.service import data_options
from tandem.flow.timing import lead_and_cycle_times
from tandem.flow.variants import variants
from tests.flow.logs import HOUR, at, new_lake, write_log

PR = "@pr:github:acme/shop:7"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[FlowEngine]:
    """One work item (Open d1 9 → Work d1 10 → Closed d2 10) and one pull request whose events
    share the source and the activity names, so only the prefix tells them apart."""
    lake = new_lake(tmp_path)
    write_log(
        lake,
        [("WI-1", "Open", at(1, 9)), ("WI-1", "Work", at(1, 10)), ("WI-1", "Closed", at(2, 10))],
        {"WI-1": "story"},
        source="github:acme/shop",
    )
    pr_events = [("created", at(1, 8)), ("Work", at(1, 11)), ("Closed", at(1, 12))]
    with lake.batch(label="pr") as batch:
        batch.write(
            "events",
            pa.table(
                {
                    "event_id": [f"pr-{i}" for i in range(len(pr_events))],
                    "object_id": [PR] * len(pr_events),
                    "activity": [a for a, _ in pr_events],
                    "timestamp": pa.array([t for _, t in pr_events], pa.timestamp("us", "UTC")),
                    "source": ["github:acme/shop"] * len(pr_events),
                    "ordinal": list(range(len(pr_events))),
                }
            ),
        )
        batch.write(
            "objects",
            pa.table(
                {
                    "object_id": [PR],
                    "object_type": ["pull_request"],
                    "source": ["github:acme/shop"],
                    "external_key": ["7"],
                    "item_type": ["pull_request"],
                    "attributes": [json.dumps({"number": 7})],
                }
            ),
        )
    with FlowEngine(lake) as flow:
        yield flow


@pytest.mark.parametrize("details", [True, False])
def test_the_event_selection_holds_only_the_work_item(engine: FlowEngine, details: bool) -> None:
    # details=False is the fast route (step facts, no join); bots off forces the joined route
    for filters in (Filters(), Filters(include_bots=False)):
        cases = engine.to_pyarrow(engine.events(filters, details=details).select("case_id"))
        assert set(cases.column(0).to_pylist()) == {"WI-1"}


def test_dfg_variants_and_cycle_time_see_only_the_work_item(engine: FlowEngine) -> None:
    dfg = performance_dfg(engine).to_dict()
    # the PR's created→Work→Closed would add an edge created→Work and a start activity
    assert {(e["source"], e["target"]) for e in dfg["edges"]} == {
        ("Open", "Work"),
        ("Work", "Closed"),
    }
    assert dfg["start_activities"] == {"Open": 1}
    assert [v.activities for v in variants(engine).variants] == [("Open", "Work", "Closed")]
    report = lead_and_cycle_times(engine=engine, filters=Filters(), mapping=StatusMapping())
    # lead = d2 10 − d1 9 = 25 h, cycle = d2 10 − d1 10 = 24 h; the PR would be a second item
    assert (report.lead.n, report.lead.p50) == (1, 25 * HOUR)
    assert (report.cycle.n, report.cycle.p50) == (1, 24 * HOUR)
    assert data_options(engine=engine).item_types == ["story"]
