"""The HTTP core against the replay server: retries, rate limits, ETags, pages, limits, secrets."""

from __future__ import annotations

import functools
import operator
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from tandem.errors import InputError
from tandem.sources.http import (
    ApiClient,
    ApiError,
    ClientLimits,
    Credentials,
    ManualClock,
    RetryPolicy,
    link_pages,
    next_link,
    numbered_pages,
    offset_pages,
)
from tandem.sources.replay import Fault, Listing, ReplayServer, Reply, Request, Router, octokit

TOKEN = "ghp_FAKE0123456789abcdefSECRET"
FIXTURES = Path("/work/shared/data/github/octokit-fixtures/scenarios/api.github.com")


def _router() -> Router:
    router = Router()
    router.add("GET", "/items", lambda request: Listing([{"n": n} for n in range(1, 8)]))
    router.add(
        "GET", "/echo-auth", lambda request: Reply({"auth": request.headers.get("authorization")})
    )

    def jira(request: Request) -> Reply:
        start, size = int(request.query["startAt"]), int(request.query["maxResults"])
        values = list(range(23))[start : start + size]
        return Reply({"startAt": start, "maxResults": size, "total": 23, "values": values})

    def gitlab(request: Request) -> Reply:
        page, per_page = int(request.query["page"]), int(request.query["per_page"])
        values = list(range(11))[(page - 1) * per_page : page * per_page]
        more = page * per_page < 11
        return Reply(values, headers={"X-Next-Page": str(page + 1) if more else ""})

    router.add("GET", "/jira", jira)
    router.add("GET", "/gitlab", gitlab)
    router.add("GET", "/huge", lambda request: Reply(b"x" * 5000))
    router.add(
        "POST", "/graphql", lambda request: Reply({"data": {"echo": request.json()["variables"]}})
    )
    router.add("POST", "/bad-graphql", lambda request: Reply({"errors": [{"message": "nope"}]}))
    return router


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with ReplayServer(_router()) as running:
        yield running


def _client(server: ReplayServer, clock: ManualClock | None = None, **kwargs: object) -> ApiClient:
    return ApiClient(
        base_url=server.url,
        credentials=Credentials.bearer("TEST_TOKEN", environ={"TEST_TOKEN": TOKEN}),
        clock=clock or ManualClock(),
        rng=random.Random(1),
        **kwargs,  # type: ignore[arg-type]
    )


def test_link_pages_walk_every_page_with_the_token_sent(server: ReplayServer) -> None:
    with _client(server) as api:
        pages = list(link_pages(api, "/items", params={"per_page": 3}))
        echoed = api.get("/echo-auth").json()
    assert [[i["n"] for i in p.items] for p in pages] == [[1, 2, 3], [4, 5, 6], [7]]
    assert echoed == {"auth": f"Bearer {TOKEN}"}
    assert all(r.headers.get("authorization") == "<present>" for r in server.requests)


def test_offset_and_numbered_pages(server: ReplayServer) -> None:
    with _client(server) as api:
        jira = [p.items for p in offset_pages(api, "/jira", page_size=10)]
        gitlab = [p.items for p in numbered_pages(api, "/gitlab", per_page=4)]
    assert [len(p) for p in jira] == [10, 10, 3]
    assert functools.reduce(operator.iadd, jira, []) == list(range(23))
    assert functools.reduce(operator.iadd, gitlab, []) == list(range(11))
    assert len(gitlab) == 3


def test_octokit_recorded_pagination_follows_link_headers() -> None:
    router = Router()
    octokit.register(router, FIXTURES / "paginate-issues" / "normalized-fixture.json")
    with ReplayServer(router) as server, _client(server) as api:
        pages = list(
            link_pages(
                api, "/repos/octokit-fixture-org/paginate-issues/issues", params={"per_page": 3}
            )
        )
    assert [len(p.items) for p in pages] == [3, 3, 3, 3, 1]


def test_octokit_error_body_message_is_named() -> None:
    router = Router()
    octokit.register(router, FIXTURES / "errors" / "normalized-fixture.json")
    with (
        ReplayServer(router) as server,
        _client(server) as api,
        pytest.raises(ApiError, match="HTTP 422: Validation Failed") as caught,
    ):
        api.post_json("/repos/octokit-fixture-org/errors/labels", {"name": "x", "color": "?"})
    assert caught.value.http_status == 422
    assert server.count("/labels") == 1  # a 4xx is not retried


def test_a_502_is_retried_with_backoff_on_the_clock(server: ReplayServer) -> None:
    server.faults.add(Fault("status", at=2, status=502, times=2))
    clock = ManualClock()
    with _client(server, clock) as api:
        pages = list(link_pages(api, "/items", params={"per_page": 3}))
    assert sum(len(p.items) for p in pages) == 7
    assert api.stats.retries == 2
    assert len(clock.sleeps) == 2
    assert 0.5 <= clock.sleeps[0] < 1.0 and 1.0 <= clock.sleeps[1] < 2.0  # base 1 s, doubled


def test_retries_give_up_with_the_url_named(server: ReplayServer) -> None:
    server.faults.add(Fault("status", at=1, status=503, times=10))
    with _client(server, retry=RetryPolicy(attempts=3)) as api, pytest.raises(ApiError) as caught:
        api.get("/items")
    assert "/items" in caught.value.message and "503 after 3 tries" in caught.value.message
    assert server.count("/items") == 3


def test_a_dropped_connection_is_retried_then_reported(server: ReplayServer) -> None:
    server.faults.add(Fault("kill", at=1))
    with _client(server, retry=RetryPolicy(attempts=2)) as api, pytest.raises(ApiError) as caught:
        api.get("/items")
    assert "no answer after 2 tries" in caught.value.message
    server.faults.clear()
    with _client(server) as api:
        assert len(api.get("/items").json()) == 7


def test_secondary_rate_limit_waits_retry_after(server: ReplayServer) -> None:
    server.faults.add(Fault("rate_limit", at=1, retry_after=120))
    clock = ManualClock()
    with _client(server, clock) as api:
        assert len(api.get("/items").json()) == 7
    assert clock.sleeps == [120]
    assert api.stats.rate_limit_waits == 1


def test_a_secondary_limit_without_retry_after_waits_a_minute() -> None:
    router = _router()
    calls: list[int] = []

    def limited(request: Request) -> Reply:
        calls.append(1)
        if len(calls) == 1:
            return Reply({"message": "You have exceeded a secondary rate limit."}, status=403)
        return Reply({"ok": True})

    router.add("GET", "/limited", limited)
    clock = ManualClock()
    with ReplayServer(router) as server, _client(server, clock) as api:
        assert api.get("/limited").json() == {"ok": True}
        router.add("GET", "/forbidden", lambda request: Reply({"message": "Forbidden"}, status=403))
        with pytest.raises(ApiError, match="HTTP 403: Forbidden"):
            api.get("/forbidden")  # a plain 403 is not waited on
    assert clock.sleeps == [60.0]


def test_an_exhausted_primary_limit_waits_for_the_reset_before_the_next_call() -> None:
    clock = ManualClock()
    with (
        ReplayServer(_router(), rate_limit=1, clock=clock.now) as server,
        _client(server, clock) as api,
    ):
        api.get("/items")  # spends the only request: remaining 0, reset in an hour
        api.get("/items")
    assert clock.sleeps == [3601]


def test_a_reset_too_far_away_is_an_error_not_a_hang(server: ReplayServer) -> None:
    server.faults.add(Fault("rate_limit", at=1, retry_after=7200))
    with _client(server, retry=RetryPolicy(max_wait=600)) as api, pytest.raises(ApiError) as caught:
        api.get("/items")
    assert "beyond the 600 s" in caught.value.message


def test_a_matching_etag_answers_304_with_nothing(server: ReplayServer) -> None:
    with _client(server) as api:
        first = api.get("/items")
        again = list(link_pages(api, "/items", etag=first.etag))
    assert first.etag
    assert len(again) == 1 and again[0].not_modified and again[0].items == []
    assert api.stats.not_modified == 1


def test_limits_on_size_and_pages_name_the_url(server: ReplayServer) -> None:
    with (
        _client(server, limits=ClientLimits(max_bytes=1000)) as api,
        pytest.raises(ApiError) as big,
    ):
        api.get("/huge")
    assert "/huge" in big.value.message and "1,000-byte limit" in big.value.message
    with _client(server) as api, pytest.raises(ApiError) as many:
        list(link_pages(api, "/items", params={"per_page": 1}, max_pages=3))
    assert "/items" in many.value.message and "more than 3 pages" in many.value.message


def test_truncated_json_is_a_clear_error(server: ReplayServer) -> None:
    server.faults.add(Fault("truncate", at=1))
    with _client(server) as api, pytest.raises(ApiError) as caught:
        api.get("/items").json()
    assert "not valid JSON" in caught.value.message and "/items" in caught.value.message


def test_graphql_returns_data_or_names_the_error(server: ReplayServer) -> None:
    with _client(server) as api:
        assert api.graphql("query { x }", {"a": 1}) == {"echo": {"a": 1}}
        with pytest.raises(ApiError, match="GraphQL error: nope"):
            api.graphql("query { x }", {}, path="/bad-graphql")


def test_links_to_another_origin_are_refused(server: ReplayServer) -> None:
    with _client(server) as api, pytest.raises(ApiError, match="outside"):
        api.get("https://evil.example/steal")


def test_missing_token_names_the_field_and_variable() -> None:
    with pytest.raises(InputError) as caught:
        Credentials.bearer("NOT_SET_ANYWHERE", environ={})
    assert "token_env" in caught.value.message and "NOT_SET_ANYWHERE" in caught.value.message
    with pytest.raises(InputError, match="token_env"):
        Credentials.bearer("not a name", environ={})


def test_basic_auth_and_repr_keep_the_token_out() -> None:
    credentials = Credentials.basic("me@example.org", "JIRA", environ={"JIRA": TOKEN})
    assert TOKEN not in repr(credentials)
    assert credentials.headers["Authorization"].startswith("Basic ")
    assert len(credentials.secrets) == 2


def test_no_message_carries_the_token(server: ReplayServer) -> None:
    server.faults.add(Fault("status", at=1, status=500, times=10))
    with _client(server, retry=RetryPolicy(attempts=2)) as api, pytest.raises(ApiError) as caught:
        api.get(f"/items?access_token={TOKEN}")
    assert TOKEN not in str(caught.value)
    assert "access_token=***" in str(caught.value)


def test_next_link_reads_rel_next_only() -> None:
    header = '<https://x/a?page=1>; rel="prev", <https://x/a?page=3>; rel="next"'
    assert next_link(header) == "https://x/a?page=3"
    assert next_link('<https://x/a?page=1>; rel="first"') is None
    assert next_link(None) is None
