"""The flow cache: computed once per key, even under concurrent requests; an ingest invalidates."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from tandem.flow.engine import Filters
from tandem.ingest import service as ingest_service
from tandem.sources.contracts import ColumnMapping
from tandem.web.app import create_app
from tandem.web.flow_cache import FlowCache, FlowKey, filters_key
from tests.web.conftest import sign_in_directly
from tests.web.how_fixtures import SEPSIS, FlowOrg, make_flow_org


def key(question: str, generation: int = 1) -> FlowKey:
    return FlowKey(generation, filters_key(Filters()), "m", (question,))


def test_a_key_is_computed_once_and_then_hit() -> None:
    cache = FlowCache()
    calls: list[int] = []
    assert cache.get_or_compute(key("a"), lambda: calls.append(1) or 42) == 42
    assert cache.get_or_compute(key("a"), lambda: calls.append(1) or 43) == 42
    assert calls == [1]
    stats = cache.stats
    assert (stats.computations, stats.hits, stats.misses, stats.entries) == (1, 1, 1, 1)


def _until_waiting(cache: FlowCache, waiters: int) -> None:
    """Block until ``waiters`` other callers wait on the computation in progress (no clock).

    A broken cache lets a caller compute (or hit) instead of waiting: every caller is counted
    once in ``computations + waits + hits``, so the loop also ends then and the test fails on
    its counts rather than hanging."""
    while cache.stats.waits < waiters:
        stats = cache.stats
        if stats.computations + stats.waits + stats.hits > waiters + 1 or stats.computations > 1:
            return
        time.sleep(0.001)


def test_concurrent_callers_share_one_computation() -> None:
    cache = FlowCache()

    def slow() -> str:
        _until_waiting(cache, 19)  # every other caller is inside, waiting: none can be late
        return "answer"

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(lambda _: cache.get_or_compute(key("slow"), slow), range(20)))
    assert results == ["answer"] * 20
    stats = cache.stats
    assert (stats.computations, stats.waits, stats.hits) == (1, 19, 0)


def test_errors_reach_every_waiter_and_are_not_cached() -> None:
    cache = FlowCache()

    def broken() -> int:
        _until_waiting(cache, 4)
        raise ValueError("boom")

    def ask(_: int) -> str:
        try:
            cache.get_or_compute(key("broken"), broken)
        except ValueError as exc:
            return str(exc)
        return "no error"

    with ThreadPoolExecutor(5) as pool:
        assert list(pool.map(ask, range(5))) == ["boom"] * 5
    assert cache.stats.errors == 1 and cache.stats.entries == 0
    assert cache.get_or_compute(key("broken"), lambda: 7) == 7


def test_the_lru_is_bounded() -> None:
    cache = FlowCache(max_entries=2)
    for name in ("a", "b", "c"):
        cache.get_or_compute(key(name), lambda value=name: value)
    assert not cache.peek(key("a")) and cache.peek(key("c"))
    assert cache.stats.evictions == 1 and cache.stats.entries == 2


@pytest.fixture(scope="module")
def flow_org(tmp_path_factory: pytest.TempPathFactory) -> FlowOrg:
    return make_flow_org(tmp_path_factory.mktemp("cache") / "ws")


def test_twenty_concurrent_page_requests_compute_once(flow_org: FlowOrg) -> None:
    app = create_app(flow_org.workspace)
    with TestClient(app) as client:
        sign_in_directly(client, flow_org.workspace, flow_org.org.users["manager"])
        cookies = dict(client.cookies)

        def get(_: int) -> int:
            with TestClient(app, cookies=cookies) as own:
                return own.get("/api/how/summary").status_code

        with ThreadPoolExecutor(20) as pool:
            assert list(pool.map(get, range(20))) == [200] * 20
    stats = app.state.flow_cache.stats
    # the people behind the team's answer, the panel and its JSON body: each computed once
    assert stats.computations == 3
    assert stats.waits + stats.hits >= 19


def test_an_ingest_invalidates(flow_org: FlowOrg) -> None:
    app = create_app(flow_org.workspace)
    with TestClient(app) as client:
        sign_in_directly(client, flow_org.workspace, flow_org.org.users["director"])
        before = client.get("/api/how/dfg", params={"team": "all"}).json()
        client.get("/api/how/dfg", params={"team": "all"})
        computed = app.state.flow_cache.stats.computations
        ingest_service.ingest_events(
            workspace=flow_org.workspace,
            path=SEPSIS,
            columns=ColumnMapping(),
            source="sepsis-again",
        )
        after = client.get("/api/how/dfg", params={"team": "all"}).json()
    assert app.state.flow_cache.stats.computations > computed
    assert after["events"] == 2 * before["events"]
    assert app.state.flow_cache.stats.entries == 2  # the old generation's answers are gone
