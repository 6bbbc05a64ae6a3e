"""Two transactions writing the same unique row, interleaved the same way on every run.

:func:`race` runs ``first`` in one session and leaves it uncommitted; runs ``second`` in another
session on a thread until that thread is about to ``INSERT`` into ``table`` (where it has read
that no row exists yet and now blocks on the first's lock); then commits ``first`` and lets
``second`` finish. Without a fix the second insert breaks the UNIQUE constraint.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

T = TypeVar("T")


def race(
    engine: Engine, table: str, first: Callable[[Session], T], second: Callable[[Session], T]
) -> tuple[T, T | BaseException]:
    """``first``'s result and ``second``'s result (or the exception it raised)."""
    inserting = threading.Event()
    outcome: list[Any] = []

    def run_second() -> None:
        try:
            with Session(engine) as session:
                connection = session.connection()

                def watch(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
                    if statement.lstrip().upper().startswith(f"INSERT INTO {table.upper()}"):
                        inserting.set()

                event.listen(connection, "before_cursor_execute", watch)
                outcome.append(second(session))
                session.commit()
        except BaseException as exc:  # reported to the test, which asserts on it
            outcome.append(exc)
        finally:
            inserting.set()

    with Session(engine) as session:
        result = first(session)
        session.flush()
        thread = threading.Thread(target=run_second)
        thread.start()
        inserting.wait()
        session.commit()
    thread.join()
    return result, outcome[0]
