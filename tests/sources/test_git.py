"""The git source against repositories built with known history (see ``gitrepo.py``)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]
import pytest

from tandem.errors import InputError
from tandem.lake import Lake
from tandem.sources.bots import DEFAULT_BOT_RULES
from tandem.sources.contracts import GitIngestReport
from tandem.sources.git import ingest_repository
from tandem.sources.git.identities import IdentityIndex
from tandem.sources.git.ingest import PARALLEL_MIN_COMMITS, default_workers
from tandem.sources.git.log import LOG_OPTIONS, parse_numstat
from tandem.sources.git.parallel import log_in_parallel
from tandem.sources.git.repo import list_commits, open_repository
from tests.sources import gitrepo


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference repository, built once; tests that change it work on a clone."""
    return gitrepo.build_history(tmp_path_factory.mktemp("git") / "repo").path


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    root = tmp_path / "lake"
    root.mkdir()
    return Lake(root)


def ingest(
    lake: Lake, path: Path, rev: str | None = None, workers: int | None = None
) -> GitIngestReport:
    return ingest_repository(lake=lake, path=path, rev=rev, bots=DEFAULT_BOT_RULES, workers=workers)


def lake_content(lake: Lake) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the git tables, in a fixed order."""
    return {
        "commits": rows(lake, "SELECT * FROM commits ORDER BY sha"),
        "commit_files": rows(lake, "SELECT * FROM commit_files ORDER BY sha, path"),
        "identities": rows(lake, "SELECT * FROM identities ORDER BY identity_key"),
    }


def rows(lake: Lake, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    con = lake.connect()
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def clone(source: Path, target: Path, *args: str) -> Path:
    gitrepo.git(source.parent, "clone", "-q", *args, str(source), str(target))
    return target


def numstat_by_git(repo: Path, rev: str = "HEAD") -> dict[str, list[tuple[str, str, str]]]:
    """``git log --numstat`` in its plain text form, parsed independently of Tandem's parser."""
    out = gitrepo.git(
        repo, "-c", "core.quotepath=off", "log", "-M", "--numstat", "--format=@%H", rev
    )
    stats: dict[str, list[tuple[str, str, str]]] = {}
    sha = ""
    for line in out.splitlines():
        if line.startswith("@"):
            sha = line[1:]
            stats[sha] = []
        elif line:
            ins, dels, path = line.split("\t")
            stats[sha].append((ins, dels, path))
    return stats


# -- history as git shows it ------------------------------------------------------------------


def test_commits_identities_and_stats_match_git(history: Path, lake: Lake) -> None:
    report = ingest(lake, history)

    count = int(gitrepo.git(history, "rev-list", "--count", "HEAD"))
    assert report.commits_in_ref == count == 7
    assert report.commits_added == report.commits_total == count
    assert report.repo == str(history.resolve())
    assert report.head == gitrepo.git(history, "rev-parse", "HEAD").strip()
    assert not report.incremental
    assert report.missing_blobs == 0

    emails = {
        e.lower() for e in gitrepo.git(history, "log", "--use-mailmap", "--format=%aE").split()
    }
    in_lake = rows(
        lake,
        "SELECT DISTINCT i.identity_key FROM commits c "
        "JOIN identities i ON i.identity_key = c.author_key",
    )
    assert {key for (key,) in in_lake} == {"email:" + e for e in emails}
    assert "email:alice@old.example.org" not in {
        k for (k,) in rows(lake, "SELECT identity_key FROM identities")
    }

    stats = numstat_by_git(history)
    merges = set(gitrepo.git(history, "rev-list", "--merges", "HEAD").split())
    lake_commits = {
        sha: (files, ins, dels, is_merge)
        for sha, files, ins, dels, is_merge in rows(
            lake, "SELECT sha, files_changed, insertions, deletions, is_merge FROM commits"
        )
    }
    assert set(lake_commits) == set(stats)
    for sha, files in stats.items():
        if sha in merges:
            assert lake_commits[sha] == (None, None, None, True)
            continue
        expected_ins = sum(int(i) for i, _, _ in files if i != "-")
        expected_del = sum(int(d) for _, d, _ in files if d != "-")
        assert lake_commits[sha] == (len(files), expected_ins, expected_del, False), sha
        per_file = rows(
            lake,
            "SELECT coalesce(CAST(insertions AS VARCHAR), '-'), "
            "coalesce(CAST(deletions AS VARCHAR), '-') "
            "FROM commit_files WHERE sha = ? ORDER BY 1, 2",
            sha,
        )
        assert per_file == sorted((i, d) for i, d, _ in files), sha
    assert report.files_added == sum(len(f) for s, f in stats.items() if s not in merges)


def test_rename_binary_merge_dates_and_bots(history: Path, lake: Lake) -> None:
    ingest(lake, history)

    renamed = rows(
        lake,
        "SELECT f.old_path, f.insertions, f.deletions, c.summary FROM commit_files f "
        "JOIN commits c USING (sha) WHERE f.path = 'src/main.py'",
    )
    assert renamed == [("src/app.py", 1, 0, "Rename app to main")]
    assert rows(lake, "SELECT insertions, deletions FROM commit_files WHERE path = 'logo.png'") == [
        (None, None)
    ]
    # Bob's commit: one text file (+3 -1) and the binary one, which counts as a file with no lines.
    assert rows(
        lake, "SELECT files_changed, insertions, deletions FROM commits WHERE summary LIKE 'Fix%'"
    ) == [(2, 3, 1)]

    merge = rows(
        lake,
        "SELECT len(parents), is_merge, files_changed, insertions, deletions, summary "
        "FROM commits WHERE is_merge",
    )
    assert merge == [(2, True, None, None, None, "Merge branch 'feature'")]
    assert rows(
        lake, "SELECT count(*) FROM commit_files f JOIN commits c USING (sha) WHERE is_merge"
    ) == [(0,)]

    carol = rows(
        lake,
        "SELECT author_key, committer_key, authored_at, author_utc_offset_minutes, "
        "committed_at, committer_utc_offset_minutes "
        "FROM commits WHERE summary = 'Rename app to main'",
    )
    when = datetime(2021, 1, 6, 12, 45, tzinfo=UTC)
    assert carol == [("email:carol@example.com", "email:carol@example.com", when, 330, when, 330)]
    bob = rows(
        lake, "SELECT authored_at, author_utc_offset_minutes FROM commits WHERE summary LIKE 'Fix%'"
    )
    assert bob == [(datetime(2021, 1, 5, 14, 30, tzinfo=UTC), -300)]
    assert rows(lake, "SELECT summary FROM commits WHERE summary LIKE 'Initial%'") == [
        ("Initial import",)
    ]

    identities = {
        key: (name, bot)
        for key, name, bot in rows(
            lake, "SELECT identity_key, display_name, is_bot FROM identities"
        )
    }
    assert identities["email:alice@example.com"] == ("Alice Smith", False)
    assert identities["email:49699333+dependabot[bot]@users.noreply.github.com"] == (
        "dependabot[bot]",
        True,
    )
    assert identities["email:carol@example.com"] == ("Carol", False)
    assert rows(lake, "SELECT DISTINCT source, kind FROM identities") == [("git", "email")]

    parents = rows(lake, "SELECT parents FROM commits WHERE summary = 'Extend readme'")
    assert parents == rows(lake, "SELECT [sha] FROM commits WHERE summary LIKE 'Fix%'")


# -- re-ingest, incremental, bare, other revs -------------------------------------------------


def test_reingest_adds_nothing(history: Path, lake: Lake) -> None:
    first = ingest(lake, history)
    counts = lake.row_counts()
    again = ingest(lake, history)
    assert (again.commits_added, again.files_added, again.identities_added) == (0, 0, 0)
    assert again.incremental and again.commits_total == first.commits_total
    assert lake.row_counts() == counts


def test_forgotten_state_still_adds_nothing(history: Path, lake: Lake, tmp_path: Path) -> None:
    ingest(lake, history, rev="experiment")
    counts = lake.row_counts()
    report = ingest(lake, history)  # another ref: full history, every row already there
    assert not report.incremental and report.commits_added == 0 and report.files_added == 0
    assert lake.row_counts() == counts


def test_incremental_adds_exactly_the_new_commits(
    history: Path, lake: Lake, tmp_path: Path
) -> None:
    work = gitrepo.Repo(clone(history, tmp_path / "work"))
    first = ingest(lake, work.path)
    new = [
        work.commit(
            "More", author=gitrepo.BOB, date="2022-02-01T10:00:00+02:00", files={"b.txt": "1\n2\n"}
        ),
        work.commit(
            "Even more",
            author=gitrepo.CAROL,
            date="2022-02-02T10:00:00+00:00",
            files={"b.txt": "1\n"},
        ),
    ]
    second = ingest(lake, work.path)
    assert second.incremental
    assert second.commits_added == 2 and second.files_added == 2
    assert second.commits_total == first.commits_total + 2 == second.commits_in_ref
    assert second.identities == 2  # only the identities of the two new commits were seen
    assert lake.state(f"git:{work.path.resolve()}:HEAD") == {"head": new[-1]}
    assert rows(lake, "SELECT insertions, deletions FROM commits WHERE sha = ?", new[1]) == [(0, 1)]


def test_rewritten_history_falls_back_to_full_log(
    history: Path, lake: Lake, tmp_path: Path
) -> None:
    work = gitrepo.Repo(clone(history, tmp_path / "work"))
    work.commit(
        "Doomed", author=gitrepo.BOB, date="2022-03-01T10:00:00+00:00", files={"d.txt": "d\n"}
    )
    ingest(lake, work.path)
    gitrepo.git(work.path, "reset", "-q", "--hard", "HEAD~1")
    replacement = work.commit(
        "Replacement", author=gitrepo.BOB, date="2022-03-02T10:00:00+00:00", files={"r.txt": "r\n"}
    )
    report = ingest(lake, work.path)
    assert not report.incremental
    assert report.commits_added == 1 and report.commits_total == 9
    assert rows(lake, "SELECT summary FROM commits WHERE sha = ?", replacement) == [
        ("Replacement",)
    ]


def test_bare_repository(history: Path, lake: Lake, tmp_path: Path) -> None:
    bare = clone(history, tmp_path / "bare.git", "--bare")
    report = ingest(lake, bare)
    assert report.repo == str(bare.resolve())
    assert report.commits_added == 7
    # the bare repository's HEAD:.mailmap is honoured too
    keys = {k for (k,) in rows(lake, "SELECT DISTINCT author_key FROM commits")}
    assert "email:alice@example.com" in keys and "email:alice@old.example.org" not in keys


def test_other_branch(history: Path, lake: Lake) -> None:
    report = ingest(lake, history, rev="experiment")
    assert report.rev == "experiment"
    assert report.commits_in_ref == report.commits_added == 8
    zoe = rows(
        lake,
        "SELECT c.author_utc_offset_minutes, i.display_name FROM commits c "
        "JOIN identities i ON i.identity_key = c.author_key WHERE c.summary = 'Experiment'",
    )
    assert zoe == [(-180, "Zoë Ünicode")]
    assert lake.state(f"git:{history.resolve()}:experiment") == {
        "head": gitrepo.git(history, "rev-parse", "experiment").strip()
    }


def test_empty_repository(lake: Lake, tmp_path: Path) -> None:
    empty = gitrepo.init_repo(tmp_path / "empty").path
    report = ingest(lake, empty)
    assert (report.head, report.commits_in_ref, report.commits_total) == (None, 0, 0)


def test_chunks_flush_without_losing_commits(history: Path) -> None:
    argv = ["git", "log", "--numstat", "-M", *LOG_OPTIONS, "HEAD", "--"]
    with subprocess.Popen(argv, cwd=history, stdout=subprocess.PIPE) as proc:
        assert proc.stdout is not None
        chunks = list(
            parse_numstat(proc.stdout, identities=IdentityIndex(DEFAULT_BOT_RULES), flush_every=3)
        )
    assert [len(c) for c in chunks] == [3, 3, 1]
    shas = [sha for c in chunks for sha in c.sha]
    assert shas == gitrepo.git(history, "rev-list", "HEAD").split()


# -- parallel logs ----------------------------------------------------------------------------


@pytest.mark.parametrize("workers", [2, 3, 7, 20])
@pytest.mark.parametrize("rev", [None, "experiment"])
def test_parallel_logs_give_the_same_lake(
    history: Path, tmp_path: Path, workers: int, rev: str | None
) -> None:
    lakes = []
    reports = []
    for k in (1, workers):
        root = tmp_path / f"lake-{k}"
        root.mkdir()
        lakes.append(Lake(root))
        reports.append(ingest(lakes[-1], history, rev=rev, workers=k))
    serial, parallel = (lake_content(lake) for lake in lakes)
    assert serial["commits"] and serial["commit_files"] and serial["identities"]
    assert parallel == serial
    assert reports[1].to_dict() == reports[0].to_dict()


def test_parallel_incremental_run(history: Path, tmp_path: Path) -> None:
    work = gitrepo.Repo(clone(history, tmp_path / "work"))
    contents = []
    for k in (1, 3):
        gitrepo.git(work.path, "reset", "-q", "--hard", "origin/main~2")
        root = tmp_path / f"lake-{k}"
        root.mkdir()
        lake = Lake(root)
        ingest(lake, work.path, workers=k)
        gitrepo.git(work.path, "reset", "-q", "--hard", "origin/main")
        second = ingest(lake, work.path, workers=k)
        assert second.incremental and second.commits_added == 2 and second.files_added == 2
        contents.append(lake_content(lake))
    assert contents[1] == contents[0]


def test_default_workers_depend_on_history_length() -> None:
    assert default_workers(PARALLEL_MIN_COMMITS - 1) == 1
    assert 1 <= default_workers(PARALLEL_MIN_COMMITS) <= 4
    with pytest.raises(ValueError):
        ingest_repository(
            lake=Lake(Path("/nonexistent")),
            path=Path(),
            rev=None,
            bots=DEFAULT_BOT_RULES,
            workers=0,
        )


def test_parallel_slices_keep_history_order(history: Path) -> None:
    repo = open_repository(history)
    shas = list_commits(repo, ["HEAD"])
    identities = IdentityIndex(DEFAULT_BOT_RULES)
    seen = [
        sha
        for tables in log_in_parallel(
            repo, shas, workers=2, bots=DEFAULT_BOT_RULES, identities=identities
        )
        for sha in tables.commits.column("sha").to_pylist()
    ]
    assert sorted(seen) == sorted(shas.decode().split())
    reference = IdentityIndex(DEFAULT_BOT_RULES)
    argv = ["git", "log", "--numstat", "-M", *LOG_OPTIONS, "HEAD", "--"]
    with subprocess.Popen(argv, cwd=history, stdout=subprocess.PIPE) as proc:
        assert proc.stdout is not None
        for _ in parse_numstat(proc.stdout, identities=reference):
            pass
    assert list(identities.rows.items()) == list(reference.rows.items())


def test_parallel_git_failure_is_an_input_error(history: Path) -> None:
    repo = open_repository(history)
    shas = list_commits(repo, ["HEAD"])
    bogus = shas + b"f" * 40 + b"\n"  # no such commit: that slice's git log dies
    with pytest.raises(InputError, match="git log failed"):
        for _ in log_in_parallel(
            repo,
            bogus,
            workers=3,
            bots=DEFAULT_BOT_RULES,
            identities=IdentityIndex(DEFAULT_BOT_RULES),
        ):
            pass


def test_parallel_consumer_can_stop_early(history: Path) -> None:
    repo = open_repository(history)
    shas = list_commits(repo, ["HEAD"])
    tables = log_in_parallel(
        repo, shas, workers=3, bots=DEFAULT_BOT_RULES, identities=IdentityIndex(DEFAULT_BOT_RULES)
    )
    next(tables)
    assert any(child.name() == "git" for child in psutil.Process().children())
    tables.close()  # the git processes still running are killed, and waited for
    assert not [child for child in psutil.Process().children() if child.name() == "git"]


# -- partial clones ---------------------------------------------------------------------------


def test_partial_clone_with_unreachable_promisor(history: Path, lake: Lake, tmp_path: Path) -> None:
    origin = clone(history, tmp_path / "origin")
    gitrepo.git(origin, "config", "uploadpack.allowFilter", "true")
    partial = tmp_path / "partial"
    gitrepo.git(
        tmp_path,
        "clone",
        "-q",
        "--no-local",
        "--filter=blob:none",
        f"file://{origin}",
        str(partial),
    )
    shutil.rmtree(origin)  # the promisor remote is gone: any lazy fetch would fail

    listed = gitrepo.git(
        partial, "-c", "protocol.allow=never", "rev-list", "--objects", "--missing=print", "HEAD"
    )
    missing = {line[1:] for line in listed.splitlines() if line.startswith("?")}
    assert missing  # the clone really lacks blobs

    report = ingest(lake, partial)
    assert report.missing_blobs == len(missing)
    assert report.commits_added == 7
    by_summary = {
        summary: (files, ins, dels)
        for summary, files, ins, dels in rows(
            lake, "SELECT summary, files_changed, insertions, deletions FROM commits"
        )
    }
    # README's first version is gone (only HEAD's files were checked out): stats unknown.
    assert by_summary["Initial import"] == (2, None, None)
    assert rows(
        lake,
        "SELECT count(*) FROM commit_files f JOIN commits c USING (sha) "
        "WHERE c.summary = 'Initial import' AND f.insertions IS NULL",
    ) == [(2,)]
    # Commits that only add files still present at HEAD are complete.
    assert by_summary["Bump requirements"] == (1, 2, 0)
    assert by_summary["Add mailmap"] == (1, 1, 0)
    assert by_summary["Merge branch 'feature'"] == (None, None, None)
    # Without blobs only exact renames are found: app.py -> main.py (edited) is a delete and an add.
    assert rows(lake, "SELECT count(*) FROM commit_files") == [(9,)]
    assert rows(lake, "SELECT count(*) FROM commit_files WHERE old_path IS NOT NULL") == [(0,)]

    parallel = tmp_path / "parallel-lake"
    parallel.mkdir()
    again = ingest(Lake(parallel), partial, workers=2)
    assert again.to_dict() == report.to_dict()
    assert lake_content(Lake(parallel)) == lake_content(lake)


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["missing", "file", "plain folder", "inside a repo", "bad rev"])
def test_bad_input_names_the_path_and_writes_nothing(
    case: str, history: Path, lake: Lake, tmp_path: Path
) -> None:
    ingest(lake, history, rev="experiment")
    before = lake.row_counts()
    manifest = (lake.root / "_manifest.json").read_text()
    rev = None
    if case == "missing":
        path = tmp_path / "nowhere"
    elif case == "file":
        path = tmp_path / "file.txt"
        path.write_text("x")
    elif case == "plain folder":
        path = tmp_path / "plain"
        path.mkdir()
    elif case == "inside a repo":
        path = history / "src"
    else:
        path, rev = history, "no-such-branch"
    with pytest.raises(InputError) as caught:
        ingest(lake, path, rev=rev)
    assert str(path) in caught.value.message
    assert "\n" not in caught.value.message
    assert lake.row_counts() == before
    assert (lake.root / "_manifest.json").read_text() == manifest
