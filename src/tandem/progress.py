"""Progress reporting that services can use without knowing about terminals."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Receives progress from long work; the CLI shows a bar, everything else ignores it."""

    def start(self, description: str, total: float | None = None) -> None:
        """A new phase begins; ``total`` is in the unit that :meth:`advance` counts, if known."""

    def advance(self, amount: float = 1) -> None:
        """``amount`` more units are done."""

    def finish(self) -> None:
        """The current phase is over."""


class NoProgress:
    """The default sink: reports nothing."""

    def start(self, description: str, total: float | None = None) -> None:
        return None

    def advance(self, amount: float = 1) -> None:
        return None

    def finish(self) -> None:
        return None
