"""Experiments in the app database (SQLite and PostgreSQL): lifecycle and bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.errors import ConflictError, InputError, NotFoundError
from tandem.people.models import Membership, Person, Team
from tandem.why.change import service
from tandem.why.change.models import Experiment


@pytest.fixture
def teams(db_session: Session) -> dict[str, int]:
    beacon, other = Team(name="Beacon"), Team(name="Other")
    owner = Person(display_name="Olga Owner", email="olga@example.org")
    outsider = Person(display_name="Otto Outsider", email="otto@example.org")
    db_session.add_all([beacon, other, owner, outsider])
    db_session.flush()
    db_session.add_all([Membership(person_id=owner.id, team_id=beacon.id),
                        Membership(person_id=outsider.id, team_id=other.id)])  # fmt: skip
    db_session.flush()
    return {"beacon": beacon.id, "other": other.id, "owner": owner.id, "outsider": outsider.id}


def add(session: Session, team: int, **changes: object) -> int:
    values: dict[str, object] = {
        "title": "WIP limit of 3",
        "hypothesis": "Fewer items in progress finish sooner",
        "owner": "olga@example.org",
        "starts_on": "2024-03-01",
        "ends_on": "2024-04-30",
        "measure_text": "P85 cycle time",
        "metric": "cycle_time:p85,window=30",
    }
    values.update(changes)
    return service.add_experiment(session=session, team=team, **values).id  # type: ignore[arg-type]


def test_lifecycle(db_session: Session, teams: dict[str, int]) -> None:
    first = add(db_session, teams["beacon"])
    second = add(db_session, teams["beacon"], title="Pairing", metric=None, starts_on="2024-05-01",
                 ends_on=None)  # fmt: skip
    listed = service.list_experiments(session=db_session, workspace=None, team="Beacon")
    assert [e.id for e in listed.experiments] == [second, first]  # newest start first
    shown = service.show_experiment(
        session=db_session, workspace=None, team=teams["beacon"], experiment_id=first
    )
    assert (
        shown.metric is not None and shown.metric.stat == "p85" and shown.metric.window_days == 30
    )
    assert shown.owner is not None and shown.owner.name == "Olga Owner"
    assert (shown.status, shown.ends_on) == ("running", dt.date(2024, 4, 30))

    done = service.conclude_experiment(
        session=db_session, team=teams["beacon"], experiment_id=first, result="supported",
        outcome="Cycle time fell", concluded_on="2024-05-02",
    )  # fmt: skip
    assert (done.status, done.result, done.concluded_on) == (
        "concluded", "supported", dt.date(2024, 5, 2)
    )  # fmt: skip
    with pytest.raises(ConflictError, match="already concluded"):
        service.abandon_experiment(session=db_session, team=teams["beacon"], experiment_id=first)
    gone = service.abandon_experiment(
        session=db_session, team=teams["beacon"], experiment_id=second, outcome="team changed"
    )
    assert (gone.status, gone.result, gone.outcome) == ("abandoned", None, "team changed")
    assert service.count_experiments(session=db_session, team_id=teams["beacon"]) == 2


def test_another_teams_experiment_is_not_found(db_session: Session, teams: dict[str, int]) -> None:
    mine = add(db_session, teams["beacon"])
    with pytest.raises(NotFoundError):
        service.show_experiment(
            session=db_session, workspace=None, team=teams["other"], experiment_id=mine
        )
    with pytest.raises(NotFoundError):
        service.conclude_experiment(
            session=db_session, team=teams["other"], experiment_id=mine, result="refuted",
            outcome="x", concluded_on="2024-05-01",
        )  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "  "}, "title", "must not be empty"),
        ({"title": "x" * 201}, "title", "at most 200"),
        ({"hypothesis": ""}, "hypothesis", "must not be empty"),
        ({"owner": ""}, "owner", "name the owner"),
        ({"owner": "otto@example.org"}, "owner", "not a person of the team"),
        ({"owner": "nobody@example.org"}, "owner", "no person matches"),
        ({"starts_on": "2024-13-01"}, "starts_on", "is not a date"),
        ({"starts_on": ""}, "starts_on", "give the first day"),
        ({"ends_on": "2024-02-01"}, "ends_on", "not be before the start"),
        ({"metric": "cycle_time:p99"}, "metric", "metric contract"),
        ({"metric": "speed"}, "metric", "metric contract"),
        ({"metric": "throughput,colour=red"}, "metric", "give options"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    db_session: Session, teams: dict[str, int], changes: dict[str, object], field: str,
    message: str,
) -> None:  # fmt: skip
    with pytest.raises(InputError, match=f"field '{field}'.*{message}"):
        add(db_session, teams["beacon"], **changes)
    assert db_session.scalar(select(func.count(Experiment.id))) == 0


def test_bad_conclusions(db_session: Session, teams: dict[str, int]) -> None:
    first = add(db_session, teams["beacon"])
    for result, outcome, day, field in [
        ("maybe", "x", "2024-05-01", "result"),
        ("refuted", " ", "2024-05-01", "outcome"),
        ("refuted", "x", "", "concluded_on"),
        ("refuted", "x", "2024-02-01", "concluded_on"),
    ]:
        with pytest.raises(InputError, match=f"field '{field}'"):
            service.conclude_experiment(
                session=db_session, team=teams["beacon"], experiment_id=first, result=result,
                outcome=outcome, concluded_on=day,
            )  # fmt: skip
    still = service.show_experiment(
        session=db_session, workspace=None, team=teams["beacon"], experiment_id=first
    )
    assert (still.status, still.result) == ("running", None)
