"""The roster import: people, teams, roles and managers from CSV, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tandem.csvfile import BadRowsError
from tandem.errors import InputError
from tandem.people import service as people_service
from tandem.people.models import Membership, Person, Team
from tandem.people.roster import import_roster

HEADER = "name,email,team,role,manager\n"


def write(tmp_path: Path, body: str, name: str = "roster.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def state(session: Session) -> dict[str, tuple[str, str | None, dict[str, str]]]:
    """email -> (name, manager email, {team: role}) for every person with an email."""
    people = session.scalars(select(Person).where(Person.email.is_not(None))).all()
    return {
        p.email or "": (
            p.display_name,
            p.manager.email if p.manager else None,
            {m.team.name: m.role for m in p.memberships},
        )
        for p in people
    }


def counts(session: Session) -> tuple[int, int, int]:
    return (
        session.scalar(select(func.count()).select_from(Person)) or 0,
        session.scalar(select(func.count()).select_from(Team)) or 0,
        session.scalar(select(func.count()).select_from(Membership)) or 0,
    )


def test_import_creates_people_teams_and_managers_named_later_in_the_file(
    db_session: Session, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "Cy Young,CY@example.com,Core,member,bob@example.com\n"
        "Bob Builder,bob@example.com,Core,manager,ada@example.com\n"
        "Ada Lovelace,ada@example.com,Leads,leader,\n",
    )
    report = import_roster(session=db_session, path=path)
    assert (report.rows, report.people_created, report.people_updated) == (3, 3, 0)
    assert (report.teams_created, report.memberships_removed) == (2, 0)
    assert state(db_session) == {
        "cy@example.com": ("Cy Young", "bob@example.com", {"Core": "member"}),
        "bob@example.com": ("Bob Builder", "ada@example.com", {"Core": "manager"}),
        "ada@example.com": ("Ada Lovelace", None, {"Leads": "leader"}),
    }
    bob = db_session.scalar(select(Person).where(Person.email == "bob@example.com"))
    assert bob is not None
    assert [r.email for r in bob.reports] == ["cy@example.com"]


def test_reimport_is_idempotent_and_updates_what_changed(
    db_session: Session, tmp_path: Path
) -> None:
    first = (
        "Ada Lovelace,ada@example.com,Core,leader,\n"
        "Bob Builder,bob@example.com,Core,manager,ada@example.com\n"
        "Cy Young,cy@example.com,Core,member,bob@example.com\n"
    )
    import_roster(session=db_session, path=write(tmp_path, first))
    again = import_roster(session=db_session, path=write(tmp_path, first))
    assert (again.people_created, again.people_updated, again.people_unchanged) == (0, 0, 3)
    assert again.teams_created == 0
    # Cy moves to Edge and now reports to Ada; Bob is renamed; Ada unchanged; Di is new.
    second = (
        "Ada Lovelace,ada@example.com,Core,leader,\n"
        "Robert Builder,bob@example.com,Core,manager,ada@example.com\n"
        "Cy Young,cy@example.com,Edge,member,ada@example.com\n"
        "Di Prince,di@example.com,Edge,member,\n"
    )
    report = import_roster(session=db_session, path=write(tmp_path, second))
    assert (report.people_created, report.people_updated, report.people_unchanged) == (1, 2, 1)
    assert (report.teams_created, report.memberships_removed) == (1, 1)
    assert state(db_session) == {
        "ada@example.com": ("Ada Lovelace", None, {"Core": "leader"}),
        "bob@example.com": ("Robert Builder", "ada@example.com", {"Core": "manager"}),
        "cy@example.com": ("Cy Young", "ada@example.com", {"Edge": "member"}),
        "di@example.com": ("Di Prince", None, {"Edge": "member"}),
    }


def test_people_already_known_are_matched_by_email_case_insensitively(
    db_session: Session, tmp_path: Path
) -> None:
    grace = Person(display_name="G. Hopper", email="Grace@Example.com")
    db_session.add(grace)
    db_session.flush()
    path = write(
        tmp_path,
        "Grace Hopper,grace@example.com,Navy,leader,\n"
        "Kay Ant,kay@example.com,Navy,member,GRACE@example.com\n",
    )
    report = import_roster(session=db_session, path=path)
    assert (report.people_created, report.people_updated) == (1, 1)
    db_session.refresh(grace)
    assert (grace.display_name, grace.email) == ("Grace Hopper", "Grace@Example.com")
    kay = db_session.scalar(select(Person).where(Person.email == "kay@example.com"))
    assert kay is not None and kay.manager_id == grace.id


def test_a_manager_may_be_someone_only_in_the_database(db_session: Session, tmp_path: Path) -> None:
    boss = Person(display_name="Boss", email="boss@example.com")
    db_session.add(boss)
    db_session.flush()
    import_roster(
        session=db_session, path=write(tmp_path, "Ann,ann@example.com,T,member,boss@example.com\n")
    )
    ann = db_session.scalar(select(Person).where(Person.email == "ann@example.com"))
    assert ann is not None and ann.manager_id == boss.id


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_imported(
    db_session: Session, tmp_path: Path
) -> None:
    db_session.add(Person(display_name="Old", email="old@example.com"))
    db_session.flush()
    before = counts(db_session)
    path = write(
        tmp_path,
        "Ok Person,ok@example.com,Core,member,\n"  # line 2: fine
        "Short Row,short@example.com,Core\n"  # line 3: missing fields
        "Bad Email,not-an-email,Core,member,\n"  # line 4
        "Bad Role,role@example.com,Core,boss,\n"  # line 5
        "Lost,lost@example.com,Core,member,nobody@example.com\n"  # line 6
        "Narcissus,me@example.com,Core,member,me@example.com\n"  # line 7
        "Ok Again,OK@example.com,Core,member,\n"  # line 8: duplicate of line 2
        ",noname@example.com,Core,member,\n"  # line 9
        "No Team,noteam@example.com,,member,\n"  # line 10
        "Old Again,old@example.com,Core,member,ok@example.com\n",  # line 11: fine
    )
    with pytest.raises(BadRowsError) as caught:
        import_roster(session=db_session, path=path)
    assert [line for line, _ in caught.value.problems] == [3, 4, 5, 6, 7, 8, 9, 10]
    messages = dict(caught.value.problems)
    assert "expected 5 fields" in messages[3] and "found 3" in messages[3]
    assert "'not-an-email' is not an email address" in messages[4]
    assert "role 'boss' is not one of leader, manager, member" in messages[5]
    assert "unknown manager nobody@example.com" in messages[6]
    assert "cannot be their own manager" in messages[7]
    assert "already on line 2" in messages[8]
    assert "name is empty" in messages[9]
    assert "without a team" in messages[10]
    assert caught.value.exit_code == 2
    assert "8 bad rows, nothing imported" in caught.value.message
    assert "line 6: unknown manager" in caught.value.message
    assert counts(db_session) == before


def test_a_loop_of_managers_is_reported_on_every_row_in_it(
    db_session: Session, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "A,a@example.com,T,member,b@example.com\n"
        "B,b@example.com,T,member,c@example.com\n"
        "C,c@example.com,T,member,a@example.com\n"
        "D,d@example.com,T,member,a@example.com\n",
    )
    with pytest.raises(BadRowsError) as caught:
        import_roster(session=db_session, path=path)
    assert [line for line, _ in caught.value.problems] == [2, 3, 4]
    assert (
        "a@example.com → b@example.com → c@example.com → a@example.com"
        in dict(caught.value.problems)[2]
    )
    assert counts(db_session) == (0, 0, 0)


def test_a_loop_through_people_already_in_the_database_is_caught(
    db_session: Session, tmp_path: Path
) -> None:
    x = Person(display_name="X", email="x@example.com")
    y = Person(display_name="Y")  # no email: cannot be named in a roster, yet part of the chain
    db_session.add_all([x, y])
    db_session.flush()
    y.manager_id = x.id
    db_session.flush()
    # x's manager becomes z, and z's manager is y, whose manager is x: a loop x → z → y → x.
    path = write(
        tmp_path,
        "X,x@example.com,T,member,z@example.com\nZ,z@example.com,T,member,\n",
    )
    import_roster(session=db_session, path=path)  # no loop yet: z has no manager
    z = db_session.scalar(select(Person).where(Person.email == "z@example.com"))
    assert z is not None
    z.manager_id = y.id
    db_session.flush()
    again = write(tmp_path, "X,x@example.com,T,member,z@example.com\n", name="again.csv")
    with pytest.raises(BadRowsError) as caught:
        import_roster(session=db_session, path=again)
    assert [line for line, _ in caught.value.problems] == [2]
    assert f"x@example.com → z@example.com → #{y.id} → x@example.com" in caught.value.message


def test_a_missing_column_is_reported_on_line_1(db_session: Session, tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("name,email,team,role\nA,a@example.com,T,member\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        import_roster(session=db_session, path=path)
    assert "line 1" in caught.value.message
    assert "missing column manager" in caught.value.message


def test_a_missing_file_and_an_empty_file_are_input_errors(
    db_session: Session, tmp_path: Path
) -> None:
    with pytest.raises(InputError, match="no such file"):
        import_roster(session=db_session, path=tmp_path / "nope.csv")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(InputError, match="empty"):
        import_roster(session=db_session, path=tmp_path / "empty.csv")


def test_deleting_a_manager_leaves_their_reports_without_one(
    db_session: Session, tmp_path: Path
) -> None:
    import_roster(
        session=db_session,
        path=write(
            tmp_path, "M,m@example.com,T,manager,\nR,r@example.com,T,member,m@example.com\n"
        ),
    )
    db_session.execute(delete(Person).where(Person.email == "m@example.com"))
    db_session.expire_all()
    r = db_session.scalar(select(Person).where(Person.email == "r@example.com"))
    assert r is not None and r.manager_id is None


def test_merging_people_keeps_the_line_management(db_session: Session, tmp_path: Path) -> None:
    import_roster(
        session=db_session,
        path=write(
            tmp_path,
            "Boss,boss@example.com,T,leader,\n"
            "Dup,dup@example.com,T,manager,boss@example.com\n"
            "Rep,rep@example.com,T,member,dup@example.com\n"
            "Keep,keep@example.com,T,manager,\n",
        ),
    )
    merged = people_service.merge_people(
        session=db_session, into="keep@example.com", others=["dup@example.com"]
    )
    assert merged.email == "keep@example.com"
    db_session.expire_all()
    managers = {email: (manager or "") for email, (_, manager, _) in state(db_session).items()}
    # Rep now reports to Keep; Keep, who had no manager, takes Dup's (Boss).
    assert managers == {
        "boss@example.com": "",
        "rep@example.com": "keep@example.com",
        "keep@example.com": "boss@example.com",
    }


def test_merging_a_manager_into_their_report_does_not_make_a_loop(
    db_session: Session, tmp_path: Path
) -> None:
    import_roster(
        session=db_session,
        path=write(
            tmp_path, "M,m@example.com,T,manager,\nR,r@example.com,T,member,m@example.com\n"
        ),
    )
    people_service.merge_people(session=db_session, into="r@example.com", others=["m@example.com"])
    db_session.expire_all()
    assert {e: m for e, (_, m, _) in state(db_session).items()} == {"r@example.com": None}
