"""Each delivery figure counts the people behind its OWN items (DESIGN §7), on a small lake.

Team T is five people, p1 … p5, one GitHub login each. Each opened a pull request in the week of
2024-03-04 (a Monday), with one commit two hours before, reviewed by the next person an hour
after opening and merged two hours after that; each was merged as a sha the lake does not hold,
so the deployments link them by time:

======  =======================  =========================================================
PR      merged                   deployment (api, production)
======  =======================  =========================================================
1 (p1)  Mon 03-04 13:00          D1 Mon 03-04 18:00 (after D0, the baseline, on 03-01)
2 (p2)  Mon 03-04 14:00          D1
3 (p3)  Thu 03-07 13:00          none yet
4 (p4)  Thu 03-07 14:00          none yet
5 (p5)  Thu 03-07 15:00          none yet
======  =======================  =========================================================

Incident I1 (api, production) opened 03-04 20:00, resolved 03-04 22:00: blames D1 by time.

So coding, pickup and review rest on five people, while the deploy stage, the total, and the
four keys (what D1 shipped) rest on p1 and p2 only.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tandem.delivery.privacy import Floor, complementary
from tandem.delivery.service import dora_metrics, pull_request_flow
from tandem.errors import InputError
from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.service import TooFewPeopleError
from tandem.lake import Lake
from tests.delivery.rows import DeliveryRows

MONDAY = dt.datetime(2024, 3, 4, tzinfo=dt.UTC)
PEOPLE = tuple(f"login:github:p{i}" for i in range(1, 6))
WINDOW = {"start": MONDAY, "end": MONDAY + dt.timedelta(days=14)}


def at(day: int, hour: float) -> dt.datetime:
    return MONDAY + dt.timedelta(days=day, hours=hour)


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    root = tmp_path_factory.mktemp("figure-privacy")
    lake = Lake(root)
    rows = DeliveryRows()
    merges = {1: at(0, 13), 2: at(0, 14), 3: at(3, 13), 4: at(3, 14), 5: at(3, 15)}
    for number, merged in merges.items():
        opened = merged - dt.timedelta(hours=3)
        rows.pull_request(
            number,
            author=PEOPLE[number - 1],
            created=opened,
            commits=[(f"{number}c" * 20, opened - dt.timedelta(hours=2))],
            reviews=[(PEOPLE[number % 5], opened + dt.timedelta(hours=1))],
            merged=merged,
            merged_as=f"{number}m" * 20,
        )
    rows.deployment("D0", service="api", environment="production", sha="0" * 40, at=at(-3, 12))
    rows.deployment("D1", service="api", environment="production", sha="1" * 40, at=at(0, 18))
    rows.incident("I1", service="api", opened=at(0, 20), resolved=at(0, 22))
    rows.write(lake)
    return lake


def team(**window: dt.datetime) -> Filters:
    return Filters(**(window or WINDOW), teams={"T": PEOPLE}, team_people={k: k for k in PEOPLE})


def test_the_deploy_stage_is_withheld_when_two_people_s_prs_reached_production(
    lake: Lake,
) -> None:
    with FlowEngine(lake) as engine:
        report = pull_request_flow(engine=engine, filters=team())
        everyone = pull_request_flow(engine=engine, filters=Filters(**WINDOW))
    assert (report.people, report.n) == (5, 5)  # the answer itself rests on five people
    for stage in ("coding", "pickup", "review"):
        figure = getattr(report, stage)
        assert (figure.people, figure.withheld, figure.n) == (5, None, 5), stage
        assert figure.p50_seconds == getattr(everyone, stage).p50_seconds is not None, stage
    # the deploy stage and the total rest on p1's and p2's PRs: measures null, n and reason kept
    for figure in (report.deploy, report.total):
        assert (figure.n, figure.people) == (2, None)
        assert (figure.p50_seconds, figure.p85_seconds, figure.p95_seconds) == (None,) * 3
        assert figure.withheld is not None and "from fewer than 5 people" in figure.withheld
    assert "deploy stage of team T" in str(report.deploy.withheld)
    # ... which a reader without a team filter sees (nobody to single out there)
    assert everyone.deploy.p50_seconds is not None and everyone.deploy.withheld is None
    # the drill-down cannot give the withheld stages back
    assert all(r.deploy_seconds is None and r.total_seconds is None for r in report.rows)
    assert all(r.deployed_at is None for r in report.rows)
    assert any(r.deploy_seconds is not None for r in everyone.rows)


def test_a_team_answer_has_no_mean(lake: Lake) -> None:
    """n × mean is a sum, and sums of two windows subtract to one person's exactly."""
    with FlowEngine(lake) as engine:
        report = pull_request_flow(engine=engine, filters=team())
        everyone = pull_request_flow(engine=engine, filters=Filters(**WINDOW))
    assert report.coding.mean_seconds is None and report.coding.p50_seconds is not None
    assert everyone.coding.mean_seconds is not None


def test_dora_withholds_the_keys_resting_on_what_two_people_shipped(lake: Lake) -> None:
    with FlowEngine(lake) as engine:
        keys = dora_metrics(engine=engine, filters=team())
        everyone = dora_metrics(engine=engine, filters=Filters(**WINDOW))
    # merged or deployed in the window: five people, so the answer is given ...
    assert keys.people == 5
    # ... but the changes deployed in it are p1's and p2's: lead time withheld, n shown
    lead = keys.change_lead_time
    assert (lead.figure.n, lead.figure.people, lead.figure.p50_seconds) == (2, None, None)
    assert "change lead time of team T comes from fewer than 5 people" in str(lead.figure.withheld)
    assert everyone.change_lead_time.figure.p50_seconds is not None
    freq, cfr = keys.deployment_frequency, keys.change_failure_rate
    assert (freq.deployments, freq.per_week, freq.deployment_days) == (1, None, None)
    assert freq.withheld is not None and freq.by_service[0].withheld is not None
    assert freq.by_service[0].per_week is None and freq.by_service[0].deployments == 1
    assert (cfr.deployments, cfr.value, cfr.failed_deployments) == (1, None, None)
    assert cfr.withheld is not None and cfr.incident_links == {}
    ttr = keys.time_to_restore
    assert (ttr.n, ttr.people, ttr.p50_seconds) == (1, None, None) and ttr.withheld
    assert everyone.time_to_restore.p50_seconds == 2 * 3600
    # the per-change rows carry no lead time (nor the first commit it starts from)
    assert all(row.lead_seconds is None and row.first_commit_at is None for row in keys.changes)


def test_a_team_window_shorter_than_a_week_is_refused_naming_it(lake: Lake) -> None:
    short = {"start": MONDAY, "end": MONDAY + dt.timedelta(days=6)}
    with FlowEngine(lake) as engine:
        for answer in (pull_request_flow, dora_metrics):
            with pytest.raises(InputError, match="window 2024-03-04 to 2024-03-09 is 6 days") as e:
                answer(engine=engine, filters=team(**short))
            assert e.value.field == "window"
            assert answer(engine=engine, filters=team(start=MONDAY, end=MONDAY + dt.timedelta(7)))
            assert answer(engine=engine, filters=Filters(**short))  # no team: nobody to single out


def test_complementary_rows_are_withheld_until_the_withheld_rest_on_five() -> None:
    floor = Floor.of(teams=("T",), team_people={})
    big, bigger, alone = frozenset("abcdef"), frozenset("abcdefg"), frozenset("a")
    # the lone row is withheld; the total minus the others would give it back, so the smaller
    # shown row goes too: together they rest on six people
    assert complementary({"w1": big, "w2": bigger, "w3": alone}, floor) == {"w3", "w1"}
    assert complementary({"w1": big, "w2": bigger}, floor) == set()
    assert complementary({"w1": frozenset("ab"), "w2": frozenset("cde")}, floor) == {"w1", "w2"}
    assert complementary({"w1": big, "w2": frozenset()}, floor) == set()  # nothing behind w2


def test_two_identities_of_one_person_count_once_per_figure(lake: Lake) -> None:
    """p1's and p2's logins are one person: the deploy stage rests on one person."""
    same = {**{k: k for k in PEOPLE}, PEOPLE[1]: PEOPLE[0]}
    filters = Filters(**WINDOW, teams={"T": PEOPLE}, team_people=same)
    with (
        FlowEngine(lake) as engine,
        pytest.raises(TooFewPeopleError, match="from fewer than 5 people"),  # the whole answer
    ):
        pull_request_flow(engine=engine, filters=filters)
