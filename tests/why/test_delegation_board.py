"""The delegation board on SQLite and PostgreSQL: levels, history, reviews, duos, bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from tandem.duos.models import Duo
from tandem.errors import ConflictError, InputError, NotFoundError
from tandem.people.models import Membership, Person, Team
from tandem.review.models import ReviewCycle
from tandem.why.delegation import service
from tandem.why.delegation.board import MEANINGS, REVIEW_DAYS

T0 = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)


def org(session: Session) -> dict[str, int]:
    """Teams Core (Lee leader, Max manager, Mo member) and Edge (Eve), a cycle and duos."""
    core, edge = Team(name="Core"), Team(name="Edge")
    lee, max_, mo, eve = (
        Person(display_name=n, email=f"{n.lower()}@example.com")
        for n in ("Lee", "Max", "Mo", "Eve")
    )
    session.add_all([core, edge, lee, max_, mo, eve])
    session.flush()
    for person, team, role in ((lee, core, "leader"), (max_, core, "manager"),
                               (mo, core, "member"), (eve, edge, "member")):  # fmt: skip
        session.add(Membership(person_id=person.id, team_id=team.id, role=role))
    cycle = ReviewCycle(name="2026-H1", item_bank_version="v1")
    session.add(cycle)
    session.flush()

    def duo(a: Person, b: Person, *, confirmed: bool = True, consent: str = "accepted") -> int:
        first, second = sorted((a, b), key=lambda p: p.id)
        row = Duo(
            cycle_id=cycle.id, person_a_id=first.id, person_b_id=second.id, score=4.0,
            explanation={}, tie_breaker="Lee" if confirmed else None,
            review_date=dt.date(2026, 4, 1) if confirmed else None,
            confirmed_at=T0 if confirmed else None, confirmed_by="test" if confirmed else None,
            a_consent=consent, b_consent="accepted",
        )  # fmt: skip
        session.add(row)
        session.flush()
        return row.id

    ids = {"core": core.id, "edge": edge.id, "lee": lee.id, "max": max_.id, "mo": mo.id}
    ids["duo"] = duo(lee, max_)
    ids["cross_duo"] = duo(mo, eve)  # Eve is not in Core
    session.flush()
    return ids


def test_an_area_starts_at_its_first_level_and_keeps_its_history(db_session: Session) -> None:
    ids = org(db_session)
    area = service.add_area(
        session=db_session, team="Core", name="  Release   timing ", level="consult",
        note="SYNTHETIC start", set_by=ids["lee"], at=T0,
    )  # fmt: skip
    assert (area.name, area.level, area.level_name) == ("Release timing", 3, "consult")
    assert area.review_on == T0.date() + dt.timedelta(days=REVIEW_DAYS) == dt.date(2026, 4, 6)
    assert not area.review_due
    later = T0 + dt.timedelta(days=30)
    up = service.set_level(
        session=db_session, team=ids["core"], area=area.id, level=5, set_by=ids["max"], at=later
    )
    assert up.level == 5 and up.review_on == dt.date(2026, 5, 6)
    with pytest.raises(InputError, match="'note'"):
        service.set_level(session=db_session, team="Core", area="Release timing", level=2, at=later)
    down = service.set_level(
        session=db_session, team="Core", area="Release timing", level="sell",
        note="SYNTHETIC incident", at=later + dt.timedelta(days=1),
    )  # fmt: skip
    confirmed = service.confirm(
        session=db_session, team="Core", area=area.id, set_by=ids["lee"],
        at=later + dt.timedelta(days=60),
    )  # fmt: skip
    assert down.level == confirmed.level == 2
    assert confirmed.review_on == (later + dt.timedelta(days=60 + REVIEW_DAYS)).date()
    history = service.area_history(
        session=db_session, team="Core", area=area.id, as_of=dt.date(2026, 3, 1)
    ).history
    assert [(h.level, h.change, h.set_by, h.note) for h in history] == [
        (3, "first", "Lee", "SYNTHETIC start"),
        (5, "up", "Max", ""),
        (2, "down", None, "SYNTHETIC incident"),
        (2, "confirmed", "Lee", ""),
    ]
    assert history[0].set_at == T0


def test_review_due_and_the_reminder(db_session: Session) -> None:
    ids = org(db_session)
    for name in ("Hiring", "Tooling"):
        service.add_area(session=db_session, team="Core", name=name, level=4, at=T0)
    service.confirm(session=db_session, team="Core", area="Tooling", at=T0 + dt.timedelta(days=10))
    due_day = T0.date() + dt.timedelta(days=REVIEW_DAYS)
    before = service.get_board(
        session=db_session, team=ids["core"], as_of=due_day - dt.timedelta(1)
    )
    assert before.due == 0 and before.reminder is None
    board = service.get_board(session=db_session, team="Core", as_of=due_day)
    assert [(a.name, a.review_due) for a in board.areas] == [("Hiring", True), ("Tooling", False)]
    assert board.due == 1 and board.reminder is not None and "Hiring" in board.reminder
    assert [lv.meaning for lv in board.levels] == list(MEANINGS)
    assert len(board.levels) == 7


def test_pair_areas_belong_to_a_confirmed_duo_of_the_team(db_session: Session) -> None:
    ids = org(db_session)
    pair = service.add_area(
        session=db_session, team="Core", name="Hiring", level=2, duo_id=ids["duo"], at=T0
    )
    assert pair.duo == "Lee & Max"
    # the same name on the team's own board is another area
    service.add_area(session=db_session, team="Core", name="Hiring", level=6, at=T0)
    with pytest.raises(ConflictError):
        service.add_area(session=db_session, team="Core", name="Hiring", level=6, at=T0)
    with pytest.raises(InputError, match="names 2 areas"):
        service.set_level(session=db_session, team="Core", area="Hiring", level=3)
    with pytest.raises(InputError, match=r"'duo_id'.*does not belong"):
        service.add_area(
            session=db_session, team="Core", name="X", level=1, duo_id=ids["cross_duo"]
        )
    with pytest.raises(InputError, match="'duo_id'"):
        service.add_area(session=db_session, team="Core", name="X", level=1, duo_id=999_999)
    board = service.get_board(session=db_session, team="Core", as_of=T0.date())
    assert [(a.name, a.duo) for a in board.areas] == [("Hiring", None), ("Hiring", "Lee & Max")]


def test_an_unconfirmed_duo_is_refused(db_session: Session) -> None:
    ids = org(db_session)
    lee, mo = db_session.get(Person, ids["lee"]), db_session.get(Person, ids["mo"])
    assert lee is not None and mo is not None
    cycle = db_session.query(ReviewCycle).one()
    row = Duo(cycle_id=cycle.id, person_a_id=min(lee.id, mo.id), person_b_id=max(lee.id, mo.id),
              score=1.0, explanation={})  # fmt: skip
    db_session.add(row)
    db_session.flush()
    with pytest.raises(InputError, match="not a confirmed pair"):
        service.add_area(session=db_session, team="Core", name="X", level=1, duo_id=row.id)


def test_another_teams_area_is_not_found(db_session: Session) -> None:
    ids = org(db_session)
    area = service.add_area(session=db_session, team="Core", name="Budget", level=1, at=T0)
    with pytest.raises(NotFoundError):
        service.set_level(session=db_session, team=ids["edge"], area=area.id, level=7)
    with pytest.raises(NotFoundError):
        service.area_history(session=db_session, team="Edge", area="Budget", as_of=T0.date())


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"name": "", "level": 1}, "name"),
        ({"name": "x" * 201, "level": 1}, "name"),
        ({"name": "A", "level": 0}, "level"),
        ({"name": "A", "level": 8}, "level"),
        ({"name": "A", "level": "boss"}, "level"),
        ({"name": "A", "level": 1, "note": "n" * 2001}, "note"),
        ({"name": "A", "level": 1, "description": "d" * 2001}, "description"),
        ({"name": "A", "level": 1, "at": dt.datetime(2026, 1, 1)}, "at"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    db_session: Session, options: dict[str, object], field: str
) -> None:
    org(db_session)
    with pytest.raises(InputError, match=f"'{field}'"):
        service.add_area(session=db_session, team="Core", **options)  # type: ignore[arg-type]
    assert service.get_board(session=db_session, team="Core", as_of=T0.date()).areas == []


def test_a_review_cannot_go_back_in_time(db_session: Session) -> None:
    org(db_session)
    service.add_area(session=db_session, team="Core", name="A", level=1, at=T0)
    with pytest.raises(InputError, match="'at'"):
        service.confirm(session=db_session, team="Core", area="A", at=T0 - dt.timedelta(days=1))
