"""Performance DFG, start and end activities against PM4Py on the real logs shipped with Tandem."""

from __future__ import annotations

from tandem.flow.dfg import performance_dfg
from tandem.flow.engine import FlowEngine
from tests.flow.golden import Prepared, assert_close, real_log

__all__ = ["real_log"]  # the fixture, shared with the variants golden test


def test_frequencies_start_and_end_activities_equal_pm4py(real_log: Prepared) -> None:
    reference = real_log.reference
    with FlowEngine(real_log.lake) as engine:
        report = performance_dfg(engine)

    assert {(e.source, e.target): e.count for e in report.edges} == reference.dfg
    assert report.start_activities == reference.start_activities
    assert report.end_activities == reference.end_activities
    frame = reference.frame
    assert report.events == len(frame)
    assert report.cases == frame["case:concept:name"].nunique()
    assert report.transitions == report.events - report.cases


def test_performance_mean_and_median_equal_pm4py(real_log: Prepared) -> None:
    with FlowEngine(real_log.lake) as engine:
        report = performance_dfg(engine)

    performance = real_log.reference.performance
    assert {(e.source, e.target) for e in report.edges} == set(performance)
    for edge in report.edges:
        expected = performance[(edge.source, edge.target)]
        what = f"{edge.source} → {edge.target}"
        assert_close(edge.mean_seconds, expected["mean"], what)
        assert_close(edge.median_seconds, expected["median"], what)
        assert edge.total_wait_seconds == edge.count * edge.median_seconds


def test_p85_is_numpys_linear_interpolation(real_log: Prepared) -> None:
    import numpy as np

    frame = real_log.reference.frame
    cases = frame["case:concept:name"].to_numpy()
    activities = frame["concept:name"].to_numpy()
    seconds = frame["time:timestamp"].astype("int64").to_numpy() / 1e6
    waits: dict[tuple[str, str], list[float]] = {}
    for i in range(len(frame) - 1):
        if cases[i] == cases[i + 1]:
            waits.setdefault((activities[i], activities[i + 1]), []).append(
                seconds[i + 1] - seconds[i]
            )
    with FlowEngine(real_log.lake) as engine:
        report = performance_dfg(engine)

    for edge in report.edges:
        expected = float(np.quantile(waits[(edge.source, edge.target)], 0.85))
        assert_close(edge.p85_seconds, expected, f"{edge.source} → {edge.target}")
    assert report.edges == tuple(sorted(report.edges, key=lambda e: (-e.count, e.source, e.target)))
