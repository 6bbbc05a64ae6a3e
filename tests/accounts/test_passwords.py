"""argon2id hashing, the password policy (length, personal, strength) and rehashing."""

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


def test_real_accounts_get_argon2_cffis_defaults_and_tests_cheap_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cheap = passwords.hash_password("a long enough secret")
    assert cheap.startswith("$argon2id$v=19$m=4096,t=1,p=1$")  # this suite's (conftest.py)
    monkeypatch.delenv(passwords.CHEAP_HASH_VARIABLE)
    real = passwords.hash_password("a long enough secret")
    assert real.startswith("$argon2id$v=19$m=65536,t=3,p=4$")  # RFC 9106 low-memory
    assert passwords.verify_password(real, "a long enough secret")
    assert passwords.needs_rehash(cheap) and not passwords.needs_rehash(real)
    assert passwords.dummy_hash().startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_a_hash_with_old_parameters_needs_a_rehash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(passwords.CHEAP_HASH_VARIABLE)
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("a long enough secret")
    assert passwords.verify_password(old, "a long enough secret")
    assert passwords.needs_rehash(old)
    assert not passwords.needs_rehash(passwords.hash_password("a long enough secret"))


COMMON = "this password is too easy to guess"


@pytest.mark.parametrize(
    ("password", "advice"),
    [
        ("password1234", "This is a very common password."),
        ("qwertyuiop12", "This is similar to a commonly used password."),
        ("aaaaaaaaaaaa", 'Repeats like "aaa" are easy to guess.'),
        ("P@ssw0rd2026", "Predictable substitutions like '@' instead of 'a'"),
    ],
)
def test_the_policy_refuses_common_and_guessable_passwords(password: str, advice: str) -> None:
    with pytest.raises(passwords.WeakPasswordError) as refused:
        passwords.check_policy(password, field="new_password")
    assert refused.value.status == 422 and refused.value.code == "weak_password"
    assert refused.value.field == "new_password"
    assert refused.value.message.startswith(f"field 'new_password': {COMMON}")
    assert advice in refused.value.message


@pytest.mark.parametrize(
    ("password", "word"),
    [
        ("Ada-Lovelace-rules-2026", "lovelace"),  # the name
        ("my ada.lovelace secret!", "ada.lovelace"),  # the email's local part
        ("zebra LOVELACE quantum", "lovelace"),  # in any case
    ],
)
def test_the_policy_refuses_a_password_holding_the_users_email_or_name(
    password: str, word: str
) -> None:
    with pytest.raises(passwords.WeakPasswordError) as refused:
        passwords.check_policy(password, user_inputs=["ada.lovelace@x.org", "Ada Lovelace"])
    assert refused.value.message == (
        f"field 'password': a password must not contain your email address or name ({word!r})"
    )


def test_strong_impersonal_passwords_pass_the_policy() -> None:
    for password in ("correct horse battery", "a long enough secret", "Tandem-zebra-quantum"):
        passwords.check_policy(password, user_inputs=["ada.lovelace@x.org", "Ada Lovelace"])
    # parts shorter than four characters ("x", "jo") are not refused on their own
    passwords.check_policy("jo x correct horse battery", user_inputs=["jo@x.org", "Jo X"])
