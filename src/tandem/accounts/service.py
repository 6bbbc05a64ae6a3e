"""Users, passwords, sessions and login throttling: the logic behind ``tandem user`` and the web.

Sessions are server-side: the cookie carries a random token, the database keeps only its SHA-256,
so a leaked database does not sign anyone in and revoking a row signs a browser out at once.
Throttling counts failed sign-ins per email (reset by a success) and per client address (not
reset, with a higher limit so one office behind a NAT does not lock itself out).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import secrets

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from tandem.accounts import passwords
from tandem.accounts.errors import AuthenticationError, ThrottledError
from tandem.accounts.models import ROLE_VALUES, LoginAttempt, User, WebSession
from tandem.accounts.schemas import NewSession, SignedIn, UserOut
from tandem.audit import service as audit
from tandem.db.base import utcnow
from tandem.errors import ConflictError, InputError, NotFoundError
from tandem.people.models import Person, Team

SESSION_IDLE = dt.timedelta(hours=12)
SESSION_MAX = dt.timedelta(days=14)
TOUCH_EVERY = dt.timedelta(minutes=5)
THROTTLE_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_IP = 20
ATTEMPTS_KEPT = dt.timedelta(days=1)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
BAD_CREDENTIALS = "the email or the password is wrong"


def normalize_email(email: str) -> str:
    """``email`` trimmed and lower-cased; :class:`InputError` when it is not an email."""
    cleaned = email.strip().lower()
    if not _EMAIL.match(cleaned) or len(cleaned) > 320:
        raise InputError(f"{email!r} is not an email address", field="email")
    return cleaned


def _role(role: str) -> str:
    if role not in ROLE_VALUES:
        raise InputError(f"{role!r} is not one of {', '.join(ROLE_VALUES)}", field="role")
    return role


def _team_id(session: Session, team: str | None) -> int | None:
    if team is None:
        return None
    found = session.scalar(select(Team.id).where(Team.name == team))
    if found is None:
        raise NotFoundError(f"no team named {team!r}")
    return found


def _to_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        email=user.email,
        role=user.role,
        team_id=user.team_id,
        team_name=user.team.name if user.team else None,
        person_id=user.person_id,
        display_name=user.person.display_name if user.person else user.email,
        is_active=user.is_active,
        created_at=user.created_at,
        password_changed_at=user.password_changed_at,
    )


def _find(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise NotFoundError(f"no user {email!r}")
    return user


def has_users(*, session: Session) -> bool:
    """Whether any user exists (the first-run setup is open only while none does)."""
    return session.scalar(select(User.id).limit(1)) is not None


def list_users(*, session: Session) -> list[UserOut]:
    """Every user, by email."""
    return [_to_out(u) for u in session.scalars(select(User).order_by(User.email))]


def get_user(*, session: Session, email: str) -> UserOut:
    """One user by email."""
    return _to_out(_find(session, email))


def add_user(
    *,
    session: Session,
    email: str,
    password: str,
    role: str,
    team: str | None = None,
    actor: str = audit.SYSTEM_ACTOR,
) -> UserOut:
    """Create a user; links the person with the same email when there is one."""
    address = normalize_email(email)
    if session.scalar(select(User.id).where(User.email == address)) is not None:
        raise ConflictError(f"a user {address!r} exists already")
    person = session.scalar(select(Person).where(func.lower(Person.email) == address))
    if person is not None and session.scalar(select(User.id).where(User.person_id == person.id)):
        person = None  # that person already signs in under another address
    names = [address, person.display_name] if person else [address]
    passwords.check_policy(password, field="password", user_inputs=names)
    now = utcnow()
    user = User(
        email=address,
        password_hash=passwords.hash_password(password),
        role=_role(role),
        team_id=_team_id(session, team),
        person_id=person.id if person else None,
        is_active=True,
        created_at=now,
        password_changed_at=now,
    )
    session.add(user)
    session.flush()
    _audit_user(session, actor, "user.add", user, role=user.role, team_id=user.team_id)
    return _to_out(user)


def _audit_user(session: Session, actor: str, action: str, user: User, **detail: object) -> None:
    audit.record(
        session=session,
        actor=actor,
        action=action,
        subject_person_id=user.person_id,
        target=f"user:{user.id}",
        detail={"user_id": user.id, **detail},
    )


def bootstrap_admin(*, session: Session, email: str, password: str) -> UserOut:
    """The first admin, created from the first-run setup page; refused once any user exists."""
    if has_users(session=session):
        raise ConflictError("Tandem is set up already; sign in instead")
    return add_user(session=session, email=email, password=password, role="admin", actor="setup")


def set_role(
    *,
    session: Session,
    email: str,
    role: str,
    team: str | None = None,
    actor: str = audit.SYSTEM_ACTOR,
) -> UserOut:
    """Change a user's role, and their team when ``team`` is given."""
    user = _find(session, email)
    before = {"previous_role": user.role, "previous_team_id": user.team_id}
    user.role = _role(role)
    if team is not None:
        user.team_id = _team_id(session, team)
    session.flush()
    _audit_user(session, actor, "user.role", user, role=user.role, team_id=user.team_id, **before)
    session.refresh(user)
    return _to_out(user)


def _personal(user: User) -> list[str]:
    """What the user's password must not contain: their email and name."""
    return [user.email, user.person.display_name] if user.person else [user.email]


def _set_password(session: Session, user: User, password: str) -> None:
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = utcnow()
    session.flush()


def reset_password(
    *, session: Session, email: str, password: str, actor: str = audit.SYSTEM_ACTOR
) -> UserOut:
    """Set a new password (an admin's reset) and sign the user out everywhere."""
    user = _find(session, email)
    passwords.check_policy(password, field="password", user_inputs=_personal(user))
    _set_password(session, user, password)
    _audit_user(session, actor, "user.reset", user)
    revoke_user_sessions(session=session, user_id=user.id)
    return _to_out(user)


def change_password(
    *,
    session: Session,
    user_id: int,
    current_password: str,
    new_password: str,
    keep_session_id: int | None = None,
) -> UserOut:
    """The user's own change: needs the current password; other sessions are signed out."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"no user {user_id}")
    if not passwords.verify_password(user.password_hash, current_password):
        raise InputError("the current password is wrong", field="current_password")
    passwords.check_policy(new_password, field="new_password", user_inputs=_personal(user))
    if new_password == current_password:
        raise InputError("the new password is the current one", field="new_password")
    _set_password(session, user, new_password)
    revoke_user_sessions(session=session, user_id=user.id, except_session_id=keep_session_id)
    return _to_out(user)


# -- sign-in and throttling ----------------------------------------------------------------------


def _retry_after(failures: list[dt.datetime], limit: int, now: dt.datetime) -> int | None:
    if len(failures) < limit:
        return None
    # The lock lifts when the limit-th most recent failure leaves the window.
    lifted_at = sorted(failures, reverse=True)[limit - 1] + THROTTLE_WINDOW
    return max(1, math.ceil((lifted_at - now).total_seconds()))


def check_throttle(
    *, session: Session, email: str, client_ip: str, now: dt.datetime | None = None
) -> None:
    """Raise :class:`ThrottledError` when this email or address failed too often lately."""
    now = now or utcnow()
    since = now - THROTTLE_WINDOW
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.email == email, LoginAttempt.succeeded.is_(True)
        )
    )
    email_since = max(since, last_success) if last_success else since
    by_email = list(
        session.scalars(
            select(LoginAttempt.at).where(
                LoginAttempt.email == email,
                LoginAttempt.succeeded.is_(False),
                LoginAttempt.at > email_since,
                LoginAttempt.at <= now,
            )
        )
    )
    by_ip = list(
        session.scalars(
            select(LoginAttempt.at).where(
                LoginAttempt.client_ip == client_ip,
                LoginAttempt.succeeded.is_(False),
                LoginAttempt.at > since,
                LoginAttempt.at <= now,
            )
        )
    )
    waits = [
        w
        for w in (
            _retry_after(by_email, MAX_FAILURES_PER_EMAIL, now),
            _retry_after(by_ip, MAX_FAILURES_PER_IP, now),
        )
        if w is not None
    ]
    if waits:
        wait = max(waits)
        raise ThrottledError(
            f"too many failed sign-ins; try again in {math.ceil(wait / 60)} minute(s)",
            retry_after=wait,
        )


def _lock_attempts(
    session: Session, email: str, client_ip: str, now: dt.datetime | None
) -> dt.datetime:
    """Serialize sign-ins of ``email`` and ``client_ip`` until this transaction ends; the time.

    Checking the throttle and recording the attempt must be one step, or parallel tries all
    pass the check before any failure is counted. PostgreSQL: transaction-level advisory locks
    on the email and the address (always in that order, so two sign-ins never deadlock). SQLite:
    the first write of a transaction (the clean-up below) takes the database's write lock, held
    until commit. The time (unless given) is read once the lock is held: attempts are recorded
    in lock order.
    """
    if session.get_bind().dialect.name == "postgresql":
        for key in (f"sign-in email {email}", f"sign-in address {client_ip}"):
            session.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key}
            )
    cutoff = (now or utcnow()) - ATTEMPTS_KEPT
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < cutoff))
    return now or utcnow()  # read once the lock is held


def _record_attempt(
    session: Session, email: str, client_ip: str, succeeded: bool, now: dt.datetime
) -> None:
    session.add(LoginAttempt(email=email, client_ip=client_ip, at=now, succeeded=succeeded))
    session.flush()


def authenticate(
    *,
    session: Session,
    email: str,
    password: str,
    client_ip: str,
    now: dt.datetime | None = None,
) -> UserOut:
    """The active user with this email and password; counts the attempt for throttling.

    Parallel tries for one email (or from one address) are serialized, so no more than the
    allowed guesses are checked per window however many arrive at once.
    """
    try:
        address = normalize_email(email)
    except InputError:
        address = email.strip().lower()[:320]
    now = _lock_attempts(session, address, client_ip, now)
    check_throttle(session=session, email=address, client_ip=client_ip, now=now)
    user = session.scalar(select(User).where(User.email == address))
    if user is None:
        passwords.verify_password(passwords.dummy_hash(), password)
        ok = False
    else:
        ok = passwords.verify_password(user.password_hash, password) and user.is_active
    _record_attempt(session, address, client_ip, ok, now)
    if not ok or user is None:
        raise AuthenticationError(BAD_CREDENTIALS)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
        session.flush()
    return _to_out(user)


# -- sessions ------------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    """The SHA-256 (hex) under which a session token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_session(*, session: Session, user_id: int, now: dt.datetime | None = None) -> NewSession:
    """A new session for the user; the returned token is shown once, for the cookie."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    row = WebSession(
        token_hash=token_hash(token),
        user_id=user_id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=min(now + SESSION_IDLE, now + SESSION_MAX),
    )
    session.add(row)
    session.flush()
    return NewSession(id=row.id, token=token, csrf_token=row.csrf_token, expires_at=row.expires_at)


def resolve_session(
    *, session: Session, token: str, now: dt.datetime | None = None
) -> SignedIn | None:
    """The signed-in user behind ``token``, or ``None`` when unknown, expired or inactive.

    Each use slides the idle expiry (written at most every few minutes), never past the
    session's maximum age.
    """
    now = now or utcnow()
    row = session.scalar(select(WebSession).where(WebSession.token_hash == token_hash(token)))
    if row is None:
        return None
    if row.expires_at <= now or not row.user.is_active:
        session.delete(row)
        session.flush()
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        row.expires_at = min(now + SESSION_IDLE, row.created_at + SESSION_MAX)
        session.flush()
    return SignedIn(
        user=_to_out(row.user),
        session_id=row.id,
        csrf_token=row.csrf_token,
        expires_at=row.expires_at,
    )


def revoke_session(*, session: Session, token: str) -> bool:
    """Delete the session behind ``token``; whether there was one."""
    result = session.execute(delete(WebSession).where(WebSession.token_hash == token_hash(token)))
    return bool(getattr(result, "rowcount", 0))


def revoke_user_sessions(
    *, session: Session, user_id: int, except_session_id: int | None = None
) -> None:
    """Sign a user out everywhere (but the session ``except_session_id``)."""
    query = delete(WebSession).where(WebSession.user_id == user_id)
    if except_session_id is not None:
        query = query.where(WebSession.id != except_session_id)
    session.execute(query)
    session.expire_all()
