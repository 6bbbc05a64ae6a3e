"""argon2id hashing, the length policy and rehashing when parameters change."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from tandem.accounts import passwords
from tandem.errors import InputError


def test_hash_verifies_only_the_same_password() -> None:
    hashed = passwords.hash_password("a long enough secret")
    assert hashed.startswith("$argon2id$")
    assert passwords.verify_password(hashed, "a long enough secret")
    assert not passwords.verify_password(hashed, "a long enough secreT")
    assert not passwords.verify_password("not a hash", "a long enough secret")


@pytest.mark.parametrize("password", ["", "short", "x" * 11, "y" * 1025])
def test_policy_refuses_too_short_or_huge_passwords(password: str) -> None:
    with pytest.raises(InputError, match="password"):
        passwords.hash_password(password)


def test_a_hash_with_old_parameters_needs_a_rehash() -> None:
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("a long enough secret")
    assert passwords.verify_password(old, "a long enough secret")
    assert passwords.needs_rehash(old)
    assert not passwords.needs_rehash(passwords.hash_password("a long enough secret"))
