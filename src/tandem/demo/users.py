"""The demo's sign-ins: one web account per role, with DEMO-ONLY passwords printed by `tandem demo`.

The passwords below are public (they are in this file and on the screen): they exist so that
someone trying the demo can sign in at once. Never reuse them, and never give a workspace holding
real data these accounts.

Each account signs in as a person of the SYNTHETIC organisation (:mod:`tandem.demo.org`), linked
by email: the director is the person heading the organisation; the leader, the manager and the
member all belong to the team ``Beacon`` (its leader, its manager and one of its members), so
their panels show the same team from three sides. The admin is an account, not a person.

Running it again creates only the accounts that are missing and leaves the others as they are;
an account whose password was changed since is reported without its demo password.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.accounts import passwords
from tandem.accounts import service as accounts_service
from tandem.accounts.models import User
from tandem.db.session import session_scope
from tandem.demo.org import DEMO_DOMAIN, DemoPerson, demo_people, demo_synthetic_org
from tandem.workspace import Workspace

DEMO_TEAM = "Beacon"
DEMO_ROLES = ("admin", "director", "leader", "manager", "member")
DEMO_PASSWORD_NOTE = (
    "DEMO-ONLY passwords, published with Tandem: never reuse them or keep these accounts "
    "in a workspace with real data"
)


# The admin signs in as admin@…: the password policy refuses a password containing "admin".
_DEMO_WORDS = {"admin": "keyholder"}


def demo_password(role: str) -> str:
    """The published, DEMO-ONLY password of the demo account with ``role``."""
    return f"demo-{_DEMO_WORDS.get(role, role)}-password"


@dataclass(frozen=True)
class DemoSignIn:
    """One demo account: how to sign in, what it can see, and whether this run created it.

    ``password`` is ``None`` when the account's password is no longer the demo one.
    """

    role: str
    email: str
    password: str | None
    team: str | None
    person: str | None  # the display name of the linked (synthetic) person
    created: bool

    def to_dict(self) -> dict[str, Any]:
        """The sign-in as plain JSON-ready data."""
        return asdict(self)


@dataclass(frozen=True)
class _Planned:
    role: str
    email: str
    team: str | None


def planned_accounts(people: tuple[DemoPerson, ...] | None = None) -> tuple[_Planned, ...]:
    """The demo accounts by role: emails of the synthetic people they sign in as."""
    people = people or demo_people(demo_synthetic_org())
    head = next(p for p in people if p.manager_email is None)

    def in_team(role: str) -> DemoPerson:
        return next(p for p in people if p.team == DEMO_TEAM and p.role == role)

    return (
        _Planned("admin", f"admin@{DEMO_DOMAIN}", None),
        _Planned("director", head.email, None),
        _Planned("leader", in_team("leader").email, DEMO_TEAM),
        _Planned("manager", in_team("manager").email, DEMO_TEAM),
        _Planned("member", in_team("member").email, DEMO_TEAM),
    )


def write_demo_users(*, session: Session) -> list[DemoSignIn]:
    """Create the missing demo accounts in ``session`` (flushes, no commit); one per role."""
    sign_ins = []
    for plan in planned_accounts():
        existing = session.scalar(select(User).where(User.email == plan.email))
        created = existing is None
        if existing is None:
            accounts_service.add_user(
                session=session,
                email=plan.email,
                password=demo_password(plan.role),
                role=plan.role,
                team=plan.team,
            )
            existing = session.scalar(select(User).where(User.email == plan.email))
            assert existing is not None
        still_demo = created or passwords.verify_password(
            existing.password_hash, demo_password(plan.role)
        )
        sign_ins.append(
            DemoSignIn(
                role=existing.role,
                email=existing.email,
                password=demo_password(plan.role) if still_demo else None,
                team=existing.team.name if existing.team else None,
                person=existing.person.display_name if existing.person else None,
                created=created,
            )
        )
    return sign_ins


def build_demo_users(*, workspace: Workspace) -> dict[str, Any]:
    """Add the demo sign-ins to ``workspace`` in one transaction; idempotent."""
    with session_scope(workspace.engine) as session:
        sign_ins = write_demo_users(session=session)
    return {"note": DEMO_PASSWORD_NOTE, "accounts": [s.to_dict() for s in sign_ins]}
