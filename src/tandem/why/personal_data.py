"""A person's data in the why: what :func:`tandem.people.privacy.export_person` exports and
what :func:`tandem.people.privacy.forget_person` erases (DESIGN §7).

**Export** (:func:`why_export`): the kudos they gave (with whom they recognised: they chose
them) and received (with the giver: the giver gave it to them; any other recipient is only
counted, as a person's export never names someone who did not agree to be named), the key-result
check-ins they wrote, the goals and experiments they own, the delegation levels they set, the
alignment decisions they made, and their own naming choice. Impact stories are not stored:
nothing of them is exported (a story's contributor list names other people).

**Forget** (:func:`why_forget`): a kudos that recognised them alone is deleted (it is about
them); from a kudos with other recipients they are removed; a kudos they gave stays for its
recipients without a giver ("a teammate"). Check-ins, goals, experiments, delegation levels,
alignment decisions and the vision they last set stay the team's, detached from them. Their
naming choice is deleted, and their whole display name is replaced by ``name_removed`` in every
kudos text and check-in note.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from tandem.people.models import Team
from tandem.why.alignment.models import AlignmentLink
from tandem.why.change.models import Experiment
from tandem.why.delegation.models import DecisionArea, DelegationLevel
from tandem.why.goals.models import CheckIn, Goal, KeyResult, Vision
from tandem.why.recognition.models import Kudos, KudosRecipient, NamingConsent


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _link(kudos: Kudos) -> dict[str, Any]:
    if kudos.goal is not None:
        return {"goal": kudos.goal.title}
    return {"practice": kudos.practice}


def _kudos_given(session: Session, person_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(Kudos).where(Kudos.giver_id == person_id).order_by(Kudos.given_at, Kudos.id)
    )
    return [
        {
            "id": k.id,
            "team": k.team.name,
            "given_at": _iso(k.given_at),
            "to": [r.person.display_name for r in k.recipients],
            "what": k.what,
            "impact": k.impact,
            **_link(k),
        }
        for k in rows
    ]


def _kudos_received(session: Session, person_id: int) -> list[dict[str, Any]]:
    received = select(KudosRecipient.kudos_id).where(KudosRecipient.person_id == person_id)
    rows = session.scalars(
        select(Kudos).where(Kudos.id.in_(received)).order_by(Kudos.given_at, Kudos.id)
    )
    return [
        {
            "id": k.id,
            "team": k.team.name,
            "given_at": _iso(k.given_at),
            "from": k.giver.display_name if k.giver is not None else None,
            "also_recognised": len(k.recipients) - 1,  # counted: never named here
            "what": k.what,
            "impact": k.impact,
            **_link(k),
        }
        for k in rows
    ]


def _checkins(session: Session, person_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(CheckIn, KeyResult.title, Goal.title, Team.name)
        .join(KeyResult, KeyResult.id == CheckIn.key_result_id)
        .join(Goal, Goal.id == KeyResult.goal_id)
        .join(Team, Team.id == Goal.team_id)
        .where(CheckIn.author_id == person_id)
        .order_by(CheckIn.checked_at, CheckIn.id)
    )
    return [
        {
            "team": team,
            "goal": goal,
            "key_result": kr,
            "checked_at": _iso(c.checked_at),
            "value": c.value,
            "confidence": c.confidence,
            "note": c.note,
        }
        for c, kr, goal, team in rows
    ]


def _goals_owned(session: Session, person_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(select(Goal).where(Goal.owner_id == person_id).order_by(Goal.id))
    return [
        {
            "team": g.team.name,
            "title": g.title,
            "starts_on": _iso(g.starts_on),
            "ends_on": _iso(g.ends_on),
            "status": g.status,
        }
        for g in rows
    ]


def _experiments_owned(session: Session, person_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(Experiment).where(Experiment.owner_id == person_id).order_by(Experiment.id)
    )
    return [
        {
            "team": e.team.name,
            "title": e.title,
            "hypothesis": e.hypothesis,
            "starts_on": _iso(e.starts_on),
            "ends_on": _iso(e.ends_on),
            "status": e.status,
            "result": e.result,
            "outcome": e.outcome,
        }
        for e in rows
    ]


def _delegation(session: Session, person_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(DelegationLevel, DecisionArea.name, Team.name)
        .join(DecisionArea, DecisionArea.id == DelegationLevel.area_id)
        .join(Team, Team.id == DecisionArea.team_id)
        .where(DelegationLevel.set_by_id == person_id)
        .order_by(DelegationLevel.set_at, DelegationLevel.id)
    )
    return [
        {"team": team, "area": area, "level": d.level, "set_at": _iso(d.set_at), "note": d.note}
        for d, area, team in rows
    ]


def _alignment(session: Session, person_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(AlignmentLink, Goal.title)
        .join(Goal, Goal.id == AlignmentLink.goal_id)
        .where(AlignmentLink.decided_by_id == person_id)
        .order_by(AlignmentLink.decided_at, AlignmentLink.id)
    )
    return [
        {"goal": goal, "item": a.object_id, "decision": a.decision,
         "decided_at": _iso(a.decided_at)}
        for a, goal in rows
    ]  # fmt: skip


def why_export(session: Session, person_id: int) -> dict[str, Any]:
    """The person's why data, as :class:`tandem.people.schemas.PersonExport` fields."""
    consent = session.scalar(select(NamingConsent).where(NamingConsent.person_id == person_id))
    return {
        "kudos_given": _kudos_given(session, person_id),
        "kudos_received": _kudos_received(session, person_id),
        "checkins": _checkins(session, person_id),
        "goals_owned": _goals_owned(session, person_id),
        "experiments_owned": _experiments_owned(session, person_id),
        "delegation_levels_set": _delegation(session, person_id),
        "alignment_decisions": _alignment(session, person_id),
        "naming_consent": (
            {"named": consent.named, "decided_at": _iso(consent.decided_at)}
            if consent is not None
            else None
        ),
    }


def _count(session: Session, query: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def _detach(session: Session, model: Any, column: Any, person_id: int) -> int:
    result = session.execute(update(model).where(column == person_id).values({column: None}))
    return int(getattr(result, "rowcount", 0) or 0)


def why_forget(session: Session, person_id: int, name: str, name_removed: str) -> dict[str, int]:
    """Erase the person's why data in ``session``'s transaction (see the module docstring);
    the counts, as :class:`tandem.people.schemas.ForgetReport` fields."""
    received = select(KudosRecipient.kudos_id).where(KudosRecipient.person_id == person_id)
    others = (
        select(KudosRecipient.kudos_id)
        .where(KudosRecipient.kudos_id.in_(received), KudosRecipient.person_id != person_id)
        .distinct()
    )
    alone = list(
        session.scalars(select(Kudos.id).where(Kudos.id.in_(received), ~Kudos.id.in_(others)))
    )
    shared = _count(session, others)
    session.execute(delete(Kudos).where(Kudos.id.in_(alone)))
    session.execute(delete(KudosRecipient).where(KudosRecipient.person_id == person_id))
    given = _detach(session, Kudos, Kudos.giver_id, person_id)
    detached = sum(
        _detach(session, model, column, person_id)
        for model, column in (
            (CheckIn, CheckIn.author_id),
            (Goal, Goal.owner_id),
            (Experiment, Experiment.owner_id),
            (DelegationLevel, DelegationLevel.set_by_id),
            (AlignmentLink, AlignmentLink.decided_by_id),
            (Vision, Vision.updated_by_id),
        )
    )
    session.execute(delete(NamingConsent).where(NamingConsent.person_id == person_id))
    session.flush()
    return {
        "kudos_removed": len(alone),
        "kudos_recipient_removed": shared,
        "kudos_giver_removed": given,
        "why_entries_detached": detached,
        "why_texts_scrubbed": _scrub(session, name, name_removed),
    }


def _scrub(session: Session, name: str, replacement: str) -> int:
    """Replace the whole display name (as a word, any case) in kudos texts and check-in notes."""
    words = name.split()
    if not words:
        return 0
    pattern = re.compile(
        r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)", re.IGNORECASE
    )
    scrubbed = 0
    for kudos in session.scalars(select(Kudos).execution_options(yield_per=500)):
        what, impact = pattern.sub(replacement, kudos.what), pattern.sub(replacement, kudos.impact)
        if (what, impact) != (kudos.what, kudos.impact):
            kudos.what, kudos.impact = what, impact
            scrubbed += 1
    for checkin in session.scalars(select(CheckIn).execution_options(yield_per=500)):
        note = pattern.sub(replacement, checkin.note)
        if note != checkin.note:
            checkin.note = note
            scrubbed += 1
    session.flush()
    return scrubbed
