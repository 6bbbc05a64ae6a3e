"""A result cache for flow computations: keyed on the lake's generation, computed once.

Web pages ask the same flow questions again and again (the team's summary, its bottlenecks, its
process map); the answers only change when an ingest commits a new lake manifest, or when the
status mapping in ``tandem.toml`` changes. :class:`FlowCache` keeps each answer under a
:class:`FlowKey` — (lake manifest generation, filters, mapping hash, question) — in a bounded
LRU, and computes each key once even when many requests ask at the same moment (single-flight:
the first caller computes, the others wait for its result or its error).

A computation opens its own :class:`~tandem.flow.engine.FlowEngine` (DuckDB/Ibis connections are
not thread-safe) and closes it when done; nothing is shared between threads but the results,
which callers must treat as read-only.

:class:`AnswerCache` is the LRU with single-flight itself, for any hashable key; the review
scores cache (:mod:`tandem.web.review_cache`) uses it too.

Reading the generation costs one ``stat`` of the manifest (:meth:`tandem.lake.Lake.generation`;
the web never reads the lake's files itself).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from tandem.flow.engine import Filters
from tandem.flow.mapping import StatusMapping
from tandem.lake import Lake
from tandem.settings import load_settings
from tandem.workspace import Workspace

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
DEFAULT_MAX_ENTRIES = 256


@dataclass(frozen=True)
class FlowKey:
    """What a cached answer depends on."""

    generation: int
    filters: tuple[Hashable, ...]
    mapping: str
    question: tuple[Hashable, ...]


@dataclass
class CacheStats:
    """Counters since the cache was made: ``computations`` counts calls of a compute function."""

    hits: int = 0
    misses: int = 0
    computations: int = 0
    waits: int = 0  # callers who found the key being computed and waited for it
    errors: int = 0
    evictions: int = 0
    entries: int = 0

    def to_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


def filters_key(filters: Filters) -> tuple[Hashable, ...]:
    """A hashable, canonical form of ``filters`` (its dict fields sorted)."""
    return (
        filters.start.isoformat() if filters.start else None,
        filters.end.isoformat() if filters.end else None,
        tuple(sorted(filters.sources)),
        tuple(sorted(filters.item_types)),
        tuple(sorted(filters.resources)),
        tuple(sorted((team, tuple(sorted(keys))) for team, keys in filters.teams.items())),
        tuple(sorted(filters.team_people.items())),
        filters.include_bots,
        tuple(sorted(filters.extra.items())),
    )


def mapping_hash(mapping: StatusMapping) -> str:
    """A short digest of the status mapping (answers depend on it)."""
    text = json.dumps(mapping.sources, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class _Flight:
    """One computation in progress: waiters block on ``done``."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


class AnswerCache(Generic[K]):
    """A bounded LRU of answers with per-key single-flight (thread-safe), for any hashable key."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self._entries: OrderedDict[K, Any] = OrderedDict()
        self._flights: dict[K, _Flight] = {}
        self._lock = threading.Lock()
        self._stats = CacheStats()

    # -- the cache ------------------------------------------------------------------------------

    def get_or_compute(
        self, key: K, compute: Callable[[], T], *, keep: Callable[[T], bool] | None = None
    ) -> T:
        """The answer under ``key``: cached, being computed by another thread, or computed here.

        An error is not cached: every caller waiting on that computation gets it, and the next
        caller computes again. Nor is a result that ``keep`` refuses (the waiters still get it):
        for a computation that finds out it answered for another key than the one asked.
        """
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self._stats.hits += 1
                value: T = self._entries[key]
                return value
            flight = self._flights.get(key)
            leader = flight is None
            if flight is None:
                flight = self._flights[key] = _Flight()
                self._stats.misses += 1
                self._stats.computations += 1
            else:
                self._stats.waits += 1
        if not leader:
            flight.done.wait()
            if flight.error is not None:
                raise flight.error
            waited: T = flight.value
            return waited
        try:
            result = compute()
        except BaseException as exc:
            with self._lock:
                self._stats.errors += 1
                del self._flights[key]
            flight.error = exc
            flight.done.set()
            raise
        stored = keep is None or keep(result)
        with self._lock:
            if stored:
                self._entries[key] = result
                self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
                self._stats.evictions += 1
            del self._flights[key]
        flight.value = result
        flight.done.set()
        return result

    def peek(self, key: K) -> bool:
        """Whether ``key`` has a cached answer (does not count as a hit)."""
        with self._lock:
            return key in self._entries

    def discard(self, stale: Callable[[K], bool]) -> int:
        """Forget the answers whose key is ``stale``; how many."""
        with self._lock:
            keys = [k for k in self._entries if stale(k)]
            for key in keys:
                del self._entries[key]
        return len(keys)

    def clear(self) -> None:
        """Forget every answer (computations in progress still finish)."""
        with self._lock:
            self._entries.clear()

    @property
    def stats(self) -> CacheStats:
        """A snapshot of the counters."""
        with self._lock:
            return dataclasses.replace(self._stats, entries=len(self._entries))


class FlowCache(AnswerCache[FlowKey]):
    """A bounded LRU of flow answers with per-key single-flight (thread-safe)."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        super().__init__(max_entries)
        self._newest: dict[Path, int] = {}
        self._mappings: dict[Path, tuple[tuple[int, int, int] | None, StatusMapping, str]] = {}

    # -- what the key depends on ----------------------------------------------------------------

    def generation(self, lake: Lake) -> int:
        """The lake's generation (:meth:`Lake.generation`); an ingest frees the older answers."""
        generation = lake.generation()
        with self._lock:
            if generation > self._newest.get(lake.root, -1):
                self._newest[lake.root] = generation
                # An ingest made every older answer stale: free them now rather than by LRU.
                for stale in [k for k in self._entries if k.generation < generation]:
                    del self._entries[stale]
        return generation

    def mapping(self, workspace: Workspace) -> tuple[StatusMapping, str]:
        """The workspace's status mapping and its hash; ``tandem.toml`` is re-read when it changed.

        (``Workspace.settings`` is read once; a mapping edited while serving applies here at the
        next request, and the new hash keys new answers. Environment overrides are read with
        the file, so a change of them alone needs a restart.)
        """
        path = workspace.config_path
        try:
            info = path.stat()
            stamp: tuple[int, int, int] | None = (info.st_ino, info.st_size, info.st_mtime_ns)
        except FileNotFoundError:
            stamp = None
        with self._lock:
            known = self._mappings.get(path)
        if known is not None and known[0] == stamp:
            return known[1], known[2]
        mapping = StatusMapping.from_settings(load_settings(workspace.root).flow)
        digest = mapping_hash(mapping)
        with self._lock:
            self._mappings[path] = (stamp, mapping, digest)
        return mapping, digest
