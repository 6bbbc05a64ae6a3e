"""The sign-in throttle holds under parallel tries: real threads, real databases (both backends).

Each thread signs in through its own session and transaction, as parallel web requests do.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select

from tandem.accounts import service
from tandem.accounts.errors import AuthenticationError, ThrottledError
from tandem.accounts.models import LoginAttempt
from tandem.db.migrate import upgrade
from tandem.db.session import make_engine, session_scope

PASSWORD = "correct horse battery"
TRIES = 30


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    with session_scope(engine) as session:
        service.add_user(session=session, email="target@x.org", password=PASSWORD, role="member")
    yield engine
    engine.dispose()  # its pooled connections closed, never left to the garbage collector


def _parallel_tries(engine: Engine, addresses: list[str]) -> Counter[str]:
    """Every address tries a wrong password for target@x.org at once; outcome per try."""
    outcomes: Counter[str] = Counter()
    start = threading.Barrier(len(addresses))
    lock = threading.Lock()

    def attempt(address: str) -> None:
        start.wait()
        try:
            with session_scope(engine) as session:  # committed even when refused, as the web does
                try:
                    service.authenticate(
                        session=session, email="target@x.org", password="wrong guess!",
                        client_ip=address,
                    )  # fmt: skip
                    outcome = "signed in"
                except AuthenticationError:
                    outcome = "guess checked"
                except ThrottledError:
                    outcome = "throttled"
        except Exception as exc:  # any other failure is a bug this test must show
            outcome = f"error: {type(exc).__name__}: {exc}"
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=attempt, args=(a,)) for a in addresses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _failures(engine: Engine) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(LoginAttempt)) or 0


def test_parallel_tries_for_one_email_get_at_most_the_allowed_guesses(engine: Engine) -> None:
    addresses = [f"10.1.0.{n}" for n in range(TRIES)]  # one address each: only the email limit
    outcomes = _parallel_tries(engine, addresses)
    assert outcomes == {
        "guess checked": service.MAX_FAILURES_PER_EMAIL,
        "throttled": TRIES - service.MAX_FAILURES_PER_EMAIL,
    }
    assert _failures(engine) == service.MAX_FAILURES_PER_EMAIL
    engine.dispose()


def test_parallel_tries_from_one_address_count_against_the_email_and_address(
    engine: Engine,
) -> None:
    outcomes = _parallel_tries(engine, ["10.2.0.1"] * TRIES)
    assert outcomes == {
        "guess checked": service.MAX_FAILURES_PER_EMAIL,
        "throttled": TRIES - service.MAX_FAILURES_PER_EMAIL,
    }
    with pytest.raises(ThrottledError), session_scope(engine) as session:
        service.authenticate(  # the right password, too, waits for the window
            session=session, email="target@x.org", password=PASSWORD, client_ip="10.2.0.2"
        )
    engine.dispose()
