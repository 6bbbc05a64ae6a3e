"""The one reader of user CSV files: NUL bytes, duplicate headers, limits, bad quotes.

The roster and the answers go through it on SQLite and PostgreSQL (PostgreSQL would reject a
NUL inside text, so it must never get that far); nothing is written.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.csvfile import first_problem, read_csv
from tandem.errors import InputError
from tandem.people import roster
from tandem.people.models import Person
from tandem.review import service as review_service
from tandem.settings import IngestSettings


def test_a_nul_byte_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n3,\x004\n")
    with pytest.raises(InputError) as caught:
        read_csv(path, columns=["a"])
    assert caught.value.message == (
        f"{path}, line 3: a NUL byte (\\x00) in the text: this is not a CSV text file"
    )


def test_a_header_naming_a_column_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b,A\n1,2,3\n")
    with pytest.raises(InputError) as caught:
        read_csv(path, columns=["a"])
    assert caught.value.message == f"{path}, line 1: duplicate column 'a' in the header"


def test_an_unclosed_quote_names_the_line_where_it_opens(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text('a,b\n1,2\n3,"4\n5,6\n')
    with pytest.raises(InputError) as caught:
        read_csv(path, columns=["a"])
    assert caught.value.message == (
        f"{path}, line 3: unclosed quote: the quoted field that starts on this line never ends"
    )


def test_files_and_fields_beyond_the_limits_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1," + "x" * 50 + "\n")
    with pytest.raises(InputError) as caught:
        read_csv(path, columns=["a"], limits=IngestSettings(max_field_bytes=20))
    assert caught.value.message == (
        f"{path}, line 2: a field exceeds ingest.max_field_bytes = 20; raise it in tandem.toml"
    )
    with pytest.raises(InputError) as caught:
        read_csv(path, columns=["a"], limits=IngestSettings(max_bytes=10))
    assert caught.value.message == (
        f"{path}: the file has 57 bytes, which exceeds ingest.max_bytes = 10; raise it in "
        "tandem.toml"
    )


def test_first_problem_reports_the_first_bad_record_in_file_order() -> None:
    limits = IngestSettings()
    lines = ["a,b\n", "1,2\n", "\n", "3\n", "4,\x00\n"]
    assert first_problem(lines, limits=limits) == (4, "expected 2 fields, found 1")
    assert first_problem(["a,b\n", "1,2\n"], limits=limits) is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "Ann,ann@example.com,Core,leader,\nB\x00b,bob@example.com,Core,member,\n",
            "line 3: a NUL byte (\\x00) in the text: this is not a CSV text file",
        ),
        ("", "line 1: duplicate column 'email' in the header"),
    ],
    ids=["nul", "duplicate-header"],
)
def test_a_hostile_roster_writes_nothing(
    db_session: Session, tmp_path: Path, body: str, message: str
) -> None:
    path = tmp_path / "roster.csv"
    header = "name,email,team,role,manager" + (",Email" if not body else "")
    path.write_text(header + "\n" + body)
    with pytest.raises(InputError) as caught:
        roster.import_roster(session=db_session, path=path)
    assert caught.value.message == f"{path}, {message}"
    assert db_session.scalar(select(func.count()).select_from(Person)) == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "ratee,rater,relation,item_id,value\n1,1,self,L1,\x003\n",
            "line 2: a NUL byte (\\x00) in the text: this is not a CSV text file",
        ),
        (
            "ratee,rater,relation,item_id,value,RATER\n",
            "line 1: duplicate column 'rater' in the header",
        ),
    ],
    ids=["nul", "duplicate-header"],
)
def test_hostile_answers_are_refused(
    db_session: Session, tmp_path: Path, text: str, message: str
) -> None:
    review_service.create_cycle(session=db_session, name="c1")
    path = tmp_path / "answers.csv"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        review_service.import_responses(session=db_session, cycle="c1", path=path)
    assert caught.value.message == f"{path}, {message}"
