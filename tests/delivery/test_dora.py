"""The four keys and the linkage on the fixture of ``tests/delivery/fixture.py``, by hand."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from tandem.delivery.linkage import DEFAULT_PRODUCTION, Linkage, link, production_pattern
from tandem.delivery.records import read_records
from tandem.delivery.schemas import DoraReport
from tandem.delivery.service import dora_metrics
from tandem.flow.engine import Filters, FlowEngine
from tests.delivery.fixture import HOUR, Fixture, build, t
from tests.sources.gitrepo import git

WINDOW = Filters(start=t(1, 0), end=t(8, 0))  # Monday 2024-06-03 to Sunday 2024-06-09: 1 week


@pytest.fixture(scope="module")
def fx(tmp_path_factory: pytest.TempPathFactory) -> Fixture:
    return build(tmp_path_factory.mktemp("delivery"))


@pytest.fixture(scope="module")
def engine(fx: Fixture) -> Iterator[FlowEngine]:
    with FlowEngine(fx.lake) as flow:
        yield flow


def linkage(engine: FlowEngine) -> Linkage:
    records = read_records(engine)
    return link(engine=engine, records=records, production=production_pattern(DEFAULT_PRODUCTION))


def short(object_id: str | None) -> str | None:
    return object_id.rsplit(":", 1)[1] if object_id else None


def test_each_deployment_ships_what_git_rev_list_lists(fx: Fixture, engine: FlowEngine) -> None:
    shipped = linkage(engine).shipped
    prev = {"P1": "c0", "P2": "s2", "W1": "c0"}  # the previous deployment of each one's chain
    for key, before in prev.items():
        ship = shipped[fx.deployment[key]]
        assert ship.route == "ancestry"
        listed = git(fx.repo, "rev-list", f"{fx.sha[before]}..{ship.deployment.sha}").split()
        assert sorted(ship.commits) == sorted(listed)
    inverse = {sha: name for name, sha in fx.sha.items()}
    assert sorted(inverse[s] for s in shipped[fx.deployment["P2"]].commits) == sorted(
        ["r1'", "r2'", "g1", "m6", "d1", "s7"]
    )
    # each chain's first deployment is its baseline; W1 (environment "Production") continues
    # web's chain (environments compare case-insensitively); P3's sha is not in the lake
    assert {short(k): s.route for k, s in shipped.items()} == {
        "P0": "first", "W0": "first", "P1": "ancestry", "P2": "ancestry", "W1": "ancestry",
        "P3": "time_window",
    }  # fmt: skip


def test_every_change_with_its_status_confidence_and_lead_time(
    fx: Fixture, engine: FlowEngine
) -> None:
    changes = {c.key: c for c in linkage(engine).changes}
    got = {
        (short(k) if c.kind == "pull_request" else c.key.removeprefix("@commit:")): (
            c.status, c.confidence, short(c.deployment.object_id) if c.deployment else None,
            c.lead_seconds,
        )
        for k, c in changes.items()
    }  # fmt: skip
    assert got == {
        # PR 1: merged as m1, shipped by P1 t(3,14); first commit a1 t(1,10): 2 d 4 h = 52 h
        "1": ("deployed", "ancestry", "P1", 52 * HOUR),
        # PR 2: squash s2 (merged_as) in P1 t(3,14); first commit b1 t(2,13): 25 h
        "2": ("deployed", "ancestry", "P1", 25 * HOUR),
        # PR 3: no merged_as; r1', r2' in P2 t(4,15) carry r1, r2's patches; r1 t(3,15): 24 h
        "3": ("deployed", "patch_id", "P2", 24 * HOUR),
        # PR 4: merged t(5,10) as an unknown sha, P3 (sha unknown) at t(5,12) ships PRs merged
        # in (P2 t(4,15), P3 t(5,12)]: lead = t(5,12) − t(5,7) = 5 h
        "4": ("deployed", "time_window", "P3", 5 * HOUR),
        # PR 5: merged into legacy t(4,9); P2 (t(4,15)) came later and did not ship it
        "5": ("unlinked", None, None, None),
        # PR 6: merged as m6 in P2 t(4,15); g1 t(4,10.5): 4.5 h
        "6": ("deployed", "ancestry", "P2", 4.5 * HOUR),
        # PR 7 (a bot's): s7 in P2 t(4,15); its commit t(4,13): 2 h
        "7": ("deployed", "ancestry", "P2", 2 * HOUR),
        # PR 8: merged t(5,13), after the last production deployment P3 t(5,12)
        "8": ("not_deployed_yet", None, None, None),
        # the direct push d1 t(4,13) in P2 t(4,15): 2 h; c0 is in the baselines P0/W0
        fx.sha["d1"]: ("deployed", "ancestry", "P2", 2 * HOUR),
        fx.sha["c0"]: ("first_deployment", "ancestry", "P0", None),
    }


def test_incidents_link_by_relation_else_by_the_last_deployment_of_their_service(
    engine: FlowEngine,
) -> None:
    links = {short(i.incident.object_id): i for i in linkage(engine).incidents}
    got = {k: ([short(d.object_id) for d in i.deployments], i.confidence, i.production)
           for k, i in links.items()}  # fmt: skip
    assert got == {
        "I1": (["P2"], "time", True),  # api's last production deployment before t(4,16): P2
        "I2": (["W1"], "relation", True),  # caused_by W1
        "I3": (["P2"], "time", False),  # staging: not a production incident
        "I4": (["P3"], "time", True),  # opened t(5,14); P3 (t(5,12)) was the last
    }


def dora(engine: FlowEngine, *, bots: bool = False) -> DoraReport:
    return dora_metrics(engine=engine, filters=WINDOW, include_bots=bots)


def test_deployment_frequency_counts_days_with_a_production_success(engine: FlowEngine) -> None:
    f = dora(engine).deployment_frequency
    # production successes: P0, W0 (day 1), P1 (day 3), P2, W1 (day 4), P3 (day 5):
    # 4 days over a 7-day window (1 week) = 4.0 per week; S1 (staging) and PF (failed) left out
    assert (f.per_week, f.deployment_days, f.deployments, f.weeks) == (4.0, 4, 6, 1.0)
    assert f.excluded == {"failed": 1, "not_production": 1}
    # api: P0 d1, P1 d3, P2 d4, P3 d5 = 4 days; web: W0 d1, W1 d4 = 2 days
    assert [(s.service, s.deployments, s.deployment_days, s.per_week) for s in f.by_service] == [
        ("api", 4, 4, 4.0),
        ("web", 2, 2, 2.0),
    ]


def test_change_lead_time_unlinked_share_and_confidence_mix(engine: FlowEngine) -> None:
    lead = dora(engine).change_lead_time
    # deployed in the window, bots out: PR1 52, PR2 25, PR3 24, PR4 5, PR6 4.5, d1 2 (hours)
    # sorted 2, 4.5, 5, 24, 25, 52: P50 = (5 + 24) / 2 = 14.5 h;
    # P85 at rank 0.85 × 5 = 4.25: 25 + 0.25 × (52 − 25) = 31.75 h;
    # P95 at rank 4.75: 25 + 0.75 × 27 = 45.25 h
    assert lead.figure.n == 6
    assert lead.figure.p50_seconds == pytest.approx(14.5 * HOUR)
    assert lead.figure.p85_seconds == pytest.approx(31.75 * HOUR)
    assert lead.figure.p95_seconds == pytest.approx(45.25 * HOUR)
    # PR 5 is unlinked: 1 of 6 + 1 changes; PR 8 waits; c0 is the baseline; PR 7 is a bot's
    assert (lead.changes, lead.unlinked, lead.unlinked_share) == (7, 1, pytest.approx(1 / 7))
    assert lead.figure.excluded == {
        "bot_author": 1,
        "first_deployment": 1,
        "not_deployed_yet": 1,
        "unlinked": 1,
    }
    # ancestry: PR1, PR2, PR6, d1; patch id: PR3; time window: PR4
    assert lead.confidence == {"ancestry": 4, "patch_id": 1, "time_window": 1, "unlinked": 1}


def test_bots_included_add_the_bots_change(engine: FlowEngine) -> None:
    lead = dora(engine, bots=True).change_lead_time
    # + PR 7 (2 h): 2, 2, 4.5, 5, 24, 25, 52 → P50 = 5 h
    assert (lead.figure.n, lead.figure.p50_seconds) == (7, 5 * HOUR)
    assert "bot_author" not in lead.figure.excluded
    assert lead.confidence["ancestry"] == 5


def test_change_failure_rate_and_time_to_restore(engine: FlowEngine) -> None:
    report = dora(engine)
    cfr = report.change_failure_rate
    # 6 production deployments; linked production incidents hit P2 (I1), W1 (I2), P3 (I4): 3/6
    assert (cfr.value, cfr.failed_deployments, cfr.deployments) == (0.5, 3, 6)
    assert cfr.incident_links == {"relation": 1, "time": 2}
    assert cfr.excluded == {"non_production_incidents": 1}
    ttr = report.time_to_restore
    # I1 2 h, I2 1.5 h (I4 unresolved, I3 staging): P50 = 1.75 h, P85 = 1.5 + 0.85 × 0.5 h
    assert (ttr.n, ttr.p50_seconds) == (2, 1.75 * HOUR)
    assert ttr.p85_seconds == pytest.approx(1.925 * HOUR)
    assert ttr.excluded == {"unresolved": 1}


def test_a_narrower_window_counts_only_its_own_deployments(engine: FlowEngine) -> None:
    # days 4 and 5 only: P2, W1 (day 4), P3 (day 5) over 2 days = 2/7 weeks → 7 per week
    report = dora_metrics(engine=engine, filters=Filters(start=t(4, 0), end=t(6, 0)))
    f = report.deployment_frequency
    assert (f.deployment_days, f.deployments) == (2, 3)
    assert f.per_week == pytest.approx(7.0)
    # deployed in it: PR3 24, PR4 5, PR6 4.5, d1 2 → P50 = (4.5 + 5) / 2 = 4.75 h
    assert report.change_lead_time.figure.p50_seconds == pytest.approx(4.75 * HOUR)
    assert report.change_failure_rate.value == 1.0  # P2, W1, P3 each have an incident


def test_the_production_pattern_is_a_setting(engine: FlowEngine) -> None:
    # "staging" as production: S1 alone (day 2) over the week
    report = dora_metrics(engine=engine, filters=WINDOW, production="^staging$")
    f = report.deployment_frequency
    assert (f.deployments, f.deployment_days, f.per_week) == (1, 1, 1.0)
    assert report.change_lead_time.figure.n == 0
    assert report.change_lead_time.figure.p50_seconds is None  # unknown, never 0


def test_without_the_repository_on_disk_the_rebase_is_found_by_authored_match(
    tmp_path: Path,
) -> None:
    fx = build(tmp_path)
    shutil.rmtree(fx.repo)  # no patch ids: the commits table and PR #3's commit events remain
    with FlowEngine(fx.lake) as engine:
        changes = {c.key: c for c in linkage(engine).changes}
        lead = dora(engine).change_lead_time
    pr3 = changes[fx.pr[3]]
    # r1' and r2' keep r1, r2's authored time and summary (t(3,15) "fix: three a", …)
    assert (pr3.status, pr3.confidence, pr3.lead_seconds) == (
        "deployed",
        "authored_match",
        24 * HOUR,
    )
    assert lead.confidence == {"ancestry": 4, "authored_match": 1, "time_window": 1, "unlinked": 1}


def test_a_rebase_named_by_its_last_commit_takes_the_earlier_ones_by_patch_id(
    tmp_path: Path,
) -> None:
    fx = build(tmp_path, summaries=False)  # no authored match to fall back on
    with fx.lake.batch(label="PR 3 merged_as r2'") as batch:
        batch.write(
            "relations",
            pa.table(
                {
                    "from_object": [fx.pr[3]],
                    "to_object": ["@commit:" + fx.sha["r2'"]],
                    "kind": ["merged_as"],
                }
            ),
        )
    with FlowEngine(fx.lake) as engine:
        changes = {c.key: c for c in linkage(engine).changes}
    pr3 = changes[fx.pr[3]]
    assert (pr3.status, pr3.confidence, pr3.lead_seconds) == ("deployed", "ancestry", 24 * HOUR)
    # r1' carries r1's patch: it belongs to PR 3, never a direct push of its own
    assert "@commit:" + fx.sha["r1'"] not in changes
    assert sorted(k for k in changes if k.startswith("@commit:")) == sorted(
        f"@commit:{fx.sha[name]}" for name in ("c0", "d1")
    )
