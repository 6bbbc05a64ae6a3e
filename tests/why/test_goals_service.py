"""The goals service on both database backends: records, validation, the 100 % of effort, a
manual key result's progress from its check-ins, and another team's records kept out."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from tandem.errors import InputError, NotFoundError
from tandem.people.models import Person, Team
from tandem.why.goals import service
from tandem.why.goals.metrics import parse_spec
from tandem.why.goals.models import Goal, KeyResult
from tandem.workspace import Workspace


@pytest.fixture
def teams(db_session: Session) -> dict[str, int]:
    alpha, beta = Team(name="Alpha"), Team(name="Beta")
    owner = Person(display_name="Owner", email="owner@example.org")
    db_session.add_all([alpha, beta, owner])
    db_session.flush()
    return {"Alpha": alpha.id, "Beta": beta.id, "owner": owner.id}


def goal(session: Session, **overrides: object) -> int:
    values: dict[str, object] = {
        "team": "Alpha", "title": "Ship calmly", "starts_on": "2014-01-01",
        "ends_on": "2014-03-31",
    } | overrides  # fmt: skip
    return service.add_goal(session=session, **values).id  # type: ignore[arg-type]


def test_vision_is_set_and_replaced(db_session: Session, teams: dict[str, int]) -> None:
    assert service.show_vision(session=db_session, team="Alpha") is None
    service.set_vision(session=db_session, team="Alpha", statement="First", horizon="2015-01-01")
    vision = service.set_vision(
        session=db_session, team=teams["Alpha"], statement=" Calm flow ", postcard="We did it."
    )
    assert (vision.statement, vision.postcard, vision.horizon) == ("Calm flow", "We did it.", None)
    shown = service.show_vision(session=db_session, team="Alpha")
    assert shown is not None and shown.statement == "Calm flow"
    assert service.show_vision(session=db_session, team="Beta") is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"why": "x" * 4001}, "why"),
        ({"starts_on": "2014-13-01"}, "starts_on"),
        ({"starts_on": None}, "starts_on"),
        ({"ends_on": "2013-12-31"}, "ends_on"),
        ({"ends_on": "2300-01-01"}, "ends_on"),
        ({"target_share": 1.5}, "target_share"),
        ({"target_share": "half"}, "target_share"),
        ({"target_share": float("nan")}, "target_share"),
        ({"owner": "nobody@example.org"}, "owner"),
    ],
)
def test_bad_goals_are_refused_naming_the_field(
    db_session: Session, teams: dict[str, int], overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(InputError) as error:
        goal(db_session, **overrides)
    assert error.value.field == field
    assert db_session.query(Goal).count() == 0


def test_active_goals_share_at_most_all_the_effort(
    db_session: Session, teams: dict[str, int]
) -> None:
    first = goal(db_session, target_share=0.6, owner=str(teams["owner"]))
    with pytest.raises(InputError, match="60%") as error:
        goal(db_session, target_share=0.5)
    assert error.value.field == "target_share"
    goal(db_session, target_share=0.4)
    goal(db_session, team="Beta", target_share=0.9)  # another team's effort is its own
    service.set_goal_status(session=db_session, team="Alpha", goal_id=first, status="dropped")
    third = goal(db_session, target_share=0.5)
    with pytest.raises(InputError):  # back to active would pass 100 %
        service.set_goal_status(session=db_session, team="Alpha", goal_id=first, status="active")
    service.set_goal_status(session=db_session, team="Alpha", goal_id=third, status="achieved")
    back = service.set_goal_status(session=db_session, team="Alpha", goal_id=first, status="active")
    assert back.status == "active" and back.owner == "Owner"
    with pytest.raises(InputError) as error:
        service.set_goal_status(session=db_session, team="Alpha", goal_id=first, status="done")
    assert error.value.field == "status"


def test_manual_key_result_progress_comes_from_check_ins(
    db_session: Session, teams: dict[str, int], workspace: Workspace
) -> None:
    goal_id = goal(db_session)
    kr = service.add_key_result(
        session=db_session, workspace=workspace, team="Alpha", goal_id=goal_id,
        title="Customers interviewed", target=20, baseline=0, direction="up", unit="people",
    )  # fmt: skip
    for day, value, confidence in ((10, 4, 8), (40, 8, 3)):
        service.check_in(
            session=db_session, team="Alpha", key_result_id=kr.id, confidence=confidence,
            value=value, note=f"day {day}", checked_at=dt.datetime(2014, 1, day % 31 + 1, 9,
            tzinfo=dt.UTC) + dt.timedelta(days=day // 31 * 31),
        )  # fmt: skip
    answer = service.goal_progress(
        session=db_session, workspace=workspace, team="Alpha", goal_id=goal_id,
        as_of="2014-02-20",
    )  # fmt: skip
    (out,) = answer.key_results
    assert out.value == 8 and out.progress == pytest.approx(0.4)
    assert [p.value for p in out.history] == [4, 8]
    assert answer.as_of_rule == "asked" and answer.elapsed == pytest.approx(51 / 90)
    # 0.4 < 0.57 − 0.10 but ≥ 0.57 − 0.25: at risk by pace; confidence 3 lowers it a step
    assert out.track == "off_track" and out.latest_checkin is not None
    assert out.latest_checkin.confidence == 3


def test_key_result_and_check_in_input_is_checked(
    db_session: Session, teams: dict[str, int], workspace: Workspace
) -> None:
    goal_id = goal(db_session)

    def add(**values: object) -> None:
        args: dict[str, object] = {"title": "KR", "target": 5, "baseline": 1, "direction": "up"}
        service.add_key_result(
            session=db_session, workspace=workspace, team="Alpha", goal_id=goal_id,
            **(args | values),  # type: ignore[arg-type]
        )  # fmt: skip

    for values, field in (
        ({"title": ""}, "title"),
        ({"target": None}, "target"),
        ({"target": "inf"}, "target"),
        ({"baseline": None}, "baseline"),
        ({"direction": "sideways"}, "direction"),
        ({"direction": None}, "direction"),
        ({"direction": "down"}, "target"),  # 5 is above the baseline 1: not better when down
        ({"unit": "x" * 41}, "unit"),
        ({"metric": parse_spec("throughput"), "unit": "days"}, "unit"),
    ):
        with pytest.raises(InputError) as error:
            add(**values)
        assert error.value.field == field, values
    assert db_session.query(KeyResult).count() == 0
    manual = service.add_key_result(
        session=db_session, workspace=workspace, team="Alpha", goal_id=goal_id, title="M",
        target=1, baseline=5, direction="down",
    )  # fmt: skip
    metric = service.add_key_result(
        session=db_session, workspace=workspace, team="Alpha", goal_id=goal_id, title="T",
        target=10, baseline=5, metric=parse_spec("throughput,window=14"),
    )  # fmt: skip
    assert metric.direction == "up" and metric.unit == "items/week"
    for kr, values, field in (
        (manual.id, {"confidence": 11}, "confidence"),
        (manual.id, {"confidence": "high"}, "confidence"),
        (manual.id, {"confidence": 5, "note": "x" * 2001}, "note"),
        (metric.id, {"confidence": 5, "value": 3}, "value"),
    ):
        with pytest.raises(InputError) as error:
            service.check_in(session=db_session, team="Alpha", key_result_id=kr, **values)  # type: ignore[arg-type]
        assert error.value.field == field
    # the metric on an empty lake: no baseline to read, so one must be given
    with pytest.raises(InputError) as error:
        add(metric=parse_spec("cycle_time"), baseline=None, direction=None)
    assert error.value.field == "baseline"


def test_another_teams_records_are_not_found(
    db_session: Session, teams: dict[str, int], workspace: Workspace
) -> None:
    goal_id = goal(db_session)
    kr = service.add_key_result(
        session=db_session, workspace=workspace, team="Alpha", goal_id=goal_id, title="M",
        target=1, baseline=5, direction="down",
    )  # fmt: skip
    with pytest.raises(NotFoundError):
        service.show_goal(session=db_session, team="Beta", goal_id=goal_id)
    with pytest.raises(NotFoundError):
        service.set_goal_status(session=db_session, team="Beta", goal_id=goal_id, status="dropped")
    with pytest.raises(NotFoundError):
        service.check_in(session=db_session, team="Beta", key_result_id=kr.id, confidence=5)
    with pytest.raises(NotFoundError):
        service.add_key_result(
            session=db_session, workspace=workspace, team="Beta", goal_id=goal_id, title="X",
            target=1, baseline=2, direction="down",
        )  # fmt: skip
    answer = service.team_goals(session=db_session, workspace=workspace, team="Beta")
    assert answer.goals == [] and answer.lake_last_day is None
