"""Pull request flow on the fixture of ``tests/delivery/fixture.py``, computed by hand."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tandem.delivery.schemas import PrFlowReport
from tandem.delivery.service import pull_request_flow
from tandem.flow.engine import Filters, FlowEngine
from tests.delivery.fixture import HOUR, Fixture, build, t

WINDOW = Filters(start=t(1, 0), end=t(8, 0))


@pytest.fixture(scope="module")
def fx(tmp_path_factory: pytest.TempPathFactory) -> Fixture:
    return build(tmp_path_factory.mktemp("prs"))


@pytest.fixture(scope="module")
def engine(fx: Fixture) -> Iterator[FlowEngine]:
    with FlowEngine(fx.lake) as flow:
        yield flow


def report(engine: FlowEngine, *, bots: bool = False) -> PrFlowReport:
    return pull_request_flow(engine=engine, filters=WINDOW, include_bots=bots)


def hours(value: float | None) -> float | None:
    return None if value is None else value / HOUR


def test_each_pull_request_s_stages(engine: FlowEngine) -> None:
    rows = {r.pull_request.rsplit(":", 1)[1]: r for r in report(engine).rows}
    got = {
        k: tuple(hours(getattr(r, f"{s}_seconds"))
                 for s in ("coding", "pickup", "review", "deploy", "total"))
        for k, r in rows.items()
    }  # fmt: skip
    assert got == {
        # created t(1,15) − a1 t(1,10) = 5; bob t(2,9) − t(1,15) = 18; merged t(2,11) − t(2,9)
        # = 2; P1 t(3,14) − t(2,11) = 27; total P1 − a1 = 52
        "1": (5.0, 18.0, 2.0, 27.0, 52.0),
        # t(2,16) − b1 t(2,13) = 3; ready t(3,9) (draft until then), the bot's review t(3,9.5)
        # does not count, carol t(3,10): 1; t(3,12) − t(3,10) = 2; P1 t(3,14) − t(3,12) = 2;
        # total P1 − b1 t(2,13) = 25
        "2": (3.0, 1.0, 2.0, 2.0, 25.0),
        # t(3,17) − r1 t(3,15) = 2; dave t(4,9): 16; t(4,10): 1; P2 t(4,15): 5; total 24
        "3": (2.0, 16.0, 1.0, 5.0, 24.0),
        # t(5,8) − t(5,7) = 1; erin t(5,9): 1; t(5,10): 1; P3 t(5,12): 2 (time window); 5
        "4": (1.0, 1.0, 1.0, 2.0, 5.0),
        # t(4,8) − x1 t(4,7) = 1; never reviewed; merged but no deployment shipped it
        "5": (1.0, None, None, None, None),
        # t(4,10.75) − g1 t(4,10.5) = 0.25; no review (so no total); P2 t(4,15) − t(4,12) = 3
        "6": (0.25, None, None, 3.0, None),
        # t(5,12.5) − t(5,12.25) = 0.25; no review; merged after the last deployment
        "8": (0.25, None, None, None, None),
    }
    assert rows["3"].deploy_confidence == "patch_id"
    assert rows["5"].deploy_status == "unlinked"
    assert rows["8"].deploy_status == "not_deployed_yet"


def test_stage_percentiles_with_n_and_exclusions(engine: FlowEngine) -> None:
    r = report(engine)
    assert (r.n, r.excluded) == (7, {"bot_author": 1})  # PR 7 is dependabot's
    # coding 0.25, 0.25, 1, 1, 2, 3, 5: P50 = 1; P85 at rank 5.1: 3 + 0.1 × 2 = 3.2;
    # P95 at rank 5.7: 3 + 0.7 × 2 = 4.4
    assert (r.coding.n, hours(r.coding.p50_seconds)) == (7, 1.0)
    assert hours(r.coding.p85_seconds) == pytest.approx(3.2)
    assert hours(r.coding.p95_seconds) == pytest.approx(4.4)
    # pickup 1, 1, 16, 18: P50 = 8.5; PR 5, 6, 8 have no review
    assert (r.pickup.n, hours(r.pickup.p50_seconds), r.pickup.excluded) == (
        4, 8.5, {"no_review": 3},
    )  # fmt: skip
    assert (r.review.n, hours(r.review.p50_seconds)) == (4, 1.5)  # 1, 1, 2, 2
    # deploy 2, 2, 3, 5, 27: P50 = 3; PR 5 unlinked, PR 8 not deployed yet
    assert (r.deploy.n, hours(r.deploy.p50_seconds)) == (5, 3.0)
    assert r.deploy.excluded == {"not_deployed_yet": 1, "unlinked": 1}
    # total 5, 24, 25, 52: P50 = 24.5; three PRs lack a stage (the first missing: pickup)
    assert (r.total.n, hours(r.total.p50_seconds), r.total.excluded) == (
        4, 24.5, {"no_pickup": 3},
    )  # fmt: skip
    assert r.deploy_confidence == {"ancestry": 3, "patch_id": 1, "time_window": 1}


def test_bots_included_count_the_bot_s_pull_request_and_review(engine: FlowEngine) -> None:
    r = report(engine, bots=True)
    rows = {row.pull_request.rsplit(":", 1)[1]: row for row in r.rows}
    assert (r.n, r.excluded) == (8, {})
    # PR 2's first review is now renovate[bot]'s t(3,9.5): pickup 0.5 h, review 2.5 h
    assert (hours(rows["2"].pickup_seconds), hours(rows["2"].review_seconds)) == (0.5, 2.5)
    # PR 7: t(4,13.5) − t(4,13) = 0.5; bob t(4,13.75): 0.25; t(4,14): 0.25; P2 t(4,15): 1; 2
    assert tuple(
        hours(getattr(rows["7"], f"{s}_seconds"))
        for s in ("coding", "pickup", "review", "deploy", "total")
    ) == (0.5, 0.25, 0.25, 1.0, 2.0)


def test_a_window_selects_pull_requests_by_creation(engine: FlowEngine) -> None:
    r = pull_request_flow(engine=engine, filters=Filters(start=t(5, 0), end=t(6, 0)))
    assert [row.pull_request.rsplit(":", 1)[1] for row in r.rows] == ["4", "8"]
    empty = pull_request_flow(engine=engine, filters=Filters(start=t(20, 0), end=t(21, 0)))
    assert empty.n == 0 and empty.total.p50_seconds is None and empty.total.n == 0
