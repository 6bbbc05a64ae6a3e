"""The review scores cache: one computation per state of a cycle, and every change seen next time.

Over the SYNTHETIC demo organisation (its closed cycle is the profiles' default). Each change is
made the way it happens in real use — another connection committing (an import, the CLI), a
form, a share, a confirmed duo — and the next request must show it: the pages must answer what
the services answer without any cache.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tandem.db.session import session_scope
from tandem.profile import service as profile_service
from tandem.profile import team as team_service
from tandem.profile.schemas import dump
from tandem.profile.visibility import Viewer
from tandem.review.models import ForcedRanking, ReviewCycle, ReviewResponse
from tandem.web.app import create_app
from tandem.web.review_cache import DatabaseChanges, ReviewCache, review_cache
from tandem.workspace import Workspace
from tests.web.conftest import csrf_from
from tests.web.people_org import PeopleOrg, as_user, fresh

Setup = tuple[Workspace, PeopleOrg]


@pytest.fixture
def setup(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Setup:
    return fresh(tmp_path, tmp_path_factory)


@pytest.fixture
def app(setup: Setup) -> FastAPI:
    return create_app(setup[0])


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def uncached_profile(setup: Setup, key: str) -> dict[str, Any]:
    """The member's profile as the service computes it with no cache at all."""
    workspace, org = setup
    with session_scope(workspace.engine) as session:
        found = profile_service.profile(
            session=session, person=str(org.person_ids[key]), cycle=org.cycle
        )
    return dump(found)


def uncached_coverage(setup: Setup) -> dict[str, Any]:
    workspace, org = setup
    with session_scope(workspace.engine) as session:
        ada = Viewer(person_id=org.person_ids["leader"], role="leader")
        view = team_service.team_view(session=session, team="Atlas", cycle=org.cycle, viewer=ada)
        return view.model_dump(mode="json")


def closed_cycle_id(setup: Setup) -> int:
    workspace, org = setup
    with session_scope(workspace.engine) as session:
        return session.scalars(select(ReviewCycle.id).where(ReviewCycle.name == org.cycle)).one()


def others_rating_the(setup: Setup, key: str) -> int:
    """A rater (not the person) with answers about ``key`` in the closed cycle."""
    workspace, org = setup
    with session_scope(workspace.engine) as session:
        return session.scalars(
            select(ReviewResponse.rater_id)
            .where(
                ReviewResponse.cycle_id == closed_cycle_id(setup),
                ReviewResponse.ratee_id == org.person_ids[key],
                ReviewResponse.rater_id != org.person_ids[key],
            )
            .limit(1)
        ).one()


def test_repeat_requests_compute_the_cycle_once(
    client: TestClient, app: FastAPI, setup: Setup
) -> None:
    as_user(client, setup, "member")
    first = client.get("/api/people/me").json()
    cache = review_cache(app)
    assert cache.stats.computations == 1
    reads = cache.state_reads
    for _ in range(3):
        assert client.get("/api/people/me").json() == first
        assert client.get("/people/me").status_code == 200
    as_user(client, setup, "leader")  # signing in writes a session: the stamp is read again
    client.get("/api/coverage")
    assert cache.stats.computations == 1  # people and coverage pages share the cycle's scores
    client.get("/api/coverage")
    assert cache.state_reads <= reads + 2  # no stamp is read while nothing is committed
    assert first["profile"] == uncached_profile(setup, "member")


def test_an_answer_changed_in_place_is_seen_next_time(
    client: TestClient, app: FastAPI, setup: Setup
) -> None:
    workspace, org = setup
    as_user(client, setup, "member")
    before = client.get("/api/people/me").json()["profile"]
    rater = others_rating_the(setup, "member")
    with session_scope(workspace.engine) as session:  # as an import would: its own connection
        session.execute(
            update(ReviewResponse)
            .where(
                ReviewResponse.cycle_id == closed_cycle_id(setup),
                ReviewResponse.ratee_id == org.person_ids["member"],
                ReviewResponse.rater_id == rater,
            )
            .values(value=1)
        )
    after = client.get("/api/people/me").json()["profile"]
    assert after != before
    assert after == uncached_profile(setup, "member")
    assert review_cache(app).stats.computations == 2
    assert review_cache(app).stats.entries == 1  # the scores of the old state are gone
    as_user(client, setup, "leader")
    assert client.get("/api/coverage").json() == uncached_coverage(setup)


def test_a_new_and_a_deleted_answer_are_seen_next_time(client: TestClient, setup: Setup) -> None:
    workspace, org = setup
    as_user(client, setup, "member")
    before = client.get("/api/people/me").json()["profile"]
    rater = others_rating_the(setup, "member")
    where = (
        ReviewResponse.cycle_id == closed_cycle_id(setup),
        ReviewResponse.ratee_id == org.person_ids["member"],
        ReviewResponse.rater_id == rater,
    )
    with session_scope(workspace.engine) as session:
        rows = session.scalars(select(ReviewResponse).where(*where)).all()
        kept = [(r.relation, r.item_id, r.value) for r in rows]
        for row in rows:
            session.delete(row)
    removed = client.get("/api/people/me").json()["profile"]
    assert removed != before
    assert removed == uncached_profile(setup, "member")
    with session_scope(workspace.engine) as session:  # the rater's answers come back
        session.add_all(
            ReviewResponse(
                cycle_id=closed_cycle_id(setup),
                ratee_id=org.person_ids["member"],
                rater_id=rater,
                relation=relation,
                item_id=item,
                value=value,
            )
            for relation, item, value in kept
        )
    assert client.get("/api/people/me").json()["profile"] == before


def test_a_forced_ranking_block_is_seen_next_time(client: TestClient, setup: Setup) -> None:
    workspace, org = setup
    as_user(client, setup, "member")
    client.get("/api/people/me")
    member = org.person_ids["member"]
    with session_scope(workspace.engine) as session:
        raters = session.scalars(
            select(ReviewResponse.rater_id)
            .where(
                ReviewResponse.cycle_id == closed_cycle_id(setup),
                ReviewResponse.ratee_id == member,
                ReviewResponse.rater_id != member,
            )
            .distinct()
        ).all()
        assert len(raters) >= 3
        for rater in raters:
            for kind, practices in (
                ("strongest", ("vision", "storytelling", "empowerment")),
                ("weakest", ("process", "allocation", "conflict")),
            ):
                session.add_all(
                    ForcedRanking(
                        cycle_id=closed_cycle_id(setup),
                        ratee_id=member,
                        rater_id=rater,
                        practice=practice,
                        kind=kind,
                        rank=rank,
                    )
                    for rank, practice in enumerate(practices, start=1)
                )
    after = client.get("/api/people/me").json()["profile"]
    assert after == uncached_profile(setup, "member")
    assert after["forced_ranking"]["others"] != "suppressed"


def test_a_share_is_seen_next_time(client: TestClient, setup: Setup) -> None:
    _, org = setup
    member = org.person_ids["member"]
    token = as_user(client, setup, "member")
    client.get("/people/me")  # the cycle's scores are cached now
    as_user(client, setup, "leader")
    assert client.get(f"/api/people/{member}").status_code == 403
    token = as_user(client, setup, "member")
    client.post("/api/people/me/share", json={"shared": True}, headers={"X-CSRF-Token": token})
    as_user(client, setup, "leader")
    shared = client.get(f"/api/people/{member}")
    assert shared.status_code == 200
    assert shared.json()["sharing"]["shared_with_manager"] is True


def test_a_confirmed_duo_is_on_the_home_page_next_time(client: TestClient, setup: Setup) -> None:
    _, org = setup
    as_user(client, setup, "manager")
    assert client.get("/api/home").json()["duo"]["duos"] == []
    page = client.get("/duos")
    # The home card shows the team's heads' duo: confirm the pair to judge first, the formal one
    pair = client.get("/api/duos").json()["suggestions"]["formal"][0]
    data = {
        "csrf_token": csrf_from(page.text),
        "a": str(pair["a"]["id"]),
        "b": str(pair["b"]["id"]),
        "tie_breaker": org.email("leader"),
        "review_date": "2099-01-31",
    }
    assert client.post("/duos/confirm", data=data).status_code == 200
    duos = client.get("/api/home").json()["duo"]["duos"]
    assert {d["a"] for d in duos} | {d["b"] for d in duos} >= {pair["a"]["name"]}


def test_uncommitted_answers_never_reach_the_cache(setup: Setup) -> None:
    workspace, org = setup
    cache = ReviewCache(workspace.engine)
    try:
        committed = uncached_profile(setup, "member")
        with session_scope(workspace.engine) as reference:
            cycle = profile_service.resolve_cycle(session=reference, name=org.cycle)
            expected = profile_service.load_cycle_scores(session=reference, cycle=cycle)
            member = org.person_ids["member"]
            expected_scores = expected.scores(member)
        with Session(workspace.engine) as writing:  # a request that writes, then rolls back
            writing.execute(
                update(ReviewResponse)
                .where(ReviewResponse.ratee_id == member, ReviewResponse.cycle_id == cycle.id)
                .values(value=1)
            )
            seen = cache.cycle_scores(writing, cycle)  # asked inside the writing transaction
            writing.rollback()
            again = cache.cycle_scores(writing, cycle)
        assert seen.scores(member) == expected_scores
        assert again.scores(member) == expected_scores
        assert uncached_profile(setup, "member") == committed
    finally:
        cache.changes.close()


def test_the_database_change_counter_moves_on_commits_only(setup: Setup) -> None:
    workspace, _ = setup
    changes = DatabaseChanges(workspace.engine)
    try:
        first = changes.version()
        assert first is not None
        with session_scope(workspace.engine) as session:
            session.scalars(select(ReviewCycle)).all()
        assert changes.version() == first
        with session_scope(workspace.engine) as session:
            session.execute(update(ReviewCycle).values(name=ReviewCycle.name))
        assert changes.version() != first
    finally:
        changes.close()
