"""The HOW charts' specs: the runtime's Vega-Lite version, and axes that read as numbers."""

from __future__ import annotations

import re

from tandem.web.how.charts import (
    VEGA_LITE_SCHEMA,
    aging_chart,
    pr_stages_chart,
    throughput_chart,
)
from tests.helpers import REPO_ROOT

VENDOR = REPO_ROOT / "src" / "tandem" / "web" / "static" / "vendor" / "vega-lite.min.js"


def test_the_spec_version_is_the_runtimes() -> None:
    runtime = re.search(r'var n="(\d+)\.\d+\.\d+"', VENDOR.read_text()[:2000])
    assert runtime is not None
    assert VEGA_LITE_SCHEMA.endswith(f"/vega-lite/v{runtime.group(1)}.json")
    assert throughput_chart({"throughput": {"weekly": []}})["$schema"] == VEGA_LITE_SCHEMA
    assert aging_chart({"items": []})["$schema"] == VEGA_LITE_SCHEMA


def test_a_week_of_zeros_has_a_whole_number_axis() -> None:
    spec = throughput_chart({"throughput": {"weekly": [{"week": "2026-W01", "count": 0}]}})
    y = spec["encoding"]["y"]
    assert y["axis"]["format"] == "d" and y["axis"]["tickMinStep"] == 1
    assert y["scale"]["domain"] == [0, 1]  # never a [0, 0] scale (labels "0.000000")
    busy = throughput_chart({"throughput": {"weekly": [{"week": "2026-W01", "count": 7}]}})
    assert busy["encoding"]["y"]["scale"]["domain"] == [0, 7]


def test_pr_stages_chart_leaves_unknown_stages_out() -> None:
    def figure(p50: float | None, p85: float | None, n: int) -> dict[str, object]:
        return {"p50_seconds": p50, "p85_seconds": p85, "n": n}

    spec = pr_stages_chart(
        {
            "coding": figure(3600.0, 7200.0, 4),
            "pickup": figure(None, None, 0),  # no review yet: not drawn as 0
            "review": figure(1800.0, 5400.0, 2),
            "deploy": figure(None, None, 0),
        }
    )
    assert spec["$schema"] == VEGA_LITE_SCHEMA
    assert [(v["stage"], v["percentile"], v["hours"]) for v in spec["data"]["values"]] == [
        ("coding", "P50", 1.0),
        ("coding", "P85", 2.0),
        ("review", "P50", 0.5),
        ("review", "P85", 1.5),
    ]
