"""The lake's step facts give the same DFG and variants as ordering the events again."""

from __future__ import annotations

import math

from tandem.flow.dfg import performance_dfg
from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.variants import variants
from tests.flow.golden import Prepared, real_log

__all__ = ["real_log"]

# No event in the shipped logs is a bot's, so excluding bots selects the same events; but it is
# a filter that can cut events out of a case, so it takes the path that orders events again.
ORDERED = Filters(include_bots=False)


def test_the_real_logs_have_no_bots(real_log: Prepared) -> None:
    with FlowEngine(real_log.lake) as engine:
        events = engine.events()
        assert events.filter(events.is_bot).count().to_pyarrow().as_py() == 0
    assert Filters().keeps_whole_cases and not ORDERED.keeps_whole_cases


def test_dfg_from_step_facts_equals_the_ordered_pass(real_log: Prepared) -> None:
    with FlowEngine(real_log.lake) as engine:
        facts, ordered = performance_dfg(engine), performance_dfg(engine, ORDERED)
    assert (facts.cases, facts.events, facts.single_event_cases) == (
        ordered.cases,
        ordered.events,
        ordered.single_event_cases,
    )
    assert facts.start_activities == ordered.start_activities
    assert facts.end_activities == ordered.end_activities
    assert [(e.source, e.target, e.count) for e in facts.edges] == [
        (e.source, e.target, e.count) for e in ordered.edges
    ]
    for a, b in zip(facts.edges, ordered.edges, strict=True):
        for name in ("mean_seconds", "median_seconds", "p85_seconds"):
            assert math.isclose(getattr(a, name), getattr(b, name), rel_tol=1e-9, abs_tol=1e-9)


def test_variants_from_step_facts_equal_the_ordered_pass(real_log: Prepared) -> None:
    with FlowEngine(real_log.lake) as engine:
        facts, ordered = variants(engine), variants(engine, ORDERED)
    assert (facts.cases, facts.events, facts.total_variants) == (
        ordered.cases,
        ordered.events,
        ordered.total_variants,
    )
    assert [(v.activities, v.cases) for v in facts.variants] == [
        (v.activities, v.cases) for v in ordered.variants
    ]
    for a, b in zip(facts.variants, ordered.variants, strict=True):
        assert math.isclose(a.median_duration_seconds, b.median_duration_seconds, rel_tol=1e-9)
