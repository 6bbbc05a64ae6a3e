"""Log a known list of commits with several ``git log --no-walk`` processes at once.

``git log --numstat`` is single-threaded and spends its time diffing, so a long history is cut
into contiguous slices of the ``git rev-list`` output (history order, newest first) and every
slice is logged by its own ``git log --numstat -M --no-walk=unsorted --stdin`` process: each
commit is still diffed against its first parent, and merges still show no diff
(``--no-diff-merges``), so the output of the slices, concatenated in order, is byte for byte the
output of one walk. ``workers`` threads each run one git process at a time and take the next
slice when theirs is done (there are :data:`SLICES_PER_WORKER` slices per worker, so that a slice
of costly commits does not leave the other workers idle at the end). A worker parses its git's
output as it arrives and turns every chunk into Arrow tables; the calling thread receives them
through a bounded queue and is the only one that writes to the lake (and reports progress).

Identities: each slice has its own :class:`IdentityIndex`, merged in slice order at the end, so
the first name seen for an email is the same as with one process. Memory: the sha list (41 bytes
a commit, sliced without copies) plus about ``2 × workers`` chunks (one being parsed by each
worker, up to ``workers`` waiting in the queue) of ``FLUSH_COMMITS / workers`` commits.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa

from tandem.sources.bots import BotRules
from tandem.sources.git.identities import IdentityIndex
from tandem.sources.git.log import FLUSH_COMMITS, LOG_OPTIONS, parse_numstat
from tandem.sources.git.repo import Repository, git_stream

SLICES_PER_WORKER = 4
_MIN_SLICE = 256  # commits: below this a slice costs more in git start-up than it balances


@dataclass
class Tables:
    """One parsed chunk, ready for the lake."""

    commits: pa.Table
    files: pa.Table
    n_commits: int


class _Stopped(Exception):
    """The consumer went away: the worker kills its git and ends."""


class _Pool:
    def __init__(
        self,
        repo: Repository,
        shas: bytes,
        *,
        workers: int,
        bots: BotRules,
        slices_per_worker: int,
    ) -> None:
        self.repo = repo
        self.repo_name = str(repo.path)
        line = shas.index(b"\n") + 1
        n = len(shas) // line
        n_slices = max(1, min(workers * slices_per_worker, n // _MIN_SLICE, n))
        n_slices = max(n_slices, min(workers, n))  # never fewer slices than workers
        view = memoryview(shas)
        bounds = [n * i // n_slices for i in range(n_slices + 1)]
        self.slices = [view[bounds[i] * line : bounds[i + 1] * line] for i in range(n_slices)]
        self.indexes = [IdentityIndex(bots) for _ in self.slices]
        self.workers = min(workers, n_slices)
        self.flush_every = max(1, FLUSH_COMMITS // self.workers)
        self.out: queue.Queue[Tables | BaseException | None] = queue.Queue(maxsize=self.workers)
        self.stop = threading.Event()
        self._next = 0
        self._next_lock = threading.Lock()

    def _take(self) -> int | None:
        with self._next_lock:
            if self._next >= len(self.slices):
                return None
            self._next += 1
            return self._next - 1

    def _put(self, item: Tables | BaseException | None) -> None:
        while True:
            if self.stop.is_set() and item is not None and not isinstance(item, BaseException):
                raise _Stopped
            try:
                self.out.put(item, timeout=0.05)
                return
            except queue.Full:
                continue

    def run_worker(self) -> None:
        argv = self.repo.argv(
            "log", "--numstat", "-M", "--no-walk=unsorted", "--stdin", *LOG_OPTIONS
        )
        try:
            while (index := self._take()) is not None and not self.stop.is_set():
                with git_stream(self.repo, argv, stdin=self.slices[index]) as stream:
                    for chunk in parse_numstat(
                        stream, identities=self.indexes[index], flush_every=self.flush_every
                    ):
                        if self.stop.is_set():
                            raise _Stopped
                        self._put(
                            Tables(
                                chunk.commits_table(self.repo_name),
                                chunk.files_table(self.repo_name),
                                len(chunk),
                            )
                        )
        except _Stopped:
            pass
        except BaseException as exc:  # handed to the consumer, which raises it
            self._put(exc)
        finally:
            self._put(None)


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
    Closing the iterator early stops the workers and kills their git processes.
    """
    if not shas:
        return
    pool = _Pool(repo, shas, workers=workers, bots=bots, slices_per_worker=slices_per_worker)
    threads = [
        threading.Thread(target=pool.run_worker, name=f"git-log-{i}", daemon=True)
        for i in range(pool.workers)
    ]
    for thread in threads:
        thread.start()
    running = len(threads)
    try:
        while running:
            item = pool.out.get()
            if item is None:
                running -= 1
            elif isinstance(item, BaseException):
                raise item
            else:
                yield item
    finally:
        pool.stop.set()
        for thread in threads:
            while thread.is_alive():
                with contextlib.suppress(queue.Empty):
                    while True:
                        pool.out.get_nowait()
                thread.join(0.05)
    for index in pool.indexes:
        identities.merge(index)
