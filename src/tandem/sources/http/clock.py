"""Time for the HTTP core: the real one, or a manual one so tests never really sleep."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Where the client reads the time (epoch seconds) and waits."""

    def now(self) -> float:
        """Seconds since the epoch."""

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``."""


class SystemClock:
    """The wall clock and a real sleep."""

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class ManualClock:
    """A clock that only moves when slept on: ``sleeps`` lists every wait asked for."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.current = start
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.current

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.current += max(seconds, 0.0)
