"""A team filter selects items; an item's state, times and age come from its whole history.

Property: for any split of the people into teams (and any window), every item a team's filter
selects has exactly the facts, lead and cycle time and aging of the whole-log computation, and
the items selected are exactly those a member worked on.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.flow.timing import item_facts, timing_from_items
from tandem.flow.wip import aging_wip
from tests.flow.logs import Row, at, new_lake, write_log

MAPPING = StatusMapping()
PEOPLE = [f"person{i}" for i in range(8)]
# activity → its category by the default rules (Open new, Waiting waiting, Closed done, …)
STEPS = ["Open", "Work", "Waiting", "Review", "Closed", "Canceled"]


def random_log(seed: int, cases: int = 40) -> list[Row]:
    """Cases worked on by several people; some closed by someone other than who worked on them."""
    rng = random.Random(seed)
    rows: list[Row] = []
    for case in range(cases):
        when = at(1 + rng.randrange(20), rng.randrange(24))
        steps = ["Open"] + [rng.choice(STEPS[1:4]) for _ in range(rng.randrange(1, 6))]
        end = rng.random()
        if end < 0.5:
            steps.append("Closed")
        elif end < 0.6:
            steps.append("Canceled")
        if rng.random() < 0.2 and steps[-1] == "Closed":  # reopened, then closed again
            steps += ["Work", "Closed"]
        for step in steps:
            rows.append((f"c{case:02d}", step, when, rng.choice(PEOPLE)))
            when += dt.timedelta(hours=rng.randrange(0, 40), minutes=rng.randrange(60))
    return rows


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlowEngine]:
    folder: Path = tmp_path_factory.mktemp("teams")
    lake = new_lake(folder)
    write_log(lake, random_log(9))
    with FlowEngine(lake) as flow:
        yield flow


@pytest.fixture(scope="module")
def whole(engine: FlowEngine) -> dict[str, object]:
    items = item_facts(engine, Filters(), MAPPING)
    aging = aging_wip(engine=engine, filters=Filters(), mapping=MAPPING, items=items)
    return {
        "items": {i.case_id: i for i in items},
        "timing": {t.case_id: t for t in timing_from_items(items, Filters()).items},
        "aging": {a.case_id: a for a in aging.items},
        "worked": {
            (row["case_id"], row["resource"])
            for row in engine.events(Filters()).to_pyarrow().to_pylist()
        },
    }


WINDOWS = st.sampled_from(
    [
        (None, None),
        (at(3, 0), at(8, 0)),
        (at(10, 0), None),
        (None, at(5, 0)),
        (at(15, 0), at(16, 0)),
    ]
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    team=st.lists(st.sampled_from(PEOPLE), unique=True, max_size=len(PEOPLE)),
    window=WINDOWS,
)
def test_a_team_selects_whole_items_with_their_whole_log_facts(
    engine: FlowEngine,
    whole: dict[str, dict[object, object]],
    team: list[str],
    window: tuple[dt.datetime | None, dt.datetime | None],
) -> None:
    start, end = window
    everything = Filters(start=start, end=end)
    filters = dataclasses.replace(everything, teams={"team": tuple(team)})
    items = item_facts(engine, filters, MAPPING)
    windowed = {i.case_id for i in item_facts(engine, everything, MAPPING)}

    # the team's items: exactly the (windowed) items a member worked on
    worked = {case for case, person in whole["worked"] if person in team}
    assert {i.case_id for i in items} == worked & windowed

    # each with the whole log's state, times and facts
    for item in items:
        assert item == whole["items"][item.case_id]
    timing = timing_from_items(items, filters)
    expected = timing_from_items([whole["items"][i.case_id] for i in items], everything)  # type: ignore[misc]
    assert timing.items == expected.items
    for row in timing.items:
        if start is None and end is None:
            assert row == whole["timing"][row.case_id]

    # aging: the same age, stage and zone as on the whole log (one "now" for every team)
    aging = aging_wip(engine=engine, filters=filters, mapping=MAPPING, items=items)
    if start is None and end is None:
        for entry in aging.items:
            assert entry == whole["aging"][entry.case_id]
        assert {a.case_id for a in aging.items} == {
            case for case in whole["aging"] if case in worked
        }
    for entry in aging.items:
        assert whole["items"][entry.case_id].status == "open"  # type: ignore[attr-defined]


def test_an_item_closed_by_another_team_is_closed_for_every_team(tmp_path: Path) -> None:
    lake = new_lake(tmp_path)
    write_log(
        lake,
        [
            ("X", "Open", at(1, 9), "ann"),
            ("X", "Work", at(1, 10), "ann"),
            ("X", "Closed", at(2, 9), "bob"),  # bob, of another team, closes it
        ],
    )
    with FlowEngine(lake) as engine:
        items = item_facts(engine, Filters(teams={"ann's": ("ann",)}), MAPPING)
        aging = aging_wip(
            engine=engine, filters=Filters(teams={"ann's": ("ann",)}), mapping=MAPPING, items=items
        )
    assert [(i.case_id, i.status, i.done_at) for i in items] == [("X", "done", at(2, 9))]
    assert aging.items == []
