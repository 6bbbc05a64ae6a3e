"""A person's data: export all of it, or forget them (DESIGN §7), each audited.

:func:`export_person` gathers what the app database holds about one person into one document.
Their 360 reports come through :func:`tandem.profile.service.person_profile`, so every
suppression rule holds (groups under 3 hidden, no rater named); raw answers appear only where
the person gave them. Results of open cycles are left out (nobody sees them before the close).

:func:`forget_person` deletes the person's personal data in one transaction. A closed cycle's
results must never change (docs/people-science.md, "Forgetting a person"): a change would let
anyone who read them before and after recover the forgotten person's scores by differencing
(n·mean before minus (n − 1)·mean after), and would rewrite history. So in a **closed** cycle
nothing is deleted, only detached from the person: the answers, rankings and assignments they
gave go to a new anonymous rater, and everything about them — answers and rankings (their
self-assessment too), assignments, their rows in the frozen roster, their sharing choice — to a
new stand-in called "a former member". Stand-ins carry no email, identity, team, account, plan
or duo, and are never found, listed, paired or shown on their own
(:attr:`tandem.people.models.Person.stand_in`); the two are separate people so that the rater is
not tied to the ratee, and neither id is written to the audit log. In an **open** cycle
everything of theirs is deleted (nothing of it has been shown). Identities are unlinked, their
keys replaced by a one-way hash (so a later sync does not bring the person back from the
immutable lake) and their display names erased; the web account, its sessions and sign-in
attempts are removed.

Comments (:class:`~tandem.review.models.ReviewComment`) go the way of the answers: in a closed
cycle the ones they wrote stay under the anonymous rater and the ones about them under "a former
member" (whose report nobody can open); in an open cycle both are deleted. Every remaining
comment that holds their whole display name gets it replaced by :data:`NAME_REMOVED`. The export
holds the comments the person wrote; comments about them appear only inside their reports, as
they see them (grouped, no rater named).

What the person has in the why — kudos given and received, check-ins, goals and experiments they
own, delegation levels and alignment decisions they set, their naming choice — is exported and
forgotten by :mod:`tandem.why.personal_data` (a kudos received names its giver, never another
recipient; a kudos that recognised them alone is deleted, the rest detached from them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from tandem.accounts.models import LoginAttempt, User, WebSession
from tandem.audit import service as audit
from tandem.db.base import utcnow
from tandem.duos.models import Duo
from tandem.errors import TandemError
from tandem.manage.concerns import service as concerns_service
from tandem.manage.conflicts import service as conflicts_service
from tandem.manage.feedback import service as feedback_service
from tandem.manage.one_on_ones import service as one_on_ones_service
from tandem.people import service as people_service
from tandem.people.models import Identity, Membership, Person
from tandem.people.schemas import ForgetReport, IdentityOut, PersonExport
from tandem.plans.models import DevelopmentPlan
from tandem.profile import service as profile_service
from tandem.profile.frozen_roster import CycleMembership
from tandem.profile.schemas import dump
from tandem.profile.sharing import ReportShare
from tandem.review.models import (
    COMMENT_MAX_CHARS,
    CycleStatus,
    ForcedRanking,
    ReviewAssignment,
    ReviewComment,
    ReviewCycle,
    ReviewNomination,
    ReviewResponse,
)
from tandem.why.personal_data import why_export, why_forget

EXPORT_FORMAT = "tandem.person-export/1"
ANONYMOUS_RATER = "anonymous rater"  # the stand-in for what a forgotten person gave
FORMER_MEMBER = "a former member"  # the stand-in for what was about them
FORGOTTEN_TEXT = "a forgotten person"
STAND_IN_FIELDS = ("anonymous_rater_id", "former_member_id")  # never in the audit log
NAME_REMOVED = "[name removed]"  # a forgotten person's name inside other people's comments
RATINGS = (ReviewResponse, ForcedRanking, ReviewComment, ReviewAssignment)


# -- export ----------------------------------------------------------------------------------------


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _cycles(session: Session, ids: Iterable[int]) -> dict[int, ReviewCycle]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {c.id: c for c in session.scalars(select(ReviewCycle).where(ReviewCycle.id.in_(wanted)))}


def _reports(session: Session, person: Person) -> list[dict[str, Any]]:
    as_ratee = (
        select(ReviewAssignment.cycle_id).where(ReviewAssignment.ratee_id == person.id),
        select(ReviewResponse.cycle_id).where(ReviewResponse.ratee_id == person.id),
    )
    rated = {cycle_id for query in as_ratee for cycle_id in session.scalars(query)}
    reports: list[dict[str, Any]] = []
    for cycle in sorted(_cycles(session, rated).values(), key=lambda c: c.id):
        entry: dict[str, Any] = {"cycle": cycle.name, "status": cycle.status, "profile": None}
        if cycle.status != CycleStatus.CLOSED.value:
            entry["note"] = "the cycle is open: its results are shown to nobody until it closes"
        else:
            try:
                found = profile_service.person_profile(
                    session=session, person=person, cycle=cycle, include_self=True
                )
            except TandemError as exc:
                entry["note"] = exc.message
            else:
                entry["profile"] = dump(found)
        reports.append(entry)
    return reports


def _answers_given(session: Session, person_id: int) -> list[dict[str, Any]]:
    rows = list(
        session.scalars(
            select(ReviewResponse)
            .where(ReviewResponse.rater_id == person_id)
            .order_by(ReviewResponse.cycle_id, ReviewResponse.ratee_id, ReviewResponse.item_id)
        )
    )
    cycles = _cycles(session, (r.cycle_id for r in rows))
    return [
        {
            "cycle": cycles[r.cycle_id].name,
            "ratee_id": r.ratee_id,
            "relation": r.relation,
            "item_id": r.item_id,
            "value": r.value,
            "answered_at": _iso(r.created_at),
        }
        for r in rows
    ]


def _form_timing(session: Session, person_id: int) -> list[dict[str, Any]]:
    """The seconds the person's web rating forms took, per assignment that has any."""
    rows = list(
        session.scalars(
            select(ReviewAssignment)
            .where(ReviewAssignment.rater_id == person_id, ReviewAssignment.timed_answers > 0)
            .order_by(ReviewAssignment.cycle_id, ReviewAssignment.ratee_id)
        )
    )
    cycles = _cycles(session, (r.cycle_id for r in rows))
    return [
        {
            "cycle": cycles[r.cycle_id].name,
            "ratee_id": r.ratee_id,
            "form_seconds": round(r.form_seconds, 1),
            "timed_answers": r.timed_answers,
        }
        for r in rows
    ]


def _rankings_given(session: Session, person_id: int) -> list[dict[str, Any]]:
    rows = list(
        session.scalars(
            select(ForcedRanking)
            .where(ForcedRanking.rater_id == person_id)
            .order_by(ForcedRanking.cycle_id, ForcedRanking.ratee_id, ForcedRanking.id)
        )
    )
    cycles = _cycles(session, (r.cycle_id for r in rows))
    return [
        {
            "cycle": cycles[r.cycle_id].name,
            "ratee_id": r.ratee_id,
            "practice": r.practice,
            "kind": r.kind,
            "rank": r.rank,
        }
        for r in rows
    ]


def _comments_given(session: Session, person_id: int) -> list[dict[str, Any]]:
    rows = list(
        session.scalars(
            select(ReviewComment)
            .where(ReviewComment.rater_id == person_id)
            .order_by(ReviewComment.cycle_id, ReviewComment.ratee_id, ReviewComment.practice)
        )
    )
    cycles = _cycles(session, (r.cycle_id for r in rows))
    return [
        {
            "cycle": cycles[r.cycle_id].name,
            "ratee_id": r.ratee_id,
            "relation": r.relation,
            "practice": r.practice,
            "text": r.text,
        }
        for r in rows
    ]


def _plans(session: Session, person_id: int) -> list[dict[str, Any]]:
    plans = session.scalars(
        select(DevelopmentPlan)
        .where(DevelopmentPlan.person_id == person_id)
        .order_by(DevelopmentPlan.id)
    )
    return [
        {
            "cycle": plan.cycle.name,
            "created_at": _iso(plan.created_at),
            "plan_date": _iso(plan.plan_date),
            "weaker_side": plan.weaker_side,
            "actions": [
                {
                    "practice": a.practice,
                    "action_id": a.action_id,
                    "behaviour": a.behaviour,
                    "cadence": a.cadence,
                    "evidence": a.evidence,
                    "rerate_date": _iso(a.rerate_date),
                    "status": a.status,
                    "progress": [
                        {"recorded_at": _iso(p.recorded_at), "status": p.status, "note": p.note}
                        for p in a.progress
                    ],
                }
                for a in plan.actions
            ],
        }
        for plan in plans
    ]


def _duos(session: Session, person_id: int) -> list[dict[str, Any]]:
    # The stored explanation holds both partners' practice scores: the partner's are theirs.
    duos = session.scalars(
        select(Duo)
        .where(or_(Duo.person_a_id == person_id, Duo.person_b_id == person_id))
        .order_by(Duo.id)
    )
    out = []
    for duo in duos:
        partner = duo.person_b if duo.person_a_id == person_id else duo.person_a
        out.append(
            {
                "cycle": duo.cycle.name,
                "partner": {"id": partner.id, "name": partner.display_name},
                "tie_breaker": duo.tie_breaker,
                "review_date": _iso(duo.review_date),
                "confirmed_at": _iso(duo.confirmed_at),
                "confirmed_by": duo.confirmed_by,
            }
        )
    return out


def _shares(session: Session, person_id: int) -> list[dict[str, Any]]:
    rows = list(
        session.scalars(
            select(ReportShare).where(ReportShare.person_id == person_id).order_by(ReportShare.id)
        )
    )
    cycles = _cycles(session, (r.cycle_id for r in rows))
    return [
        {
            "cycle": cycles[r.cycle_id].name,
            "shared_with_manager": r.shared_with_manager,
            "shared_at": _iso(r.shared_at),
            "updated_at": _iso(r.updated_at),
        }
        for r in rows
    ]


def _cycle_memberships(session: Session, person_id: int) -> list[dict[str, Any]]:
    rows = list(
        session.scalars(
            select(CycleMembership)
            .where(CycleMembership.person_id == person_id)
            .order_by(CycleMembership.cycle_id, CycleMembership.team_name)
        )
    )
    cycles = _cycles(session, (r.cycle_id for r in rows))
    return [{"cycle": cycles[r.cycle_id].name, "team": r.team_name, "role": r.role} for r in rows]


def _user(session: Session, person: Person) -> User | None:
    return session.scalar(select(User).where(User.person_id == person.id)) or (
        session.scalar(select(User).where(func.lower(User.email) == person.email.lower()))
        if person.email
        else None
    )


def _user_out(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {
        "id": user.id,
        "email": user.email,
        "role": user.role,
        "team": user.team.name if user.team else None,
        "is_active": user.is_active,
        "created_at": _iso(user.created_at),
        "password_changed_at": _iso(user.password_changed_at),
    }


def export_person(
    *, session: Session, ref: str, actor: str, viewer_person_id: int | None = None
) -> PersonExport:
    """Everything the app database holds about a person, as they may see it; audited.

    Conflict cases are only in an export the person makes themself (``viewer_person_id``):
    no one else reads a case they do not take part in, not even through an export.
    """
    person = people_service.find_person(session=session, ref=ref)
    own = viewer_person_id == person.id
    out = people_service.show_person(session=session, ref=str(person.id))
    audit.record(session=session, actor=actor, action="people.export", subject_person_id=person.id)
    memberships = session.scalars(select(Membership).where(Membership.person_id == person.id))
    return PersonExport(
        format=EXPORT_FORMAT,
        exported_at=utcnow().isoformat(),
        person={
            "id": person.id,
            "display_name": person.display_name,
            "email": person.email,
            "is_bot": person.is_bot,
            "created_at": _iso(person.created_at),
            "manager": (
                {"id": person.manager.id, "name": person.manager.display_name}
                if person.manager
                else None
            ),
        },
        identities=[IdentityOut.model_validate(i.model_dump()) for i in out.identities],
        memberships=[{"team": m.team.name, "role": m.role} for m in memberships],
        cycle_memberships=_cycle_memberships(session, person.id),
        user_account=_user_out(_user(session, person)),
        reports=_reports(session, person),
        answers_given=_answers_given(session, person.id),
        form_timing=_form_timing(session, person.id),
        rankings_given=_rankings_given(session, person.id),
        comments_given=_comments_given(session, person.id),
        nominations=_nominations(session, person.id),
        plans=_plans(session, person.id),
        duos=_duos(session, person.id),
        shares=_shares(session, person.id),
        feedback=feedback_service.export_rows(session=session, person_id=person.id),
        one_on_ones=one_on_ones_service.export_rows(session=session, person_id=person.id),
        **why_export(session, person.id),
        audit_events=[
            e.model_dump(mode="json", exclude={"id"})
            for e in audit.events(session=session, person_id=person.id)
        ],
        concerns=concerns_service.export_person(session=session, person_id=person.id),
        conflict_cases=(
            conflicts_service.export_person(session=session, person_id=person.id) if own else []
        ),
        notes=[
            "Work events (commits, tickets, event-log rows) stay in the workspace's lake under "
            "the identity keys listed above; `tandem flow` commands read them.",
            "Reports are as you see them: rater groups under 3 are hidden and no rater is named.",
            "Comments about you are in your reports, grouped as you see them; comments_given "
            "holds the ones you wrote.",
            "1:1 notes: the shared ones and your own private ones; your partner's private notes "
            "are theirs alone.",
            "Kudos you received name who gave them; anyone else they recognised is counted "
            "(also_recognised), not named. Impact stories are not stored, so none is exported.",
            "Concerns and questions you raised anonymously are linked to no one and are not here.",
            "Conflict cases are only in an export you make yourself: "
            "`tandem conflicts export --as YOU`.",
        ],
    )


def _nominations(session: Session, person_id: int) -> list[dict[str, Any]]:
    """Nominations of the person's raters and to rate someone; no other person is named."""
    rows = session.execute(
        select(ReviewNomination, ReviewCycle.name)
        .join(ReviewCycle, ReviewCycle.id == ReviewNomination.cycle_id)
        .where(or_(ReviewNomination.ratee_id == person_id, ReviewNomination.rater_id == person_id))
        .order_by(ReviewNomination.id)
    )
    return [
        {
            "cycle": cycle,
            "as": "ratee" if n.ratee_id == person_id else "rater",
            "relation": n.relation,
            "status": n.status,
            "nominated_by": n.nominated_by,
            "reason": n.reason if n.ratee_id == person_id else None,
            "created_at": _iso(n.created_at),
            "decided_at": _iso(n.decided_at),
        }
        for n, cycle in rows
    ]


# -- forget ----------------------------------------------------------------------------------------


def _count(session: Session, query: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def _stand_in(session: Session, name: str) -> int:
    person = Person(display_name=name, email=None, is_bot=False, stand_in=True)
    session.add(person)
    session.flush()
    return person.id


def _repoint(session: Session, model: Any, where: list[Any], **values: Any) -> int:
    result = session.execute(update(model).where(*where).values(**values))
    return int(getattr(result, "rowcount", 0) or 0)


def forget_person(*, session: Session, ref: str, actor: str) -> ForgetReport:
    """Delete a person's personal data in ``session``'s transaction; audited by former id only.

    Closed cycles keep answering exactly as before: what the person gave stays under an
    anonymous rater, what is about them (answers, ranking blocks, assignments, the frozen roster,
    their sharing choice) under a stand-in called "a former member", both new, nameless people.
    """
    person = people_service.find_person(session=session, ref=ref)
    pid = person.id
    user = _user(session, person)
    texts = {person.display_name}
    emails = {e.lower() for e in (person.email, user.email if user else None) if e}
    closed = select(ReviewCycle.id).where(ReviewCycle.status == CycleStatus.CLOSED.value)

    # Closed cycles: answers, rankings and assignments they gave others go to an anonymous rater…
    given = {
        model: _count(
            session,
            select(model.id).where(
                model.rater_id == pid, model.ratee_id != pid, model.cycle_id.in_(closed)
            ),
        )
        for model in RATINGS
    }
    anonymous_id: int | None = None
    if any(given.values()):
        anonymous_id = _stand_in(session, ANONYMOUS_RATER)
        for model in RATINGS:
            where = [model.rater_id == pid, model.ratee_id != pid, model.cycle_id.in_(closed)]
            _repoint(session, model, where, rater_id=anonymous_id)
    # …and everything about them (their self-assessment too) to "a former member".
    about = {
        model: _count(
            session,
            select(model.id).where(model.ratee_id == pid, model.cycle_id.in_(closed)),
        )
        for model in RATINGS
    }
    roster = _count(
        session,
        select(CycleMembership.id).where(
            CycleMembership.person_id == pid, CycleMembership.cycle_id.in_(closed)
        ),
    )
    member_id: int | None = None
    shares_kept = 0
    if any(about.values()) or roster:
        member_id = _stand_in(session, FORMER_MEMBER)
        for model in RATINGS:
            where = [model.ratee_id == pid, model.rater_id == pid, model.cycle_id.in_(closed)]
            _repoint(session, model, where, ratee_id=member_id, rater_id=member_id)
            where = [model.ratee_id == pid, model.cycle_id.in_(closed)]
            _repoint(session, model, where, ratee_id=member_id)
        where = [CycleMembership.person_id == pid, CycleMembership.cycle_id.in_(closed)]
        _repoint(session, CycleMembership, where, person_id=member_id)
        # Whom they had shared a closed report with still knows it: suppression stays the same.
        where = [ReportShare.person_id == pid, ReportShare.cycle_id.in_(closed)]
        shares_kept = _repoint(session, ReportShare, where, person_id=member_id)

    # Open cycles (and nothing else is left in closed ones): deleted.
    answers_deleted = _count(
        session,
        select(ReviewResponse.id).where(
            or_(ReviewResponse.rater_id == pid, ReviewResponse.ratee_id == pid)
        ),
    )
    comments_deleted = _count(
        session,
        select(ReviewComment.id).where(
            or_(ReviewComment.rater_id == pid, ReviewComment.ratee_id == pid)
        ),
    )
    rankings_deleted = _count(
        session,
        select(ForcedRanking.id).where(
            or_(ForcedRanking.rater_id == pid, ForcedRanking.ratee_id == pid)
        ),
    )
    for model in RATINGS:
        session.execute(delete(model).where(or_(model.rater_id == pid, model.ratee_id == pid)))
    # nominations feed no result (the assignments do): gone in every cycle, closed ones too
    session.execute(
        delete(ReviewNomination).where(
            or_(ReviewNomination.rater_id == pid, ReviewNomination.ratee_id == pid)
        )
    )
    session.execute(delete(CycleMembership).where(CycleMembership.person_id == pid))

    concerns = concerns_service.forget_person(session=session, person_id=pid)
    # counts of conflict rows are not reported: the report is audited, and read by admins
    conflicts_service.forget_person(session=session, person_id=pid)

    memberships = _count(session, select(Membership.id).where(Membership.person_id == pid))
    session.execute(delete(Membership).where(Membership.person_id == pid))
    plans = _count(session, select(DevelopmentPlan.id).where(DevelopmentPlan.person_id == pid))
    for plan in session.scalars(select(DevelopmentPlan).where(DevelopmentPlan.person_id == pid)):
        session.delete(plan)  # with its actions and their progress
    pair = or_(Duo.person_a_id == pid, Duo.person_b_id == pid)
    duos = _count(session, select(Duo.id).where(pair))
    session.execute(delete(Duo).where(pair))
    shares = _count(session, select(ReportShare.id).where(ReportShare.person_id == pid))
    feedback_removed = feedback_service.forget_rows(session=session, person_id=pid)
    pairs_removed = one_on_ones_service.forget_rows(session=session, person_id=pid)
    session.execute(delete(ReportShare).where(ReportShare.person_id == pid))
    _scrub_other_duos(session, texts, emails)
    scrubbed = _scrub_comments(session, person.display_name)
    why = why_forget(session, pid, person.display_name, NAME_REMOVED)
    audit.erase_actor(session=session, actors=emails | texts, replacement=FORGOTTEN_TEXT)

    identities = list(session.scalars(select(Identity).where(Identity.person_id == pid)))
    for identity in identities:
        identity.identity_key = people_service.forgotten_key(identity.identity_key)
        identity.display_name = None
        identity.person_id = None
        identity.linked_by = "manual"
    session.execute(update(Person).where(Person.manager_id == pid).values(manager_id=None))

    if user is not None:
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))
        session.delete(user)
    if emails:
        session.execute(delete(LoginAttempt).where(func.lower(LoginAttempt.email).in_(emails)))
    session.flush()
    session.expire_all()
    session.execute(delete(Person).where(Person.id == pid))
    report = ForgetReport(
        former_person_id=pid,
        answers_deleted=answers_deleted,
        answers_anonymised=given[ReviewResponse],
        answers_kept=about[ReviewResponse],
        rankings_deleted=rankings_deleted,
        rankings_anonymised=given[ForcedRanking],
        rankings_kept=about[ForcedRanking],
        comments_deleted=comments_deleted,
        comments_anonymised=given[ReviewComment],
        comments_kept=about[ReviewComment],
        comments_scrubbed=scrubbed,
        roster_rows_kept=roster,
        identities_unlinked=len(identities),
        memberships_removed=memberships,
        plans_removed=plans,
        duos_removed=duos,
        shares_removed=shares,
        shares_kept=shares_kept,
        user_removed=user is not None,
        feedback_removed=feedback_removed,
        one_on_one_pairs_removed=pairs_removed,
        **why,
        concerns_deleted=concerns["concerns_deleted"],
        concern_answers_unlinked=concerns["concern_answers_unlinked"],
        anonymous_rater_id=anonymous_id,
        former_member_id=member_id,
    )
    audit.record(
        session=session,
        actor=actor,
        action="people.forget",
        subject_person_id=pid,
        # No stand-in's id: neither may be traceable to the former person.
        detail=report.model_dump(exclude=set(STAND_IN_FIELDS) | {"former_person_id"}),
    )
    return report


def _scrub_comments(session: Session, name: str) -> int:
    """Replace the person's whole display name in every comment (as a word, any case)."""
    words = name.split()
    if not words:
        return 0
    pattern = re.compile(
        r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)", re.IGNORECASE
    )
    # every comment, matched here: SQLite's lower() and LIKE fold ASCII only, so a filter in SQL
    # would pass over "Åsa" written with its capital
    scrubbed = 0
    for comment in session.scalars(select(ReviewComment).execution_options(yield_per=500)):
        text = pattern.sub(NAME_REMOVED, comment.text)
        if text != comment.text:
            comment.text = text[:COMMENT_MAX_CHARS]
            scrubbed += 1
    session.flush()
    return scrubbed


def _scrub_other_duos(session: Session, texts: set[str], emails: set[str]) -> None:
    """Other pairs may name the person as their tie-breaker or as who confirmed them."""
    for duo in session.scalars(select(Duo).where(Duo.tie_breaker.is_not(None))):
        tie = duo.tie_breaker or ""
        if tie in texts or any(e in tie.lower() for e in emails):
            duo.tie_breaker = FORGOTTEN_TEXT
    if emails:
        session.execute(
            update(Duo)
            .where(func.lower(Duo.confirmed_by).in_(emails))
            .values(confirmed_by=FORGOTTEN_TEXT)
        )
