"""Achievements read from a real log (the sepsis workspace of the HOW tests)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

import pytest

from tandem.db.session import session_scope
from tandem.errors import InputError
from tandem.flow.bottlenecks import bottlenecks
from tandem.flow.engine import FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.flow.timing import item_facts
from tandem.why.goals.metrics import measure, parse_spec
from tandem.why.goals.models import CheckIn, Goal, KeyResult
from tandem.why.recognition.achievements import (
    personal_achievements,
    team_achievements,
)
from tandem.why.recognition.digest import digest_markdown, wins_digest
from tandem.why.scope import find_team, team_filters
from tests.web.how_fixtures import FlowOrg, alpha_filters, key, make_flow_org

AS_OF = dt.date(2014, 9, 30)
SPEC = "cycle_time:p85,window=90"


@dataclass(frozen=True)
class Setup:
    flow: FlowOrg
    goal: int
    reached: int  # key result ids
    missed: int
    manual_reached: int
    manual_missed: int
    value: float  # the metric's own value on AS_OF


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Setup:
    flow = make_flow_org(tmp_path_factory.mktemp("recognition") / "ws")
    spec = parse_spec(SPEC)
    mapping = StatusMapping.from_settings(flow.workspace.settings.flow)
    with FlowEngine(flow.workspace.lake) as engine:
        own = measure(spec, engine=engine, team=alpha_filters(flow), mapping=mapping, as_of=AS_OF)
    assert own.value is not None, own.withheld
    with session_scope(flow.workspace.engine) as session:
        goal = Goal(team_id=flow.org.own_team_id, title="Patients out sooner",
                    starts_on=dt.date(2014, 7, 1), ends_on=dt.date(2014, 12, 31))  # fmt: skip
        common = {"kind": "metric", "metric": spec.model_dump(), "direction": "down",
                  "unit": "days"}  # fmt: skip
        reached = KeyResult(title="P85 under the bar", target=own.value * 1.01, **common)
        missed = KeyResult(title="P85 halved", target=own.value / 2, **common)
        manual = {"kind": "manual", "metric": None, "direction": "up"}
        manual_reached = KeyResult(title="Wards on board", target=4, **manual)
        manual_missed = KeyResult(title="Nurses trained", target=30, **manual)
        goal.key_results = [reached, missed, manual_reached, manual_missed]
        session.add(goal)
        session.flush()
        stamp = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
        session.add_all([
            CheckIn(key_result_id=manual_reached.id, value=2, confidence=5, checked_at=stamp),
            CheckIn(key_result_id=manual_reached.id, value=5, confidence=8,
                    checked_at=stamp + dt.timedelta(days=1)),
            CheckIn(key_result_id=manual_missed.id, value=40, confidence=8, checked_at=stamp),
            CheckIn(key_result_id=manual_missed.id, value=20, confidence=6,
                    checked_at=stamp + dt.timedelta(days=2)),
        ])  # fmt: skip
        ids = (goal.id, reached.id, missed.id, manual_reached.id, manual_missed.id)
    return Setup(flow, *ids, value=own.value)


def test_key_results_reached_are_those_whose_own_value_meets_the_target(setup: Setup) -> None:
    with session_scope(setup.flow.workspace.engine) as session:
        found = team_achievements(
            session=session, workspace=setup.flow.workspace, team="Alpha", as_of=AS_OF
        )
    krs = {a.key_result_id: a for a in found.achievements if a.kind == "key_result_reached"}
    assert set(krs) == {setup.reached, setup.manual_reached}
    metric = krs[setup.reached]
    assert metric.value == setup.value  # the metric's own value, no second formula
    assert (metric.goal_id, metric.on, metric.id) == (
        setup.goal,
        AS_OF,
        f"key_result_reached:{setup.reached}",
    )
    manual = krs[setup.manual_reached]
    assert manual.value == 5 and manual.checkin_id is not None  # the latest check-in's value
    assert manual.on == dt.date(2026, 12, 2)
    assert (found.as_of, found.first, found.as_of_rule) == (AS_OF, dt.date(2014, 9, 1), "asked")


def test_a_removed_bottleneck_fell_by_half_from_the_top_five_of_the_period_before(
    setup: Setup,
) -> None:
    with session_scope(setup.flow.workspace.engine) as session:
        found = team_achievements(
            session=session, workspace=setup.flow.workspace, team="Alpha", as_of=AS_OF
        )
    removed = [a for a in found.achievements if a.kind == "bottleneck_removed"]
    assert removed, found.withheld
    filters = alpha_filters(setup.flow)
    start = dt.datetime(2014, 9, 1, tzinfo=dt.UTC)
    before = dataclasses.replace(filters, start=start - dt.timedelta(days=30), end=start)
    now = dataclasses.replace(filters, start=start, end=dt.datetime(2014, 10, 1, tzinfo=dt.UTC))
    with FlowEngine(setup.flow.workspace.lake) as engine:
        waits_before = _waits(engine, before)
        waits_now = _waits(engine, now)
    # ties broken as the rule does: by kind, then name
    top = sorted(waits_before.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1]))[:5]
    expected = [k for k, v in top if waits_now.get(k, 0.0) <= v / 2]
    assert [(a.stage_kind, a.stage) for a in removed] == expected
    for achievement in removed:
        assert (
            achievement.wait_before_seconds
            == waits_before[(achievement.stage_kind, achievement.stage)]
        )
        assert (
            achievement.wait_after_seconds is not None
            and achievement.wait_before_seconds is not None
        )
        assert achievement.wait_after_seconds <= achievement.wait_before_seconds / 2


def _waits(engine: FlowEngine, filters: object) -> dict[tuple[str, str], float]:
    report = bottlenecks(engine, filters, limit=None)  # type: ignore[arg-type]
    return {
        (b.kind, b.name): float(b.evidence["total_wait_seconds"])
        for b in report.bottlenecks
        if b.kind in ("edge", "activity")
    }


def test_a_team_under_five_people_gets_no_bottleneck_and_no_metric_key_result(
    setup: Setup,
) -> None:
    with session_scope(setup.flow.workspace.engine) as session:
        found = team_achievements(
            session=session, workspace=setup.flow.workspace, team="Beta", as_of=AS_OF
        )
    assert found.achievements == []
    assert any("bottlenecks: withheld" in note for note in found.withheld)
    # the reason says the floor, never how few people there were
    for note in found.withheld:
        assert re.search(r"\b[0-4] (person|people)\b", note) is None, note


def test_without_a_day_the_period_ends_on_the_lakes_last_event_day(setup: Setup) -> None:
    last = setup.flow.workspace.lake.last_day()  # the lake's one "last day" (tests/lake)
    assert last is not None
    with session_scope(setup.flow.workspace.engine) as session:
        found = team_achievements(
            session=session, workspace=setup.flow.workspace, team="Alpha", days=7
        )
    assert (found.as_of, found.as_of_rule) == (last, "lake_end")
    assert found.first == last - dt.timedelta(days=6)  # type: ignore[operator]


def test_first_item_shipped_is_the_persons_earliest_done_item(setup: Setup) -> None:
    leader = setup.flow.org.person_ids["leader"]  # linked to sepsis resource G
    with session_scope(setup.flow.workspace.engine) as session:
        mine = personal_achievements(
            session=session, workspace=setup.flow.workspace, person_id=leader
        )
        nobody = personal_achievements(
            session=session, workspace=setup.flow.workspace,
            person_id=setup.flow.org.person_ids["member"],
        )  # fmt: skip
    assert nobody.achievements == []
    [first] = mine.achievements
    mapping = StatusMapping.from_settings(setup.flow.workspace.settings.flow)
    with FlowEngine(setup.flow.workspace.lake) as engine:
        from tandem.flow.engine import Filters

        items = item_facts(engine, Filters(resources=(key("G"),)), mapping)
    done = sorted(i.done_at for i in items if i.done_at is not None)
    by_id = {i.case_id: i for i in items}
    assert first.item_id in by_id and by_id[first.item_id].done_at == done[0]
    assert (first.scope, first.person_id) == ("personal", leader)
    with session_scope(setup.flow.workspace.engine) as session:
        before = personal_achievements(
            session=session, workspace=setup.flow.workspace, person_id=leader,
            as_of=done[0].date() - dt.timedelta(days=1),
        )  # fmt: skip
    assert before.achievements == []


def test_the_digest_holds_team_wins_only_each_with_its_ids(setup: Setup) -> None:
    with session_scope(setup.flow.workspace.engine) as session:
        team = find_team(session, "Alpha")
        assert team_filters(session, team).teams  # the team reads the work data
        digest = wins_digest(
            session=session, workspace=setup.flow.workspace, team="Alpha", days=30, last=AS_OF
        )
    text = digest_markdown(digest)
    assert all(a.scope == "team" for a in digest.achievements.achievements)
    assert "First item shipped" not in text
    assert f"[goal {setup.goal}, key result {setup.reached}]" in text
    for achievement in digest.achievements.achievements:
        assert achievement.text in text
    assert text.startswith("# Wins of team Alpha\n")


@pytest.mark.parametrize("days", [1, 6, 0, 367])
def test_a_team_period_under_seven_days_is_refused_naming_days(setup: Setup, days: int) -> None:
    """Two team periods a day apart could be subtracted to one person's work: a period of
    fewer than 7 days is an input error (never silently widened), for the digest too."""
    with session_scope(setup.flow.workspace.engine) as session:
        with pytest.raises(InputError, match="7 to 366 days") as caught:
            team_achievements(session=session, workspace=setup.flow.workspace, team="Alpha",
                              as_of=AS_OF, days=days)  # fmt: skip
        assert caught.value.field == "days"
        with pytest.raises(InputError, match="7 to 366 days"):
            wins_digest(session=session, workspace=setup.flow.workspace, team="Alpha",
                        days=days, last=AS_OF)  # fmt: skip
