"""The roster import: people, teams, roles and line managers from one CSV file, all or nothing.

The file has the columns ``name, email, team, role, manager`` (``role`` ∈ leader|manager|member;
``manager`` is the manager's email or empty). People are matched by email, case-insensitively;
a manager may be named before or after their reports, or already be in the database. The whole
file is checked first and every bad row is reported with its line number; when any row is bad,
nothing is imported. The roster is the truth for the people it lists: their name, their team and
role, and their manager are set to what the file says.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tandem.csvfile import BadRowsError, CsvRow, read_csv
from tandem.people.models import Membership, Person, Role, Team
from tandem.people.schemas import RosterReport

ROSTER_COLUMNS = ("name", "email", "team", "role", "manager")
ROLES: tuple[str, ...] = tuple(r.value for r in Role)
_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]+$")


def is_email(value: str) -> bool:
    """Whether ``value`` looks like one email address (``local@domain.tld``, no spaces)."""
    return bool(_EMAIL.match(value))


# -- the roster -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    line: int
    name: str
    email: str
    team: str
    role: str
    manager: str


def import_roster(*, session: Session, path: Path) -> RosterReport:
    """Create or update people, teams, memberships and managers from a roster CSV; all or none."""
    rows, problems = read_csv(path, columns=ROSTER_COLUMNS)
    known = _people_by_email(session)
    entries = _check_rows(rows, known, problems)
    _check_manager_cycles(entries, _manager_graph(session), problems)
    if problems:
        raise BadRowsError(path, problems)
    return _apply(session, entries, known)


def _people_by_email(session: Session) -> dict[str, list[Person]]:
    people: dict[str, list[Person]] = {}
    query = (
        select(Person)
        .where(Person.email.is_not(None))
        .options(selectinload(Person.memberships).selectinload(Membership.team))
        .order_by(Person.id)
    )
    for person in session.scalars(query):
        assert person.email is not None
        people.setdefault(person.email.lower(), []).append(person)
    return people


def _check_rows(
    rows: Iterable[CsvRow], known: dict[str, list[Person]], problems: list[tuple[int, str]]
) -> list[_Entry]:
    entries: list[_Entry] = []
    first_line: dict[str, int] = {}
    for row in rows:
        v = row.values
        entry = _Entry(
            row.line,
            v["name"],
            v["email"].lower(),
            v["team"],
            v["role"].lower(),
            v["manager"].lower(),
        )
        bad = len(problems)
        if not entry.name:
            problems.append((row.line, "name is empty"))
        if not entry.email:
            problems.append((row.line, "email is empty (people are matched by email)"))
        elif not is_email(entry.email):
            problems.append((row.line, f"email {v['email']!r} is not an email address"))
        elif entry.email in first_line:
            problems.append(
                (row.line, f"email {entry.email} is already on line {first_line[entry.email]}")
            )
        elif len(known.get(entry.email, [])) > 1:
            ids = ", ".join(str(p.id) for p in known[entry.email])
            problems.append(
                (
                    row.line,
                    f"email {entry.email} matches several people ({ids}); "
                    "merge them first (`tandem people merge`)",
                )
            )
        if entry.team and entry.role not in ROLES:
            problems.append((row.line, f"role {v['role']!r} is not one of {', '.join(ROLES)}"))
        elif not entry.team and entry.role:
            problems.append((row.line, f"role {v['role']!r} given without a team"))
        if entry.manager and not is_email(entry.manager):
            problems.append((row.line, f"manager {v['manager']!r} is not an email address"))
        elif entry.manager and entry.manager == entry.email:
            problems.append((row.line, "a person cannot be their own manager"))
        if entry.email and entry.email not in first_line:
            first_line[entry.email] = row.line
        if len(problems) == bad:
            entries.append(entry)
    in_file = set(first_line)
    for entry in entries:
        if entry.manager and entry.manager not in in_file and entry.manager not in known:
            problems.append(
                (
                    entry.line,
                    f"unknown manager {entry.manager} (not in this file nor in the database)",
                )
            )
    return entries


def _manager_graph(session: Session) -> dict[str, str]:
    """Who manages whom in the database, each person keyed by email (lower case) or ``#id``."""
    people = session.execute(select(Person.id, Person.email, Person.manager_id)).all()
    key = {pid: email.lower() if email else f"#{pid}" for pid, email, _ in people}
    return {key[pid]: key[boss] for pid, _, boss in people if boss is not None and boss in key}


def _check_manager_cycles(
    entries: Sequence[_Entry], graph: dict[str, str], problems: list[tuple[int, str]]
) -> None:
    """Report every row whose person would sit on a loop of managers after the import."""
    boss = dict(graph)
    for entry in entries:
        if entry.manager:
            boss[entry.email] = entry.manager
        else:
            boss.pop(entry.email, None)
    for entry in entries:
        chain: list[str] = []
        node: str | None = entry.email
        while node is not None and node not in chain:
            chain.append(node)
            node = boss.get(node)
        if node == entry.email:
            loop = " → ".join([*chain, entry.email])
            problems.append((entry.line, f"managers form a loop: {loop}"))


def _apply(
    session: Session, entries: Sequence[_Entry], known: dict[str, list[Person]]
) -> RosterReport:
    teams = {t.name: t for t in session.scalars(select(Team))}
    teams_created = created = updated = memberships_removed = 0
    people: dict[str, Person] = {}
    changed: set[str] = set()
    for entry in entries:
        person = known[entry.email][0] if entry.email in known else None
        if person is None:
            person = Person(display_name=entry.name, email=entry.email, is_bot=False)
            session.add(person)
            created += 1
        elif person.display_name != entry.name:
            person.display_name = entry.name
            changed.add(entry.email)
        people[entry.email] = person
        if entry.team and entry.team not in teams:
            teams[entry.team] = Team(name=entry.team)
            session.add(teams[entry.team])
            teams_created += 1
    session.flush()
    for entry in entries:
        person = people[entry.email]
        if _set_membership(person, teams.get(entry.team), entry.role):
            changed.add(entry.email)
        dropped = _drop_other_memberships(person, entry.team)
        if dropped:
            memberships_removed += dropped
            changed.add(entry.email)
        manager = people.get(entry.manager) or (known[entry.manager][0] if entry.manager else None)
        manager_id = manager.id if manager is not None else None
        if person.manager_id != manager_id:
            person.manager_id = manager_id
            changed.add(entry.email)
    session.flush()
    new = {e.email for e in entries if e.email not in known}
    updated = len(changed - new)
    return RosterReport(
        rows=len(entries),
        people_created=created,
        people_updated=updated,
        people_unchanged=len(entries) - created - updated,
        teams_created=teams_created,
        memberships_removed=memberships_removed,
    )


def _set_membership(person: Person, team: Team | None, role: str) -> bool:
    if team is None:
        return False
    for membership in person.memberships:
        if membership.team_id == team.id:
            if membership.role == role:
                return False
            membership.role = role
            return True
    person.memberships.append(Membership(team=team, role=role))
    return True


def _drop_other_memberships(person: Person, team: str) -> int:
    stale = [m for m in person.memberships if m.team.name != team]
    for membership in stale:
        person.memberships.remove(membership)
    return len(stale)
