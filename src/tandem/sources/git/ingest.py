"""Ingest a git repository's history into the lake: ``commits``, ``commit_files``, ``identities``.

A short history (fewer than :data:`PARALLEL_MIN_COMMITS` commits to log) is read by one
``git log --numstat -M -z`` walk. A longer one is listed once with ``git rev-list`` and logged by
several ``git log --no-walk --stdin`` processes at once, one slice of the list each (see
:mod:`tandem.sources.git.parallel`; ``workers`` defaults to :func:`default_workers`): git's
diffing is single-threaded and is most of the time. Either way the output is parsed while git is
still writing it and staged to the lake in chunks of at most
:data:`~tandem.sources.git.log.FLUSH_COMMITS` commits, so memory does not grow with the length of
the history (beyond the sha list of the parallel route: 41 bytes a commit). The state
``git:<repo>:<ref>`` = ``{"head": sha}`` is committed with the rows: the next run logs only
``<old head>..<rev>`` when the old head is still an ancestor, and the whole history otherwise
(rows already in the lake are dropped by key).

Partial clones (``git clone --filter=...``) whose promisor remote cannot be reached: git cannot
diff a commit without its blobs and would try a lazy fetch, then die. Tandem never lets git touch
the network (``protocol.allow=never``), so for a partial clone it first lists the blobs missing
locally with ``git rev-list --objects --missing=print <range>``; ``missing_blobs`` is the number
of objects that command reports. When some are missing, history is read in two passes:

1. ``git log --raw -M100%`` (reads no blob; exact renames only) gives every commit. The commits
   that touch a missing blob are written from it with **null** ``insertions``/``deletions``, for
   their files and for the commit (unknown, never 0); ``files_changed`` is still known.
2. The other commits are logged again by sha (``--no-walk --stdin``) with ``--numstat -M``, as
   for a complete repository (in parallel too when they are many). This pass keeps the list of
   their shas in memory.
"""

from __future__ import annotations

import os
from pathlib import Path

from tandem.errors import InputError
from tandem.lake import Batch, Lake
from tandem.progress import NoProgress, Progress
from tandem.settings import GitDeploymentSettings
from tandem.sources.bots import BotRules
from tandem.sources.contracts import GitIngestReport
from tandem.sources.git.identities import IdentityIndex
from tandem.sources.git.log import (
    LOG_OPTIONS,
    LogChunk,
    MalformedCommitError,
    parse_numstat,
    parse_raw,
)
from tandem.sources.git.parallel import Tables, log_in_parallel
from tandem.sources.git.repo import (
    Repository,
    count_commits,
    git_stream,
    is_ancestor,
    is_partial_clone,
    list_commits,
    missing_objects,
    open_repository,
    resolve_rev,
)
from tandem.sources.git.tags import write_releases

PARALLEL_MIN_COMMITS = 5_000
MAX_WORKERS = 4


def default_workers(commits: int) -> int:
    """Git processes to log ``commits`` commits with: one per CPU (at most 4) for long histories."""
    if commits < PARALLEL_MIN_COMMITS:
        return 1
    return max(1, min(_usable_cpus(), MAX_WORKERS))


def _usable_cpus() -> int:
    """The CPUs this process may run on (a container or ``taskset`` may allow fewer than exist)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def ingest_repository(
    *,
    lake: Lake,
    path: Path,
    rev: str | None,
    bots: BotRules,
    progress: Progress = NoProgress(),  # noqa: B008 - a stateless default
    workers: int | None = None,
    deployments: GitDeploymentSettings | None = None,
) -> GitIngestReport:
    """Ingest the history of ``rev`` (default: HEAD) of the repository at ``path`` into ``lake``,
    with its tags as releases and production deployments by the ``deployments`` rule
    (:mod:`tandem.sources.git.tags`; default: the tag pattern of ``[git.deployments]``).

    ``workers`` is the number of concurrent ``git log`` processes (default:
    :func:`default_workers` of the number of commits to log); 1 is one plain history walk.
    """
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    repo = open_repository(path)
    head = resolve_rev(repo, rev)
    ref = rev or "HEAD"
    repo_name = str(repo.path)
    state_key = f"git:{repo_name}:{ref}"
    previous = lake.state(state_key)
    old_head = previous.get("head") if isinstance(previous, dict) else None
    identities = IdentityIndex(bots)

    if head is None:  # an empty repository: nothing to log, and nothing to remember
        return GitIngestReport(
            repo=repo_name,
            rev=ref,
            head=None,
            commits_in_ref=0,
            commits_added=0,
            commits_total=_commits_in_lake(lake, repo_name),
            files_added=0,
            identities=0,
            identities_added=0,
            missing_blobs=0,
            incremental=False,
        )

    commits_in_ref = count_commits(repo, head)
    incremental = isinstance(old_head, str) and (
        old_head == head or is_ancestor(repo, old_head, head)
    )
    revs = [head, f"^{old_head}"] if incremental else [head]
    if not incremental:
        to_log = commits_in_ref
    elif old_head == head:
        to_log = 0
    else:
        to_log = count_commits(repo, *revs)
    missing = missing_objects(repo, revs) if to_log and is_partial_clone(repo) else set()

    k = workers or default_workers(to_log)
    progress.start(f"git log {repo_name}", total=to_log)
    try:
        with lake.batch(label=f"git {repo_name} {ref}") as batch:
            if to_log and missing:
                _ingest_partial(batch, repo, revs, missing, identities, progress, workers)
            elif to_log and k > 1:
                shas = list_commits(repo, revs)
                for tables in log_in_parallel(
                    repo, shas, workers=k, bots=bots, identities=identities
                ):
                    _write_tables(batch, tables, progress)
                del shas
            elif to_log:
                argv = repo.argv("log", "--numstat", "-M", *LOG_OPTIONS, *revs, "--")
                with git_stream(repo, argv) as stream:
                    for chunk in parse_numstat(stream, identities=identities):
                        _write(batch, chunk, repo_name, progress)
            batch.write("identities", identities.table())
            found = write_releases(
                batch=batch,
                lake=lake,
                repo=repo,
                repo_name=repo_name,
                rule=deployments or GitDeploymentSettings(),
            )
            batch.set_state(state_key, {"head": head})
    except MalformedCommitError as exc:
        raise InputError(exc.message, path=repo_name) from None
    finally:
        progress.finish()

    added = batch.result.added
    return GitIngestReport(
        repo=repo_name,
        rev=ref,
        head=head,
        commits_in_ref=commits_in_ref,
        commits_added=added.get("commits", 0),
        commits_total=_commits_in_lake(lake, repo_name),
        files_added=added.get("commit_files", 0),
        identities=len(identities.rows),
        identities_added=added.get("identities", 0),
        missing_blobs=len(missing),
        incremental=incremental,
        tags=found.tags,
        deployments=found.deployments,
        objects_added=added.get("objects", 0),
    )


def _ingest_partial(
    batch: Batch,
    repo: Repository,
    revs: list[str],
    missing: set[bytes],
    identities: IdentityIndex,
    progress: Progress,
    workers: int | None,
) -> None:
    """The two passes for a partial clone with missing blobs (see the module docstring)."""
    repo_name = str(repo.path)
    complete: list[str] = []
    argv = repo.argv("log", "--raw", "-M100%", *LOG_OPTIONS, *revs, "--")
    with git_stream(repo, argv) as stream:
        for chunk in parse_raw(
            stream, identities=identities, missing=missing, on_complete=complete.append
        ):
            _write(batch, chunk, repo_name, progress)
    if not complete:
        return
    stdin = ("\n".join(complete) + "\n").encode("ascii")
    n_complete = len(complete)
    complete.clear()
    k = workers or default_workers(n_complete)
    if k > 1:
        bots = identities.rules
        for tables in log_in_parallel(repo, stdin, workers=k, bots=bots, identities=identities):
            _write_tables(batch, tables, progress)
        return
    argv = repo.argv("log", "--numstat", "-M", "--no-walk=unsorted", "--stdin", *LOG_OPTIONS)
    with git_stream(repo, argv, stdin=stdin) as stream:
        for chunk in parse_numstat(stream, identities=identities):
            _write(batch, chunk, repo_name, progress)


def _write(batch: Batch, chunk: LogChunk, repo_name: str, progress: Progress) -> None:
    batch.write("commits", chunk.commits_table(repo_name))
    batch.write("commit_files", chunk.files_table(repo_name))
    progress.advance(len(chunk))


def _write_tables(batch: Batch, tables: Tables, progress: Progress) -> None:
    batch.write("commits", tables.commits)
    batch.write("commit_files", tables.files)
    progress.advance(tables.n_commits)


def _commits_in_lake(lake: Lake, repo_name: str) -> int:
    con = lake.connect(tables=("commits",))
    try:
        row = con.execute("SELECT count(*) FROM commits WHERE repo = ?", [repo_name]).fetchone()
    finally:
        con.close()
    return int(row[0]) if row else 0
