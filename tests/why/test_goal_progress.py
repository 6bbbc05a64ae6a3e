"""Key-result progress recomputed from the lake equals the metric's own value (issue 12).

On the real sepsis log (team Alpha: ≥ 5 people) each metric key result's value from the goals
service is compared with :func:`tandem.flow.service.flow_panel` for the same team and window,
computed here independently, and with ``tandem flow summary --json`` for the same window and
team; a delivery key result with :func:`tandem.delivery.service.dora_metrics` on a delivery
lake. Equality is exact (or 1e-12 relative, for a division by 86 400 done in two places).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from tandem.db.session import session_scope
from tandem.delivery import service as delivery_service
from tandem.errors import InputError
from tandem.flow import service as flow_service
from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.ingest.service import lake_identities
from tandem.people import service as people_service
from tandem.people.models import Identity
from tandem.why.goals import service
from tandem.why.goals.metrics import MeasureMemo, MetricValue, measure, parse_spec
from tandem.why.goals.schemas import GoalProgress
from tandem.workspace import Workspace
from tests.delivery.fixture import build
from tests.helpers import run_cli
from tests.web.how_fixtures import FlowOrg, alpha_filters, key, make_flow_org

DAY = 86_400.0
AS_OF = dt.date(2014, 10, 31)  # the goal's last day; the sepsis lake runs on to 2015-06-05
WINDOW = 90
START = AS_OF + dt.timedelta(days=1) - dt.timedelta(days=WINDOW)  # the window's first day
END = AS_OF + dt.timedelta(days=1)  # exclusive
SPECS = {
    "cycle p85 sepsis": (f"cycle_time:p85,source=sepsis,window={WINDOW}", 5.0),
    "lead p50": (f"lead_time:p50,window={WINDOW}", 3.0),
    "throughput": (f"throughput,window={WINDOW}", 200.0),
    "wip": (f"wip,window={WINDOW}", 1.0),
    "flow efficiency": (f"flow_efficiency,window={WINDOW}", 0.9),
}


@pytest.fixture(scope="module")
def sepsis(tmp_path_factory: pytest.TempPathFactory) -> FlowOrg:
    """The HOW tests' sepsis workspace, with waiting states (so flow efficiency is known)."""
    flow = make_flow_org(tmp_path_factory.mktemp("goals") / "ws")
    config = flow.workspace.config_path
    text = config.read_text(encoding="utf-8").replace(
        "[flow.mapping.sepsis]\n",
        '[flow.mapping.sepsis]\nwaiting = ["Admission NC", "Admission IC"]\n',
    )
    config.write_text(text, encoding="utf-8")
    return dataclasses.replace(flow, workspace=Workspace.open(flow.workspace.root))


@pytest.fixture(scope="module")
def goal(sepsis: FlowOrg) -> GoalProgress:
    """Alpha's goal ending on AS_OF, one key result per spec; its progress (no history)."""
    workspace = sepsis.workspace
    with session_scope(workspace.engine) as session:
        made = service.add_goal(
            session=session,
            team="Alpha",
            title="Flow",
            starts_on=AS_OF - dt.timedelta(days=60),
            ends_on=AS_OF,
        )
        for title, (text, target) in SPECS.items():
            service.add_key_result(
                session=session,
                workspace=workspace,
                team="Alpha",
                goal_id=made.id,
                title=title,
                target=target,
                metric=parse_spec(text),
            )
    with session_scope(workspace.engine) as session:
        return service.goal_progress(
            session=session, workspace=workspace, team="Alpha", goal_id=made.id, history=False
        )


def panel(sepsis: FlowOrg, **narrow: tuple[str, ...]) -> flow_service.FlowPanel:
    """flow_panel for Alpha over the window, computed here."""
    team = alpha_filters(sepsis)
    filters = Filters(
        start=dt.datetime.combine(START, dt.time(), tzinfo=dt.UTC),
        end=dt.datetime.combine(END, dt.time(), tzinfo=dt.UTC),
        teams=team.teams,
        team_people=team.team_people,
        **narrow,  # type: ignore[arg-type]
    )
    mapping = StatusMapping.from_settings(sepsis.workspace.settings.flow)
    with FlowEngine(sepsis.workspace.lake) as engine:
        return flow_service.flow_panel(engine=engine, filters=filters, mapping=mapping)


def cli_summary(sepsis: FlowOrg, *extra: str) -> dict[str, object]:
    result = run_cli(
        "flow", "summary", "--team", "Alpha", "--from", START.isoformat(),
        "--to", END.isoformat(), *extra, "-w", sepsis.workspace.root, "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data: dict[str, object] = result.json()
    return data


def values(goal: GoalProgress) -> dict[str, float | None]:
    return {kr.title: kr.value for kr in goal.key_results}


def test_the_as_of_day_is_the_goals_end_when_the_lake_runs_on(goal: GoalProgress) -> None:
    assert goal.as_of == AS_OF and goal.as_of_rule == "goal_end"
    assert all(kr.as_of == AS_OF and kr.withheld is None for kr in goal.key_results)
    assert all(kr.value is not None for kr in goal.key_results)


def test_flow_key_results_equal_the_flow_panel(sepsis: FlowOrg, goal: GoalProgress) -> None:
    got = values(goal)
    whole = panel(sepsis)
    cycle = panel(sepsis, sources=("sepsis",))
    assert cycle.cycle_time.p85_seconds is not None and whole.lead_time.p50_seconds is not None
    assert got["cycle p85 sepsis"] == pytest.approx(cycle.cycle_time.p85_seconds / DAY, rel=1e-12)
    assert got["lead p50"] == pytest.approx(whole.lead_time.p50_seconds / DAY, rel=1e-12)
    assert whole.throughput_per_day is not None and whole.throughput_withheld is None
    assert got["throughput"] == pytest.approx(whole.throughput_per_day * 7, rel=1e-12)
    assert got["wip"] == whole.wip_now
    assert got["flow efficiency"] == whole.flow_efficiency
    n = {kr.title: kr.n for kr in goal.key_results}
    assert n["lead p50"] == whole.lead_time.n and n["wip"] == whole.items.n


def test_flow_key_results_equal_the_cli_summary(sepsis: FlowOrg, goal: GoalProgress) -> None:
    got = values(goal)
    whole = cli_summary(sepsis)
    cycle = cli_summary(sepsis, "--source", "sepsis")
    assert got["cycle p85 sepsis"] == pytest.approx(
        cycle["cycle_time"]["p85_seconds"] / DAY,
        rel=1e-12,  # type: ignore[index]
    )
    assert got["lead p50"] == pytest.approx(
        whole["lead_time"]["p50_seconds"] / DAY,
        rel=1e-12,  # type: ignore[index]
    )
    assert got["throughput"] == pytest.approx(
        whole["throughput"]["per_day_mean"] * 7,
        rel=1e-12,  # type: ignore[index]
    )
    assert got["wip"] == whole["wip"]["last"]  # type: ignore[index]
    assert got["flow efficiency"] == whole["flow_efficiency"]["overall"]  # type: ignore[index]


def test_progress_follows_the_values(goal: GoalProgress) -> None:
    checked: dict[str, str] = {}
    for kr in goal.key_results:
        assert kr.baseline is not None and kr.value is not None
        span = kr.target - kr.baseline
        if kr.reached:
            assert kr.progress == 1.0
            checked[kr.title] = "reached"
        elif span and (span > 0) == (kr.direction == "up"):
            expected = min(1.0, max(0.0, (kr.value - kr.baseline) / span))
            assert kr.progress == pytest.approx(expected, rel=1e-12)
            checked[kr.title] = "on the way"
        else:  # the baseline lay at or beyond the target, and the value is not
            assert kr.progress == 0.0
            checked[kr.title] = "baseline beyond the target"
    assert sorted(checked) == sorted(SPECS)  # every key result was checked, none fell through
    assert "on the way" in checked.values()  # the formula itself was checked at least once


def test_the_baseline_is_the_metrics_value_on_the_goals_first_day(sepsis: FlowOrg) -> None:
    workspace = sepsis.workspace
    first = AS_OF - dt.timedelta(days=60)
    spec = parse_spec(SPECS["lead p50"][0])
    with FlowEngine(workspace.lake) as engine:
        expected = measure(
            spec,
            engine=engine,
            team=alpha_filters(sepsis),
            mapping=StatusMapping.from_settings(workspace.settings.flow),
            as_of=first,
        )
    with session_scope(workspace.engine) as session:
        goals = service.list_goals(session=session, team="Alpha")
        (kr,) = [
            kr
            for kr in service.key_results(session=session, team="Alpha", goal_id=goals[0].id)
            if kr.title == "lead p50"
        ]
    assert kr.baseline == expected.value and kr.direction == "down" and kr.unit == "days"


def test_history_points_are_the_measure_on_their_day(sepsis: FlowOrg) -> None:
    workspace = sepsis.workspace
    spec = parse_spec("lead_time:p50,window=90")
    with session_scope(workspace.engine) as session:
        made = service.add_goal(
            session=session, team="Alpha", title="History", starts_on="2014-10-10",
            ends_on=AS_OF,
        )  # fmt: skip
        service.add_key_result(
            session=session, workspace=workspace, team="Alpha", goal_id=made.id,
            title="lead", target=1, metric=spec,
        )  # fmt: skip
        answer = service.goal_progress(
            session=session, workspace=workspace, team="Alpha", goal_id=made.id
        )
        service.set_goal_status(session=session, team="Alpha", goal_id=made.id, status="dropped")
    (kr,) = answer.key_results
    assert [p.day for p in kr.history] == [
        dt.date(2014, 10, 10), dt.date(2014, 10, 17), dt.date(2014, 10, 24), AS_OF,
    ]  # fmt: skip
    with FlowEngine(workspace.lake) as engine:
        for point in kr.history:
            expected = measure(
                spec,
                engine=engine,
                team=alpha_filters(sepsis),
                mapping=StatusMapping.from_settings(workspace.settings.flow),
                as_of=point.day,
            )
            assert (point.value, point.n) == (expected.value, expected.n)
    assert kr.history[-1].value == kr.value


# -- delivery -----------------------------------------------------------------------------------

AUTHORS = {"alice": "A", "bob": "B", "carol": "C", "dave": "D", "erin": "E"}


@pytest.fixture(scope="module")
def delivery(tmp_path_factory: pytest.TempPathFactory) -> FlowOrg:
    """The sepsis workspace with the delivery fixture; five authors linked to Alpha's people."""
    root = tmp_path_factory.mktemp("goals-delivery")
    flow = make_flow_org(root / "ws")
    build(root / "fixture", flow.workspace.lake)
    with session_scope(flow.workspace.engine) as session:
        people_service.sync_identities(
            session=session, identities=lake_identities(flow.workspace.lake)
        )
    with session_scope(flow.workspace.engine) as session:
        people = {row.identity_key: row.person_id for row in session.scalars(select(Identity))}
        for name, resource in AUTHORS.items():
            people_service.link_identity(
                session=session,
                identity_key=f"login:github:{name}",
                person=str(people[key(resource)]),
            )
    return flow


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("deployment_frequency,window=14", lambda r: r.deployment_frequency.per_week),
        (
            "change_lead_time:p50,window=14",
            lambda r: r.change_lead_time.figure.p50_seconds / DAY,
        ),
    ],
)
def test_delivery_key_results_equal_dora_metrics(
    delivery: FlowOrg, text: str, read: object
) -> None:
    workspace = delivery.workspace
    last = dt.date(2024, 6, 9)  # the fixture's week ends on Sunday 2024-06-09
    with session_scope(workspace.engine) as session:
        made = service.add_goal(
            session=session, team="Alpha", title=f"Deliver {text}", starts_on="2024-06-03",
            ends_on=last,
        )  # fmt: skip
        service.add_key_result(
            session=session, workspace=workspace, team="Alpha", goal_id=made.id,
            title="dora", target=1, baseline=2, metric=parse_spec(text),
        )  # fmt: skip
        answer = service.goal_progress(
            session=session, workspace=workspace, team="Alpha", goal_id=made.id, history=False
        )
        service.set_goal_status(session=session, team="Alpha", goal_id=made.id, status="dropped")
    (kr,) = answer.key_results
    with session_scope(workspace.engine) as session:  # the HOW panel's team selection
        keys = people_service.team_identity_keys(session=session, teams=["Alpha"])
        people = people_service.team_identity_people(session=session, teams=["Alpha"])
    assert {f"login:github:{name}" for name in AUTHORS} <= set(keys["Alpha"])
    window = Filters(
        start=dt.datetime(2024, 5, 27, tzinfo=dt.UTC),
        end=dt.datetime(2024, 6, 10, tzinfo=dt.UTC),
        teams=keys,
        team_people=people,
    )
    with FlowEngine(workspace.lake) as engine:
        report = delivery_service.dora_metrics(
            engine=engine,
            filters=window,
            production=workspace.settings.flow.delivery.production,
        )
    # the fixture's deployed changes come from fewer than 5 of Alpha's people: each key is
    # withheld alone by the delivery service, and the key result says the same, with its reason
    figure = (
        report.deployment_frequency
        if text.startswith("deployment_frequency")
        else report.change_lead_time.figure
    )
    assert figure.withheld is not None and report.people == 5
    assert kr.value is None and kr.withheld == figure.withheld
    # over all work data (no team, nothing withheld) the value is the service's own figure
    whole = Filters(start=window.start, end=window.end)
    with FlowEngine(workspace.lake) as engine:
        everyone = delivery_service.dora_metrics(
            engine=engine, filters=whole, production=workspace.settings.flow.delivery.production
        )
        value = measure(
            parse_spec(text),
            engine=engine,
            team=Filters(),
            mapping=StatusMapping.from_settings(workspace.settings.flow),
            as_of=last,
            production=workspace.settings.flow.delivery.production,
        )
    expected = read(everyone)  # type: ignore[operator]
    assert value.withheld is None and expected is not None
    assert value.value == pytest.approx(expected, rel=1e-12)


def test_a_team_below_five_people_gets_withheld_key_results(sepsis: FlowOrg) -> None:
    workspace = sepsis.workspace  # team Beta: two people in the work data
    spec = parse_spec("lead_time:p50,window=90")
    with session_scope(workspace.engine) as session:
        made = service.add_goal(
            session=session, team="Beta", title="Small", starts_on="2014-10-20", ends_on=AS_OF
        )
        with pytest.raises(InputError) as error:  # its start value is withheld, not 0
            service.add_key_result(
                session=session, workspace=workspace, team="Beta", goal_id=made.id,
                title="lead", target=1, metric=spec,
            )  # fmt: skip
        assert error.value.field == "baseline" and "withheld" in error.value.message
        service.add_key_result(
            session=session, workspace=workspace, team="Beta", goal_id=made.id,
            title="lead", target=1, baseline=9, metric=spec,
        )  # fmt: skip
        answer = service.team_goals(session=session, workspace=workspace, team="Beta")
    (kr,) = answer.goals[0].key_results
    assert kr.value is None and kr.progress is None and kr.track == "unknown"
    assert kr.withheld is not None and "withheld" in kr.withheld
    assert kr.history and all(p.value is None and p.withheld for p in kr.history)


def test_one_memo_measures_a_key_result_once_per_day_across_services(
    sepsis: FlowOrg, goal: GoalProgress
) -> None:
    """The brief's wiring: goals then a story on one engine and one memo; the story's "after"
    reading (the as-of day) is the goals' value, only its "before" day is measured anew, and
    the story says exactly what it says without the memo."""
    from tandem.why.stories.service import goal_story

    workspace = sepsis.workspace
    mapping = StatusMapping.from_settings(workspace.settings.flow)
    memo = MeasureMemo()
    with session_scope(workspace.engine) as session, FlowEngine(workspace.lake) as engine:
        shared = service.goal_progress(
            session=session, workspace=workspace, team="Alpha", goal_id=goal.goal.id,
            as_of=AS_OF, history=False, engine=engine, cached=memo,
        )  # fmt: skip
        assert memo.computed == len(SPECS)  # one measure per key result
        told = goal_story(session=session, engine=engine, mapping=mapping, team="Alpha",
                          goal_id=goal.goal.id, end=AS_OF, cached=memo)  # fmt: skip
        assert memo.computed == 2 * len(SPECS)  # + the "before" day of each; "after" was known
        alone = goal_story(session=session, engine=engine, mapping=mapping, team="Alpha",
                           goal_id=goal.goal.id, end=AS_OF)  # fmt: skip
    assert told == alone
    assert [kr.value for kr in shared.key_results] == [kr.value for kr in goal.key_results]


def test_the_memo_keys_on_contract_day_and_team() -> None:
    memo = MeasureMemo()
    spec = parse_spec("cycle_time:p85,window=30")
    team = Filters(teams={"Alpha": ("a", "b")}, team_people={"a": "1", "b": "2"})
    same_team = Filters(teams={"Alpha": ("a", "b")}, team_people={"b": "2", "a": "1"})
    other_team = Filters(teams={"Alpha": ("a",)}, team_people={"a": "1"})
    calls: list[dt.date] = []

    def answer(day: dt.date) -> MetricValue:
        calls.append(day)
        return MetricValue(as_of=day, start=day, value=float(len(calls)), n=5)

    first = memo(spec, team, AS_OF, lambda: answer(AS_OF))
    assert memo(spec, same_team, AS_OF, lambda: answer(AS_OF)) == first  # equal selection
    assert memo(spec, other_team, AS_OF, lambda: answer(AS_OF)).value == 2.0
    assert memo(spec, team, END, lambda: answer(END)).value == 3.0
    wider = parse_spec("cycle_time:p85,window=60")
    assert memo(wider, team, AS_OF, lambda: answer(AS_OF)).value == 4.0
    assert memo.computed == 4 and len(calls) == 4
