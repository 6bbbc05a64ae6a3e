"""The metric contract's short form and its limits: every bad spec is refused naming the field."""

from __future__ import annotations

import pytest

from tandem.errors import InputError
from tandem.why.goals.metrics import MetricSpec, parse_spec, spec_from


def test_the_short_form_reads_every_option() -> None:
    spec = parse_spec("cycle_time:P95, type=Bug, source=jira, window=14")
    assert spec == MetricSpec(
        metric="cycle_time", stat="p95", item_type="Bug", source="jira", window_days=14
    )
    assert spec.unit == "days" and spec.better == "down"
    assert spec.describe() == "P95 cycle time of Bug items from jira, 14-day window"


def test_a_duration_defaults_to_p85_and_a_count_has_no_percentile() -> None:
    assert parse_spec("lead_time").stat == "p85"
    assert parse_spec("throughput").stat is None
    with pytest.raises(InputError) as raised:
        parse_spec("throughput:p85")
    assert raised.value.field == "metric" and "no percentile" in str(raised.value)


@pytest.mark.parametrize(
    "text",
    [
        "cycle_time,window=6",  # narrower than a week: differencing
        "cycle_time,window=367",
        "velocity",
        "cycle_time:p99",
        "cycle_time,colour=red",
        "cycle_time,window",
        "deployment_frequency,item_type=Bug",  # deployments have no item type
    ],
)
def test_bad_specs_are_refused_naming_the_field(text: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_spec(text)
    assert raised.value.field == "metric"


def test_stored_json_is_checked_too() -> None:
    assert spec_from({"metric": "wip", "window_days": 7}).window_days == 7
    with pytest.raises(InputError):
        spec_from({"metric": "wip", "extra": 1})
