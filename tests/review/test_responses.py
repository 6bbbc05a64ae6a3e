"""Importing 360 answers from CSV: checked whole, all or nothing, re-imports replace."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.csvfile import BadRowsError
from tandem.errors import InputError
from tandem.profile.answers import Answer
from tandem.review import service
from tandem.review.models import ReviewAssignment, ReviewResponse
from tests.helpers import V1
from tests.review.conftest import write

HEADER = "ratee,rater,relation,item_id,value\n"


def stored(session: Session) -> set[tuple[int, int, str, str, int | None]]:
    return {
        (r.ratee_id, r.rater_id, r.relation, r.item_id, r.value)
        for r in session.scalars(select(ReviewResponse))
    }


def assignments(session: Session) -> set[tuple[int, int, str]]:
    return {(a.ratee_id, a.rater_id, a.relation) for a in session.scalars(select(ReviewAssignment))}


@pytest.fixture
def cycle(db_session: Session, org: dict[str, int]) -> str:
    service.create_cycle(session=db_session, name="2026-H1", item_bank_version=V1)
    return "2026-H1"


def test_answers_are_imported_by_id_or_email_and_imply_assignments(
    db_session: Session, org: dict[str, int], cycle: str, tmp_path: Path
) -> None:
    cy, bob, di = org["cy"], org["bob"], org["di"]
    path = write(
        tmp_path / "a.csv",
        HEADER
        + "cy@example.com,CY@EXAMPLE.COM,self,vision-1,4\n"
        + f"{cy},{bob},manager,vision-1,5\n"
        + f"{cy},di@example.com,Peer,vision-1,\n"
        + "\n"  # a blank line is skipped
        + f" {cy} , {bob} , manager , vision-2 , 2 \n",
    )
    report = service.import_responses(session=db_session, cycle=cycle, path=path)
    assert (report.rows, report.inserted, report.replaced, report.unchanged) == (4, 4, 0, 0)
    assert (report.assignments_created, report.ratees) == (3, 1)
    assert stored(db_session) == {
        (cy, cy, "self", "vision-1", 4),
        (cy, bob, "manager", "vision-1", 5),
        (cy, di, "peer", "vision-1", None),
        (cy, bob, "manager", "vision-2", 2),
    }
    assert assignments(db_session) == {(cy, cy, "self"), (cy, bob, "manager"), (cy, di, "peer")}


def test_reimporting_replaces_answers_and_keeps_the_rest(
    db_session: Session, org: dict[str, int], cycle: str, tmp_path: Path
) -> None:
    cy, bob = org["cy"], org["bob"]
    first = write(
        tmp_path / "a.csv",
        HEADER + f"{cy},{bob},manager,vision-1,5\n{cy},{bob},manager,vision-2,3\n",
    )
    service.import_responses(session=db_session, cycle=cycle, path=first)
    second = write(
        tmp_path / "b.csv",
        HEADER + f"{cy},{bob},manager,vision-1,\n{cy},{bob},manager,vision-2,3\n"
        f"{cy},{bob},manager,vision-3,1\n",
    )
    report = service.import_responses(session=db_session, cycle=cycle, path=second)
    assert (report.inserted, report.replaced, report.unchanged) == (1, 1, 1)
    assert report.assignments_created == 0
    assert stored(db_session) == {
        (cy, bob, "manager", "vision-1", None),
        (cy, bob, "manager", "vision-2", 3),
        (cy, bob, "manager", "vision-3", 1),
    }


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_imported(
    db_session: Session, org: dict[str, int], cycle: str, tmp_path: Path
) -> None:
    cy, bob, di, ada = org["cy"], org["bob"], org["di"], org["ada"]
    service.assign_rater(
        session=db_session, cycle=cycle, ratee=str(cy), rater=str(ada), relation="peer"
    )
    before = assignments(db_session)
    path = write(
        tmp_path / "bad.csv",
        HEADER
        + f"{cy},{bob},manager,vision-1,5\n"  # 2: fine
        + f"{cy},nobody@example.com,peer,vision-1,3\n"  # 3: unknown rater
        + f"99999,{bob},peer,vision-1,3\n"  # 4: unknown ratee id
        + f"{cy},{di},boss,vision-1,3\n"  # 5: unknown relation
        + f"{cy},{di},self,vision-1,3\n"  # 6: self needs ratee = rater
        + f"{cy},{cy},peer,vision-1,3\n"  # 7: rating oneself is self
        + f"{cy},{di},peer,vision-99,3\n"  # 8: unknown item
        + f"{cy},{di},peer,vision-2,6\n"  # 9: value out of range
        + f"{cy},{di},peer,vision-3,often\n"  # 10: value not a number
        + f"{cy},{bob},manager,vision-1,4\n"  # 11: repeats line 2
        + f"{cy},{bob},peer,vision-4,4\n"  # 12: contradicts line 2's relation
        + f"{cy},{ada},manager,vision-1,4\n"  # 13: contradicts the assignment (peer)
        + f"{cy},{di}\n"  # 14: missing fields
        + f"{cy},{di},peer,vision-1,2\n",  # 15: fine
    )
    with pytest.raises(BadRowsError) as caught:
        service.import_responses(session=db_session, cycle=cycle, path=path)
    problems = caught.value.problems
    assert sorted({line for line, _ in problems}) == list(range(3, 15))
    by_line = dict(problems)
    assert "rater 'nobody@example.com' is not a known person" in by_line[3]
    assert "never created" in by_line[3]
    assert "ratee '99999' is not a known person id" in by_line[4]
    assert "relation 'boss' is not one of self, manager, peer, report" in by_line[5]
    assert "relation self needs the rater to be the ratee" in by_line[6]
    assert "relation self, not peer" in by_line[7]
    assert "item 'vision-99' is not in item bank version 1" in by_line[8]
    assert "value '6' is not 1–5" in by_line[9]
    assert "value 'often' is not 1–5" in by_line[10]
    assert "repeats line 2" in by_line[11]
    assert "contradicts line 2 (manager)" in by_line[12]
    assert "contradicts the cycle's assignment of this rater to this ratee as peer" in by_line[13]
    assert "expected 5 fields" in by_line[14]
    assert "12 bad rows, nothing imported" in caught.value.message
    assert stored(db_session) == set()
    assert assignments(db_session) == before


def test_a_file_without_the_columns_is_refused_on_line_1(
    db_session: Session, cycle: str, tmp_path: Path
) -> None:
    path = write(tmp_path / "a.csv", "ratee,rater,item_id,value\n1,1,vision-1,3\n")
    with pytest.raises(InputError, match="line 1: missing column relation"):
        service.import_responses(session=db_session, cycle=cycle, path=path)


def test_answers_by_ratee_returns_answer_records_grouped_and_ordered(
    db_session: Session, org: dict[str, int], cycle: str, tmp_path: Path
) -> None:
    cy, bob, di = org["cy"], org["bob"], org["di"]
    path = write(
        tmp_path / "a.csv",
        HEADER
        + f"{di},{di},self,vision-2,1\n"
        + f"{cy},{di},peer,vision-2,\n"
        + f"{cy},{bob},manager,vision-1,5\n"
        + f"{cy},{di},peer,vision-1,3\n",
    )
    service.import_responses(session=db_session, cycle=cycle, path=path)
    service.create_cycle(session=db_session, name="empty", item_bank_version=V1)
    grouped = service.answers_by_ratee(session=db_session, cycle=cycle)
    assert grouped == {
        cy: sorted(
            [
                Answer(rater=bob, relation="manager", item_id="vision-1", value=5),
                Answer(rater=di, relation="peer", item_id="vision-1", value=3),
                Answer(rater=di, relation="peer", item_id="vision-2", value=None),
            ],
            key=lambda a: (a.rater, a.item_id),
        ),
        di: [Answer(rater=di, relation="self", item_id="vision-2", value=1)],
    }
    assert service.answers_by_ratee(session=db_session, cycle="empty") == {}
