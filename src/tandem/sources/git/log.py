"""Streaming parser of ``git log -z`` output into lake columns, a chunk of commits at a time.

What the columns mean (and where they are null):

* ``files_changed``, ``insertions``, ``deletions`` of a commit are the sums over its files as
  ``git log --numstat`` reports them (renames detected with ``-M``). A binary file counts as a
  changed file with no lines (its own ``commit_files`` row has null insertions and deletions).
* Merge commits: ``git log`` shows no diff for them, so their ``files_changed``, ``insertions``
  and ``deletions`` are **null** (unknown), never 0, and they have no ``commit_files`` rows.
  A non-merge commit that changes nothing (``--allow-empty``) has 0, which is known.
* A commit that touches a blob missing from a partial clone has null totals and null per-file
  stats (see :mod:`tandem.sources.git.ingest`).
* Names, emails, summaries and paths are decoded as UTF-8 with ``errors="replace"`` (Arrow
  strings must be valid UTF-8, which ``surrogateescape`` would not give). Two paths that differ
  only in invalid bytes would collide; git log re-encodes messages to UTF-8 itself.

The parsers read the pipe in blocks of up to 1 MiB, split on bytes and keep one list per column:
memory is bounded by the chunk size, whatever the length of the history.
:class:`NumstatParser` is fed blocks rather than reading a stream, so that one thread can parse
the output of several git processes (:mod:`tandem.sources.git.parallel`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO

import pyarrow as pa

from tandem.errors import InputError
from tandem.lake.schema import TABLES, UTC_TIMESTAMP
from tandem.sources.git.identities import IdentityIndex

# One record per commit: RS, then the header fields separated by US, summary (%s) last. With -z
# git ends the header with NUL and every numstat/raw token with NUL, so "\0\x1e" only ever
# appears between two records (neither a subject nor a path can hold NUL).
HEADER = "%x1e%H%x1f%P%x1f%aN%x1f%aE%x1f%ad%x1f%cN%x1f%cE%x1f%cd%x1f%s"
LOG_OPTIONS = (
    "-z",
    "--date=raw",
    "--no-color",
    "--no-textconv",
    "--no-ext-diff",
    "--no-diff-merges",
    "--no-abbrev",
    f"--format={HEADER}",
)
RECORD_SEPARATOR = b"\x00\x1e"
READ_SIZE = 1 << 20
FLUSH_COMMITS = 20_000

_ZERO_OID = b"0" * 40
_RAW_DATE = re.compile(rb"-?\d{1,18} [+-]\d{4}\Z")


class MalformedCommitError(InputError):
    """A commit whose author or committer line git itself cannot split into name, email, date.

    A NUL byte in a name makes git print the placeholders instead of the fields; a unit
    separator (0x1F) shifts them. Nothing is written: the ingest's batch is discarded.
    """

    def __init__(self, sha: str) -> None:
        super().__init__(
            f"commit {sha}: its author or committer cannot be read (a NUL or control character "
            "in a name or email?); repair or rewrite that commit, then ingest again"
        )
        self.sha = sha


@dataclass
class LogChunk:
    """Parsed commits and their files, as Python lists (one per lake column)."""

    sha: list[str] = field(default_factory=list)
    author_key: list[str] = field(default_factory=list)
    committer_key: list[str] = field(default_factory=list)
    authored: list[int] = field(default_factory=list)  # microseconds since the epoch, UTC
    committed: list[int] = field(default_factory=list)
    author_offset: list[int] = field(default_factory=list)
    committer_offset: list[int] = field(default_factory=list)
    parents: list[list[str]] = field(default_factory=list)
    is_merge: list[bool] = field(default_factory=list)
    files_changed: list[int | None] = field(default_factory=list)
    insertions: list[int | None] = field(default_factory=list)
    deletions: list[int | None] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    file_sha: list[str] = field(default_factory=list)
    file_path: list[str] = field(default_factory=list)
    file_old_path: list[str | None] = field(default_factory=list)
    file_insertions: list[int | None] = field(default_factory=list)
    file_deletions: list[int | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.sha)

    def commits_table(self, repo: str) -> pa.Table:
        """The chunk's ``commits`` rows."""
        n = len(self.sha)
        columns = {
            "sha": pa.array(self.sha, pa.string()),
            "repo": pa.array([repo] * n, pa.string()),
            "author_key": pa.array(self.author_key, pa.string()),
            "committer_key": pa.array(self.committer_key, pa.string()),
            "authored_at": pa.array(self.authored, UTC_TIMESTAMP),
            "committed_at": pa.array(self.committed, UTC_TIMESTAMP),
            "author_utc_offset_minutes": pa.array(self.author_offset, pa.int16()),
            "committer_utc_offset_minutes": pa.array(self.committer_offset, pa.int16()),
            "parents": pa.array(self.parents, pa.list_(pa.string())),
            "is_merge": pa.array(self.is_merge, pa.bool_()),
            "files_changed": pa.array(self.files_changed, pa.int32()),
            "insertions": pa.array(self.insertions, pa.int64()),
            "deletions": pa.array(self.deletions, pa.int64()),
            "summary": pa.array(self.summary, pa.string()),
        }
        schema = TABLES["commits"].schema
        return pa.Table.from_arrays([columns[f.name] for f in schema], schema=schema)

    def files_table(self, repo: str) -> pa.Table:
        """The chunk's ``commit_files`` rows."""
        n = len(self.file_sha)
        return pa.Table.from_arrays(
            [
                pa.array([repo] * n, pa.string()),
                pa.array(self.file_sha, pa.string()),
                pa.array(self.file_path, pa.string()),
                pa.array(self.file_old_path, pa.string()),
                pa.array(self.file_insertions, pa.int64()),
                pa.array(self.file_deletions, pa.int64()),
            ],
            schema=TABLES["commit_files"].schema,
        )


def _records(stream: IO[bytes]) -> Iterator[bytes]:
    """Commit records of a ``-z`` log stream, as they arrive (the leading RS removed)."""
    tail = b"\x00"
    while True:
        block = stream.read(READ_SIZE)
        if not block:
            break
        parts = (tail + block).split(RECORD_SEPARATOR)
        tail = parts.pop()
        yield from filter(None, parts)  # the stream's first RS leaves one empty part
    if tail.endswith(b"\x00"):
        tail = tail[:-1]
    if tail:
        yield tail


class _Offsets(dict[bytes, int]):
    """``b"+0130"`` → 90, memoised (a repository has few distinct time zones)."""

    def __missing__(self, tz: bytes) -> int:
        minutes = int(tz[1:3]) * 60 + int(tz[3:5])
        value = -minutes if tz[:1] == b"-" else minutes
        self[tz] = value
        return value


class _HeaderParser:
    """Appends one commit's header to a chunk; shared by the numstat and raw parsers."""

    def __init__(self, identities: IdentityIndex) -> None:
        self.key = identities.key
        self.offsets = _Offsets()

    def add(self, chunk: LogChunk, head: bytes) -> str:
        fields = head.split(b"\x1f", 8)
        if len(fields) != 9 or not (_RAW_DATE.match(fields[4]) and _RAW_DATE.match(fields[7])):
            raise MalformedCommitError(head[:40].decode("ascii", "replace"))
        sha_b, parents_b, an, ae, ad, cn, ce, cd, subject = fields
        sha = sha_b.decode("ascii")
        parents = parents_b.decode("ascii").split() if parents_b else []
        a_ts, a_tz = ad.split(b" ", 1)
        c_ts, c_tz = cd.split(b" ", 1)
        offsets = self.offsets
        chunk.sha.append(sha)
        chunk.author_key.append(self.key(an, ae))
        chunk.committer_key.append(self.key(cn, ce))
        chunk.authored.append(int(a_ts) * 1_000_000)
        chunk.committed.append(int(c_ts) * 1_000_000)
        chunk.author_offset.append(offsets[a_tz])
        chunk.committer_offset.append(offsets[c_tz])
        chunk.parents.append(parents)
        chunk.is_merge.append(len(parents) > 1)
        chunk.summary.append(subject.decode("utf-8", "replace"))
        return sha


class NumstatParser:
    """Push parser of ``git log --numstat`` output (with :data:`LOG_OPTIONS`).

    :meth:`feed` it blocks as they come, :meth:`close` it at the end of the stream; complete
    chunks of ``flush_every`` commits collect in :attr:`ready` (and the last, shorter one after
    :meth:`close`). Several parsers can be fed in turn from one thread.
    """

    def __init__(self, identities: IdentityIndex, flush_every: int = FLUSH_COMMITS) -> None:
        self.header = _HeaderParser(identities)
        self.flush_every = flush_every
        self.chunk = LogChunk()
        self.ready: list[LogChunk] = []
        self._tail = b"\x00"  # so that the stream's first RS reads as a record boundary

    def feed(self, block: bytes) -> None:
        """Parse the records that ``block`` completes; keep the unfinished one for later."""
        parts = (self._tail + block).split(RECORD_SEPARATOR)
        self._tail = parts.pop()
        for record in parts:
            if record:  # the stream's first RS leaves one empty part
                self._add(record)

    def close(self) -> None:
        """The stream ended: parse its last record and make the partial chunk ready."""
        tail, self._tail = self._tail, b""
        if tail.endswith(b"\x00"):
            tail = tail[:-1]
        if tail:
            self._add(tail)
        if self.chunk.sha:
            self.ready.append(self.chunk)
            self.chunk = LogChunk()

    def take(self) -> list[LogChunk]:
        """The chunks ready so far (and forget them)."""
        ready, self.ready = self.ready, []
        return ready

    def _add(self, record: bytes) -> None:
        chunk = self.chunk
        head, _, body = record.partition(b"\x00")
        sha = self.header.add(chunk, head)
        if len(chunk.parents[-1]) > 1:
            # git log prints no diff for a merge: its stats are unknown, not zero.
            chunk.files_changed.append(None)
            chunk.insertions.append(None)
            chunk.deletions.append(None)
        else:
            files = inserted = deleted = 0
            if body:
                tokens = body[1:].split(b"\x00")  # body starts with "\n"
                n_tokens = len(tokens)
                i = 0
                f_sha = chunk.file_sha.append
                f_path = chunk.file_path.append
                f_old = chunk.file_old_path.append
                f_ins = chunk.file_insertions.append
                f_del = chunk.file_deletions.append
                while i < n_tokens:
                    ins_b, del_b, path_b = tokens[i].split(b"\t", 2)
                    if path_b:
                        f_path(path_b.decode("utf-8", "replace"))
                        f_old(None)
                        i += 1
                    else:  # a rename: "ins\tdel\t" NUL old NUL new
                        f_old(tokens[i + 1].decode("utf-8", "replace"))
                        f_path(tokens[i + 2].decode("utf-8", "replace"))
                        i += 3
                    f_sha(sha)
                    files += 1
                    if ins_b == b"-":  # binary
                        f_ins(None)
                        f_del(None)
                    else:
                        ins = int(ins_b)
                        dels = int(del_b)
                        f_ins(ins)
                        f_del(dels)
                        inserted += ins
                        deleted += dels
            chunk.files_changed.append(files)
            chunk.insertions.append(inserted)
            chunk.deletions.append(deleted)
        if len(chunk.sha) >= self.flush_every:
            self.ready.append(chunk)
            self.chunk = LogChunk()


def parse_numstat(
    stream: IO[bytes], *, identities: IdentityIndex, flush_every: int = FLUSH_COMMITS
) -> Iterator[LogChunk]:
    """Parse ``git log --numstat`` (with :data:`LOG_OPTIONS`) into chunks of ``flush_every``."""
    parser = NumstatParser(identities, flush_every)
    while block := stream.read(READ_SIZE):
        parser.feed(block)
        yield from parser.take()
    parser.close()
    yield from parser.take()


def parse_raw(
    stream: IO[bytes],
    *,
    identities: IdentityIndex,
    missing: set[bytes],
    on_complete: Callable[[str], None],
    flush_every: int = FLUSH_COMMITS,
) -> Iterator[LogChunk]:
    """Parse ``git log --raw`` (no blob is read) and keep only commits touching a ``missing`` blob.

    Their files get null stats and the commit null totals; every other commit's sha goes to
    ``on_complete``, so that it can be logged again with ``--numstat``. Merges are kept here
    (they have no diff either way).
    """
    header = _HeaderParser(identities)
    chunk = LogChunk()
    for record in _records(stream):
        head, _, body = record.partition(b"\x00")
        tokens = body[1:].split(b"\x00") if body else []
        paths: list[tuple[str, str | None]] = []
        touches_missing = False
        i = 0
        while i < len(tokens):
            meta = tokens[i]
            if not meta.startswith(b":"):
                break
            _, _, old_oid, new_oid, status = meta[1:].split(b" ", 4)
            if (old_oid != _ZERO_OID and old_oid in missing) or (
                new_oid != _ZERO_OID and new_oid in missing
            ):
                touches_missing = True
            if status[:1] in (b"R", b"C"):
                paths.append(
                    (
                        tokens[i + 2].decode("utf-8", "replace"),
                        tokens[i + 1].decode("utf-8", "replace"),
                    )
                )
                i += 3
            else:
                paths.append((tokens[i + 1].decode("utf-8", "replace"), None))
                i += 2
        n_parents = head.split(b"\x1f", 2)[1].count(b" ") + 1 if head.split(b"\x1f", 2)[1] else 0
        if not touches_missing and n_parents < 2:
            on_complete(head[:40].decode("ascii"))
            continue
        sha = header.add(chunk, head)
        if n_parents > 1:
            chunk.files_changed.append(None)
        else:
            chunk.files_changed.append(len(paths))
            for path, old_path in paths:
                chunk.file_sha.append(sha)
                chunk.file_path.append(path)
                chunk.file_old_path.append(old_path)
                chunk.file_insertions.append(None)
                chunk.file_deletions.append(None)
        chunk.insertions.append(None)
        chunk.deletions.append(None)
        if len(chunk.sha) >= flush_every:
            yield chunk
            chunk = LogChunk()
    if chunk.sha:
        yield chunk
