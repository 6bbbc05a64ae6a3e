"""Accounts service on SQLite and PostgreSQL: users, sign-in, throttling, sessions."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.accounts import passwords, service
from tandem.accounts.errors import AuthenticationError, ThrottledError
from tandem.accounts.models import User, WebSession
from tandem.errors import ConflictError, InputError, NotFoundError
from tandem.people.models import Person, Team

PASSWORD = "correct horse battery"
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def test_add_user_links_the_person_with_the_same_email(db_session: Session) -> None:
    db_session.add_all([Person(display_name="Ada", email="Ada@Example.org"), Team(name="Core")])
    db_session.flush()
    user = service.add_user(
        session=db_session, email=" ADA@example.org ", password=PASSWORD, role="leader", team="Core"
    )
    assert user.email == "ada@example.org"
    assert user.display_name == "Ada" and user.person_id is not None
    assert user.team_name == "Core" and user.role == "leader"
    stored = db_session.scalar(select(User.password_hash).where(User.id == user.id))
    assert stored is not None and PASSWORD not in stored


def test_add_user_refuses_duplicates_bad_roles_teams_and_passwords(db_session: Session) -> None:
    service.add_user(session=db_session, email="a@x.org", password=PASSWORD, role="member")
    with pytest.raises(ConflictError):
        service.add_user(session=db_session, email="A@x.org", password=PASSWORD, role="member")
    with pytest.raises(InputError, match="role"):
        service.add_user(session=db_session, email="b@x.org", password=PASSWORD, role="boss")
    with pytest.raises(NotFoundError, match="team"):
        service.add_user(
            session=db_session, email="b@x.org", password=PASSWORD, role="member", team="Nope"
        )
    with pytest.raises(InputError, match="12 characters"):
        service.add_user(session=db_session, email="b@x.org", password="short", role="member")
    with pytest.raises(InputError, match="not an email"):
        service.add_user(session=db_session, email="nobody", password=PASSWORD, role="member")


def test_set_role_changes_role_and_team(db_session: Session) -> None:
    db_session.add(Team(name="Core"))
    service.add_user(session=db_session, email="a@x.org", password=PASSWORD, role="member")
    user = service.set_role(session=db_session, email="a@x.org", role="manager", team="Core")
    assert (user.role, user.team_name) == ("manager", "Core")
    kept = service.set_role(session=db_session, email="a@x.org", role="leader")
    assert (kept.role, kept.team_name) == ("leader", "Core")


def test_bootstrap_admin_only_while_no_user_exists(db_session: Session) -> None:
    assert not service.has_users(session=db_session)
    admin = service.bootstrap_admin(session=db_session, email="root@x.org", password=PASSWORD)
    assert admin.role == "admin" and service.has_users(session=db_session)
    with pytest.raises(ConflictError):
        service.bootstrap_admin(session=db_session, email="other@x.org", password=PASSWORD)


def test_authenticate_accepts_only_the_right_password_of_an_active_user(
    db_session: Session,
) -> None:
    service.add_user(session=db_session, email="a@x.org", password=PASSWORD, role="member")
    assert (
        service.authenticate(
            session=db_session, email="A@x.org", password=PASSWORD, client_ip="10.0.0.1"
        ).email
        == "a@x.org"
    )
    for email, password in [("a@x.org", "wrong password!"), ("nobody@x.org", PASSWORD)]:
        with pytest.raises(AuthenticationError, match="email or the password"):
            service.authenticate(
                session=db_session, email=email, password=password, client_ip="10.0.0.1"
            )
    db_session.scalars(select(User)).one().is_active = False
    with pytest.raises(AuthenticationError):
        service.authenticate(
            session=db_session, email="a@x.org", password=PASSWORD, client_ip="10.0.0.1"
        )


def _fail(db_session: Session, email: str, ip: str, at: dt.datetime) -> None:
    with pytest.raises(AuthenticationError):
        service.authenticate(
            session=db_session, email=email, password="wrong password!", client_ip=ip, now=at
        )


def test_five_failures_lock_the_email_until_the_window_passes(db_session: Session) -> None:
    service.add_user(session=db_session, email="a@x.org", password=PASSWORD, role="member")
    for minute in range(5):
        _fail(db_session, "a@x.org", f"10.0.0.{minute}", T0 + dt.timedelta(minutes=minute))
    locked_at = T0 + dt.timedelta(minutes=5)
    with pytest.raises(ThrottledError) as caught:
        service.authenticate(
            session=db_session, email="a@x.org", password=PASSWORD, client_ip="10.9.9.9",
            now=locked_at,
        )  # fmt: skip
    assert caught.value.status == 429
    # The oldest failure (T0) leaves the 15-minute window at T0 + 15 min: 10 minutes from now.
    assert caught.value.retry_after == 600
    later = T0 + dt.timedelta(minutes=15, seconds=1)
    user = service.authenticate(
        session=db_session, email="a@x.org", password=PASSWORD, client_ip="10.9.9.9", now=later
    )
    assert user.email == "a@x.org"


def test_a_success_resets_the_email_counter(db_session: Session) -> None:
    service.add_user(session=db_session, email="a@x.org", password=PASSWORD, role="member")
    for minute in range(4):
        _fail(db_session, "a@x.org", "10.0.0.1", T0 + dt.timedelta(minutes=minute))
    service.authenticate(
        session=db_session, email="a@x.org", password=PASSWORD, client_ip="10.0.0.1",
        now=T0 + dt.timedelta(minutes=4),
    )  # fmt: skip
    for minute in range(5, 9):
        _fail(db_session, "a@x.org", "10.0.0.1", T0 + dt.timedelta(minutes=minute))
    service.check_throttle(
        session=db_session, email="a@x.org", client_ip="10.0.0.2", now=T0 + dt.timedelta(minutes=9)
    )


def test_many_failures_from_one_address_lock_that_address(db_session: Session) -> None:
    for n in range(service.MAX_FAILURES_PER_IP):
        _fail(db_session, f"guess{n}@x.org", "10.6.6.6", T0 + dt.timedelta(seconds=n))
    with pytest.raises(ThrottledError):
        service.check_throttle(
            session=db_session, email="fresh@x.org", client_ip="10.6.6.6",
            now=T0 + dt.timedelta(minutes=1),
        )  # fmt: skip
    service.check_throttle(
        session=db_session, email="fresh@x.org", client_ip="10.0.0.1",
        now=T0 + dt.timedelta(minutes=1),
    )  # fmt: skip


def test_an_outdated_hash_is_upgraded_at_sign_in(
    db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(passwords.CHEAP_HASH_VARIABLE)  # the real parameters
    service.add_user(session=db_session, email="a@x.org", password=PASSWORD, role="member")
    user = db_session.scalars(select(User)).one()
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    db_session.flush()
    service.authenticate(session=db_session, email="a@x.org", password=PASSWORD, client_ip="x")
    assert "m=65536" in user.password_hash


def test_sessions_resolve_slide_expire_and_revoke(db_session: Session) -> None:
    user = service.add_user(session=db_session, email="a@x.org", password=PASSWORD, role="member")
    new = service.create_session(session=db_session, user_id=user.id, now=T0)
    stored = db_session.scalars(select(WebSession)).one()
    assert stored.token_hash == service.token_hash(new.token) and new.token not in stored.token_hash
    found = service.resolve_session(session=db_session, token=new.token, now=T0)
    assert found is not None and found.user.email == "a@x.org"
    assert found.csrf_token == new.csrf_token
    assert service.resolve_session(session=db_session, token="forged", now=T0) is None
    # Used after 11 hours: the idle expiry slides another 12 hours.
    touched = service.resolve_session(
        session=db_session, token=new.token, now=T0 + dt.timedelta(hours=11)
    )
    assert touched is not None and touched.expires_at == T0 + dt.timedelta(hours=23)
    assert (
        service.resolve_session(
            session=db_session, token=new.token, now=T0 + dt.timedelta(hours=23, seconds=1)
        )
        is None
    )
    again = service.create_session(session=db_session, user_id=user.id, now=T0)
    assert service.revoke_session(session=db_session, token=again.token)
    assert service.resolve_session(session=db_session, token=again.token, now=T0) is None


def test_sessions_never_outlive_their_maximum_age(db_session: Session) -> None:
    user = service.add_user(session=db_session, email="a@x.org", password=PASSWORD, role="member")
    new = service.create_session(session=db_session, user_id=user.id, now=T0)
    at = T0
    while at < T0 + service.SESSION_MAX - dt.timedelta(hours=6):
        at += dt.timedelta(hours=6)
        assert service.resolve_session(session=db_session, token=new.token, now=at) is not None
    at += dt.timedelta(hours=6)
    assert service.resolve_session(session=db_session, token=new.token, now=at) is None


def test_change_password_needs_the_current_one_and_signs_out_other_sessions(
    db_session: Session,
) -> None:
    user = service.add_user(session=db_session, email="a@x.org", password=PASSWORD, role="member")
    here = service.create_session(session=db_session, user_id=user.id)
    elsewhere = service.create_session(session=db_session, user_id=user.id)
    with pytest.raises(InputError, match="current password"):
        service.change_password(
            session=db_session, user_id=user.id, current_password="wrong password!",
            new_password="a brand new secret",
        )  # fmt: skip
    with pytest.raises(InputError, match="12 characters"):
        service.change_password(
            session=db_session, user_id=user.id, current_password=PASSWORD, new_password="short"
        )
    service.change_password(
        session=db_session, user_id=user.id, current_password=PASSWORD,
        new_password="a brand new secret", keep_session_id=here.id,
    )  # fmt: skip
    assert service.resolve_session(session=db_session, token=here.token) is not None
    assert service.resolve_session(session=db_session, token=elsewhere.token) is None
    service.authenticate(
        session=db_session, email="a@x.org", password="a brand new secret", client_ip="x"
    )


def test_reset_password_signs_the_user_out_everywhere(db_session: Session) -> None:
    user = service.add_user(session=db_session, email="a@x.org", password=PASSWORD, role="member")
    session_token = service.create_session(session=db_session, user_id=user.id).token
    service.reset_password(session=db_session, email="a@x.org", password="set by the admin")
    assert service.resolve_session(session=db_session, token=session_token) is None
    with pytest.raises(AuthenticationError):
        service.authenticate(session=db_session, email="a@x.org", password=PASSWORD, client_ip="x")
