"""Hostile and broken input (issue 9 §4): one exact line on stderr, exit 2, workspace unchanged.

Every case compares the whole ``tandem status --json`` before and after.
"""

from __future__ import annotations

import datetime as dt
import gzip
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.helpers import new_workspace, run_cli
from tests.sources.gitrepo import git, init_repo

ALICE = ("Alice", "alice@example.com")
GOOD_LOG = "case_id,activity,timestamp\nc1,Open,2024-01-01 10:00\nc1,Close,2024-01-02 10:00\n"
ROSTER_HEADER = "name,email,team,role,manager\n"
ANSWERS_HEADER = "ratee,rater,relation,item_id,value\n"


def make_workspace(tmp_path: Path) -> Path:
    """A workspace holding one good event log, a one-person roster and an open review cycle."""
    ws = tmp_path / "ws"
    new_workspace(ws)
    good = tmp_path / "good.csv"
    good.write_text(GOOD_LOG)
    assert run_cli("ingest", "events", good, "-w", ws).exit_code == 0
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER_HEADER + "Ann Lee,ann@example.com,Core,leader,\n")
    assert run_cli("people", "import", roster, "-w", ws).exit_code == 0
    assert run_cli("review", "create", "c1", "-w", ws).exit_code == 0
    return ws


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """A workspace (SQLite; tests/test_csvfile.py runs the people files on PostgreSQL too)."""
    return make_workspace(tmp_path)


def status(ws: Path) -> dict[str, Any]:
    result = run_cli("status", "-w", ws, "--json")
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = result.json()
    return data


def refused(ws: Path, *args: str | Path, env: dict[str, str] | None = None) -> str:
    """Run ``tandem ARGS -w ws``; assert exit 2, no output, an unchanged status; the stderr."""
    before = status(ws)
    result = run_cli(*args, "-w", ws, env=env)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert status(ws) == before
    return result.stderr


def write(path: Path, data: str | bytes) -> Path:
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


# -- event logs ------------------------------------------------------------------------------


def test_a_csv_log_truncated_mid_line_names_the_line(ws: Path, tmp_path: Path) -> None:
    cut = write(tmp_path / "cut.csv", "case_id,activity,timestamp\nc2,Open,2024-01-01\nc2,Clo")
    assert refused(ws, "ingest", "events", cut) == (
        f"error: {cut}, line 3: expected 3 fields, found 2\n"
    )
    cut_value = write(
        tmp_path / "cut_value.csv", "case_id,activity,timestamp\nc2,Open,2024-01-01\nc2,b,2024-0"
    )
    assert refused(ws, "ingest", "events", cut_value) == (
        f"error: {cut_value}, line 3, field 'timestamp': unparseable timestamp '2024-0' "
        "(expected ISO-8601, e.g. 2024-05-01T13:45:00+02:00, '2024-05-01 13:45:00' or "
        "2024-05-01)\n"
    )


def test_a_csv_log_with_an_unclosed_quote_names_the_line(ws: Path, tmp_path: Path) -> None:
    path = write(
        tmp_path / "quote.csv",
        'case_id,activity,timestamp\nc2,Open,2024-01-01\nc2,"Close,2024-01-02\nc3,a,2024-01-03\n',
    )
    assert refused(ws, "ingest", "events", path) == (
        f"error: {path}, line 3: unclosed quote: the quoted field that starts on this line "
        "never ends\n"
    )


@pytest.mark.parametrize("gzipped", [False, True])
def test_a_nul_byte_in_an_event_log_field_names_the_line(
    ws: Path, tmp_path: Path, gzipped: bool
) -> None:
    text = "case_id,activity,timestamp\nc2,Open,2024-01-01\nc2,Cl\x00ose,2024-01-02\n"
    path = tmp_path / ("nul.csv.gz" if gzipped else "nul.csv")
    write(path, gzip.compress(text.encode()) if gzipped else text)
    assert refused(ws, "ingest", "events", path) == (
        f"error: {path}, line 3: a NUL byte (\\x00) in the text: this is not a CSV text file\n"
    )


def test_a_nul_byte_in_a_parquet_value_names_the_row(ws: Path, tmp_path: Path) -> None:
    path = tmp_path / "nul.parquet"
    pq.write_table(
        pa.table(
            {
                "case_id": ["c2", "c2"],
                "activity": ["Open", "Cl\x00ose"],
                "timestamp": ["2024-01-01", "2024-01-02"],
            }
        ),
        path,
    )
    assert refused(ws, "ingest", "events", path) == (
        f"error: {path}, row 2: a NUL byte (\\x00) in column 'activity'\n"
    )


@pytest.mark.parametrize(
    ("column", "shown"),
    [
        (pa.array([["a"], ["b"]]), "list<element: string>"),
        (pa.array([{"x": 1}, {"x": 2}]), "struct<x: int64>"),
    ],
)
def test_a_parquet_log_with_a_nested_column_is_refused(
    ws: Path, tmp_path: Path, column: pa.Array, shown: str
) -> None:
    path = tmp_path / "nested.parquet"
    pq.write_table(
        pa.table(
            {
                "case_id": ["c2", "c2"],
                "activity": ["Open", "Close"],
                "timestamp": ["2024-01-01", "2024-01-02"],
                "tags": column,
            }
        ),
        path,
    )
    assert refused(ws, "ingest", "events", path) == (
        f"error: {path}, field 'tags': column 'tags' is nested ({shown}); only flat columns "
        "(text, numbers, times) can be read: flatten or drop it\n"
    )


def test_a_gzip_bomb_stops_at_ingest_max_bytes(ws: Path, tmp_path: Path) -> None:
    (ws / "tandem.toml").write_text(
        (ws / "tandem.toml").read_text() + "\n[ingest]\nmax_bytes = 1000000\n"
    )
    rows = "".join(f"c{i % 7},Open,2024-01-01 10:00\n" for i in range(200_000))  # 5.2 MB
    path = write(
        tmp_path / "bomb.csv.gz", gzip.compress(f"case_id,activity,timestamp\n{rows}".encode())
    )
    assert path.stat().st_size < 100_000
    assert refused(ws, "ingest", "events", path) == (
        f"error: {path}: the decompressed data exceeds ingest.max_bytes = 1,000,000; raise it "
        "in tandem.toml\n"
    )
    plain = write(tmp_path / "big.csv", f"case_id,activity,timestamp\n{rows}")
    assert refused(ws, "ingest", "events", plain) == (
        f"error: {plain}: the file has {plain.stat().st_size:,} bytes, which exceeds "
        "ingest.max_bytes = 1,000,000; raise it in tandem.toml\n"
    )


def test_one_runaway_case_stops_at_ingest_max_case_events(ws: Path, tmp_path: Path) -> None:
    rows = "c9,Open,2024-01-01 10:00\n" * 5000
    path = write(
        tmp_path / "one.csv.gz", gzip.compress(f"case_id,activity,timestamp\n{rows}".encode())
    )
    assert refused(
        ws, "ingest", "events", path, env={"TANDEM_INGEST__MAX_CASE_EVENTS": "1000"}
    ) == (
        f"error: {path}: case 'c9' has 5,000 events, which exceeds ingest.max_case_events = "
        "1,000; raise it in tandem.toml\n"
    )


def test_a_field_beyond_ingest_max_field_bytes_names_the_line(ws: Path, tmp_path: Path) -> None:
    path = write(
        tmp_path / "long.csv",
        "case_id,activity,timestamp\nc2,Open,2024-01-01\nc2," + "x" * 500 + ",2024-01-02\n",
    )
    assert refused(ws, "ingest", "events", path, env={"TANDEM_INGEST__MAX_FIELD_BYTES": "100"}) == (
        f"error: {path}, line 3: a field exceeds ingest.max_field_bytes = 100; raise it in "
        "tandem.toml\n"
    )


@pytest.mark.parametrize("stamp", ["9999-01-01 00:00", "1900-05-01"])
def test_timestamps_outside_the_window_are_refused(ws: Path, tmp_path: Path, stamp: str) -> None:
    path = write(
        tmp_path / "far.csv", f"case_id,activity,timestamp\nc2,Open,2024-01-01\nc2,Close,{stamp}\n"
    )

    def expected() -> str:
        latest = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=366)
        return (
            f"error: {path}, line 3, field 'timestamp': timestamp {stamp!r} lies outside "
            f"1970-01-01 .. {latest.isoformat()} (ingest.earliest and ingest.latest_ahead_days); "
            "fix the value, or widen the window in tandem.toml\n"
        )

    before = expected()  # the run may cross midnight UTC: either day's message is right
    assert refused(ws, "ingest", "events", path) in {before, expected()}


# -- roster and answers ------------------------------------------------------------------------

IMPORTS: dict[str, tuple[Callable[[Path], list[str | Path]], str]] = {
    "roster": (lambda f: ["people", "import", f], ROSTER_HEADER),
    "answers": (lambda f: ["review", "import", f, "--cycle", "c1"], ANSWERS_HEADER),
}


@pytest.mark.parametrize("kind", sorted(IMPORTS))
def test_a_nul_byte_in_a_people_file_names_the_line(ws: Path, tmp_path: Path, kind: str) -> None:
    command, header = IMPORTS[kind]
    width = header.count(",")
    path = write(tmp_path / f"{kind}.csv", header + "a" + ",b" * width + "\nx\x00" + ",y" * width)
    assert refused(ws, *command(path)) == (
        f"error: {path}, line 3: a NUL byte (\\x00) in the text: this is not a CSV text file\n"
    )


@pytest.mark.parametrize("kind", sorted(IMPORTS))
def test_a_duplicate_header_in_a_people_file_is_refused(
    ws: Path, tmp_path: Path, kind: str
) -> None:
    command, header = IMPORTS[kind]
    first = header.strip().split(",")[1]
    path = write(tmp_path / f"{kind}.csv", header.strip() + f",{first.upper()}\n")
    assert refused(ws, *command(path)) == (
        f"error: {path}, line 1: duplicate column {first!r} in the header\n"
    )


# -- git ---------------------------------------------------------------------------------------


def _commit_with_author(repo: Path, tmp_path: Path, author: bytes) -> str:
    """A commit object written as is (git's porcelain refuses such idents); HEAD points at it."""
    tree = git(repo, "write-tree").strip()
    parent = git(repo, "rev-parse", "HEAD").strip()
    raw = tmp_path / "commit.raw"
    raw.write_bytes(
        b"tree %s\nparent %s\nauthor %s <eve@example.com> 1700000000 +0000\n"
        b"committer Cy <cy@example.com> 1700000000 +0000\n\nhostile\n"
        % (tree.encode(), parent.encode(), author)
    )
    sha = git(repo, "hash-object", "-t", "commit", "--literally", "-w", str(raw)).strip()
    git(repo, "update-ref", "refs/heads/main", sha)
    return sha


@pytest.mark.parametrize("author", [b"Ev\x00e", b"Ev\x1fe"], ids=["nul", "unit-separator"])
def test_a_nul_or_control_character_in_a_git_author_is_refused(
    ws: Path, tmp_path: Path, author: bytes
) -> None:
    repo = init_repo(tmp_path / "repo")
    repo.commit("first", author=ALICE, date="2024-01-01T10:00:00+00:00")
    sha = _commit_with_author(repo.path, tmp_path, author)
    assert refused(ws, "ingest", "git", repo.path) == (
        f"error: {repo.path}: commit {sha}: its author or committer cannot be read (a NUL or "
        "control character in a name or email?); repair or rewrite that commit, then ingest "
        "again\n"
    )


def test_terminal_escapes_in_names_are_printed_escaped(ws: Path, tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    hostile = "Eve\x1b[31m red\x1b]0;owned\x07\x9b2J [/x]"
    repo.commit("first", author=(hostile, "eve@example.com"), date="2024-01-01T10:00:00+00:00")
    assert run_cli("ingest", "git", repo.path, "-w", ws).exit_code == 0
    for args in (["people", "list"], ["people", "show", "eve@example.com"]):
        result = run_cli(*args, "-w", ws, env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.stderr
        assert r"Eve\x1b[31m red\x1b]0;owned\x07\x9b2J" in result.stdout
        assert "[/x]" in result.stdout
        assert not any((ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F for c in result.stdout)
    shown = run_cli("people", "show", "eve@example.com", "-w", ws, "--json")
    assert shown.json()["display_name"] == hostile  # JSON keeps the data, escaped
    assert "\x9b" not in shown.stdout and "\x1b" not in shown.stdout


# -- removing a bad batch ------------------------------------------------------------------------


def test_a_bad_batch_can_be_listed_and_dropped(ws: Path, tmp_path: Path) -> None:
    before = status(ws)
    bad = write(tmp_path / "far.csv", "case_id,activity,timestamp\nz1,Open,9999-01-01\n")
    wide = {"TANDEM_INGEST__LATEST_AHEAD_DAYS": "4000000"}  # an older Tandem let this in
    assert run_cli("ingest", "events", bad, "-w", ws, env=wide).exit_code == 0
    listed = run_cli("lake", "batches", "-w", ws, "--json").json()["batches"]
    assert [(b["kind"], b["source"], b["rows"]) for b in listed] == [
        ("events", "good", {"events": 2, "objects": 1}),
        ("events", "far", {"events": 1, "objects": 1}),
    ]
    dropped = run_cli("lake", "drop", listed[1]["id"], "--yes", "-w", ws, "--json")
    assert dropped.exit_code == 0, dropped.stderr
    assert dropped.json()["rows_removed"] == {"objects": 1, "events": 1}
    assert status(ws) == {**before, "batches": 1}
    unknown = refused(ws, "lake", "drop", "nope", "--yes")
    assert unknown == "error: no batch 'nope' in the lake; `tandem lake batches` lists them\n"


def test_batches_tied_by_a_case_are_dropped_together_or_not_at_all(
    ws: Path, tmp_path: Path
) -> None:
    before = status(ws)
    more = write(tmp_path / "good.csv", "case_id,activity,timestamp\nc1,Reopen,2024-01-03\n")
    assert run_cli("ingest", "events", more, "-w", ws).exit_code == 0  # extends case c1
    first, second = (
        b["id"] for b in run_cli("lake", "batches", "-w", ws, "--json").json()["batches"]
    )
    assert refused(ws, "lake", "drop", first, "--yes") == (
        f"error: batch {second} shares cases with the batches named (a later batch added events "
        "to cases of an earlier one, so their events share files): drop them together with "
        f"`tandem lake drop {first} {second}`\n"
    )
    assert run_cli("lake", "drop", first, second, "--yes", "-w", ws).exit_code == 0
    after = status(ws)
    assert after["tables"] == dict.fromkeys(before["tables"], 0)
    assert after["database"] == before["database"]
