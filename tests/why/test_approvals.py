"""Approval bottlenecks from pull requests with reviews, computed by hand."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from tandem.errors import InputError
from tandem.flow.engine import FlowEngine
from tandem.lake import Lake
from tandem.why.delegation.approvals import approvals
from tandem.why.delegation.ownership import OwnerScope
from tests.delivery.rows import DeliveryRows


def at(day: int) -> dt.datetime:
    return dt.datetime(2024, 5, day, 9, tzinfo=dt.UTC)


def gh(name: str) -> str:
    return f"github:{name}"


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    root: Path = tmp_path_factory.mktemp("approvals")
    lake = Lake(root)
    rows = DeliveryRows()
    a, b, c, d, e, f = (gh(x) for x in "abcdef")
    reviewed = [  # (number, author, reviewers)
        (1, a, [b]),
        (2, c, [b, b]),
        (3, d, [b, e]),
        (4, e, [f]),
        (5, f, [b]),
        (6, a, []),  # no review: not counted
        (8, b, [b, gh("renovate")]),  # only its author and a bot: not counted
        (9, b, [c]),
    ]
    for number, author, reviewers in reviewed:
        rows.pull_request(
            number,
            author=author,
            created=at(number),
            reviews=[
                (who, at(number) + dt.timedelta(hours=i + 1)) for i, who in enumerate(reviewers)
            ],
        )
    rows.pull_request(7, author=gh("dependabot"), created=at(7), reviews=[(b, at(7))],
                      author_is_bot=True)  # fmt: skip
    rows.identities[gh("renovate")] = True
    rows.relation("@pr:github:acme/shop:1", "@commit:abc123", "contains")  # a relations batch
    rows.write(lake)
    return lake


def test_busiest_reviewer_share_and_prs_waiting_on_one(lake: Lake) -> None:
    with FlowEngine(lake) as engine:
        report = approvals(engine=engine, scope=OwnerScope("all work data", None, {}))
    assert (report.pull_requests, report.reviews, report.reviewers, report.people) == (6, 8, 4, 6)
    assert report.busiest_share == 0.625  # b: 5 of 8
    assert report.waited_on_one == 3  # PRs 1, 2, 5
    assert report.single_reviewer == 5  # PRs 1, 2, 4, 5, 9
    assert report.withheld is None
    assert "github:" not in report.model_dump_json()


def test_a_team_reads_its_members_prs_and_is_withheld_below_five(lake: Lake) -> None:
    people = {gh(x): x.upper() for x in "abcdef"} | {"github:a2": "A"}
    with FlowEngine(lake) as engine:
        team = approvals(
            engine=engine, scope=OwnerScope("team T", (gh("a"), gh("c"), gh("d")), people)
        )
        small = approvals(engine=engine, scope=OwnerScope("team S", (gh("a"), gh("c")), people))
    # PRs 1, 2, 3: a, c, d and reviewers b, e = 5 people
    assert (team.pull_requests, team.reviews, team.people) == (3, 5, 5)
    assert team.busiest_share == 0.8 and team.waited_on_one == 2
    # withheld: no figure and no count (PRs 1 and 2 of a and c, reviewed by b: 3 people)
    assert small.withheld is not None and "fewer than 5 people" in small.withheld
    assert re.search(r"\b[0-4] (person|people)\b", small.withheld) is None
    counts = ("pull_requests", "reviews", "reviewers", "people")
    figures = ("busiest_share", "waited_on_one", "single_reviewer")
    dumped = json.loads(small.model_dump_json())
    assert {k: dumped[k] for k in counts + figures} == dict.fromkeys(counts + figures)


def test_a_window_under_seven_days_is_refused(lake: Lake) -> None:
    everyone = OwnerScope("all work data", None, {})
    with FlowEngine(lake) as engine:
        week = approvals(
            engine=engine, scope=everyone, start=dt.date(2024, 5, 1), end=dt.date(2024, 5, 7)
        )
        assert (week.start, week.end, week.pull_requests) == (
            dt.date(2024, 5, 1), dt.date(2024, 5, 7), 5,
        )  # fmt: skip
        for start, end in (
            (dt.date(2024, 5, 1), dt.date(2024, 5, 6)),  # 6 days
            (dt.date(2024, 5, 8), None),  # to the last event's day (the 9th): 2 days
        ):
            with pytest.raises(InputError, match="at least 7 days") as caught:
                approvals(engine=engine, scope=everyone, start=start, end=end)
            assert caught.value.field == "from"


def test_no_reviewed_pull_request_is_nothing_to_withhold(lake: Lake) -> None:
    with FlowEngine(lake) as engine:
        report = approvals(
            engine=engine,
            scope=OwnerScope("team N", (gh("nobody"),), {}),
        )
    assert (report.pull_requests, report.withheld, report.busiest_share) == (0, None, None)
