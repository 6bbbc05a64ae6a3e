"""Password hashing with argon2id (argon2-cffi's defaults) and the password policy.

argon2-cffi's defaults are RFC 9106's low-memory profile (3 passes over 64 MiB, 4 lanes): about
0.1 s of CPU per hash, by design. A test suite that signs in hundreds of times sets
``TANDEM_TEST_CHEAP_PASSWORD_HASH=1`` for argon2id with 1 pass over 4 MiB instead; never set it
for real accounts (``tandem serve`` warns when it is set).

The policy is offline: 12 to 1024 characters, not containing the user's own email or name, and
strong enough by zxcvbn's estimate (score ≥ 3 of 4: common, breached and keyboard-pattern
passwords, names and dictionary words with substitutions all score lower).
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterable
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from tandem.errors import InputError

MIN_LENGTH = 12
MAX_LENGTH = 1024  # hashing megabytes of "password" is a denial of service, not a password
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable: moderate protection from offline attacks"
SCORED_PREFIX = 100  # zxcvbn's cost grows with length; a strong first 100 characters suffice
MIN_PERSONAL = 4  # shorter parts of an email or name ("jo", "x") are not worth refusing
_WORD = re.compile(r"[^\W_]+")


class WeakPasswordError(InputError):
    """The password breaks the policy (too short or long, personal, or easy to guess)."""

    status = 422
    code = "weak_password"


CHEAP_HASH_VARIABLE = "TANDEM_TEST_CHEAP_PASSWORD_HASH"


def cheap_hash_for_tests() -> bool:
    """Whether the test-only cheap parameters are on (module docstring)."""
    return os.environ.get(CHEAP_HASH_VARIABLE) == "1"


@lru_cache(maxsize=2)
def _hasher_for(cheap: bool) -> PasswordHasher:
    if cheap:
        return PasswordHasher(time_cost=1, memory_cost=4096, parallelism=1)
    return PasswordHasher()


def _hasher() -> PasswordHasher:
    return _hasher_for(cheap_hash_for_tests())


def personal_words(user_inputs: Iterable[str]) -> list[str]:
    """The parts of an email address or name a password must not contain (lower-case)."""
    words: set[str] = set()
    for value in user_inputs:
        local = value.strip().lower().split("@", 1)[0]
        if "@" in value and len(local) >= MIN_PERSONAL:
            words.add(local)  # the whole local part of an email ("ada.lovelace")
        words.update(w for w in _WORD.findall(local) if len(w) >= MIN_PERSONAL)
    return sorted(words, key=lambda w: (-len(w), w))


def check_length(password: str, *, field: str = "password") -> None:
    """Raise :class:`WeakPasswordError` unless ``password`` has 12 to 1024 characters."""
    if len(password) < MIN_LENGTH:
        raise WeakPasswordError(f"a password needs at least {MIN_LENGTH} characters", field=field)
    if len(password) > MAX_LENGTH:
        raise WeakPasswordError(f"a password has at most {MAX_LENGTH} characters", field=field)


def check_policy(
    password: str, *, field: str = "password", user_inputs: Iterable[str] = ()
) -> None:
    """Raise :class:`WeakPasswordError` unless ``password`` is long, impersonal and strong.

    ``user_inputs`` are the user's email and name: a password containing them is refused.
    """
    check_length(password, field=field)
    lowered = password.lower()
    inputs = [value for value in user_inputs if value]
    for word in personal_words(inputs):
        if word in lowered:
            raise WeakPasswordError(
                f"a password must not contain your email address or name ({word!r})", field=field
            )
    result = zxcvbn(password[:SCORED_PREFIX], user_inputs=inputs)
    if result["score"] < MIN_SCORE:
        feedback = result["feedback"]
        hints = [feedback["warning"], *feedback["suggestions"]]
        advice = " ".join(h.strip() for h in hints if h and h.strip())
        raise WeakPasswordError(
            "this password is too easy to guess"
            + (f": {advice}" if advice else "; add a few uncommon words"),
            field=field,
        )


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (after checking its length)."""
    check_length(password)
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; never raises for a mismatch."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters than today's defaults."""
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def dummy_hash() -> str:
    """A hash to verify against when the email is unknown: a miss costs as much as a mismatch."""
    return _dummy_hash_for(cheap_hash_for_tests())


@lru_cache(maxsize=2)
def _dummy_hash_for(cheap: bool) -> str:
    return _hasher_for(cheap).hash(secrets.token_urlsafe(16))
