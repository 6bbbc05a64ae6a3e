"""Duos from the database: suggest pairs for a cycle, confirm one, list the confirmed ones.

The only way a surface (CLI, web) gets duo suggestions. It scores the cycle once
(:func:`tandem.profile.service.cycle_scores`), builds a :class:`~tandem.duos.matching.Candidate`
per ratee from OTHERS' scores (:meth:`Candidate.from_profile`: self ratings never reach
pairing) and runs :func:`~tandem.duos.matching.suggest_duos`. Explanations name people.

Suggestions are recommendations and are **not stored**: they are a deterministic function of the
cycle's answers, so storing them would only add rows that go stale. A human confirms a pair
(:func:`confirm`), which stores it with its score and explanation recomputed at that moment, the
tie-breaker, a review date (90 days on by default), when and by whom. A person is in at most one
confirmed duo per cycle; people already confirmed are left out of later suggestions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tandem.csvfile import BadRowsError, read_csv
from tandem.db.base import utcnow
from tandem.duos import explain
from tandem.duos.matching import (
    ORIENTATION_BONUS,
    Candidate,
    Coverage,
    Gate,
    coverage,
    gate,
    orientation_bonus,
    suggest_duos,
)
from tandem.duos.models import Duo
from tandem.duos.schemas import (
    CoverageOut,
    DuoListOut,
    DuoOut,
    DuoPerson,
    PairOut,
    PracticeCoverOut,
    SuggestionsOut,
    UnpairedOut,
)
from tandem.errors import ConflictError, InputError, NotFoundError
from tandem.people import service as people_service
from tandem.people.lookup import PersonLookup
from tandem.people.models import Membership, Person, Team
from tandem.profile import service as profile_service
from tandem.review import service as review_service
from tandem.review.models import ReviewCycle

REVIEW_AFTER_DAYS = 90
COMPAT_COLUMNS = ("person", "answer")


# -- opt-in compatibility answers ------------------------------------------------------------------


def read_compat(*, session: Session, path: Path) -> dict[int, frozenset[str]]:
    """Opt-in goals/values answers from a CSV (``person, answer``; one row per answer).

    A person listed at least once has opted in; answers are compared case-insensitively. Every
    bad row is reported with its line number and nothing is used.
    """
    rows, problems = read_csv(path, columns=COMPAT_COLUMNS)
    lookup = PersonLookup.load(session)
    answers: dict[int, set[str]] = {}
    for row in rows:
        person = lookup.resolve(row.values["person"])
        answer = " ".join(row.values["answer"].split()).lower()
        if isinstance(person, str):
            problems.append((row.line, f"person {person}"))
        if not answer:
            problems.append((row.line, "answer is empty"))
        if isinstance(person, int) and answer:
            answers.setdefault(person, set()).add(answer)
    if problems:
        raise BadRowsError(path, problems)
    return {person: frozenset(values) for person, values in answers.items()}


# -- suggestions -----------------------------------------------------------------------------------


def suggest(
    *,
    session: Session,
    cycle: str,
    teams: Sequence[str] = (),
    bonus: float = ORIENTATION_BONUS,
    compat: Mapping[int, Iterable[str]] | None = None,
) -> SuggestionsOut:
    """Suggest complementary pairs among a cycle's ratees (or the members of ``teams``).

    Every candidate ends in exactly one pair or in ``unpaired`` with a reason. Nothing is stored.
    """
    found = review_service.get_cycle(session=session, name=cycle)
    scores = profile_service.cycle_scores(session=session, cycle=found)
    compat = compat or {}
    unpaired: list[tuple[int, str]] = []
    pool = list(scores.ratees)
    if teams:
        members = _team_members(session, teams)
        unpaired += [
            (p, f"not rated in review cycle {found.name!r}") for p in sorted(members - set(pool))
        ]
        pool = [p for p in pool if p in members]
    confirmed = _confirmed_partners(session, found)
    names = _names(session, [*pool, *confirmed.values()])
    unpaired += [
        (p, f"already in a confirmed duo with {names[confirmed[p]]} in this cycle")
        for p in pool
        if p in confirmed
    ]
    candidates = [
        Candidate.from_profile(p, scores.scores(p), compat=compat.get(p))
        for p in pool
        if p not in confirmed
    ]
    result = suggest_duos(candidates, bonus=bonus)
    unpaired += [(u.person, u.reason) for u in result.unpaired]
    leaning = {c.person: c.leaning for c in candidates}
    names |= _names(session, [p for p, _ in unpaired if p not in names])
    pairs = [
        PairOut(
            a=_person(pair.a, names, leaning),
            b=_person(pair.b, names, leaning),
            score=pair.score,
            coverage=_coverage_out(pair.coverage),
            bonus=pair.bonus,
            gate=_gate_label(pair.gate),
            explanation=explain.explain_pair(
                pair.coverage,
                pair.bonus,
                pair.gate,
                leanings=(leaning[pair.a], leaning[pair.b]),
                names=names,
            ),
        )
        for pair in result.pairs
    ]
    notes = [
        "recommendations only, nothing stored: a human confirms a pair with "
        "`tandem duos confirm A B --tie-breaker X --cycle NAME`",
        "scores are others' ratings (manager, peers, reports); self ratings are never used",
    ]
    if not compat:
        notes.append("no compatibility answers given: the opt-in gate is not applied")
    return SuggestionsOut(
        cycle=found.name,
        teams=list(dict.fromkeys(teams)),
        pairs=pairs,
        unpaired=[
            UnpairedOut(person=_person(p, names, leaning), reason=reason)
            for p, reason in sorted(unpaired)
        ],
        total_score=result.total_score,
        settings=dict(result.settings),
        notes=notes,
    )


def _team_members(session: Session, teams: Sequence[str]) -> set[int]:
    found = {t.name: t.id for t in session.scalars(select(Team).where(Team.name.in_(teams)))}
    missing = [t for t in dict.fromkeys(teams) if t not in found]
    if missing:
        raise NotFoundError(f"no team {', '.join(map(repr, missing))}")
    return set(
        session.scalars(select(Membership.person_id).where(Membership.team_id.in_(found.values())))
    )


def _confirmed_partners(session: Session, cycle: ReviewCycle) -> dict[int, int]:
    """Person id → partner id for every confirmed duo of the cycle."""
    partners: dict[int, int] = {}
    for a, b in session.execute(
        select(Duo.person_a_id, Duo.person_b_id).where(
            Duo.cycle_id == cycle.id, Duo.confirmed_at.is_not(None)
        )
    ):
        partners[a], partners[b] = b, a
    return partners


def _names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.execute(select(Person.id, Person.display_name).where(Person.id.in_(wanted)))
    return {int(pid): str(name) for pid, name in rows}


def _person(pid: int, names: Mapping[int, str], leaning: Mapping[int, str | None]) -> DuoPerson:
    return DuoPerson(id=pid, name=names.get(pid, f"person {pid}"), leaning=leaning.get(pid))


def _coverage_out(cov: Coverage) -> CoverageOut:
    return CoverageOut(
        value=round(cov.combined, 6),
        overall=round(cov.overall, 6),
        leader=round(cov.leader, 6),
        manager=round(cov.manager, 6),
        practices={
            c.practice: PracticeCoverOut(side=c.side, value=c.value, by=list(c.by))
            for c in cov.practices
        },
    )


def _gate_label(pair_gate: Gate) -> str:
    if not pair_gate.applied:
        return "not applied"
    return "passed" if pair_gate.passed else "blocked"


# -- confirmation ----------------------------------------------------------------------------------


def confirm(
    *,
    session: Session,
    cycle: str,
    a: str,
    b: str,
    tie_breaker: str,
    confirmed_by: str,
    review_date: dt.date | None = None,
    bonus: float = ORIENTATION_BONUS,
    compat: Mapping[int, Iterable[str]] | None = None,
    today: dt.date | None = None,
) -> DuoOut:
    """A human confirms a pair: stores score and explanation as of now, tie-breaker, review date.

    :class:`ConflictError` when either person is already in a confirmed duo of the cycle, or when
    both opted in to the compatibility gate and share no answer.
    """
    found = review_service.get_cycle(session=session, name=cycle)
    first = people_service.find_person(session=session, ref=a)
    second = people_service.find_person(session=session, ref=b)
    if first.id == second.id:
        raise InputError(f"a duo needs two people; {a!r} and {b!r} are both {first.display_name}")
    first, second = sorted((first, second), key=lambda p: p.id)
    for person in (first, second):
        if not profile_service.is_ratee(session=session, cycle=found, person_id=person.id):
            raise NotFoundError(
                f"{person.display_name} (id {person.id}) is not rated in review cycle "
                f"{found.name!r}"
            )
    _refuse_second_duo(session, found, first, second)
    today = today or dt.date.today()
    review_date = review_date or today + dt.timedelta(days=REVIEW_AFTER_DAYS)
    if review_date <= today:
        raise InputError(f"the review date {review_date} must be after today ({today})")
    text = tie_breaker_text(session=session, ref=tie_breaker)
    if not confirmed_by.strip():
        raise InputError("who confirms the duo must be given (--by)")

    scores = profile_service.cycle_scores(session=session, cycle=found)
    compat = compat or {}
    ca, cb = (
        Candidate.from_profile(p.id, scores.scores(p.id), compat=compat.get(p.id))
        for p in (first, second)
    )
    pair_gate = gate(ca, cb)
    if not pair_gate.passed:
        raise ConflictError(
            f"{first.display_name} and {second.display_name} both opted in to the compatibility "
            "gate and share no goals/values answer; they asked to be paired only with a shared one"
        )
    cov = coverage(ca, cb)
    extra = orientation_bonus(ca, cb, bonus=bonus)
    names = {first.id: first.display_name, second.id: second.display_name}
    leanings = {first.id: ca.leaning, second.id: cb.leaning}
    explanation: dict[str, Any] = {
        "text": explain.explain_pair(
            cov, extra, pair_gate, leanings=(ca.leaning, cb.leaning), names=names
        ),
        "coverage": _coverage_out(cov).model_dump(mode="json"),
        "bonus": extra,
        "gate": _gate_label(pair_gate),
        "leanings": {str(k): v for k, v in leanings.items()},
    }
    duo = session.scalar(
        select(Duo).where(
            Duo.cycle_id == found.id,
            Duo.person_a_id == first.id,
            Duo.person_b_id == second.id,
        )
    ) or Duo(cycle_id=found.id, person_a_id=first.id, person_b_id=second.id)
    duo.score = round(cov.combined + extra, 6)
    duo.explanation = explanation
    duo.tie_breaker = text
    duo.review_date = review_date
    duo.confirmed_at = utcnow()
    duo.confirmed_by = confirmed_by.strip()
    session.add(duo)
    session.flush()
    return _duo_out(duo, found, names)


def _refuse_second_duo(session: Session, cycle: ReviewCycle, *people: Person) -> None:
    ids = [p.id for p in people]
    existing = session.scalars(
        select(Duo)
        .where(
            Duo.cycle_id == cycle.id,
            Duo.confirmed_at.is_not(None),
            or_(Duo.person_a_id.in_(ids), Duo.person_b_id.in_(ids)),
        )
        .order_by(Duo.id)
    ).first()
    if existing is None:
        return
    pair = f"{existing.person_a.display_name} + {existing.person_b.display_name}"
    if {existing.person_a_id, existing.person_b_id} == set(ids):
        raise ConflictError(
            f"{pair} are already a confirmed duo in review cycle {cycle.name!r} (duo {existing.id})"
        )
    taken = next(p for p in people if p.id in (existing.person_a_id, existing.person_b_id))
    raise ConflictError(
        f"{taken.display_name} is already in a confirmed duo in review cycle {cycle.name!r}: "
        f"{pair} (duo {existing.id}); a person is in at most one duo per cycle"
    )


def tie_breaker_text(*, session: Session, ref: str) -> str:
    """The tie-breaker as stored: a matching person as "Name <email>", otherwise the text itself.

    Text that looks like a person reference (an email or a bare number) but matches nobody is an
    error rather than silently stored, so a typo never records the wrong tie-breaker.
    """
    text = " ".join(ref.split())
    if not text:
        raise InputError("the tie-breaker is empty: name a person (id or email) or a rule")
    try:
        person = people_service.find_person(session=session, ref=text)
    except NotFoundError:
        if "@" in text or text.isdigit():
            raise InputError(
                f"tie-breaker {text!r} looks like a person reference but matches no person"
            ) from None
        return text
    return f"{person.display_name} <{person.email}>" if person.email else person.display_name


# -- listing ---------------------------------------------------------------------------------------


def list_duos(*, session: Session, cycle: str) -> DuoListOut:
    """The confirmed duos of a cycle, in the order they were confirmed."""
    found = review_service.get_cycle(session=session, name=cycle)
    duos = list(
        session.scalars(
            select(Duo)
            .where(Duo.cycle_id == found.id, Duo.confirmed_at.is_not(None))
            .order_by(Duo.confirmed_at, Duo.id)
        )
    )
    out = [
        _duo_out(
            d,
            found,
            {d.person_a_id: d.person_a.display_name, d.person_b_id: d.person_b.display_name},
        )
        for d in duos
    ]
    return DuoListOut(cycle=found.name, duos=out, count=len(out))


def _duo_out(duo: Duo, cycle: ReviewCycle, names: Mapping[int, str]) -> DuoOut:
    stored = duo.explanation
    leanings = {int(k): v for k, v in stored.get("leanings", {}).items()}
    assert duo.confirmed_at is not None and duo.review_date is not None
    return DuoOut(
        id=duo.id,
        cycle=cycle.name,
        a=_person(duo.person_a_id, names, leanings),
        b=_person(duo.person_b_id, names, leanings),
        score=duo.score,
        coverage=CoverageOut.model_validate(stored["coverage"]),
        explanation=str(stored["text"]),
        tie_breaker=duo.tie_breaker or "",
        review_date=duo.review_date,
        confirmed_at=duo.confirmed_at,
        confirmed_by=duo.confirmed_by or "",
    )
