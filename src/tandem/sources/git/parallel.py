"""Log a known list of commits with several ``git log --no-walk`` processes at once.

``git log --numstat`` is single-threaded and spends its time diffing, so a long history is cut
into contiguous slices of the ``git rev-list`` output (history order, newest first) and every
slice is logged by its own ``git log --numstat -M --no-walk=unsorted --stdin`` process: each
commit is still diffed against its first parent, and merges still show no diff
(``--no-diff-merges``), so the output of the slices, concatenated in order, is byte for byte the
output of one walk. At most ``workers`` git processes run at a time; when one ends, the next
slice starts (there are :data:`SLICES_PER_WORKER` slices per worker, so that a slice of costly
commits does not leave the other processes idle at the end).

All the Python work happens in the calling thread: it waits on every git's stdout at once
(``selectors``), feeds each block to that slice's :class:`~tandem.sources.git.log.NumstatParser`
and yields Arrow tables as chunks fill up, so the caller writes to the lake from one thread. Only
the shas a git reads on stdin are written from a helper thread each (a pipe can block). One
thread keeps the parse off the GIL contention that a reader thread per pipe would cause.

Identities: each slice has its own :class:`IdentityIndex`, merged in slice order at the end, so
the first name seen for an email is the same as with one process. Memory: the sha list (41 bytes
a commit, sliced without copies) plus one partial chunk per running slice, of at most
``FLUSH_COMMITS / workers`` commits.
"""

from __future__ import annotations

import contextlib
import selectors
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

import pyarrow as pa

from tandem.sources.bots import BotRules
from tandem.sources.git.identities import IdentityIndex
from tandem.sources.git.log import FLUSH_COMMITS, LOG_OPTIONS, READ_SIZE, NumstatParser
from tandem.sources.git.repo import Repository, git_stream

SLICES_PER_WORKER = 4
_MIN_SLICE = 256  # commits: below this a slice costs more in git start-up than it balances


@dataclass
class Tables:
    """One parsed chunk, ready for the lake."""

    commits: pa.Table
    files: pa.Table
    n_commits: int


@dataclass
class _Running:
    stack: contextlib.ExitStack
    stream: IO[bytes]
    parser: NumstatParser


def slice_commits(shas: bytes, n_slices: int) -> list[memoryview]:
    """``git rev-list`` output cut into ``n_slices`` contiguous, non-empty runs of whole lines."""
    if not shas:
        return []
    line = shas.index(b"\n") + 1
    n = len(shas) // line
    n_slices = max(1, min(n_slices, n))
    view = memoryview(shas)
    bounds = [n * i // n_slices for i in range(n_slices + 1)]
    return [view[bounds[i] * line : bounds[i + 1] * line] for i in range(n_slices)]


def log_in_parallel(
    repo: Repository,
    shas: bytes,
    *,
    workers: int,
    bots: BotRules,
    identities: IdentityIndex,
    slices_per_worker: int = SLICES_PER_WORKER,
) -> Iterator[Tables]:
    """The tables of every commit in ``shas`` (``git rev-list`` output), in no particular order.

    Identities seen are merged into ``identities`` (in history order) once every slice is done.
    A git failure raises :class:`~tandem.errors.InputError`; closing the iterator early, or any
    error, kills the git processes still running.
    """
    if not shas:
        return
    n_commits = len(shas) // (shas.index(b"\n") + 1)
    n_slices = max(min(workers * slices_per_worker, n_commits // _MIN_SLICE), workers)
    slices = slice_commits(shas, n_slices)
    indexes = [IdentityIndex(bots) for _ in slices]
    parallel = min(workers, len(slices))
    flush_every = max(1, FLUSH_COMMITS // parallel)
    repo_name = str(repo.path)
    argv = repo.argv("log", "--numstat", "-M", "--no-walk=unsorted", "--stdin", *LOG_OPTIONS)
    selector = selectors.DefaultSelector()
    running: list[_Running] = []
    started = 0

    def start_next() -> None:
        nonlocal started
        index = started
        started += 1
        stack = contextlib.ExitStack()
        stream = stack.enter_context(git_stream(repo, argv, stdin=slices[index]))
        run = _Running(stack, stream, NumstatParser(indexes[index], flush_every))
        running.append(run)
        selector.register(stream, selectors.EVENT_READ, run)

    try:
        while started < min(parallel, len(slices)):
            start_next()
        while running:
            for key, _ in selector.select():
                run = key.data
                block = run.stream.read(READ_SIZE)
                if block:
                    run.parser.feed(block)
                else:  # this slice is done: check git's exit status, start the next one
                    run.parser.close()
                    selector.unregister(run.stream)
                    running.remove(run)
                    run.stack.close()
                    if started < len(slices):
                        start_next()
                for chunk in run.parser.take():
                    yield Tables(
                        chunk.commits_table(repo_name), chunk.files_table(repo_name), len(chunk)
                    )
    except BaseException:
        # Also on GeneratorExit: kill every git still running (git_stream's error path).
        error = sys.exc_info()
        for run in running:
            with contextlib.suppress(Exception):
                run.stack.__exit__(*error)
        raise
    finally:
        selector.close()
    for index in indexes:
        identities.merge(index)
