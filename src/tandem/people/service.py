"""People and identities: sync what sources saw, group obvious duplicates, merge and link by hand.

The lake's ``identities`` table holds what sources saw (git emails after ``.mailmap``, event-log
resources); ``tandem.ingest.service`` reads it and hands the rows to :func:`sync_identities`,
which copies new ones into the app database and groups them into
people automatically when the duplicate is obvious — the same email — creating one person per
group. Everything else is a human decision: :func:`merge_people` and :func:`link_identity`.
Manual links are marked and never undone by a later sync.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from tandem.accounts.models import User
from tandem.audit import service as audit
from tandem.errors import ConflictError, InputError, NotFoundError
from tandem.ids import as_id
from tandem.people.models import Identity, Membership, Person, Team
from tandem.people.schemas import IdentityOut, IdentitySeen, PersonOut, SyncReport, TeamOut

EMAIL_PREFIX = "email:"
FORGOTTEN_PREFIX = "forgotten:"
# GitHub's private commit emails exist in two spellings for one account:
# "12345+login@users.noreply.github.com" and the older "login@users.noreply.github.com".
_GITHUB_NOREPLY = re.compile(r"^(?:\d+\+)?([^@]+)@users\.noreply\.github\.com$")


def forgotten_key(identity_key: str) -> str:
    """The tombstone an identity key becomes when its person is forgotten (a SHA-256)."""
    return FORGOTTEN_PREFIX + hashlib.sha256(identity_key.encode("utf-8")).hexdigest()


def identity_email(identity_key: str) -> str | None:
    """The email inside an ``email:`` identity key, else ``None``."""
    return identity_key[len(EMAIL_PREFIX) :] if identity_key.startswith(EMAIL_PREFIX) else None


def grouping_email(email: str) -> str:
    """The form of ``email`` under which obvious duplicates coincide."""
    email = email.lower()
    github = _GITHUB_NOREPLY.match(email)
    return f"{github.group(1)}@users.noreply.github.com" if github else email


def sync_identities(*, session: Session, identities: Sequence[IdentitySeen]) -> SyncReport:
    """Copy new identities into the app database, grouping same-email ones into people."""
    known = set(session.scalars(select(Identity.identity_key)))
    people_by_email = {
        grouping_email(p.email): p
        for p in session.scalars(select(Person).where(Person.email.is_not(None)))
        if p.email
    }
    added = people_added = auto_linked = 0
    for seen in identities:
        key, display_name, is_bot = seen.identity_key, seen.display_name, seen.is_bot
        if key in known or forgotten_key(key) in known:  # a forgotten person stays forgotten
            continue
        identity = Identity(
            identity_key=key,
            source=seen.source,
            kind=seen.kind,
            display_name=display_name,
            is_bot=is_bot,
        )
        email = identity_email(key)
        person = people_by_email.get(grouping_email(email)) if email else None
        if person is None:
            person = Person(display_name=display_name or key, email=email, is_bot=bool(is_bot))
            session.add(person)
            people_added += 1
            if email:
                people_by_email[grouping_email(email)] = person
        else:
            auto_linked += 1
        identity.person = person
        session.add(identity)
        added += 1
    session.flush()
    return SyncReport(
        identities_seen=len(identities),
        identities_added=added,
        people_added=people_added,
        auto_linked=auto_linked,
    )


def _person_out(person: Person) -> PersonOut:
    return PersonOut(
        id=person.id,
        display_name=person.display_name,
        email=person.email,
        is_bot=person.is_bot,
        identities=[
            IdentityOut(
                identity_key=i.identity_key,
                source=i.source,
                kind=i.kind,
                display_name=i.display_name,
                is_bot=i.is_bot,
                linked_by=i.linked_by,
            )
            for i in person.identities
        ],
        teams={m.team.name: m.role for m in person.memberships},
    )


def list_people(*, session: Session, include_bots: bool = True) -> list[PersonOut]:
    """Every person with their identities, by name (stand-ins are nobody: not listed)."""
    query = (
        select(Person)
        .options(
            selectinload(Person.identities),
            selectinload(Person.memberships).selectinload(Membership.team),
        )
        .where(Person.stand_in.is_(False))
        .order_by(Person.display_name, Person.id)
    )
    if not include_bots:
        query = query.where(Person.is_bot.is_(False))
    return [_person_out(p) for p in session.scalars(query)]


def find_person(*, session: Session, ref: str) -> Person:
    """A person by id, email or one of their identity keys (never a stand-in)."""
    person: Person | None = None
    found_id = as_id(ref)
    if found_id is not None:
        person = session.get(Person, found_id)
        person = None if person is not None and person.stand_in else person  # nobody to name
    if person is None:
        person = session.scalar(select(Person).where(Person.email == ref.lower()))
    if person is None:
        identity = session.scalar(
            select(Identity).where(Identity.identity_key.in_([ref, EMAIL_PREFIX + ref.lower()]))
        )
        person = identity.person if identity is not None else None
    if person is None:
        raise NotFoundError(f"no person matches {ref!r} (give an id, an email or an identity key)")
    return person


def show_person(*, session: Session, ref: str) -> PersonOut:
    """One person with identities and teams."""
    return _person_out(find_person(session=session, ref=ref))


def merge_people(
    *, session: Session, into: str, others: Sequence[str], actor: str = audit.SYSTEM_ACTOR
) -> PersonOut:
    """Move everything of ``others`` to ``into`` and delete ``others``; closed results unchanged.

    Identities, teams, line management, the account (when ``into`` has none) and every review
    cycle row move (:func:`tandem.people.cycle_rows.move_rows`: where both appear in an open
    cycle, ``into``'s rows win). Refused with :class:`ConflictError`, nothing changed, when two
    of the people appear in the same **closed** cycle: they were two people there, and joining
    them would change that cycle's frozen results.
    """
    from tandem.people import cycle_rows  # its models import this module

    target = find_person(session=session, ref=into)
    merging: dict[int, Person] = {}
    for ref in others:
        other = find_person(session=session, ref=ref)
        if other.id == target.id:
            raise InputError(f"cannot merge {ref!r} into itself")
        merging.setdefault(other.id, other)
    _refuse_closed_overlap(session, [target, *merging.values()])
    moved = cycle_rows.Moved()
    for other in merging.values():
        for identity in list(other.identities):
            identity.person = target
            identity.linked_by = "manual"
        team_ids = {m.team_id for m in target.memberships}
        for membership in list(other.memberships):
            if membership.team_id not in team_ids:
                target.memberships.append(
                    Membership(team_id=membership.team_id, role=membership.role)
                )
        if target.email is None and other.email is not None:
            email, other.email = other.email, None
            session.flush()
            target.email = email
        target.is_bot = target.is_bot and other.is_bot
        _move_line_management(other, target)
        _move_account(session, other, target)
        moved += cycle_rows.move_rows(session=session, source=other.id, target=target.id)
        session.flush()
        session.expire(other)
        session.delete(other)
        session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="people.merge",
        subject_person_id=target.id,
        detail={
            "merged_person_ids": list(merging),
            "cycle_rows_moved": moved.moved,
            "cycle_rows_dropped": moved.dropped,
        },
    )
    session.refresh(target)
    return _person_out(target)


def _refuse_closed_overlap(session: Session, people: Sequence[Person]) -> None:
    """:class:`ConflictError` when two of ``people`` appear in one closed review cycle."""
    from tandem.people import cycle_rows  # its models import this module

    seen: dict[int, list[Person]] = {}
    for person in people:
        for cycle_id in cycle_rows.cycles_of(session=session, person_id=person.id):
            seen.setdefault(cycle_id, []).append(person)
    closed = cycle_rows.closed_cycles(
        session=session, cycle_ids=[c for c, found in seen.items() if len(found) > 1]
    )
    if not closed:
        return
    clashing = sorted({p.id: p for c in closed for p in seen[c]}.values(), key=lambda p: p.id)
    who = " and ".join(f"{p.display_name} (id {p.id})" for p in clashing)
    cycles = ", ".join(repr(name) for name in sorted(closed.values()))
    raise ConflictError(
        f"{who} {'both' if len(clashing) == 2 else 'all'} appear in closed review "
        f"cycle{'s' if len(closed) > 1 else ''} {cycles} as different people; merging them "
        "would change that cycle's frozen results, so nothing was merged "
        "(`tandem people link` moves an identity without merging)"
    )


def _move_account(session: Session, other: Person, target: Person) -> None:
    """``other``'s web account follows them, unless ``target`` has one (then it is unlinked)."""
    if session.scalar(select(User.id).where(User.person_id == target.id)) is not None:
        return
    for user in session.scalars(select(User).where(User.person_id == other.id)):
        user.person_id = target.id
    session.flush()


def _move_line_management(other: Person, target: Person) -> None:
    """``other``'s reports now report to ``target``; ``target`` inherits a missing manager."""
    for report in list(other.reports):
        report.manager = None if report.id == target.id else target
    if target.manager_id == other.id:
        target.manager = None
    if target.manager is None and not _manages_above(target, other.manager):
        target.manager = other.manager


def _manages_above(person: Person, manager: Person | None) -> bool:
    """Whether ``person`` is ``manager`` or above them (so they cannot report to them)."""
    seen: set[int] = set()
    while manager is not None and manager.id not in seen:
        if manager.id == person.id:
            return True
        seen.add(manager.id)
        manager = manager.manager
    return False


def link_identity(
    *, session: Session, identity_key: str, person: str, actor: str = audit.SYSTEM_ACTOR
) -> PersonOut:
    """Attach an identity to a person by hand (it stays there across later syncs).

    The person it leaves is deleted when nothing is left of them: no identity, team, account
    or review cycle row (a closed cycle's rows are never deleted this way).
    """
    identity = session.scalar(
        select(Identity).where(
            Identity.identity_key.in_([identity_key, EMAIL_PREFIX + identity_key.lower()])
        )
    )
    if identity is None:
        raise NotFoundError(f"no identity {identity_key!r}; see `tandem people list`")
    target = find_person(session=session, ref=person)
    previous = identity.person
    identity.person = target
    identity.linked_by = "manual"
    session.flush()
    if previous is not None and previous.id != target.id:
        session.refresh(previous)
        if (
            not previous.identities
            and not previous.memberships
            and not _holds_more(session, previous)
        ):
            session.delete(previous)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="people.link",
        subject_person_id=target.id,
        related_person_id=previous.id if previous is not None else None,
        target=f"identity:{identity.id}",
        detail={"identity_id": identity.id},
    )
    session.refresh(target)
    return _person_out(target)


def _holds_more(session: Session, person: Person) -> bool:
    """Whether a person holds review cycle rows or an account (kept when left identity-less)."""
    from tandem.people import cycle_rows  # its models import this module

    if session.scalar(select(User.id).where(User.person_id == person.id)) is not None:
        return True
    return cycle_rows.holds_cycle_rows(session=session, person_id=person.id)


def stand_ins(*, session: Session, ids: Iterable[int]) -> set[int]:
    """Those of ``ids`` that are stand-ins for forgotten people (nobody to list, pair or show)."""
    wanted = set(ids)
    if not wanted:
        return set()
    return set(
        session.scalars(select(Person.id).where(Person.id.in_(wanted), Person.stand_in.is_(True)))
    )


def get_person(*, session: Session, person_id: int) -> Person:
    """The person with id ``person_id`` (:class:`NotFoundError` if none, or a stand-in)."""
    person = session.get(Person, person_id)
    if person is None or person.stand_in:
        raise NotFoundError(f"there is no person {person_id}")
    return person


def list_teams(*, session: Session) -> list[TeamOut]:
    """Every team with its member count, by name."""
    rows = session.execute(
        select(Team.id, Team.name, func.count(Membership.id))
        .outerjoin(Membership, Membership.team_id == Team.id)
        .group_by(Team.id, Team.name)
        .order_by(Team.name)
    )
    return [TeamOut(id=i, name=n, members=m) for i, n, m in rows]


def get_team(*, session: Session, team_id: int) -> TeamOut:
    """The team with id ``team_id`` and its member count (:class:`NotFoundError` if none)."""
    team = session.get(Team, team_id)
    if team is None:
        raise NotFoundError(f"there is no team {team_id}")
    members = session.scalar(select(func.count(Membership.id)).where(Membership.team_id == team.id))
    return TeamOut(id=team.id, name=team.name, members=int(members or 0))


def team_people_in_work_data(*, session: Session, team_id: int) -> int:
    """How many people of the team have at least one identity in the work data."""
    count = session.scalar(
        select(func.count(func.distinct(Identity.person_id)))
        .join(Membership, Membership.person_id == Identity.person_id)
        .where(Membership.team_id == team_id)
    )
    return int(count or 0)


def team_identity_keys(*, session: Session, teams: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Each team's members' identity keys (the resources their work data carries).

    This is how surfaces hand the people side to the engines: a small mapping, so work data
    never queries the app database. An unknown team is an error.
    """
    found: dict[str, tuple[str, ...]] = {}
    for name in teams:
        team = session.scalar(select(Team).where(Team.name == name))
        if team is None:
            raise NotFoundError(f"no team named {name!r}")
        keys = session.scalars(
            select(Identity.identity_key)
            .join(Membership, Membership.person_id == Identity.person_id)
            .where(Membership.team_id == team.id)
            .order_by(Identity.identity_key)
        )
        found[name] = tuple(keys)
    return found


def team_identity_people(*, session: Session, teams: Sequence[str]) -> dict[str, str]:
    """Identity key → person (id, as text) for the members of ``teams``: how the flow service
    counts the distinct people behind a team answer (one person may have several identities).
    Unknown teams are ignored here (:func:`team_identity_keys` reports them)."""
    rows = session.execute(
        select(Identity.identity_key, Identity.person_id)
        .join(Membership, Membership.person_id == Identity.person_id)
        .join(Team, Team.id == Membership.team_id)
        .where(Team.name.in_(list(teams)))
    )
    return {key: str(person) for key, person in rows if person is not None}


def resource_teams(*, session: Session) -> dict[str, str]:
    """Identity key → team name for every identity whose person is in a team.

    A person in several teams maps to their team names joined by `` + `` (sorted), so a
    handoff between two such people is still told apart from a handoff inside one team.
    """
    rows = session.execute(
        select(Identity.identity_key, Team.name)
        .join(Membership, Membership.person_id == Identity.person_id)
        .join(Team, Team.id == Membership.team_id)
    )
    teams: dict[str, set[str]] = {}
    for key, team in rows:
        teams.setdefault(key, set()).add(team)
    return {key: " + ".join(sorted(names)) for key, names in sorted(teams.items())}
