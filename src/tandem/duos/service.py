"""Duos from the database: suggest pairs for a cycle, confirm one, list the confirmed ones.

The only way a surface (CLI, web) gets duo suggestions. It scores the cycle once
(:func:`tandem.profile.service.cycle_scores`), builds a :class:`~tandem.duos.matching.Candidate`
per ratee from OTHERS' scores (:meth:`Candidate.from_profile`: self ratings never reach
pairing) and runs :func:`~tandem.duos.matching.suggest_duos`. Explanations name people.

Suggestions are recommendations and are **not stored**: they are a deterministic function of the
cycle's answers, so storing them would only add rows that go stale. A human confirms a pair
(:func:`confirm`), which stores it with its score and explanation recomputed at that moment, the
tie-breaker, a review date (90 days on by default), when and by whom. A confirmed duo counts only
once both partners accept (:func:`respond`, each for themselves); until then it is ``pending``,
and a decline ends it. A person is in at most one pending or active duo per cycle; they are left
out of later suggestions.

What the answers show is **viewer-specific** (:mod:`tandem.profile.visibility`): matching uses
everyone's others' scores, but a pair's numbers, leanings and the practices each covers are shown
only to a viewer both people shared their report with (or who is the person); everyone else gets
names and a qualitative reason. What is shown of a person is computed from their scores as that
viewer's view of their profile gives them (``CycleScores.scores(person, viewer=...)``: a group
holding the viewer's own rating needs a rater more), so a pair's cover cannot give back a group
the profile withholds from a viewer who rated the person. Team membership is the cycle's frozen
roster (:mod:`tandem.profile.frozen_roster`), not today's.

**The objective** (:mod:`tandem.duos.matching`): a pair is suggested only when it covers at least
``min_gain`` more than its stronger partner alone, and never a person with their line manager.
Who manages whom is today's roster (``Person.manager_id``, :func:`line_pairs`): the cycle's
frozen roster keeps teams and roles but no managers, and a duo formed now works under today's
line. Scores count as expected true scores when the profile gives each others' score an error
(:meth:`Candidate.from_profile`), with a prior estimated from the whole cycle's ratees (not just
the teams asked for).

**The formal pair.** With ``teams``, each team's formal leader and manager (roles in the cycle's
frozen roster) are shown first, as the pair to judge first, whatever the matching chose. They are
not forced into the matching, which runs on everyone (them included): whether it proposes the
same pair, or other partners for them, is part of the judgement, and a leader who manages their
manager (common) could not be a proposed duo anyway.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tandem.accounts.errors import PermissionDeniedError
from tandem.audit import service as audit
from tandem.csvfile import BadRowsError, read_csv
from tandem.db.base import utcnow
from tandem.duos import explain
from tandem.duos.matching import (
    MIN_GAIN,
    MIN_PRACTICES,
    ORIENTATION_BONUS,
    Candidate,
    Coverage,
    Gate,
    Prior,
    coverage,
    gate,
    orientation_bonus,
    pair_gain,
    solo_score,
    suggest_duos,
)
from tandem.duos.models import Duo
from tandem.duos.schemas import (
    Consent,
    CoverageOut,
    DuoListOut,
    DuoOut,
    DuoPerson,
    DuoStatus,
    FormalPairOut,
    PairOut,
    PracticeCoverOut,
    SuggestionsOut,
    UnpairedCode,
    UnpairedOut,
)
from tandem.errors import ConflictError, InputError, NotFoundError
from tandem.people import service as people_service
from tandem.people.lookup import PersonLookup
from tandem.people.models import Person, Team
from tandem.profile import frozen_roster
from tandem.profile import service as profile_service
from tandem.profile.service import CycleScores
from tandem.profile.visibility import Viewer, visible_people
from tandem.review import service as review_service
from tandem.review.models import ReviewCycle, ReviewResponse

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
    viewer: Viewer,
    teams: Sequence[str] = (),
    bonus: float = ORIENTATION_BONUS,
    min_gain: float = MIN_GAIN,
    compat: Mapping[int, Iterable[str]] | None = None,
) -> SuggestionsOut:
    """Suggest complementary pairs among a cycle's ratees (or the members of ``teams``).

    Every candidate ends in exactly one pair or in ``unpaired`` with a reason. With ``teams``,
    each team's formal leader and manager come first (``formal``). Nothing is stored. Numbers
    are shown only for pairs whose two people the viewer may see.
    """
    found = review_service.get_cycle(session=session, name=cycle)
    scores = profile_service.cycle_scores(session=session, cycle=found)
    compat = compat or {}
    unpaired: list[tuple[int, str, UnpairedCode]] = []
    # A stand-in for a forgotten person keeps the cycle's figures whole but is nobody to pair.
    gone = people_service.stand_ins(session=session, ids=scores.ratees)
    cohort = {
        p: Candidate.from_profile(p, scores.scores(p), compat=compat.get(p))
        for p in scores.ratees
        if p not in gone
    }
    prior = cohort_prior(scores)
    line = line_pairs(session=session)
    pool = list(cohort)
    heads: list[tuple[str, int, int]] = []
    if teams:
        members = team_members(session=session, cycle=found, teams=teams)
        unpaired += [
            (p, f"not rated in review cycle {found.name!r}", "not_rated")
            for p in sorted(members - set(pool))
        ]
        pool = [p for p in pool if p in members]
        heads = _formal_heads(session, found, teams)
    taken = _taken_partners(session, found)
    names = _names(session, [*pool, *taken.values(), *(p for _, *ab in heads for p in ab)])
    unpaired += [
        (p, f"already in a confirmed duo with {names[taken[p]]} in this cycle", "already_in_duo")
        for p in pool
        if p in taken
    ]
    candidates = [cohort[p] for p in pool if p not in taken]
    result = suggest_duos(candidates, bonus=bonus, min_gain=min_gain, line=line, prior=prior)
    unpaired += [(u.person, u.reason, u.code) for u in result.unpaired]
    names |= _names(session, [p for p, _, _ in unpaired if p not in names])
    formal_ids = [p for _, *ab in heads for p in ab]
    seen = visible_people(
        session=session,
        cycle=found,
        people=[*pool, *(p for p, _, _ in unpaired), *formal_ids],
        viewer=viewer,
    )
    # The matching used everyone's scores; what is shown is each person as the viewer may see
    # them (the viewer's view of their profile), so it never depends on who looks.
    shown = {
        p: _as_seen(scores, cohort[p], viewer)
        for p in dict.fromkeys([*pool, *formal_ids])
        if p in seen and p in cohort
    }
    leaning = {p: c.leaning for p, c in shown.items()}
    pairs = []
    shown_total = shown_gain = 0.0
    for pair in result.pairs:
        a, b = _person(pair.a, names, leaning, seen), _person(pair.b, names, leaning, seen)
        if not (pair.a in seen and pair.b in seen):
            pairs.append(
                PairOut(
                    a=a,
                    b=b,
                    details=False,
                    score=None,
                    coverage=None,
                    bonus=None,
                    gate=_gate_label(pair.gate),
                    explanation=_partial(pair.a, pair.b, names, shown, seen, viewer),
                )
            )
            continue
        ca, cb = shown[pair.a], shown[pair.b]
        cov, extra = coverage(ca, cb, prior=prior), orientation_bonus(ca, cb, bonus=bonus)
        gain = pair_gain(ca, cb, prior=prior)
        shown_total += cov.combined + extra
        shown_gain += _weight(ca, cb, cov.combined + extra, prior)
        pairs.append(
            PairOut(
                a=a,
                b=b,
                details=True,
                score=round(cov.combined + extra, 2),
                coverage=_coverage_out(cov),
                bonus=round(extra, 2),
                gate=_gate_label(pair.gate),
                explanation=explain.explain_pair(
                    cov,
                    extra,
                    pair.gate,
                    leanings=(ca.leaning, cb.leaning),
                    names=names,
                    gain=gain,
                ),
                gain=round(gain, 2),
            )
        )
    proposed = {frozenset((p.a, p.b)) for p in result.pairs}
    formal = [
        _formal(
            team,
            lead,
            mgr,
            cycle=found,
            cohort=cohort,
            shown=shown,
            seen=seen,
            names=names,
            leaning=leaning,
            line=line,
            prior=prior,
            proposed=frozenset((lead, mgr)) in proposed,
            viewer=viewer,
            bonus=bonus,
            min_gain=min_gain,
        )
        for team, lead, mgr in heads
    ]
    notes = [
        "recommendations only, nothing stored: a human confirms a pair (with a tie-breaker), "
        "then both partners accept",
        "scores are others' ratings (manager, peers, reports); self ratings are never used",
        f"a pair is suggested only when together they add at least {min_gain:.2f} of "
        "coverage over the stronger partner alone: nobody is paired just to pair everyone",
        "a person is never paired with their line manager or a direct report",
        "numbers and leanings are shown only for people who shared their report with you",
    ]
    if prior is not None:
        notes.append(
            "each others' score counts as its expected true score: pulled toward the cycle's "
            "mean the more, the fewer raters it rests on"
        )
    if heads:
        notes.insert(0, "the team's formal leader and manager come first: the pair to judge first")
    if not compat:
        notes.append("no compatibility answers given: the opt-in gate is not applied")
    counts: dict[str, int] = {}
    for _, _, code in unpaired:
        counts[code] = counts.get(code, 0) + 1
    everyone_shown = all(p.details for p in pairs)
    return SuggestionsOut(
        cycle=found.name,
        teams=list(dict.fromkeys(teams)),
        formal=formal,
        pairs=pairs,
        unpaired=[
            UnpairedOut(
                person=_person(p, names, leaning, seen),
                reason=reason if p in seen else explain.hidden_reason(reason, code),
                code=code,
            )
            for p, reason, code in sorted(unpaired)
        ],
        unpaired_counts=dict(sorted(counts.items())),
        total_score=round(shown_total, 2) if everyone_shown else None,
        total_gain=round(shown_gain, 2) if everyone_shown else None,
        settings=dict(result.settings),
        notes=notes,
    )


def _weight(a: Candidate, b: Candidate, score: float, prior: Prior | None) -> float:
    """The matching's weight of a pair: its score minus the mean of the two solo scores."""
    return score - (solo_score(a, prior=prior) + solo_score(b, prior=prior)) / 2


def line_pairs(*, session: Session) -> set[tuple[int, int]]:
    """(report, boss) person ids from today's roster (``Person.manager_id``): never a duo.

    Today's, not the cycle's: the frozen roster keeps teams and roles but no managers, and the
    cycle's ``manager`` raters are a rating relation (an import may name a project or
    dotted-line manager), not the line. A duo is formed now and works from now on, so the boss
    that matters is today's.
    """
    today = session.execute(
        select(Person.id, Person.manager_id).where(Person.manager_id.is_not(None))
    )
    return {(person, boss) for person, boss in today if boss is not None and person != boss}


def _line_text(a: int, b: int, line: set[tuple[int, int]], names: Mapping[int, str]) -> str | None:
    """The sentence saying one of a and b reports to the other, or None."""
    if (b, a) in line:
        return explain.line_note(names[b], names[a])
    if (a, b) in line:
        return explain.line_note(names[a], names[b])
    return None


def _formal_heads(
    session: Session, cycle: ReviewCycle, teams: Sequence[str]
) -> list[tuple[str, int, int]]:
    """(team, leader, manager) for every leader × manager of each team in the frozen roster."""
    frozen = frozen_roster.teams(session=session, cycle=cycle)
    everyone = {m.person_id for t in teams for m in frozen.get(t, ())}
    gone = people_service.stand_ins(session=session, ids=everyone)
    heads = []
    for team in dict.fromkeys(teams):
        members = [m for m in frozen.get(team, ()) if m.person_id not in gone]
        leaders = [m.person_id for m in members if m.role == "leader"]
        managers = [m.person_id for m in members if m.role == "manager"]
        heads += [(team, lead, mgr) for lead in leaders for mgr in managers if lead != mgr]
    return heads


def _formal(
    team: str,
    lead: int,
    mgr: int,
    *,
    cycle: ReviewCycle,
    cohort: Mapping[int, Candidate],
    shown: Mapping[int, Candidate],
    seen: frozenset[int],
    names: Mapping[int, str],
    leaning: Mapping[int, str | None],
    line: set[tuple[int, int]],
    prior: Prior | None,
    proposed: bool,
    viewer: Viewer,
    bonus: float,
    min_gain: float,
) -> FormalPairOut:
    """A team's formal pair as the viewer may see it, and whether the matching proposes it.

    Why the matching does not propose it is decided on everyone's scores (as the matching is);
    the only number about both people, the gain, is shown to a viewer who may see both.
    """
    unscored = []
    for p in (lead, mgr):
        if p not in cohort:
            unscored.append(f"{names[p]} is not rated in review cycle {cycle.name!r}")
        elif sum(v is not None for v in cohort[p].practices.values()) < MIN_PRACTICES:
            unscored.append(f"{names[p]} has not enough others' ratings to be paired")
    line_text = _line_text(lead, mgr, line, names)
    ca = cohort.get(lead) or Candidate(lead, {}, None)
    cb = cohort.get(mgr) or Candidate(mgr, {}, None)
    pair_gate = gate(ca, cb)
    a, b = _person(lead, names, leaning, seen), _person(mgr, names, leaning, seen)
    common: dict[str, Any] = {
        "a": a,
        "b": b,
        "gate": _gate_label(pair_gate),
        "team": team,
        "proposed": proposed,
        "line": line_text,
        "scored": not unscored,
    }
    heading = f"{names[lead]} and {names[mgr]} are team {team}'s formal leader and manager."
    if unscored:
        verdict = explain.formal_verdict(
            proposed=False, line=line_text, unscored="; ".join(unscored), gain=None, min_gain=0
        )
        return FormalPairOut(
            details=False,
            score=None,
            coverage=None,
            bonus=None,
            explanation=f"{heading} {verdict}",
            **common,
        )
    gain_everyone = pair_gain(ca, cb, prior=prior)
    if lead in seen and mgr in seen:
        sa, sb = shown[lead], shown[mgr]
        cov, extra = coverage(sa, sb, prior=prior), orientation_bonus(sa, sb, bonus=bonus)
        gain = pair_gain(sa, sb, prior=prior)
        text = explain.explain_pair(
            cov, extra, pair_gate, leanings=(sa.leaning, sb.leaning), names=names, gain=gain
        )
        verdict = explain.formal_verdict(
            proposed=proposed,
            line=line_text,
            unscored=None,
            gain=gain_everyone,
            min_gain=min_gain,
        )
        return FormalPairOut(
            details=True,
            score=round(cov.combined + extra, 2),
            coverage=_coverage_out(cov),
            bonus=round(extra, 2),
            explanation=f"{heading} {text} {verdict}",
            gain=round(gain, 2),
            **common,
        )
    hidden = explain.formal_hidden(
        names[lead],
        names[mgr],
        shared=(lead in seen, mgr in seen),
        aggregates_only=viewer.aggregates_only,
    )
    for person in (lead, mgr):
        if person in seen:
            hidden += " " + explain.strengths(names[person], shown[person].practices)
    verdict = explain.formal_verdict(
        proposed=proposed, line=line_text, unscored=None, gain=None, min_gain=min_gain
    )
    return FormalPairOut(
        details=False,
        score=None,
        coverage=None,
        bonus=None,
        explanation=f"{heading} {hidden} {verdict}",
        **common,
    )


def _as_seen(scores: CycleScores, candidate: Candidate, viewer: Viewer) -> Candidate:
    """The candidate as ``viewer`` may see them: from the profile that viewer is shown.

    A viewer who rated the person (a recipient of their report assigned as a peer, say) is
    shown a group holding their own rating only when it hides enough others
    (:meth:`~tandem.profile.service.CycleScores.scores`); the pair numbers, leanings and
    strengths shown to them come from the same view, or they would give the withheld group back.
    """
    profile = scores.scores(candidate.person, viewer=viewer.person_id)
    if profile is scores.scores(candidate.person):
        return candidate
    return Candidate.from_profile(candidate.person, profile, compat=candidate.compat)


def cohort_prior(scores: CycleScores) -> Prior | None:
    """The prior of expected scores: the cycle's (:meth:`CycleScores.prior`, every ratee's
    others' scores and errors, stand-ins included: they are real answers about someone, and the
    prior is an aggregate over ≥ 10 people), so a team's suggestions, a confirmation, a listing
    and team coverage use the same one. None when the cycle is too small to estimate errors."""
    return scores.prior()


def _partial(
    a: int,
    b: int,
    names: Mapping[int, str],
    candidates: Mapping[int, Candidate],
    seen: frozenset[int],
    viewer: Viewer,
) -> str:
    """A pair the viewer may not see in full: why, and the strengths of whom they may see.

    ``candidates`` holds the people the viewer may see, as they may see them (:func:`_as_seen`).
    """
    text = explain.qualitative(
        names[a], names[b], shared=(a in seen, b in seen), aggregates_only=viewer.aggregates_only
    )
    for person in (a, b):
        if person in seen:
            text += " " + explain.strengths(names[person], candidates[person].practices)
    return text


def team_members(*, session: Session, cycle: ReviewCycle, teams: Sequence[str]) -> set[int]:
    """The people of ``teams`` in the cycle's frozen roster (a team created later has none).

    Stand-ins for forgotten people are left out: they are nobody to pair.
    """
    frozen = frozen_roster.teams(session=session, cycle=cycle)
    live = set(session.scalars(select(Team.name).where(Team.name.in_(teams))))
    missing = [t for t in dict.fromkeys(teams) if t not in frozen and t not in live]
    if missing:
        raise NotFoundError(f"no team {', '.join(map(repr, missing))}")
    members = {m.person_id for t in teams for m in frozen.get(t, ())}
    return members - people_service.stand_ins(session=session, ids=members)


def _holds(cycle: ReviewCycle) -> Any:
    """The duos of the cycle that hold their people: confirmed and not declined by either."""
    return (
        (Duo.cycle_id == cycle.id)
        & Duo.confirmed_at.is_not(None)
        & (Duo.a_consent != "declined")
        & (Duo.b_consent != "declined")
    )


def _taken_partners(session: Session, cycle: ReviewCycle) -> dict[int, int]:
    """Person id → partner id for every pending or active duo of the cycle."""
    partners: dict[int, int] = {}
    for a, b in session.execute(select(Duo.person_a_id, Duo.person_b_id).where(_holds(cycle))):
        partners[a], partners[b] = b, a
    return partners


def _names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.execute(select(Person.id, Person.display_name).where(Person.id.in_(wanted)))
    return {int(pid): str(name) for pid, name in rows}


def _person(
    pid: int,
    names: Mapping[int, str],
    leaning: Mapping[int, str | None],
    seen: frozenset[int],
) -> DuoPerson:
    shown = pid in seen
    return DuoPerson(
        id=pid,
        name=names.get(pid, f"person {pid}"),
        leaning=leaning.get(pid) if shown else None,
        shared=shown,
    )


def _coverage_out(cov: Coverage) -> CoverageOut:
    return CoverageOut(
        value=round(cov.combined, 2),
        overall=round(cov.overall, 2),
        leader=round(cov.leader, 2),
        manager=round(cov.manager, 2),
        practices={
            c.practice: PracticeCoverOut(
                side=c.side,
                value=None if c.value is None else round(c.value, 2),
                by=list(c.by),
                expected=None if c.expected is None else round(c.expected, 2),
            )
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
    viewer: Viewer,
    team: str | None = None,
    review_date: dt.date | None = None,
    bonus: float = ORIENTATION_BONUS,
    compat: Mapping[int, Iterable[str]] | None = None,
    today: dt.date | None = None,
    actor: str = audit.SYSTEM_ACTOR,
) -> DuoOut:
    """A human confirms a pair: stores score and explanation as of now, tie-breaker, review date.

    The duo is ``pending`` until both partners accept (:func:`respond`). With ``team``, both must
    be members of that team in the cycle's frozen roster (:class:`PermissionDeniedError`).
    :class:`ConflictError` when either person is already in a pending or active duo of the
    cycle, or when both opted in to the compatibility gate and share no answer.
    """
    found = review_service.get_cycle(session=session, name=cycle)
    first = people_service.find_person(session=session, ref=a)
    second = people_service.find_person(session=session, ref=b)
    if first.id == second.id:
        raise InputError(f"a duo needs two people; {a!r} and {b!r} are both {first.display_name}")
    if team is not None:
        members = team_members(session=session, cycle=found, teams=[team])
        for person in (first, second):
            if person.id not in members:
                raise PermissionDeniedError(
                    f"{person.display_name} is not a member of team {team} in review cycle "
                    f"{found.name!r}; a duo is confirmed within the team whose page it is on"
                )
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
        raise InputError("who confirms the duo must be given", field="confirmed_by")

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
    prior = cohort_prior(scores)
    cov = coverage(ca, cb, prior=prior)
    extra = orientation_bonus(ca, cb, bonus=bonus)
    gain = pair_gain(ca, cb, prior=prior)
    names = {first.id: first.display_name, second.id: second.display_name}
    leanings = {first.id: ca.leaning, second.id: cb.leaning}
    # A human may confirm a boss and their report (the team's formal pair often is one); the
    # suggestions never propose it, and the duo says so wherever its explanation is shown.
    line_text = _line_text(first.id, second.id, line_pairs(session=session), names)
    pair_text = explain.explain_pair(
        cov, extra, pair_gate, leanings=(ca.leaning, cb.leaning), names=names, gain=gain
    )
    explanation: dict[str, Any] = {
        "text": f"{pair_text} {line_text}" if line_text else pair_text,
        "coverage": _coverage_out(cov).model_dump(mode="json"),
        "bonus": extra,
        "bonus_setting": bonus,
        "gain": gain,
        "gate": _gate_label(pair_gate),
        "gate_text": explain.explain_gate(pair_gate, names=names),
        "leanings": {str(k): v for k, v in leanings.items()},
        "line_text": line_text,
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
    duo.a_consent = duo.b_consent = "pending"
    duo.a_consent_at = duo.b_consent_at = None
    session.add(duo)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="duo.confirm",
        subject_person_id=first.id,
        related_person_id=second.id,
        target=f"duo:{duo.id}",
        detail={"duo_id": duo.id, "cycle_id": found.id},
    )
    message = (
        f"Duo confirmed: {first.display_name} + {second.display_name} (cycle {found.name}), "
        f"review on {review_date}. It counts once both accept; "
        f"{first.display_name} and {second.display_name} are asked now."
    )
    if line_text:
        message += f" Note: {line_text}"
    return _duo_out(session, duo, found, viewer=viewer, message=message)


def _refuse_second_duo(session: Session, cycle: ReviewCycle, *people: Person) -> None:
    ids = [p.id for p in people]
    existing = session.scalars(
        select(Duo)
        .where(_holds(cycle), or_(Duo.person_a_id.in_(ids), Duo.person_b_id.in_(ids)))
        .order_by(Duo.id)
    ).first()
    if existing is None:
        return
    pair = f"{existing.person_a.display_name} + {existing.person_b.display_name}"
    state = _status(existing)
    if {existing.person_a_id, existing.person_b_id} == set(ids):
        raise ConflictError(
            f"{pair} are already a confirmed duo ({state}) in review cycle {cycle.name!r} "
            f"(duo {existing.id})"
        )
    taken = next(p for p in people if p.id in (existing.person_a_id, existing.person_b_id))
    raise ConflictError(
        f"{taken.display_name} is already in a confirmed duo ({state}) in review cycle "
        f"{cycle.name!r}: {pair} (duo {existing.id}); a person is in at most one duo per cycle"
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


# -- consent ---------------------------------------------------------------------------------------


def respond(
    *,
    session: Session,
    duo_id: int,
    viewer: Viewer,
    accept: bool,
    actor: str = audit.SYSTEM_ACTOR,
) -> DuoOut:
    """A partner accepts or declines a confirmed duo for themselves (the viewer's own person).

    :class:`PermissionDeniedError` when the viewer is not one of the two; :class:`ConflictError`
    once the duo is active or declined (answering the same again is accepted and changes nothing).
    """
    duo = _get(session, duo_id)
    me = viewer.person_id
    if me not in (duo.person_a_id, duo.person_b_id):
        raise PermissionDeniedError(
            f"only {duo.person_a.display_name} and {duo.person_b.display_name} may accept or "
            f"decline duo {duo.id}, each for themselves"
        )
    side = "a" if me == duo.person_a_id else "b"
    answer: Consent = "accepted" if accept else "declined"
    current = getattr(duo, f"{side}_consent")
    status = _status(duo)
    if current != answer and status != "pending":
        raise ConflictError(f"duo {duo.id} is {status} already; it cannot be {answer} now")
    if current != answer:
        setattr(duo, f"{side}_consent", answer)
        setattr(duo, f"{side}_consent_at", utcnow())
        session.flush()
        audit.record(
            session=session,
            actor=actor,
            action="duo.respond",
            subject_person_id=me,
            related_person_id=duo.person_b_id if side == "a" else duo.person_a_id,
            target=f"duo:{duo.id}",
            detail={"duo_id": duo.id, "answer": answer},
        )
    partner = duo.person_b if side == "a" else duo.person_a
    after = _status(duo)
    if after == "active":
        message = f"Both accepted: your duo with {partner.display_name} is active."
    elif after == "declined" and not accept:
        message = (
            f"You declined the duo with {partner.display_name}; it will not go ahead and both "
            "of you can be suggested again."
        )
    elif after == "declined":
        message = f"{partner.display_name} declined this duo; it will not go ahead."
    else:
        message = f"You accepted; the duo counts once {partner.display_name} accepts too."
    return _duo_out(session, duo, duo.cycle, viewer=viewer, message=message)


def _get(session: Session, duo_id: int) -> Duo:
    duo = session.get(Duo, duo_id)
    if duo is None or duo.confirmed_at is None:
        raise NotFoundError(f"no confirmed duo {duo_id}")
    return duo


def partners(*, session: Session, duo_id: int) -> tuple[int, int]:
    """The person ids of a confirmed duo (for the permission check)."""
    duo = _get(session, duo_id)
    return duo.person_a_id, duo.person_b_id


def _status(duo: Duo) -> DuoStatus:
    consents = {duo.a_consent, duo.b_consent}
    if "declined" in consents:
        return "declined"
    return "active" if consents == {"accepted"} else "pending"


# -- listing ---------------------------------------------------------------------------------------


def list_duos(
    *,
    session: Session,
    cycle: str,
    viewer: Viewer,
    people: Iterable[int] | None = None,
) -> DuoListOut:
    """The confirmed duos of a cycle (with ``people``: those involving one of them), in order."""
    found = review_service.get_cycle(session=session, name=cycle)
    query = select(Duo).where(Duo.cycle_id == found.id, Duo.confirmed_at.is_not(None))
    if people is not None:
        wanted = list(people)
        query = query.where(or_(Duo.person_a_id.in_(wanted), Duo.person_b_id.in_(wanted)))
    duos = list(session.scalars(query.order_by(Duo.confirmed_at, Duo.id)))
    load = functools.cache(lambda: profile_service.cycle_scores(session=session, cycle=found))
    out = [_duo_out(session, d, found, viewer=viewer, scores=load) for d in duos]
    return DuoListOut(cycle=found.name, duos=out, count=len(out))


class _Shown(NamedTuple):
    """A confirmed duo's numbers as one viewer is shown them."""

    score: float
    coverage: CoverageOut
    text: str
    leanings: dict[int, str | None]


def _rated_either(session: Session, duo: Duo, viewer: Viewer) -> bool:
    """Whether the viewer rated either partner in the duo's cycle (self-assessments aside)."""
    if viewer.person_id is None:
        return False
    hit = session.scalar(
        select(ReviewResponse.id)
        .where(
            ReviewResponse.cycle_id == duo.cycle_id,
            ReviewResponse.rater_id == viewer.person_id,
            ReviewResponse.ratee_id.in_((duo.person_a_id, duo.person_b_id)),
            ReviewResponse.rater_id != ReviewResponse.ratee_id,
        )
        .limit(1)
    )
    return hit is not None


def _as_viewer_sees(duo: Duo, scores: CycleScores, viewer: Viewer) -> _Shown | None:
    """The duo's numbers from the partners' scores as the viewer may see them (:func:`_as_seen`).

    ``None`` when that view equals everyone's, from which the stored explanation was computed at
    confirmation (a closed cycle's answers do not change): the stored one is shown.
    """
    ids = (duo.person_a_id, duo.person_b_id)
    everyone = [Candidate.from_profile(p, scores.scores(p)) for p in ids]
    ca, cb = (_as_seen(scores, c, viewer) for c in everyone)
    if all(
        (c.practices, c.practice_se, c.leaning) == (e.practices, e.practice_se, e.leaning)
        for c, e in zip((ca, cb), everyone, strict=True)
    ):
        return None
    stored = duo.explanation
    setting = stored.get("bonus_setting", stored.get("bonus") or ORIENTATION_BONUS)
    prior = cohort_prior(scores)
    cov, extra = coverage(ca, cb, prior=prior), orientation_bonus(ca, cb, bonus=float(setting))
    names = {duo.person_a_id: duo.person_a.display_name, duo.person_b_id: duo.person_b.display_name}
    gate_text = stored.get("gate_text") or f"Compatibility gate {stored['gate']}."
    # Duos confirmed before the gain was stored carry no gain sentence; keep them so.
    gain = pair_gain(ca, cb, prior=prior) if "gain" in stored else None
    text = explain.explain_scores(
        cov, extra, leanings=(ca.leaning, cb.leaning), names=names, gain=gain
    )
    line_text = stored.get("line_text")
    text = f"{text} {gate_text}"
    return _Shown(
        score=cov.combined + extra,
        coverage=_coverage_out(cov),
        text=f"{text} {line_text}" if line_text else text,
        leanings={ca.person: ca.leaning, cb.person: cb.leaning},
    )


def _duo_out(
    session: Session,
    duo: Duo,
    cycle: ReviewCycle,
    *,
    viewer: Viewer,
    message: str = "",
    scores: Callable[[], CycleScores] | None = None,
) -> DuoOut:
    """A confirmed duo as ``viewer`` may see it; ``scores`` loads the cycle's (once per list).

    The stored explanation was computed from everyone's scores at confirmation; a viewer who
    rated a partner is shown the numbers and leanings recomputed from their own view instead.
    """
    stored = duo.explanation
    names = {duo.person_a_id: duo.person_a.display_name, duo.person_b_id: duo.person_b.display_name}
    seen = visible_people(
        session=session, cycle=cycle, people=(duo.person_a_id, duo.person_b_id), viewer=viewer
    )
    details = duo.person_a_id in seen and duo.person_b_id in seen
    leanings = {int(k): v for k, v in stored.get("leanings", {}).items()}
    mine: _Shown | None = None
    if seen and _rated_either(session, duo, viewer):
        loaded = scores() if scores else profile_service.cycle_scores(session=session, cycle=cycle)
        mine = _as_viewer_sees(duo, loaded, viewer)
        leanings = mine.leanings if mine else leanings
    assert duo.confirmed_at is not None and duo.review_date is not None
    a, b = names[duo.person_a_id], names[duo.person_b_id]
    tie = duo.tie_breaker or ""
    return DuoOut(
        id=duo.id,
        cycle=cycle.name,
        a=_person(duo.person_a_id, names, leanings, seen),
        b=_person(duo.person_b_id, names, leanings, seen),
        status=_status(duo),
        a_consent=_consent(duo.a_consent),
        b_consent=_consent(duo.b_consent),
        details=details,
        score=round(mine.score if mine else duo.score, 2) if details else None,
        coverage=(mine.coverage if mine else CoverageOut.model_validate(stored["coverage"]))
        if details
        else None,
        explanation=(mine.text if mine else str(stored["text"]))
        if details
        else explain.qualitative(
            a,
            b,
            shared=(duo.person_a_id in seen, duo.person_b_id in seen),
            aggregates_only=viewer.aggregates_only,
        ),
        tie_breaker=tie,
        tie_breaker_rule=explain.tie_breaker_rule(a, b, tie),
        review_date=duo.review_date,
        confirmed_at=duo.confirmed_at,
        confirmed_by=duo.confirmed_by or "",
        message=message,
    )


def _consent(value: str) -> Consent:
    if value == "accepted":
        return "accepted"
    return "declined" if value == "declined" else "pending"
