"""The flow service: one answer per page, the minimum people behind a team answer, and
figures that say "unknown" rather than a misleading number."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from tandem.flow import service
from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.flow.states import NO_WAITING
from tests.flow.logs import THE_LOG, at, new_lake, the_lake, write_log

MAPPING = StatusMapping()
TEAM = [f"p{i}" for i in range(5)]
# identities → people: p0 has two identities (one person), so six identities are five people
TEAM_PEOPLE = {**{key: key for key in TEAM}, "p0-alt": "p0"}
TEAM_FILTER = Filters(teams={"Five": (*TEAM, "p0-alt")}, team_people=TEAM_PEOPLE)


def five_people_log() -> list[tuple[str, str, dt.datetime, str | None]]:
    """Days 1-5 each hold one person's work; day 6 holds p0's other identity only."""
    rows: list[tuple[str, str, dt.datetime, str | None]] = []
    for day, person in enumerate(TEAM, start=1):
        case = f"case-{person}"
        rows += [
            (case, "Open", at(day, 9), person),
            (case, "Work", at(day, 10), person),
            (case, "Waiting", at(day, 11), person),
            (case, "Closed", at(day, 15), person),
        ]
    rows += [("alt", "Open", at(6, 9), "p0-alt"), ("alt", "Work", at(6, 10), "p0-alt")]
    return rows


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlowEngine]:
    lake = new_lake(tmp_path_factory.mktemp("five"))
    write_log(lake, five_people_log())
    with FlowEngine(lake) as flow:
        yield flow


def test_a_team_answer_needs_five_people_behind_it(engine: FlowEngine) -> None:
    assert service.people_behind(engine=engine, filters=TEAM_FILTER) == 5
    panel = service.flow_panel(engine=engine, filters=TEAM_FILTER, mapping=MAPPING)
    assert panel.people == 5 and panel.items.n == 6


@pytest.mark.parametrize("day", [1, 3, 6])
def test_a_one_day_window_with_one_persons_work_is_withheld(engine: FlowEngine, day: int) -> None:
    one_day = Filters(
        start=at(day, 0), end=at(day + 1, 0), teams=TEAM_FILTER.teams, team_people=TEAM_PEOPLE
    )
    assert service.people_behind(engine=engine, filters=one_day) == 1
    for ask in (
        lambda: service.flow_panel(engine=engine, filters=one_day, mapping=MAPPING),
        lambda: service.forecast(engine=engine, filters=one_day, mapping=MAPPING, items=3),
    ):
        with pytest.raises(service.TooFewPeopleError) as refused:
            ask()
        assert refused.value.message.startswith(
            "withheld: the work of team Five in this selection comes from fewer than 5 people; "
            "team flow is shown from 5 people on"
        )
    # without a team filter nothing is withheld (the surface decides who may see all data)
    window = Filters(start=at(day, 0), end=at(day + 1, 0))
    assert service.flow_panel(engine=engine, filters=window, mapping=MAPPING).people is None


def test_two_identities_of_one_person_count_once(engine: FlowEngine) -> None:
    days_1_and_6 = Filters(teams={"Five": ("p0", "p0-alt")}, team_people=TEAM_PEOPLE)
    assert service.people_behind(engine=engine, filters=days_1_and_6) == 1
    unmapped = Filters(teams={"Five": ("p0", "p0-alt")})  # no person known: each key counts
    assert service.people_behind(engine=engine, filters=unmapped) == 2


def test_one_panel_answer_never_contradicts_itself(tmp_path: Path) -> None:
    with FlowEngine(the_lake(tmp_path)) as engine:
        panel = service.flow_panel(engine=engine, filters=Filters(), mapping=MAPPING)
    items = panel.items
    assert items.open == items.in_progress + items.not_started
    assert items.in_progress == panel.aging["n"] == panel.wip_now == 1  # D
    assert panel.summary["items"] == items.model_dump()
    assert panel.summary["wip"]["last"] == panel.wip_now
    assert panel.lead_time.n == panel.cycle_time.n == 3
    for p in ("p50_seconds", "p85_seconds", "p95_seconds"):
        cycle, lead = getattr(panel.cycle_time, p), getattr(panel.lead_time, p)
        assert cycle is not None and lead is not None and cycle <= lead
    # throughput over the 90 days up to the log's last day, not from the first done item
    assert (panel.throughput_start, panel.throughput_end) == (
        dt.date(2023, 12, 7),
        dt.date(2024, 3, 5),
    )
    assert panel.throughput_days == 90 and panel.throughput_per_day == pytest.approx(4 / 90)


def test_throughput_runs_over_the_requested_window(tmp_path: Path) -> None:
    lake = new_lake(tmp_path)
    # one item done long before the others must not stretch the average
    early = [("old", "Open", at(1, 8) - dt.timedelta(days=400)),
             ("old", "Work", at(1, 9) - dt.timedelta(days=400)),
             ("old", "Closed", at(1, 10) - dt.timedelta(days=400))]  # fmt: skip
    write_log(lake, [*early, *THE_LOG])
    with FlowEngine(lake) as engine:
        default = service.flow_panel(engine=engine, filters=Filters(), mapping=MAPPING)
        window = Filters(start=at(2, 0), end=at(4, 0))
        asked = service.flow_panel(engine=engine, filters=window, mapping=MAPPING)
    assert default.throughput_days == 90 and default.summary["throughput"]["n"] == 4
    assert (asked.throughput_start, asked.throughput_end, asked.throughput_days) == (
        dt.date(2024, 3, 2),
        dt.date(2024, 3, 3),
        2,
    )
    assert asked.summary["throughput"]["n"] == 2  # A on d2, B on d3


def test_flow_efficiency_is_unknown_without_a_waiting_state(tmp_path: Path) -> None:
    lake = new_lake(tmp_path)
    write_log(
        lake,
        [
            ("A", "Open", at(1, 9)),
            ("A", "Work", at(1, 10)),
            ("A", "Closed", at(1, 12)),
        ],
    )
    with FlowEngine(lake) as engine:
        panel = service.flow_panel(engine=engine, filters=Filters(), mapping=MAPPING)
        mapped = service.flow_panel(
            engine=engine,
            filters=Filters(),
            mapping=StatusMapping(sources={"tiny": {"work": "waiting"}}),
        )
    assert panel.flow_efficiency is None
    assert panel.flow_efficiency_unknown == NO_WAITING
    assert NO_WAITING.startswith("unknown — map waiting states")
    assert any('no activity maps to "waiting"' in w for w in panel.warnings)
    assert mapped.flow_efficiency_unknown is None and mapped.flow_efficiency == 0.0


def test_a_log_without_a_done_state_says_how_to_fix_it(tmp_path: Path) -> None:
    lake = new_lake(tmp_path)
    write_log(lake, [("A", "Open", at(1, 9)), ("A", "Work", at(1, 10)), ("A", "Ship", at(1, 12))])
    with FlowEngine(lake) as engine:
        panel = service.flow_panel(engine=engine, filters=Filters(), mapping=MAPPING)
    assert panel.items.done == 0
    assert panel.warnings[0] == (
        "source 'tiny': no activity maps to \"done\", so no item is ever done (no lead or cycle "
        "time, throughput or forecast); map its closing activities in [flow.mapping.tiny] of "
        'tandem.toml, e.g. done = ["Closed"]'
    )


# p0 alone, long after the five people's days
P0_LATE = [
    ("late", "Open", at(200, 9), "p0"),
    ("late", "Work", at(200, 10), "p0"),
    ("late", "Closed", at(200, 15), "p0"),
]


@pytest.fixture(scope="module")
def late_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlowEngine]:
    """Five people's work on days 1-5, then p0's alone on day 200: the whole history holds five
    people, the 90 days before the end only p0."""
    lake = new_lake(tmp_path_factory.mktemp("late"))
    write_log(lake, [*five_people_log(), *P0_LATE])
    with FlowEngine(lake) as flow:
        yield flow


def test_throughput_is_withheld_when_its_own_window_holds_one_person(
    late_engine: FlowEngine,
) -> None:
    panel = service.flow_panel(engine=late_engine, filters=TEAM_FILTER, mapping=MAPPING)
    # the selection (the whole history) rests on five people: its figures are shown …
    assert panel.people == 5 and panel.items.n == 7 and panel.lead_time.n == 6
    # … but throughput reads the 90 days before the end, which hold p0's work alone
    assert panel.throughput_withheld is not None
    assert panel.throughput_withheld.startswith(
        "withheld: the work of team Five in throughput's window (2024-06-19 to 2024-09-16) "
        "comes from fewer than 5 people; team flow is shown from 5 people on"
    )
    assert panel.throughput_per_day is None
    tp = panel.summary["throughput"]
    assert tp["withheld"] == panel.throughput_withheld
    assert tp["n"] is None and tp["weekly"] == [] and tp["per_day_mean"] is None
    # the same log without a team filter: nothing to withhold, one item done in the window
    everyone = service.flow_panel(engine=late_engine, filters=Filters(), mapping=MAPPING)
    assert everyone.throughput_withheld is None and everyone.summary["throughput"]["n"] == 1
    # the forecast resamples that same window: withheld for the team, given for everyone
    with pytest.raises(service.TooFewPeopleError) as refused:
        service.forecast(engine=late_engine, filters=TEAM_FILTER, mapping=MAPPING, items=3)
    assert refused.value.message.startswith(
        "withheld: the work of team Five in the forecast's history (2024-06-19 to 2024-09-16) "
        "comes from fewer than 5 people"
    )
    answer = service.forecast(
        engine=late_engine, filters=Filters(), mapping=MAPPING, items=3, runs=100, seed=1
    )
    assert answer.people is None


def test_throughput_over_a_requested_window_follows_the_selections_check(
    late_engine: FlowEngine,
) -> None:
    window = dataclasses.replace(TEAM_FILTER, start=at(1, 0), end=at(6, 0))
    panel = service.flow_panel(engine=late_engine, filters=window, mapping=MAPPING)
    assert panel.people == 5 and panel.throughput_withheld is None
    assert panel.summary["throughput"]["n"] == 5 and panel.throughput_days == 5
    history = service.forecast(
        engine=late_engine, filters=window, mapping=MAPPING, items=3, runs=100, seed=1
    )
    assert history.people == 5
