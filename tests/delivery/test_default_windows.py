"""Default windows: each figure's 90 days end after the last record of the kind it reads.

A deployment far later than every pull request (another source, a year on) must not move the
PR flow's window away from the pull requests, nor the four keys' window away from the
deployments.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tandem.delivery.service import dora_metrics, pull_request_flow
from tandem.flow.engine import Filters, FlowEngine
from tests.delivery.fixture import build, t
from tests.delivery.rows import DeliveryRows


def test_each_figure_s_default_window_ends_after_its_own_records(tmp_path: Path) -> None:
    fx = build(tmp_path)
    with FlowEngine(fx.lake) as engine:
        before = pull_request_flow(engine=engine, filters=Filters())
    later = DeliveryRows()
    late = t(5, 12) + dt.timedelta(days=400)
    later.deployment("LATE", service="api", environment="production", sha=fx.sha["c0"], at=late,
                     success=True)  # fmt: skip
    later.write(fx.lake)
    with FlowEngine(fx.lake) as engine:
        prs = pull_request_flow(engine=engine, filters=Filters())
        keys = dora_metrics(engine=engine, filters=Filters())
    # the PRs' last event is #8's merge at t(5, 13): the window ends the next midnight
    assert prs.end == dt.datetime.combine(t(6, 0).date(), dt.time(), tzinfo=dt.UTC)
    assert prs.n == before.n > 0
    # the four keys end after the late deployment and count it alone
    assert keys.end == dt.datetime.combine(late.date() + dt.timedelta(days=1), dt.time(),
                                           tzinfo=dt.UTC)  # fmt: skip
    assert keys.deployment_frequency.deployments == 1


def test_without_any_incident_record_the_failure_rate_is_unknown_not_zero(tmp_path: Path) -> None:
    from tandem.lake import Lake
    from tandem.progress import NoProgress
    from tandem.sources.bots import DEFAULT_BOT_RULES
    from tandem.sources.git import ingest_repository
    from tests.delivery.fixture import build_repo, delivery_rows

    shas = build_repo(tmp_path / "shop")
    (tmp_path / "lake").mkdir()
    lake = Lake(tmp_path / "lake")
    ingest_repository(lake=lake, path=tmp_path / "shop", rev="main", bots=DEFAULT_BOT_RULES,
                      progress=NoProgress())  # fmt: skip
    rows, _, _ = delivery_rows(shas)
    rows.objects = [o for o in rows.objects if o["object_type"] != "incident"]
    rows.events = [e for e in rows.events if not e["object_id"].startswith("@incident:")]
    rows.relations = [r for r in rows.relations if not r["from_object"].startswith("@incident:")]
    rows.write(lake)
    window = Filters(start=t(1, 0), end=t(8, 0))
    with FlowEngine(lake) as engine:
        keys = dora_metrics(engine=engine, filters=window)
    assert keys.deployment_frequency.deployments > 0
    assert keys.change_failure_rate.value is None
    assert (
        keys.change_failure_rate.excluded["no_incident_data"]
        == keys.deployment_frequency.deployments
    )
