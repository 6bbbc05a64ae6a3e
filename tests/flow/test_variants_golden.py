"""Variants (sequences, counts, median case duration) against PM4Py on the real shipped logs."""

from __future__ import annotations

from tandem.flow.engine import FlowEngine
from tandem.flow.variants import variants
from tests.flow.golden import (
    Prepared,
    assert_close,
    median_durations_by_variant,
    real_log,
)

__all__ = ["real_log"]  # the session fixture, shared with the DFG golden test


def test_variants_equal_pm4py(real_log: Prepared) -> None:
    reference = real_log.reference
    with FlowEngine(real_log.lake) as engine:
        report = variants(engine)

    assert {v.activities: v.cases for v in report.variants} == reference.variants
    assert report.total_variants == len(reference.variants)
    assert report.cases == reference.frame["case:concept:name"].nunique()
    medians = median_durations_by_variant(reference.frame)
    for variant in report.variants:
        assert_close(variant.median_duration_seconds, medians[variant.activities], "duration")
        assert variant.share == variant.cases / report.cases
    order = [(-v.cases, list(v.activities)) for v in report.variants]
    assert order == sorted(order)


def test_limit_keeps_the_most_frequent_and_reports_the_rest(real_log: Prepared) -> None:
    with FlowEngine(real_log.lake) as engine:
        everything = variants(engine)
        top = variants(engine, limit=3)

    assert top.variants == everything.variants[:3]
    data = top.to_dict()
    assert data["total_variants"] == everything.total_variants
    assert data["excluded"]["variants_not_shown"] == everything.total_variants - 3
    assert data["excluded"]["cases_not_shown"] == everything.cases - sum(
        v.cases for v in everything.variants[:3]
    )
