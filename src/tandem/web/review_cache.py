"""A cache of review cycles' scores: computed once per state of the cycle's answers.

The profile, coverage and duo pages all start from :func:`tandem.profile.service.cycle_scores`
(every answer of the cycle, then the cohort statistics: reliability, spreads), which costs about
a hundred milliseconds on a real cycle; it only changes when an answer, a forced ranking or the
cycle itself changes. :class:`ReviewCache` keeps the :class:`~tandem.profile.service.CycleScores`
of a cycle under a :class:`ScoresKey` — the cycle's id and a stamp of everything the scores read
(:func:`~tandem.profile.service.cycle_state`) — in a bounded single-flight LRU
(:class:`~tandem.web.flow_cache.AnswerCache`), and the web app serves every request inside
:func:`~tandem.profile.service.scores_provider` (the ASGI middleware below), so the services
ask this cache instead of loading.

Reading the stamp costs a scan of the cycle's answers, so it is read only when the database may
have changed: :class:`DatabaseChanges` asks SQLite's ``PRAGMA data_version`` on a connection of
its own, which changes whenever any other connection (of this process or another: the CLI, an
import) commits. While it is unchanged, the last stamp holds and a request costs no query at
all. On another database (PostgreSQL) there is no such counter, so the stamp is read on every
request: still correct, just slower.

The stamp and the scores are read on a session of the cache's own, never on the request's: a
request that wrote answers it later rolls back must not leave its uncommitted answers in the
cache. A computation re-reads the stamp when done and keeps its result only if it still matches
(an answer committed meanwhile is picked up by the next request).
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Receive, Scope, Send

from tandem.profile import service as profile_service
from tandem.profile.service import CycleScores
from tandem.web.flow_cache import AnswerCache, CacheStats

if TYPE_CHECKING:  # the profile service hands it over; the web never queries it
    from tandem.review.models import ReviewCycle

DEFAULT_MAX_CYCLES = 8


class DatabaseChanges:
    """Whether the app database may have changed since a reading of :meth:`version`.

    SQLite: ``PRAGMA data_version`` on a connection that never writes, so every commit by any
    other connection changes it. Other databases: ``None`` (unknown: assume it changed).
    """

    def __init__(self, engine: Engine) -> None:
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        url = engine.url
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            self._conn = sqlite3.connect(url.database, timeout=30, check_same_thread=False)

    def version(self) -> int | None:
        """The database's change counter (``None``: not known, so always "changed")."""
        if self._conn is None:
            return None
        with self._lock:
            row = self._conn.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    def close(self) -> None:
        """Close the watching connection."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


@dataclass(frozen=True)
class ScoresKey:
    """What a cycle's scores depend on: the cycle and the stamp of its rows."""

    cycle_id: int
    state: int


class ReviewCache:
    """Cycle scores per (cycle, stamp of its answers), the stamp re-read only after a commit."""

    def __init__(self, engine: Engine, max_cycles: int = DEFAULT_MAX_CYCLES) -> None:
        self.changes = DatabaseChanges(engine)
        self.scores: AnswerCache[ScoresKey] = AnswerCache(max_cycles)
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._states: dict[int, tuple[int, int]] = {}  # cycle id → (database version, stamp)
        self._lock = threading.Lock()
        self.state_reads = 0  # how many times a stamp was read from the database

    def _state(self, session: Session, cycle_id: int) -> int:
        with self._lock:
            self.state_reads += 1
        return profile_service.cycle_state_by_id(session=session, cycle_id=cycle_id)

    def state(self, cycle_id: int) -> int:
        """The stamp of the cycle's committed rows (read again only when the database changed)."""
        version = self.changes.version()
        if version is not None:
            with self._lock:
                known = self._states.get(cycle_id)
            if known is not None and known[0] == version:
                return known[1]
        # The version is read before the stamp: a commit in between changes the version again,
        # so the pair stored here can be too new, never too old.
        with self._sessions() as session:
            state = self._state(session, cycle_id)
        if version is not None:
            with self._lock:
                self._states[cycle_id] = (version, state)
        # The cycle's scores of any other state are stale: free them now rather than by LRU.
        self.scores.discard(lambda k: k.cycle_id == cycle_id and k.state != state)
        return state

    def cycle_scores(self, _request_session: Session, cycle: ReviewCycle) -> CycleScores:
        """The scores of ``cycle`` as committed: a :data:`~tandem.profile.service.ScoresProvider`.

        The request's own session is not used (see the module's notes).
        """
        key = ScoresKey(cycle.id, self.state(cycle.id))
        loaded: dict[str, int] = {}

        def compute() -> CycleScores:
            with self._sessions() as session:
                scores = profile_service.load_cycle_scores_by_id(
                    session=session, cycle_id=key.cycle_id
                )
                loaded["state"] = self._state(session, key.cycle_id)
            return scores  # its cycle is detached with its columns loaded: safe to share

        return self.scores.get_or_compute(
            key, compute, keep=lambda _scores: loaded.get("state") == key.state
        )

    @property
    def stats(self) -> CacheStats:
        """The scores cache's counters."""
        return self.scores.stats

    def clear(self) -> None:
        """Forget every stamp and every cycle's scores."""
        with self._lock:
            self._states.clear()
        self.scores.clear()


class ReviewCacheMiddleware:
    """Serves every HTTP request inside :func:`~tandem.profile.service.scores_provider`.

    A pure ASGI middleware: the context variable it sets is copied into the thread pool that
    runs the (synchronous) endpoints, so every service call of the request asks the cache.
    """

    def __init__(self, app: ASGIApp, cache: ReviewCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with profile_service.scores_provider(self.cache.cycle_scores):
            await self.app(scope, receive, send)


def review_cache(app: Any) -> ReviewCache:
    """The app's review cache (made by :func:`tandem.web.app.create_app`)."""
    cache: ReviewCache = app.state.review_cache
    return cache
